"""Service tiers: what spend earns, and the special situations outside the written policy."""

from __future__ import annotations

import streamlit as st

from analysis import schema
from analysis import tiers as tr
from analysis.errors import ConfigError
from ui import cached, charts, state, widgets

st.title("Service tiers")
st.caption(
    "Our minimum service commitment to all customers is the lowest tier; spending more in a year "
    "entitles a customer to more. Anything beyond its tier is a special situation, and special "
    "situations eat profit."
)
loaded = state.current()
policy = state.pipeline_config().tiers
accounts = state.scored().table

with st.expander("Policy (edit and apply)", icon=":material/tune:"):
    with st.form("tiers_policy", border=False):
        st.caption("Per year. Leave a cell blank for unlimited. Discount is % of revenue.")
        edited = st.data_editor(
            tr.tiers_frame(policy), hide_index=True, num_rows="dynamic", key="tiers_editor"
        )
        if st.form_submit_button("Apply policy", type="primary"):
            try:
                state.save_tier_policy(tr.policy_from_frame(edited, policy))
                st.rerun()
            except ConfigError as error:
                st.error(widgets.plain(str(error)))
    widgets.download_settings(
        policy.to_json(),
        "tiers",
        "Download policy (JSON, for the CLI's --tiers)",
        key="tiers_policy_json",
    )

for note in tr.unassessed(accounts):
    st.info(widgets.plain(f"Not assessed: {note}."), icon=":material/info:")

summary, exceptions = cached.tier_views(
    loaded.key, loaded.files, state.ingest_config(), state.pipeline_config()
)
widgets.kpi_row(
    [
        ("Special situations", f"{len(exceptions):,}"),
        ("Their cost", widgets.money(float(exceptions["cost"].sum()))),
        ("Accounts with any", f"{exceptions[schema.ACCOUNT_ID].nunique():,}"),
    ]
)

st.subheader("Accounts and revenue per tier")
widgets.chart(charts.tier_bars(summary), "tiers", key="tiers_bars", tag=loaded.key)
widgets.table(summary, key="tiers_summary")
widgets.download_table(summary, "tier-summary", key="tiers_summary_dl", tag=loaded.key)

st.subheader("Special situations")
by = st.segmented_control("Cost by", ["kind", schema.OWNER], default="kind", key="tiers_by")
widgets.chart(
    charts.cost_bars(exceptions, by or "kind"), "exception-cost", key="tiers_cost", tag=loaded.key
)
widgets.table(exceptions, key="tiers_exceptions")
widgets.download_table(exceptions, "special-situations", key="tiers_exceptions_dl", tag=loaded.key)

st.subheader("What if")
names = [t.name for t in policy.tiers]
left, middle, right = st.columns(3)
tier = left.selectbox("Tier", names, key="tiers_whatif_tier")
field = middle.selectbox("Change", tr.TIER_FIELDS[1:], key="tiers_whatif_field")
current = getattr(next(t for t in policy.tiers if t.name == tier), field)
value = right.number_input(
    "New value",
    min_value=0.0,
    value=float(current if current != float("inf") else 0.0),
    key="tiers_whatif_value",
)
try:
    proposed = tr.with_tier(policy, tier, **{field: value})
    comparison = cached.policy_what_if(
        loaded.key, loaded.files, state.ingest_config(), state.pipeline_config(), proposed
    )
except ConfigError as error:
    st.error(widgets.plain(str(error)))
else:
    widgets.kpi_row(
        [
            ("Accounts changing tier", f"{comparison.accounts_changing_tier:,}"),
            (
                "Special situations",
                f"{comparison.exceptions_before:,} → {comparison.exceptions_after:,}",
            ),
            (
                "Their cost",
                f"{widgets.money(comparison.exception_cost_before)} → "
                f"{widgets.money(comparison.exception_cost_after)}",
            ),
        ]
    )
    if not comparison.moves.empty:
        widgets.table(comparison.moves, key="tiers_moves")
