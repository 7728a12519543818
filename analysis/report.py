"""The strategy-session pack: one self-contained HTML page and one Excel workbook.

The HTML works offline (plotly.js is inlined once, and a Content-Security-Policy forbids any
network fetch) and shows every user-typed string as text: names, reasons and notes are
HTML-escaped and never reach a chart. The workbook goes through `exports.to_xlsx_bytes`, so text
that a spreadsheet would run as a formula stays text.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import economics as econ
from analysis import schema as s
from analysis.errors import RightfitError
from analysis.exports import to_xlsx_bytes
from analysis.migration import Migration, compare_snapshots, sankey_data

# Columns the later steps add (similarity.py, tiers.py) and the overrides; shown when present.
ACCOUNT_VIEW: tuple[str, ...] = (
    s.ACCOUNT_ID,
    s.ACCOUNT_NAME,
    s.SEGMENT,
    "model_segment",
    "override_reason",
    s.EASY,
    "confidence",
    "reasons",
    "similarity",
    "similarity_reasons",
    "tier",
    "exception_cost",
    s.REVENUE,
    econ.COST_TO_SERVE,
    econ.PROFIT,
    econ.PROFIT_MARGIN,
)
# metric: (label, True when higher is better). Targets are keyed by these names.
METRICS: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {
        "accounts": ("Accounts", True),
        "revenue": ("Revenue", True),
        "cost_to_serve": ("Cost to serve", False),
        "profit": ("Profit", True),
        "unprofitable_accounts": ("Unprofitable accounts", False),
        "right_accounts": ("Right customers", True),
        "wrong_accounts": ("Wrong customers", False),
        "bad_accounts": ("Bad customers", False),
        "right_revenue_share": ("Revenue share of right customers", True),
        "bad_profit": ("Profit from bad customers", True),
    }
)
SEGMENT_COLORS = MappingProxyType({s.RIGHT: "#2e7d32", s.WRONG: "#f9a825", s.BAD: "#c62828"})
CSP = (
    "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:"
)
STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f3f3f3}
.muted{color:#666}
"""


class ReportError(RightfitError):
    """A report that cannot be built from what was given (unknown target, missing columns)."""


@dataclass(frozen=True, eq=False)
class ReportContext:
    """Everything the session pack shows. `scored` is this period's scored accounts (account_id,
    segment, revenue, cost_to_serve, profit at least); `previous` last period's, for migration
    and the earlier whale curve; `decisions` is `Workspace.decisions()`; `targets` maps a
    METRICS name to its target value; `best_targets` is `similarity.target_progress` (the sales
    managers' best-customer goals against actual counts by quarter)."""

    scored: pd.DataFrame
    title: str = "Quarterly customer review"
    period: str = ""
    previous: pd.DataFrame | None = None
    previous_period: str = ""
    decisions: pd.DataFrame | None = None
    targets: Mapping[str, float] = field(default_factory=dict)
    generated_on: date | None = None
    best_targets: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        need = [s.ACCOUNT_ID, s.SEGMENT, s.REVENUE, econ.COST_TO_SERVE, econ.PROFIT]
        for which, frame in (("this period", self.scored), ("last period", self.previous)):
            missing = [] if frame is None else [c for c in need if c not in frame.columns]
            if missing:
                raise ReportError(f"The {which} accounts lack {', '.join(missing)}.")
        unknown = sorted(set(self.targets) - set(METRICS))
        if unknown:
            raise ReportError(
                f"Unknown target {', '.join(unknown)}: use one of {', '.join(METRICS)}."
            )

    @cached_property
    def migration(self) -> Migration | None:
        return None if self.previous is None else compare_snapshots(self.previous, self.scored)


def portfolio_metrics(scored: pd.DataFrame) -> dict[str, float]:
    """The METRICS figures of one scored accounts frame."""
    seg = scored[s.SEGMENT].astype(str)
    revenue = pd.to_numeric(scored[s.REVENUE], errors="coerce").fillna(0.0)
    profit = scored[econ.PROFIT].astype("float64")
    total = float(revenue.sum())
    return {
        "accounts": float(len(scored)),
        "revenue": total,
        "cost_to_serve": float(scored[econ.COST_TO_SERVE].sum()),
        "profit": float(profit.sum()),
        "unprofitable_accounts": float((profit < 0).sum()),
        "right_accounts": float((seg == s.RIGHT).sum()),
        "wrong_accounts": float((seg == s.WRONG).sum()),
        "bad_accounts": float((seg == s.BAD).sum()),
        "right_revenue_share": float(revenue[seg == s.RIGHT].sum() / total) if total else math.nan,
        "bad_profit": float(profit[seg == s.BAD].sum()),
    }


