"""Login through Streamlit's built-in OIDC (`st.login`) when it is configured, with an allow-list.

Configured means `.streamlit/secrets.toml` has an `[auth]` section (see the README). Without one
the app runs locally without login and the Quarterly review page says so. With one, every page
is behind `require_login()`, called by `app.py` before any page runs, and only the addresses or
domains in `RIGHTFIT_ALLOWED` (comma-separated, e.g. "ann@acme.com,@acme.com") get in; an empty
allow-list lets in anyone the identity provider accepts.
"""

from __future__ import annotations

import os

import streamlit as st


def login_configured() -> bool:
    """True when the app was started with an auth section (`st.user` then knows is_logged_in)."""
    return getattr(st.user, "is_logged_in", None) is not None


def allowed(email: str | None, allow_list: str) -> bool:
    """Whether `email` matches an address or an "@domain" entry of the comma-separated list."""
    rules = [r.strip().lower() for r in allow_list.split(",") if r.strip()]
    if not rules:
        return True
    address = (email or "").strip().lower()
    if "@" not in address:
        return False
    domain = "@" + address.rsplit("@", 1)[1]
    return address in rules or domain in rules


def require_login() -> None:
    """Stop the page unless login is off, or the user is logged in and on the allow-list."""
    if not login_configured():
        return
    if not st.user.is_logged_in:
        st.title("Rightfit")
        st.write("Customer data is confidential: log in to continue.")
        st.button("Log in", on_click=st.login, type="primary", key="auth_login")
        st.stop()
    if not allowed(st.user.get("email"), os.environ.get("RIGHTFIT_ALLOWED", "")):
        st.error("Your account is not on this server's allow-list. Ask the owner for access.")
        st.button("Log out", on_click=st.logout, key="auth_logout")
        st.stop()
    with st.sidebar:
        st.text(f"Logged in as {st.user.get('email', '')}")
        st.button("Log out", on_click=st.logout, key="auth_sidebar_logout")
