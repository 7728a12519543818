"""Segments: right, wrong and bad customers, the clusters behind them, and the reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import streamlit as st

from analysis import schema
from analysis import segmentation as sg
from analysis.decisions import Override
from analysis.errors import ConfigError, RightfitError
from analysis.features import METRIC_INPUTS
from ui import charts, state, store, widgets

st.title("Segments")
loaded = state.current()
config = state.segment_config()

with (
    st.expander("Settings: features, number of clusters, naming rules", icon=":material/tune:"),
    st.form("seg_settings", border=False),
):
    features = st.multiselect(
        "Features (size-neutral: logs, ratios per order or per dollar)",
        list(METRIC_INPUTS),
        default=list(config.features.features),
        key="seg_features",
    )
    k_range = st.slider(
        "Number of clusters to try", 2, 15, (config.k_min, config.k_max), key="seg_k_range"
    )
    seed = st.number_input("Random seed", 0, 2**31 - 1, config.random_state, key="seg_seed")
    st.caption(
        "Naming rules, tried top to bottom: conditions sharing a label and rule must all hold; "
        "the first rule that fires decides. Edit thresholds to match your business."
    )
    rules = st.data_editor(
        sg.rules_frame(config.rules), hide_index=True, num_rows="dynamic", key="seg_rules"
    )
    if st.form_submit_button("Apply", type="primary"):
        try:
            st.session_state[state.SEGMENT_CONFIG] = replace(
                config,
                features=replace(config.features, features=tuple(features)),
                rules=sg.rules_from_frame(rules),
                k_min=k_range[0],
                k_max=k_range[1],
                random_state=int(seed),
            )
            st.rerun()
        except ConfigError as error:
            st.error(widgets.plain(str(error)))

scored = state.scored()
seg = scored.segmentation
accounts = scored.table

if seg.absent_signals:
    st.info(
        "Signals your data lacks, so segments lean on the rest: " + ", ".join(seg.absent_signals),
        icon=":material/info:",
    )
st.caption(f"{seg.k} clusters chosen automatically (best silhouette in the range you set).")

summary = sg.segment_summary(replace(seg, accounts=accounts))
widgets.kpi_row(
    [
        (f"{row[schema.SEGMENT].capitalize()} accounts", f"{int(row['accounts']):,}")
        for _, row in summary.iterrows()
    ]
    + [("Easy (risk flag)", f"{int(accounts[schema.EASY].sum()):,}")]
)
widgets.table(summary, key="seg_summary")
widgets.download_table(summary, "segment-summary", key="seg_summary_dl", tag=loaded.key)
widgets.chart(charts.segment_bars(summary), "segment-shares", key="seg_bars", tag=loaded.key)

st.subheader("Segment map")
view = st.segmented_control(
    "Map",
    ["Revenue vs cost-to-serve", "2-D projection"],
    default="Revenue vs cost-to-serve",
    key="seg_map_view",
)
shown, note = charts.sample_for_display(accounts)
if note:
    st.caption(note)
if view == "2-D projection":
    points = sg.projection_2d(seg).merge(shown[[schema.ACCOUNT_ID]], on=schema.ACCOUNT_ID)
    fig = charts.projection(points)
else:
    fig = charts.revenue_vs_cost(shown, colour=schema.SEGMENT)
widgets.chart(fig, "segment-map", key="seg_map", tag=loaded.key)

st.subheader("Cluster profiles")
st.caption("How far each cluster sits from the portfolio, in standard deviations per feature.")
heat = seg.profiles.set_index("cluster_name")[list(seg.features.columns)]
widgets.chart(charts.profile_heatmap(heat), "cluster-heatmap", key="seg_heatmap", tag=loaded.key)
widgets.table(seg.profiles, key="seg_profiles")
widgets.download_table(seg.profiles, "cluster-profiles", key="seg_profiles_dl", tag=loaded.key)
with st.expander("How k was chosen"):
    widgets.table(seg.k_scores, key="seg_k_scores")

st.subheader("Accounts")
chosen = st.segmented_control(
    "Segment",
    list(schema.SEGMENTS),
    selection_mode="multi",
    default=list(schema.SEGMENTS),
    key="seg_filter",
)
only_easy = st.toggle("Only easy accounts", key="seg_only_easy")
drill = accounts[accounts[schema.SEGMENT].isin(chosen or [])]
if only_easy:
    drill = drill[drill[schema.EASY]]
columns = [
    c
    for c in (
        schema.ACCOUNT_ID,
        schema.ACCOUNT_NAME,
        schema.SEGMENT,
        "cluster_name",
        schema.EASY,
        "confidence",
        "reasons",
        schema.REVENUE,
        "cost_to_serve",
        "profit",
        "override_reason",
    )
    if c in drill
]
widgets.table(
    drill[columns],
    key="seg_accounts",
    column_config={"confidence": st.column_config.ProgressColumn(min_value=0, max_value=1)},
)
widgets.download_table(drill, "segmented-accounts", key="seg_accounts_dl", tag=loaded.key)

st.subheader("Override a label")
st.caption(
    "The model never decides alone: change a segment with a reason. Overrides are kept in the "
    "workspace and show in every export (segment, model_segment, override_reason)."
)
with st.form("seg_override", clear_on_submit=True):
    left, middle, right = st.columns(3)
    account = left.text_input("Account id", key="seg_override_id")
    segment = middle.selectbox("New segment", schema.SEGMENTS, key="seg_override_segment")
    by = right.text_input("Your name", key="seg_override_by")
    reason = st.text_input("Why", key="seg_override_reason")
    if st.form_submit_button("Save override"):
        if account.strip() not in set(accounts[schema.ACCOUNT_ID].astype(str)):
            st.error(widgets.plain(f"No account with id '{account.strip()}'."))
        else:
            try:
                override = Override(account.strip(), segment, reason, by, date.today())
                store.workspace().set_override(override)
                st.rerun()
            except RightfitError as error:
                st.error(widgets.plain(str(error)))
overrides = store.workspace().overrides()
if not overrides.empty:
    widgets.table(overrides, key="seg_overrides")
    widgets.download_table(overrides, "overrides", key="seg_overrides_dl", tag=loaded.key)
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    remove = left.selectbox(
        "Remove the override of", overrides[schema.ACCOUNT_ID], key="seg_override_remove"
    )
    if right.button("Remove", key="seg_override_remove_button"):
        store.workspace().remove_override(remove)
        st.rerun()