def metrics_table(context: ReportContext) -> pd.DataFrame:
    """metric, label, now, before (NaN without a previous period), target, met (None without)."""
    now = portfolio_metrics(context.scored)
    before = portfolio_metrics(context.previous) if context.previous is not None else {}
    rows = []
    for name, (label, higher) in METRICS.items():
        target = context.targets.get(name)
        met = None if target is None else (now[name] >= target if higher else now[name] <= target)
        rows.append((name, label, now[name], before.get(name, math.nan), target, met))
    frame = pd.DataFrame(rows, columns=["metric", "label", "now", "before", "target", "met"])
    return frame.astype({"target": "float64"})


def segment_summary(scored: pd.DataFrame) -> pd.DataFrame:
    """One row per segment (all three, in order): accounts, easy accounts, revenue,
    cost_to_serve, profit, and each segment's share of revenue and of profit."""
    seg = scored[s.SEGMENT].astype(str)
    easy = scored[s.EASY] if s.EASY in scored else pd.Series(False, index=scored.index)
    frame = pd.DataFrame(
        {
            s.SEGMENT: seg,
            "accounts": 1,
            "easy_accounts": easy.fillna(False).astype(bool).astype(int),
            s.REVENUE: pd.to_numeric(scored[s.REVENUE], errors="coerce").fillna(0.0),
            econ.COST_TO_SERVE: scored[econ.COST_TO_SERVE].astype("float64"),
            econ.PROFIT: scored[econ.PROFIT].astype("float64"),
        }
    )
    out = frame.groupby(s.SEGMENT).sum().reindex(list(s.SEGMENTS), fill_value=0).reset_index()
    for col in (s.REVENUE, econ.PROFIT):
        total = out[col].sum()
        out[f"{col}_share"] = out[col] / total if total else math.nan
    return out.astype({"accounts": "int64", "easy_accounts": "int64"})


def _latest_decisions(decisions: pd.DataFrame) -> pd.DataFrame:
    last = decisions.drop_duplicates(s.ACCOUNT_ID, keep="last")
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: last[s.ACCOUNT_ID].astype(str).to_numpy(),
            "decision": last["action"].to_numpy(),
            "decision_owner": last["owner"].to_numpy(),
            "decided_on": last["decided_on"].to_numpy(),
        }
    )


def accounts_view(context: ReportContext) -> pd.DataFrame:
    """The accounts sheet: the ACCOUNT_VIEW columns present, plus each account's latest decision."""
    view = context.scored[[c for c in ACCOUNT_VIEW if c in context.scored.columns]].copy()
    if context.decisions is not None and not context.decisions.empty:
        view[s.ACCOUNT_ID] = view[s.ACCOUNT_ID].astype(str)
        view = view.merge(_latest_decisions(context.decisions), on=s.ACCOUNT_ID, how="left")
    return view


def decisions_view(decisions: pd.DataFrame) -> pd.DataFrame:
    """The decision log as plain cells: agreed_by joined with '; ', recorded_at as UTC text."""
    out = decisions.copy()
    out["agreed_by"] = [
        "; ".join(v) if isinstance(v, tuple | list) else v for v in out["agreed_by"]
    ]
    if "recorded_at" in out:
        out["recorded_at"] = out["recorded_at"].astype(str)
    return out


def excel_workbook(context: ReportContext) -> bytes:
    """One sheet per view: summary, metrics, accounts, migration and changed accounts (with a
    previous period), decisions (when given). Formula-like text stays text."""
    sheets = {
        "summary": segment_summary(context.scored),
        "metrics": metrics_table(context),
        "accounts": accounts_view(context),
    }
    migration = context.migration
    if migration is not None:
        sheets["migration"] = migration.links
        sheets["changed accounts"] = migration.changed
    if context.best_targets is not None:
        sheets["best-customer targets"] = context.best_targets
    if context.decisions is not None:
        sheets["decisions"] = decisions_view(context.decisions)
    return to_xlsx_bytes(sheets)


# -- HTML ---------------------------------------------------------------------------------------


def _cell(value: object) -> str:
    """One table cell; every text goes through html.escape."""
    if isinstance(value, bool | np.bool_):
        return f"<td>{'yes' if value else 'no'}</td>"
    if isinstance(value, numbers.Real):
        if math.isnan(value):
            return "<td></td>"
        big = abs(value) >= 100 or float(value).is_integer()
        return f'<td class="n">{value:,.0f}</td>' if big else f'<td class="n">{value:.2f}</td>'
    if isinstance(value, tuple | list):
        value = "; ".join(map(str, value))
    if value is None or value is pd.NaT or value is pd.NA:
        return "<td></td>"
    return f"<td>{html.escape(str(value))}</td>"


