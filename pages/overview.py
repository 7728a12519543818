"""Overview: the customer mix at a glance, and what to do about each group."""

from __future__ import annotations

import streamlit as st

from analysis import economics as eco
from analysis import schema
from analysis import segmentation as sg
from ui import state, widgets

ADVICE = {
    "right": "Keep and grow: they use the whole offer and pay for the service they get.",
    "wrong": "Help them move: a self-serve tier, tier-minimum pricing, or a referral to a "
    "cheaper provider frees capacity for right customers.",
    "bad": "Review: reprice, enforce the service policy, or exit. Cost-to-serve or friction "
    "outweighs what they bring.",
}

st.title("Your customer mix")
loaded = state.current()
econ = state.economics()
seg = state.segmentation()
widgets.portfolio_kpis(eco.kpis(econ))
whale = eco.whale_summary(econ)
if whale.total_profit > 0:
    erosion = widgets.money(whale.erosion).replace("$", "\\$")  # a bare $ starts LaTeX
    st.markdown(
        f"The most profitable **{whale.peak_share_of_accounts:.0%}** of accounts earn "
        f"**{whale.peak_pct:.0f}%** of total profit; the rest give "
        f"**{erosion}** of it back."
    )

summary = sg.segment_summary(seg)
columns = st.columns(len(summary))
for column, (_, row) in zip(columns, summary.iterrows(), strict=True):
    name = str(row[schema.SEGMENT])
    with column.container(border=True):
        st.subheader(f"{name.capitalize()} customers")
        st.metric("Accounts", f"{int(row['accounts']):,}")
        st.metric("Profit", widgets.money(float(row["profit"])))
        st.caption(ADVICE.get(name, ""))
widgets.table(summary, key="overview_summary")
widgets.download_table(summary, "segment-summary", key="overview_summary_dl", tag=loaded.key)

left, middle, right = st.columns(3)
left.page_link("pages/economics.py", label="See the economics", icon=":material/payments:")
middle.page_link("pages/segments.py", label="Explore the segments", icon=":material/group_work:")
right.page_link("pages/data.py", label="Check or change the data", icon=":material/upload_file:")
