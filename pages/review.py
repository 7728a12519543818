"""Quarterly review: snapshots of the analysis, how accounts moved, decisions, the session pack."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from analysis import economics as eco
from analysis import report, review, schema
from analysis import similarity as sim
from analysis.decisions import ACTIONS, Decision, helped_to_move, transition_plan
from analysis.errors import RightfitError
from analysis.migration import compare_snapshots, sankey_data
from ui import auth, charts, state, store, widgets

CURRENT = "Current analysis"

st.title("Quarterly review")
ws = widgets.guarded(store.workspace)
root = store.root()
if auth.login_configured():
    st.text(f"Signed in as {st.user.get('name') or st.user.get('email') or 'a user'}.")
else:
    st.caption("This app runs locally without login: anyone who can open it shares the workspace.")
st.text(f"Workspace folder: {root}")
loaded = state.current()
table = state.scored().table


def attempt(step: Callable[[], object], *, snapshots: bool = True) -> bool:
    """Run a workspace change; show a RightfitError's message instead of stopping the page.
    After a change to the snapshots the comparison falls back to the two most recent."""
    try:
        step()
    except RightfitError as error:
        st.error(widgets.plain(str(error)), icon=":material/error:")
        return False
    for key in ("rev_compare_after", "rev_compare_before") if snapshots else ():
        st.session_state.pop(key, None)
    return True


# -- snapshots ------------------------------------------------------------------------------------
st.subheader("Snapshots")
if restored := st.session_state.pop("rev_restored", None):
    st.success(widgets.plain(f"Now using the settings of '{restored}': the analysis is redone."))
with st.form("rev_save_form"):
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    name = left.text_input("Save the current analysis as", state.current_quarter(), key="rev_name")
    overwrite = right.checkbox("Replace a snapshot of this name", key="rev_overwrite")
    if st.form_submit_button("Save snapshot", type="primary", key="rev_save"):
        meta = {
            "files_key": loaded.key,
            "origin": loaded.origin,
            "accounts": len(table),
            **state.settings().meta(),
        }
        if attempt(lambda: ws.save_snapshot(name, table, meta, replace=overwrite)):
            st.success(widgets.plain(f"Saved {len(table):,} accounts as '{name.strip()}'."))

listing = ws.list_snapshots()
names = listing["name"].tolist()
created = dict(zip(names, listing["created_at"].astype(str), strict=True))


def load(snapshot: str) -> pd.DataFrame:
    if snapshot == CURRENT:
        return table
    return widgets.guarded(lambda: store.snapshot(root, snapshot, created[snapshot]))[0]


if listing.empty:
    st.info("No snapshots yet: save the current analysis to start the quarterly record.")
else:
    shown = listing.drop(columns=["meta"]).assign(
        files_key=[str(m.get("files_key", ""))[:10] for m in listing["meta"]]
    )
    st.dataframe(shown, hide_index=True, key="rev_snapshots")
    widgets.download_table(shown, "snapshots", key="rev_snapshots_dl")

    opened = st.selectbox("Open a snapshot", names[::-1], key="rev_open")
    k = report.portfolio_metrics(load(opened))
    widgets.kpi_row(
        [
            ("Accounts", f"{k['accounts']:,.0f}"),
            ("Revenue", widgets.money(k["revenue"])),
            ("Profit", widgets.money(k["profit"])),
            ("Right", f"{k['right_accounts']:,.0f}"),
            ("Wrong", f"{k['wrong_accounts']:,.0f}"),
            ("Bad", f"{k['bad_accounts']:,.0f}"),
        ]
    )
    with st.container(border=True):
        left, right = st.columns(2)
        new_name = left.text_input("Rename it to", key="rev_rename_to")
        if left.button("Rename", key="rev_rename") and attempt(
            lambda: ws.rename_snapshot(opened, new_name)
        ):
            st.rerun()
        sure = right.checkbox(f"Yes, delete '{opened}' for good", key="rev_delete_confirm")
        if right.button("Delete snapshot", key="rev_delete", disabled=not sure) and attempt(
            lambda: ws.delete_snapshot(opened)
        ):
            st.rerun()
        metas = dict(zip(names, listing["meta"], strict=True))
        kept = widgets.guarded(lambda: review.settings_of(metas[opened] or {}))
        if st.button(
            "Use its unit costs, tier policy and best-customer definition",
            key="rev_restore",
            disabled=not kept.recorded,
            help="The current analysis is then worked out again with the settings of then.",
        ):
            state.use_settings(kept)
            st.session_state["rev_restored"] = opened  # said after the rerun below
            st.rerun()
        if not kept.recorded:
            st.caption("This snapshot was saved before its settings were recorded.")

# -- compare ------------------------------------------------------------------------------------
st.subheader("Compare")
before_name = None
if names:
    options = [CURRENT, *names[::-1]]
    left, right = st.columns(2)
    after_name = left.selectbox(
        "Now", options, index=1 if len(names) > 1 else 0, key="rev_compare_after"
    )
    before_name = right.selectbox(
        "Before", options, index=2 if len(names) > 1 else 1, key="rev_compare_before"
    )
    before, after = load(before_name), load(after_name)
    migration = widgets.guarded(lambda: compare_snapshots(before, after))
    measure = st.segmented_control(
        "Flow size", ["accounts", "revenue"], default="accounts", key="rev_sankey_measure"
    )
    widgets.chart(
        charts.sankey(*sankey_data(migration, value=measure or "accounts")),
        "migration",
        key="rev_sankey",
    )
    widgets.download_table(migration.links, "migration", key="rev_links_dl")
    st.markdown("**Accounts whose label changed, and why**")
    st.dataframe(migration.changed, hide_index=True, key="rev_changed")
    widgets.download_table(migration.changed, "changed-accounts", key="rev_changed_dl")

    st.markdown("**Whale curve, before and now**")
    curves = {
        f"{label}: {which}": eco.whale_curve(frame, max_points=1000)
        for label, which, frame in (("before", before_name, before), ("now", after_name, after))
    }
    widgets.chart(
        charts.curves(
            curves,
            x="share_of_accounts",
            y="cumulative_profit",
            x_title="Share of accounts, most profitable first",
            y_title="Cumulative profit ($)",
        ),
        "whale-then-now",
        key="rev_whale",
    )
else:
    st.caption("Save snapshots in two quarters to see how accounts moved between segments.")

st.markdown("**Best customers against targets**")
targets = state.targets()
progress = None
if not targets:
    st.caption("No targets yet: set them on the Best customers page.")
else:
    frames = {q: load(n) for q, n in review.quarter_snapshots(listing).items()}
    frames.setdefault(state.current_quarter(), table)
    progress = pd.DataFrame(sim.target_progress(targets, frames))
    st.dataframe(progress, hide_index=True, key="rev_targets")
    widgets.download_table(progress, "target-progress", key="rev_targets_dl")
    lines = {
        "goal": progress.rename(columns={"goal": "accounts"}),
        "best customers": progress.dropna(subset=["actual"]).rename(columns={"actual": "accounts"}),
    }
    fig = charts.curves(
        lines, x=schema.QUARTER, y="accounts", x_title="Quarter", y_title="Accounts"
    ).update_traces(mode="lines+markers")
    widgets.chart(fig, "target-progress", key="rev_targets_chart")

# -- decisions ----------------------------------------------------------------------------------
st.subheader("Decision log")
labels = dict(
    zip(
        table[schema.ACCOUNT_ID].astype(str),
        table[schema.ACCOUNT_NAME].astype(str) + " · " + table[schema.SEGMENT].astype(str),
        strict=True,
    )
)
with st.form("rev_decision_form", clear_on_submit=True):
    left, right = st.columns(2)
    account = left.selectbox(
        "Account (type to search)",
        list(labels),
        format_func=lambda a: f"{a} · {labels[a]}",
        key="rev_dec_account",
    )
    action = right.selectbox("Action", ACTIONS, key="rev_dec_action")
    tier = right.text_input("Tier (only for move_to_tier)", key="rev_dec_tier")
    owner = left.text_input("Owner of the follow-up", key="rev_dec_owner")
    decided_on = left.date_input("Decided on", date.today(), key="rev_dec_date")
    agreed = right.text_input("Agreed by (comma-separated names)", key="rev_dec_agreed")
    note = st.text_area("Note", key="rev_dec_note")
    if st.form_submit_button("Record decision", type="primary", key="rev_dec_save"):

        def record() -> None:
            decision = Decision(
                account_id=str(account),
                action=action,
                owner=owner,
                decided_on=decided_on,
                agreed_by=review.split_names(agreed),
                note=note,
                tier=tier.strip() if action == "move_to_tier" else "",
            )
            ws.add_decision(decision)

        if attempt(record, snapshots=False):
            st.success(widgets.plain(f"Recorded: {action} for account {account}."))

decisions = ws.decisions()
if decisions.empty:
    st.caption("No decisions recorded yet.")
else:
    log = report.decisions_view(decisions)
    st.dataframe(log, hide_index=True, key="rev_decisions")
    widgets.download_table(log, "decisions", key="rev_decisions_dl")

    wrong = helped_to_move(table, decisions)
    if not wrong.empty:
        st.markdown("**Transition plans for wrong customers we help move**")
        ids = wrong[schema.ACCOUNT_ID].astype(str).tolist()
        chosen = st.selectbox(
            "Account", ids, format_func=lambda a: f"{a} · {labels[a]}", key="rev_plan_account"
        )
        row = wrong[wrong[schema.ACCOUNT_ID].astype(str) == chosen].iloc[0]
        plan = widgets.guarded(lambda: transition_plan(row, state.unit_costs()))
        widgets.kpi_row(
            [
                ("Route", plan.route.replace("_", " ")),
                ("Team hours freed", f"{plan.hours:,.1f}"),
                ("Profit now", widgets.money(plan.current_profit)),
                ("Profit after", widgets.money(plan.profit_after)),
            ]
        )
        for step in plan.steps:
            st.text(f"• {step}")
        hours = plan.hours_table()
        st.dataframe(hours, hide_index=True, key="rev_plan_hours")
        widgets.download_table(hours, "transition-hours", key="rev_plan_hours_dl")

# -- reports ------------------------------------------------------------------------------------
st.subheader("Session pack")
previous = None if before_name in (None, CURRENT) else before_name
context = widgets.guarded(
    lambda: report.ReportContext(
        scored=table,
        period=state.current_quarter(),
        previous=None if previous is None else load(previous),
        previous_period=previous or "",
        decisions=decisions,
        generated_on=date.today(),
        best_targets=progress,
    )
)
st.caption("Compared with: " + (previous or "no earlier snapshot (choose one under Compare)") + ".")
left, right, _ = st.columns([1, 1, 3])
left.download_button(
    "Download report (HTML)",
    data=lambda: report.html_report(context).encode(),
    file_name=f"rightfit-review-{state.current_quarter()}.html",
    mime="text/html",
    key="rev_report_html",
    on_click="ignore",
    icon=":material/description:",
)
right.download_button(
    "Download workbook (Excel)",
    data=lambda: report.excel_workbook(context),
    file_name=f"rightfit-review-{state.current_quarter()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="rev_report_xlsx",
    on_click="ignore",
    icon=":material/table_view:",
)