def _table(frame: pd.DataFrame, max_rows: int = 500) -> str:
    if frame.empty:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(_cell(v) for v in row) + "</tr>"
        for row in frame.head(max_rows).itertuples(index=False, name=None)
    )
    more = (
        f'<p class="muted">First {max_rows:,} of {len(frame):,} rows; all are in the workbook.</p>'
        if len(frame) > max_rows
        else ""
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def _segment_figure(summary: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for col, name in ((s.REVENUE, "Revenue"), (econ.COST_TO_SERVE, "Cost to serve")):
        fig.add_bar(x=summary[s.SEGMENT], y=summary[col], name=name)
    fig.add_bar(
        x=summary[s.SEGMENT],
        y=summary[econ.PROFIT],
        name="Profit",
        marker_color=[SEGMENT_COLORS[x] for x in summary[s.SEGMENT]],
    )
    return fig.update_layout(barmode="group", title="Revenue, cost to serve and profit by segment")


def _whale_figure(context: ReportContext) -> go.Figure:
    fig = go.Figure()
    periods = [(context.period or "Now", context.scored)]
    if context.previous is not None:
        periods.insert(0, (context.previous_period or "Before", context.previous))
    for label, frame in periods:
        curve = econ.whale_curve(frame, max_points=400)
        fig.add_scatter(
            x=curve["share_of_accounts"] * 100,
            y=curve["cumulative_profit"],
            mode="lines",
            name=label,
        )
    return fig.update_layout(
        title="Whale curve: cumulative profit, most profitable accounts first",
        xaxis_title="% of accounts",
        yaxis_title="Cumulative profit",
    )


def _sankey_figure(migration: Migration) -> go.Figure:
    labels, sources, targets, values = sankey_data(migration)
    link = {"source": sources, "target": targets, "value": values}
    fig = go.Figure(go.Sankey(node={"label": labels, "pad": 15}, link=link))
    return fig.update_layout(title="Accounts moving between segments")


def _figure_html(fig: go.Figure, div_id: str, *, first: bool) -> str:
    fig.update_layout(template="plotly_white", height=420, margin={"t": 60, "b": 40})
    return fig.to_html(
        full_html=False,
        include_plotlyjs=first,
        div_id=div_id,
        config={"displaylogo": False, "responsive": True},
    )


def html_report(context: ReportContext) -> str:
    """A single HTML page: key figures, segment summary, whale curve, migration, targets and
    decisions, with interactive charts that need no network."""
    esc = html.escape
    summary = segment_summary(context.scored)
    metrics = metrics_table(context)
    if context.previous is None:
        metrics = metrics.drop(columns=["before"])
    figures = [
        ("fig-segments", _segment_figure(summary)),
        ("fig-whale", _whale_figure(context)),
    ]
    migration = context.migration
    if migration is not None:
        figures.append(("fig-migration", _sankey_figure(migration)))
    charts = {
        div_id: _figure_html(fig, div_id, first=i == 0) for i, (div_id, fig) in enumerate(figures)
    }
    when = context.period + (f" compared with {context.previous_period}" if migration else "")
    made = context.generated_on.isoformat() if context.generated_on else ""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>{esc(context.title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(context.title)}</h1>",
        f'<p class="muted">{esc(when)}{" · generated " + esc(made) if made else ""}</p>',
        "<h2>Key figures</h2>",
        _table(metrics.drop(columns=["metric", "target", "met"])),
        "<h2>Segments</h2>",
        _table(summary),
        charts["fig-segments"],
        "<h2>Whale curve</h2>",
        charts["fig-whale"],
        "<h2>Migration</h2>",
    ]
    if migration is None:
        parts.append('<p class="muted">No earlier snapshot to compare with.</p>')
    else:
        parts += [
            charts["fig-migration"],
            _table(migration.links),
            "<h3>Accounts that changed</h3>",
            _table(migration.changed),
        ]
    targets = metrics[metrics["target"].notna()]
    parts += ["<h2>Targets</h2>", _table(targets.drop(columns=["metric"]))]
    if context.best_targets is not None and len(context.best_targets):
        parts += ["<h3>Best customers: goal and actual</h3>", _table(context.best_targets)]
    parts.append("<h2>Decisions</h2>")
    if context.decisions is not None:
        parts.append(_table(decisions_view(context.decisions)))
    else:
        parts.append('<p class="muted">No decisions recorded.</p>')
    parts.append("</body></html>")
    return "\n".join(parts)
