"""Shared widgets: downloads for every table and chart, KPI rows, safe tables, friendly errors."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from types import MappingProxyType

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analysis import exports
from analysis.economics import Kpis
from analysis.errors import RightfitError

_MIME = MappingProxyType(
    {
        "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "html": "text/html",
    }
)


def _file_name(stem: str, ext: str, tag: str) -> str:
    return f"rightfit-{stem}-{tag[:10]}.{ext}" if tag else f"rightfit-{stem}.{ext}"


def download_table(frame: pd.DataFrame, stem: str, *, key: str, tag: str = "") -> None:
    """CSV and Excel buttons; the file is built only when clicked (deferred) and named uniquely."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        "Download CSV",
        data=lambda: exports.to_csv_bytes(frame),
        file_name=_file_name(stem, "csv", tag),
        mime=_MIME["csv"],
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Download Excel",
        data=lambda: _xlsx_or_message(frame, stem),
        file_name=_file_name(stem, "xlsx", tag),
        mime=_MIME["xlsx"],
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/table_view:",
    )


def _xlsx_or_message(frame: pd.DataFrame, stem: str) -> bytes:
    try:
        return exports.to_xlsx_bytes({stem[:31]: frame})
    except exports.ExportError as error:
        # The button has already been clicked: return a small sheet that says why.
        return exports.to_xlsx_bytes({"not exported": pd.DataFrame({"message": [str(error)]})})


def download_settings(text: str, stem: str, label: str, *, key: str) -> None:
    """A settings table as JSON, the same file the CLI reads (`--unit-costs`, `--tiers`)."""
    st.download_button(
        label,
        data=text,
        file_name=f"rightfit-{stem}.json",
        mime="application/json",
        key=key,
        on_click="ignore",
    )


def download_chart(fig: go.Figure, stem: str, *, key: str, tag: str = "") -> None:
    """A self-contained HTML copy of the chart (interactive, works offline)."""
    st.download_button(
        "Download chart (HTML)",
        data=lambda: fig.to_html(include_plotlyjs=True, full_html=True).encode(),
        file_name=_file_name(stem, "html", tag),
        mime=_MIME["html"],
        key=f"{key}_html",
        on_click="ignore",
        icon=":material/insert_chart:",
    )


def chart(fig: go.Figure, stem: str, *, key: str, tag: str = "", **kwargs) -> object:
    """Show a Plotly chart with its download button underneath."""
    event = st.plotly_chart(fig, key=key, **kwargs)
    download_chart(fig, stem, key=key, tag=tag)
    return event


def kpi_row(items: Sequence[tuple[str, str]], *, help: dict[str, str] | None = None) -> None:
    columns = st.columns(len(items))
    for column, (label, value) in zip(columns, items, strict=True):
        column.metric(label, value, help=(help or {}).get(label))


def portfolio_kpis(k: Kpis) -> None:
    """The portfolio's headline figures, the same on every page that shows them."""
    kpi_row(
        [
            ("Accounts", f"{k.accounts:,}"),
            ("Revenue", money(k.revenue)),
            ("Gross margin", money(k.gross_margin)),
            ("Cost-to-serve", money(k.cost_to_serve)),
            ("Profit", money(k.profit)),
            ("Unprofitable accounts", f"{k.unprofitable_accounts:,}"),
        ]
    )


def money(value: float) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1e9:
        return f"{sign}${value / 1e9:,.2f}B"
    if value >= 1e6:
        return f"{sign}${value / 1e6:,.2f}M"
    if value >= 1e4:
        return f"{sign}${value / 1e3:,.0f}k"
    return f"{sign}${value:,.0f}"


def percent(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.0%}"


_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$:])")


def plain(text: str) -> str:
    """Text for an alert or caption, which Streamlit renders as Markdown: every Markdown
    character escaped, so a file name or account id like `[x](javascript:...)` stays text."""
    return _MARKDOWN.sub(r"\\\1", text)


def guarded(step: Callable[[], object]) -> object:
    """Run a step that may reject the user's input; show its message and stop the page."""
    try:
        return step()
    except RightfitError as error:
        st.error(plain(str(error)), icon=":material/error:")
        st.stop()


MONEY_COLUMNS = frozenset(
    {
        "revenue",
        "cogs",
        "gross_margin",
        "cost_to_serve",
        "profit",
        "discounts",
        "freight",
        "exception_cost",
        "cost",
        "min_spend",
        "revenue_in",
        "revenue_in_table",
        "mismatch_cost",
        "revenue_before",
        "revenue_after",
    }
)
SHARE_COLUMNS = frozenset({"profit_share", "profit_margin", "cts_ratio"})


def table(frame: pd.DataFrame, *, key: str, max_rows: int = 2000, **kwargs) -> object:
    """`st.dataframe` with money shown as dollars and shares as percentages, index hidden.

    Long tables show their first `max_rows` rows (sending 100,000 rows to the browser costs a
    second a rerun) and say so; the download beside every table has them all.
    """
    if len(frame) > max_rows:
        st.caption(f"Showing the first {max_rows:,} of {len(frame):,} rows; the download has all.")
        frame = frame.head(max_rows)
    config = {
        c: st.column_config.NumberColumn(format="dollar")
        for c in frame.columns
        if c in MONEY_COLUMNS or str(c).startswith("cts_")
    }
    config |= {
        c: st.column_config.NumberColumn(format="percent")
        for c in frame.columns
        if c in SHARE_COLUMNS
    }
    config |= kwargs.pop("column_config", {}) or {}
    return st.dataframe(frame, hide_index=True, key=key, column_config=config, **kwargs)
