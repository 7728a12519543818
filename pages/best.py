"""Best customers: define them, see what they share, find lookalikes, and set targets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analysis import schema
from analysis import similarity as sim
from analysis.errors import ConfigError
from ui import cached, charts, state, widgets

st.title("Best customers")
loaded = state.current()
scored = state.scored()
table = scored.table
definition = state.pipeline_config().best


def use(new: sim.BestDefinition) -> None:
    state.save_best_definition(new)
    st.rerun()


st.subheader("Who is best?")
how = st.segmented_control(
    "Define best customers by",
    ["Right segment", "A rule", "Chosen accounts"],
    default={"right": "Right segment", "rules": "A rule", "exemplars": "Chosen accounts"}[
        definition.kind
    ],
    key="best_how",
)
if how == "Right segment" and definition.kind != "right":
    if st.button("Use the right segment", key="best_use_right", type="primary"):
        use(sim.BestDefinition.right_segment())
elif how == "A rule":
    with st.form("best_rule"):
        left, right = st.columns(2)
        top = left.number_input("Top % of accounts by profit", 1, 100, 15, key="best_rule_top")
        products = right.number_input(
            "With at least this many products", 0, 50, 4, key="best_rule_products"
        )
        if st.form_submit_button("Use this rule", type="primary"):
            rules = [sim.Rule("profit", "top_pct", float(top))]
            if products and schema.PRODUCTS_USED in table:
                rules.append(sim.Rule(schema.PRODUCTS_USED, ">=", float(products)))
            use(sim.BestDefinition.from_rules(*rules))
elif how == "Chosen accounts":
    search = st.text_input("Search accounts by name or id", key="best_search")
    pool = table[[schema.ACCOUNT_ID, schema.ACCOUNT_NAME, schema.SEGMENT, schema.REVENUE, "profit"]]
    if search:
        text = pool[schema.ACCOUNT_ID].astype(str) + " " + pool[schema.ACCOUNT_NAME].astype(str)
        pool = pool[text.str.contains(search, case=False, regex=False)]
    pool = pool.sort_values("profit", ascending=False).head(2000)
    picked = st.dataframe(
        pool, hide_index=True, on_select="rerun", selection_mode="multi-row", key="best_pick"
    )
    ids = pool.iloc[picked.selection.rows][schema.ACCOUNT_ID].astype(str).tolist()
    st.caption(f"{len(ids)} selected (at least {sim.MIN_EXEMPLARS}).")
    if st.button("Use the selected accounts", key="best_use_pick", disabled=len(ids) < 3):
        try:
            use(sim.BestDefinition.from_exemplars(ids))
        except ConfigError as error:
            st.error(widgets.plain(str(error)))

best = table[sim.BEST]
for warning in table.attrs.get("similarity_warnings", ()):
    st.warning(widgets.plain(warning), icon=":material/warning:")
widgets.kpi_row(
    [
        ("Best customers", f"{int(best.sum()):,}"),
        (
            "Their share of profit",
            widgets.percent(
                float(table.loc[best, "profit"].sum() / table["profit"].sum())
                if table["profit"].sum()
                else float("nan")
            ),
        ),
        ("Accounts scoring ≥ 70", f"{int((table[sim.SIMILARITY] >= 70).sum()):,}"),
    ]
)

if not best.any():
    st.info("No account meets this definition yet: choose another way to define best customers.")
    st.stop()

st.subheader("What best customers have in common")
profile, growth, review = cached.best_views(
    loaded.key, loaded.files, state.ingest_config(), state.pipeline_config()
)
widgets.chart(
    charts.profile_bars(profile), "best-profile", key="best_profile_chart", tag=loaded.key
)
widgets.table(profile, key="best_profile")
widgets.download_table(profile, "best-profile", key="best_profile_dl", tag=loaded.key)

columns = [
    schema.ACCOUNT_ID,
    schema.ACCOUNT_NAME,
    schema.SEGMENT,
    schema.REVENUE,
    "profit",
    sim.SIMILARITY,
    sim.SIMILARITY_REASONS,
]
similarity_column = {
    sim.SIMILARITY: st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.0f")
}
left, right = st.columns(2)
with left:
    st.subheader("Growth list")
    st.caption("Most like the best, not best yet: where more best customers come from.")
    growth = growth[columns]
    widgets.table(growth, key="best_growth", column_config=similarity_column)
    widgets.download_table(growth, "growth-list", key="best_growth_dl", tag=loaded.key)
with right:
    st.subheader("Review list")
    st.caption("Large accounts least like the best: worth a closer look.")
    review = review[columns]
    widgets.table(review, key="best_review", column_config=similarity_column)
    widgets.download_table(review, "review-list", key="best_review_dl", tag=loaded.key)

st.subheader("Does the score find best customers?")
st.caption(
    "Some best customers are hidden, the score is fitted on the rest, and we check where the "
    "hidden ones rank: the power curve shows the share found in the top x% of scores."
)
try:
    check = cached.validation(
        loaded.key, loaded.files, state.ingest_config(), state.pipeline_config()
    )
except ConfigError as error:
    st.info(widgets.plain(str(error)))
else:
    widgets.kpi_row(
        [
            ("Top-decile lift", f"{check.top_decile_lift:.1f}x"),
            ("AUC", f"{check.auc:.2f}"),
            ("Folds", str(check.folds)),
        ]
    )
    widgets.chart(
        charts.power_curve(check.power_curve), "power-curve", key="best_power", tag=loaded.key
    )

st.subheader("All accounts by similarity")
widgets.chart(charts.similarity_histogram(table), "similarity", key="best_hist", tag=loaded.key)
widgets.download_table(table[columns], "similarity", key="best_all_dl", tag=loaded.key)

st.subheader("Targets")
targets = state.targets()
with st.form("best_target"):
    left, middle, right = st.columns(3)
    threshold = left.slider("Score at least", 0, 100, 70, key="best_target_threshold")
    today = int((table[sim.SIMILARITY] >= threshold).sum())
    goal = middle.number_input("Goal: accounts", 0, 10_000_000, today + 10, key="best_target_goal")
    quarter = right.text_input(
        "By the end of quarter", state.current_quarter(), key="best_target_quarter"
    )
    if st.form_submit_button("Save target"):
        try:
            target = sim.Target(float(threshold), int(goal), quarter.strip(), date.today())
            state.save_targets([*targets, target])
            st.rerun()
        except ConfigError as error:
            st.error(widgets.plain(str(error)))
if targets:
    progress = sim.target_progress(targets, {state.current_quarter(): table})
    widgets.table(progress, key="best_targets")
    widgets.download_table(pd.DataFrame(progress), "targets", key="best_targets_dl", tag=loaded.key)
