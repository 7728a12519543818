"""Segments: right, wrong and bad customers, the clusters behind them, and the reasons."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import streamlit as st

from analysis import schema
from analysis import segmentation as sg
from analysis.errors import ConfigError
from analysis.features import METRIC_INPUTS
from ui import charts, state, widgets

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
            st.error(str(error))

seg = state.segmentation()
overrides = st.session_state.setdefault(
    state.OVERRIDES, pd.DataFrame(columns=[schema.ACCOUNT_ID, schema.SEGMENT, "note"])
)
accounts = sg.apply_overrides(seg.accounts, overrides)

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
        "override_note",
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
st.caption("The model never decides alone: change a segment with a note; it shows in every export.")
with st.form("seg_override", clear_on_submit=True):
    left, middle = st.columns(2)
    account = left.text_input("Account id", key="seg_override_id")
    segment = middle.selectbox("New segment", schema.SEGMENTS, key="seg_override_segment")
    note = st.text_input("Why (required)", key="seg_override_note")
    if st.form_submit_button("Save override"):
        known = set(seg.accounts[schema.ACCOUNT_ID].astype(str))
        if account.strip() not in known:
            st.error(f"No account with id '{account.strip()}'.")
        elif not note.strip():
            st.error("Write a short note saying why.")
        else:
            row = pd.DataFrame(
                {schema.ACCOUNT_ID: [account.strip()], schema.SEGMENT: [segment], "note": [note]}
            )
            kept = overrides[overrides[schema.ACCOUNT_ID] != account.strip()]
            st.session_state[state.OVERRIDES] = pd.concat([kept, row], ignore_index=True)
            st.rerun()
if not overrides.empty:
    widgets.table(overrides, key="seg_overrides")
    widgets.download_table(overrides, "overrides", key="seg_overrides_dl", tag=loaded.key)
