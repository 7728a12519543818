"""Prospects: before a deal, how much a prospect looks like our best and our bad accounts, and
which of its expectations to discuss. The tool never turns anyone away."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import brief, exports, schema
from analysis import prospect_input as pin
from analysis import prospects as pro
from analysis.ingest import InputFile, read_raw
from ui import state, widgets

INPUT = "pro_input"  # the prospects last entered or uploaded, as a typed frame

st.title("Prospects")
st.caption(
    "Each prospect is compared with the accounts you have today. The result says what a prospect "
    "looks like and what to discuss before signing; it is a starting point, never a rejection."
)
book = state.scored().table
config = pro.ProspectConfig(policy=state.pipeline_config().tiers)

mode = st.segmented_control(
    "Enter", ["One prospect", "Upload a list"], default="One prospect", key="pro_mode"
)
if mode == "Upload a list":
    st.download_button(
        "Download the template (CSV)",
        data=lambda: exports.to_csv_bytes(pin.template_frame()),
        file_name="rightfit-prospects-template.csv",
        mime="text/csv",
        key="pro_template",
        on_click="ignore",
        icon=":material/download:",
    )
    upload = st.file_uploader(
        "Prospect list (CSV or Excel)", type=["csv", "txt", "xlsx", "xls"], key="pro_upload"
    )
    if upload is not None:
        file = InputFile(name=upload.name, data=upload.getvalue())
        raw = widgets.guarded(lambda: read_raw(file, state.ingest_config())).frame
        suggested = pin.suggest_prospect_mapping(list(raw.columns))
        fields = [f.name for f in pin.PROSPECT_FIELDS]
        st.caption("Check which field each column holds; leave blank to ignore a column.")
        mapping = st.data_editor(
            pd.DataFrame(
                {"column": list(raw.columns), "field": [suggested.get(c) for c in raw.columns]}
            ),
            hide_index=True,
            disabled=["column"],
            column_config={"field": st.column_config.SelectboxColumn(options=fields)},
            key="pro_mapping",
        )
        if st.button("Screen these prospects", type="primary", key="pro_screen_list"):
            chosen = dict(zip(mapping["column"], mapping["field"].fillna(""), strict=True))
            st.session_state[INPUT] = widgets.guarded(lambda: pin.prospects_from_table(raw, chosen))
else:
    with st.form("pro_form"):
        left, middle, right = st.columns(3)
        name = left.text_input("Prospect", "New prospect", key="pro_name")
        revenue = middle.number_input(
            "Expected annual revenue ($)", 0.0, 1e10, 50_000.0, step=1_000.0, key="pro_revenue"
        )
        products = right.number_input("Products wanted", 0, 1_000, 3, key="pro_products")
        industry = left.text_input("Industry", key="pro_industry")
        region = middle.text_input("Region", key="pro_region")
        orders = right.number_input("Orders a year (size)", 0, 1_000_000, 24, key="pro_orders")
        st.markdown("**What they expect**")
        left, middle, right = st.columns(3)
        custom = left.checkbox("Expects custom enhancements", key="pro_custom")
        rush = left.slider("Orders wanted rushed (%)", 0, 100, 10, key="pro_rush")
        discount = middle.number_input("Discount asked (%)", 0.0, 100.0, 5.0, key="pro_discount")
        terms = right.number_input("Payment terms asked (days)", 0, 365, 30, key="pro_terms")
        st.markdown("**How they have behaved so far**")
        left, middle, right = st.columns(3)
        missed = left.number_input("Meetings cancelled or missed", 0, 1_000, 0, key="pro_missed")
        calls = middle.number_input("Calls unreturned", 0, 1_000, 0, key="pro_calls")
        dm = right.checkbox("Our contact is the decision maker", value=True, key="pro_dm")
        if st.form_submit_button("Screen prospect", type="primary", key="pro_submit"):
            st.session_state[INPUT] = pd.DataFrame(
                {
                    schema.ACCOUNT_ID: [name.strip() or "New prospect"],
                    schema.REVENUE: [float(revenue)],
                    schema.PRODUCTS_USED: [float(products)],
                    schema.INDUSTRY: [industry],
                    schema.REGION: [region],
                    schema.ORDERS: [float(orders)],
                    pro.CUSTOM_ENHANCEMENTS: [custom],
                    pro.RUSH_SHARE: [rush / 100],
                    pro.DISCOUNT_ASKED: [float(discount)],
                    pro.TERMS_ASKED: [float(terms)],
                    schema.MEETINGS_MISSED: [float(missed)],
                    schema.CALLS_UNRETURNED: [float(calls)],
                    schema.DECISION_MAKER_ACCESS: [dm],
                }
            )

prospects = st.session_state.get(INPUT)
if prospects is None:
    st.info("Enter a prospect or upload a list to see how it compares with your accounts.")
    st.stop()

screened = widgets.guarded(lambda: pro.screen_prospects(prospects, book, config))
ranked = screened.sort_values([pro.FIT, pro.RISK], ascending=[False, True], kind="stable")
st.subheader("Results")
columns = [
    schema.ACCOUNT_ID,
    pro.FIT,
    pro.RISK,
    pro.RECOMMENDATION,
    pro.MISMATCH_COUNT,
    pro.MISMATCH_COST,
    pro.MISMATCHES,
]
st.dataframe(
    ranked[columns],
    hide_index=True,
    key="pro_results",
    column_config={
        pro.FIT: st.column_config.ProgressColumn("looks like best (0-100)", max_value=100),
        pro.RISK: st.column_config.ProgressColumn("looks like bad (0-100)", max_value=100),
        pro.MISMATCH_COST: st.column_config.NumberColumn(format="dollar"),
    },
)
widgets.download_table(ranked, "prospects", key="pro_results_dl")

st.subheader("One prospect")
ids = ranked[schema.ACCOUNT_ID].astype(str).tolist()
chosen = st.selectbox("Prospect", ids, key="pro_pick")
row = ranked[ranked[schema.ACCOUNT_ID].astype(str) == chosen].iloc[0]
widgets.kpi_row(
    [
        ("Looks like our best", f"{row[pro.FIT]:.0f}/100"),
        ("Looks like our bad", f"{row[pro.RISK]:.0f}/100"),
        ("Expectations to discuss", f"{int(row[pro.MISMATCH_COUNT])}"),
        ("Yearly cost of meeting them", widgets.money(float(row[pro.MISMATCH_COST]))),
    ]
)
st.text(f"To discuss: {row[pro.RECOMMENDATION]}")
st.markdown("**The accounts it most resembles**")
nearest = brief.nearest_table(row[pro.NEAREST])
st.dataframe(nearest, hide_index=True, key="pro_nearest")
widgets.download_table(nearest, "prospect-nearest", key="pro_nearest_dl")
st.markdown("**Expectations beyond what we offer, with the yearly cost to close each gap**")
gaps = pro.prospect_mismatches(row.to_frame().T, config)
st.dataframe(
    gaps,
    hide_index=True,
    key="pro_gaps",
    column_config={"cost": st.column_config.NumberColumn(format="dollar")},
)
widgets.download_table(gaps, "prospect-mismatches", key="pro_gaps_dl")
st.download_button(
    "Download a printable brief (HTML)",
    data=lambda: brief.prospect_brief(row, gaps, generated_on=date.today()).encode(),
    file_name="rightfit-prospect-brief.html",
    mime="text/html",
    key="pro_brief",
    on_click="ignore",
    icon=":material/print:",
)
