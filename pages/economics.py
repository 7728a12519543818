"""Economics: which accounts pay for the business and which ones it pays for."""

from __future__ import annotations

import streamlit as st

from analysis import economics as eco
from analysis import schema
from analysis.economics import UnitCosts
from analysis.errors import ConfigError
from ui import cached, charts, state, widgets

st.title("Economics")
loaded = state.current()
portfolio = state.portfolio()
costs = state.unit_costs()
econ = state.economics()

missing = eco.missing_drivers(portfolio.accounts, costs)
if missing:
    st.info(
        "Your data has no figures for: " + ", ".join(missing) + ". Cost-to-serve leaves them out, "
        "so the result is coarser than it would be with them.",
        icon=":material/info:",
    )

widgets.portfolio_kpis(eco.kpis(econ))

st.subheader("Revenue versus cost-to-serve")
st.caption(
    "Each dot is an account, sized by profit. Above the dashed line cost-to-serve is larger than "
    "gross margin at the portfolio's average rate. Drag a box or lasso to list those accounts."
)
colour = None
if st.toggle("Colour by segment", value=True, key="eco_colour"):
    econ = state.scored().table  # the economics columns with segments, overrides applied
    colour = schema.SEGMENT
shown, note = charts.sample_for_display(econ)
if note:
    st.caption(note)
event = widgets.chart(
    charts.revenue_vs_cost(shown, colour=colour),
    "revenue-vs-cost",
    key="eco_scatter",
    tag=loaded.key,
    on_select="rerun",
    selection_mode=("box", "lasso"),
)
selected_ids = [p["customdata"][0] for p in (event.selection.points if event else [])]
table_columns = [
    c
    for c in (
        schema.ACCOUNT_ID,
        schema.ACCOUNT_NAME,
        schema.SEGMENT,
        schema.REVENUE,
        "gross_margin",
        "cost_to_serve",
        "profit",
        "profit_margin",
        "cts_ratio",
    )
    if c in econ
]
table = econ[table_columns]
if selected_ids:
    table = table[table[schema.ACCOUNT_ID].astype(str).isin(selected_ids)]
    st.caption(f"{len(table):,} accounts selected in the chart.")
widgets.table(table.sort_values("profit"), key="eco_table")
widgets.download_table(econ, "economics", key="eco_table_dl", tag=loaded.key)

st.subheader("Whale curve")
summary = eco.whale_summary(econ)
curve = eco.whale_curve(econ, max_points=2000)
widgets.kpi_row(
    [
        ("Peak profit", widgets.percent(summary.peak_pct / 100)),
        ("Accounts making the peak", widgets.percent(summary.peak_share_of_accounts)),
        ("Erosion", widgets.money(summary.erosion)),
        ("Top 20% share of profit", widgets.percent(summary.top20_profit_share)),
        ("Top 20% share of revenue", widgets.percent(summary.top20_revenue_share)),
        ("Accounts losing money", widgets.percent(summary.unprofitable_share)),
    ],
    help={"Erosion": "Profit given away by the accounts after the peak: peak minus final."},
)
widgets.chart(charts.whale_curve(curve, summary), "whale-curve", key="eco_whale", tag=loaded.key)
widgets.download_table(curve, "whale-curve-points", key="eco_whale_dl", tag=loaded.key)

st.subheader("One account, from revenue to profit")
by_revenue = econ.sort_values(schema.REVENUE, ascending=False).head(5000)
names = by_revenue.get(schema.ACCOUNT_NAME, by_revenue[schema.ACCOUNT_ID]).astype(str)
labels = dict(zip(by_revenue[schema.ACCOUNT_ID].astype(str), names, strict=True))
account = st.selectbox(
    "Account (largest 5,000 by revenue; type to search)",
    list(labels),
    format_func=lambda a: f"{labels[a]} ({a})",
    key="eco_account",
)
if account:
    steps = eco.profit_waterfall(econ, account)
    widgets.chart(
        charts.waterfall(steps, f"{labels[account]}: revenue to profit"),
        "waterfall",
        key="eco_waterfall",
        tag=loaded.key,
    )

st.subheader("What if")
drivers = {row.driver: row.label for row in costs.to_frame().itertuples()}
left, right = st.columns(2)
driver = left.selectbox(
    "Cost driver", list(drivers), format_func=drivers.get, key="eco_whatif_driver"
)
factor = right.slider(
    "Change its unit cost by", -100, 200, 0, step=10, format="%d%%", key="eco_whatif_pct"
)
if factor:
    what_if = costs.with_driver(driver, cost=costs.unit_cost(driver) * (1 + factor / 100))
    changed = cached.economics(loaded.key, loaded.files, state.ingest_config(), what_if)
    after = eco.whale_summary(changed)
    widgets.kpi_row(
        [
            ("Profit now", widgets.money(summary.total_profit)),
            ("Profit if", widgets.money(after.total_profit)),
            ("Accounts losing money if", widgets.percent(after.unprofitable_share)),
            ("Peak if", widgets.percent(after.peak_pct / 100)),
        ]
    )
    widgets.chart(
        charts.whale_curve(eco.whale_curve(changed, max_points=2000), after),
        "whale-curve-what-if",
        key="eco_whale_whatif",
        tag=loaded.key,
    )

with st.expander("Unit costs (edit and apply)", icon=":material/tune:"):
    st.caption(
        "Minutes of a team's time per activity, at the team's loaded hourly cost and practical "
        "capacity; money drivers count at face value; late payment costs the annual rate on "
        "revenue paid after the terms."
    )
    with st.form("eco_costs_form", border=False):
        edited = st.data_editor(
            costs.to_frame(),
            hide_index=True,
            disabled=["driver", "label", "kind", "team", "unit"],
            key="eco_costs_editor",
        )
        if st.form_submit_button("Apply unit costs", type="primary"):
            try:
                state.save_unit_costs(UnitCosts.from_frame(edited))
                st.rerun()
            except ConfigError as error:
                st.error(widgets.plain(str(error)))
    widgets.download_table(costs.to_frame(), "unit-costs", key="eco_costs_dl")
    widgets.download_settings(
        costs.to_json(),
        "unit-costs",
        "Download unit costs (JSON, for the CLI's --unit-costs)",
        key="eco_costs_json",
    )
