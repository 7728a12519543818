"""The sidebar and banner that always say which portfolio is loaded."""

from __future__ import annotations

import streamlit as st

from ui import state


def show() -> None:
    loaded = state.current()
    with st.sidebar:
        st.caption("Loaded portfolio")
        if loaded.origin == "sample":
            st.markdown("**Sample:** Northgate Supply (fictional)")
        else:
            st.markdown("**Your files**")
        portfolio = state.portfolio()
        for report in portfolio.files:
            st.text(f"{report.name} · {report.role} · {report.rows_in:,} rows")
        st.text(f"{len(portfolio.accounts):,} accounts")


def sample_banner() -> None:
    with st.container(border=True):
        left, right = st.columns([5, 1], vertical_alignment="center")
        left.info(
            "You are looking at the bundled sample portfolio of Northgate Supply, a fictional "
            "B2B distributor. Upload your own exports to analyse your customers.",
            icon=":material/info:",
        )
        if right.button("Upload your own", key="banner_upload", type="primary"):
            st.switch_page("pages/data.py")
