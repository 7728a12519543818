"""Rightfit: the entry script sets up the page, the session and the navigation, then runs a page."""

from __future__ import annotations

import logging

# Heavy modules are imported here, once per server process, before any session's thread can
# race on a half-imported pandas (see PERF_NOTES: several sessions starting at once).
import pandas  # noqa: F401
import plotly.express  # noqa: F401
import sklearn.cluster  # noqa: F401
import streamlit as st

from ui import auth, sidebar, state

st.set_page_config(page_title="Rightfit", page_icon=":material/target:", layout="wide")
auth.require_login()
state.init()

PAGES = {
    "Portfolio": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    ],
    "Analysis": [
        st.Page("pages/economics.py", title="Economics", icon=":material/payments:"),
        st.Page("pages/segments.py", title="Segments", icon=":material/group_work:"),
        st.Page("pages/best.py", title="Best customers", icon=":material/star:"),
    ],
    "Plan": [
        st.Page("pages/prospects.py", title="Prospects", icon=":material/person_search:"),
        st.Page("pages/tiers.py", title="Service tiers", icon=":material/workspace_premium:"),
        st.Page("pages/review.py", title="Quarterly review", icon=":material/event_note:"),
    ],
}

page = st.navigation(PAGES)
sidebar.show()
if state.current().origin == "sample":
    sidebar.sample_banner()

try:
    page.run()
except Exception:  # the last line of defence: a user never sees a traceback
    logging.getLogger("rightfit").exception("page %s failed", page.title)
    st.error(
        "Something went wrong on this page. Your data is unchanged; try another page or reload. "
        "If it happens again, download the validation report on the Data page and contact support.",
        icon=":material/error:",
    )
