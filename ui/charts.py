"""Plotly figure builders: frame in, figure out. No Streamlit here, so they are easy to test."""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analysis import schema

SEGMENT_COLOURS = MappingProxyType({"right": "#1f6f5c", "wrong": "#d4a017", "bad": "#c0392b"})
WEBGL_FROM = 20_000  # points; above this the browser draws with WebGL
MAX_POINTS = 20_000  # points sent to the browser (~0.7 MB); above this a seeded sample is drawn


def sample_for_display(
    frame: pd.DataFrame, max_points: int = MAX_POINTS
) -> tuple[pd.DataFrame, str]:
    """At most `max_points` rows (seeded, so reruns show the same points) and a note saying so."""
    if len(frame) <= max_points:
        return frame, ""
    shown = frame.sample(n=max_points, random_state=0)
    return shown, f"Showing a random {max_points:,} of {len(frame):,} accounts; totals use all."


def _scatter_type(n: int):
    return go.Scattergl if n > WEBGL_FROM else go.Scatter


def revenue_vs_cost(econ: pd.DataFrame, *, colour: str | None = None) -> go.Figure:
    """Revenue against cost-to-serve on log axes, with the break-even guide at the portfolio's
    gross-margin rate: above the line an account's cost-to-serve exceeds its gross margin."""
    frame = econ[(econ[schema.REVENUE] > 0) & (econ["cost_to_serve"] > 0)]
    Trace = _scatter_type(len(frame))
    fig = go.Figure()
    groups = (
        frame.groupby(colour, sort=True) if colour and colour in frame else [("accounts", frame)]
    )
    for name, part in groups:
        size = np.clip(np.sqrt(part["profit"].abs().to_numpy()) / 20, 3, 18)
        fig.add_trace(
            Trace(
                x=part[schema.REVENUE],
                y=part["cost_to_serve"],
                mode="markers",
                name=str(name),
                marker={"size": size, "color": SEGMENT_COLOURS.get(str(name)), "opacity": 0.7},
                customdata=np.column_stack(
                    [
                        part[schema.ACCOUNT_ID].astype(str),
                        part.get(schema.ACCOUNT_NAME, part[schema.ACCOUNT_ID]).astype(str),
                        part["profit"],
                    ]
                ),
                hovertemplate="<b>%{customdata[1]}</b> (%{customdata[0]})<br>"
                "revenue $%{x:,.0f}<br>cost-to-serve $%{y:,.0f}<br>"
                "profit $%{customdata[2]:,.0f}<extra></extra>",
            )
        )
    if len(frame):
        rate = float(econ["gross_margin"].sum() / econ[schema.REVENUE].sum())
        lo, hi = float(frame[schema.REVENUE].min()), float(frame[schema.REVENUE].max())
        fig.add_trace(
            go.Scatter(
                x=[lo, hi],
                y=[lo * rate, hi * rate],
                mode="lines",
                name=f"break-even at {rate:.0%} gross margin",
                line={"dash": "dash", "color": "#555"},
                hoverinfo="skip",
            )
        )
    fig.update_layout(
        xaxis={"type": "log", "title": "Revenue ($, log scale)"},
        yaxis={"type": "log", "title": "Cost-to-serve ($, log scale)"},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 30},
        dragmode="select",
    )
    return fig


def whale_curve(curve: pd.DataFrame, summary) -> go.Figure:
    """Cumulative profit (% of total) against accounts ranked by profit, peak and erosion marked."""
    x = curve["share_of_accounts"] * 100
    y = curve["cumulative_profit_pct"]
    fig = go.Figure(
        go.Scatter(
            x=x,
            y=y,
            mode="lines",
            name="cumulative profit",
            line={"color": SEGMENT_COLOURS["right"], "width": 3},
            hovertemplate="top %{x:.1f}% of accounts<br>%{y:.0f}% of total profit<extra></extra>",
        )
    )
    fig.add_hline(y=100, line_dash="dot", annotation_text="total profit (100%)")
    if np.isfinite(summary.peak_pct):
        fig.add_annotation(
            x=summary.peak_share_of_accounts * 100,
            y=summary.peak_pct,
            text=f"peak {summary.peak_pct:.0f}% of profit from "
            f"{summary.peak_share_of_accounts:.0%} of accounts",
            showarrow=True,
            arrowhead=2,
        )
        fig.add_annotation(
            x=100,
            y=100,
            text=f"erosion {summary.erosion_pct:.0f} points",
            showarrow=True,
            ax=-60,
            ay=-40,
        )
    fig.update_layout(
        xaxis={"title": "Accounts ranked by profit (% of accounts)", "range": [0, 100]},
        yaxis={"title": "Cumulative profit (% of total)"},
        margin={"t": 30},
        showlegend=False,
    )
    return fig


def waterfall(steps: pd.DataFrame, title: str) -> go.Figure:
    fig = go.Figure(
        go.Waterfall(
            x=steps["step"],
            y=steps["amount"],
            measure=steps["measure"],
            connector={"line": {"color": "#999"}},
            decreasing={"marker": {"color": SEGMENT_COLOURS["bad"]}},
            increasing={"marker": {"color": SEGMENT_COLOURS["right"]}},
            totals={"marker": {"color": "#34495e"}},
            hovertemplate="%{x}: $%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(title=title, yaxis={"title": "$"}, margin={"t": 50}, showlegend=False)
    return fig


def profile_heatmap(z: pd.DataFrame) -> go.Figure:
    """Clusters (rows) by features (columns): how far each cluster sits from the portfolio."""
    fig = go.Figure(
        go.Heatmap(
            z=z.to_numpy(),
            x=[str(c) for c in z.columns],
            y=[str(i) for i in z.index],
            colorscale="RdBu_r",
            zmid=0,
            zmin=-3,
            zmax=3,
            colorbar={"title": "z"},
            hovertemplate="%{y}<br>%{x}: %{z:.1f} sd<extra></extra>",
        )
    )
    fig.update_layout(margin={"t": 30}, xaxis={"tickangle": -40})
    return fig


def segment_bars(summary: pd.DataFrame) -> go.Figure:
    """Accounts, revenue and profit per segment side by side, as shares of the portfolio."""
    fig = go.Figure()
    for column, label in (("accounts", "accounts"), ("revenue", "revenue"), ("profit", "profit")):
        if column in summary:
            total = summary[column].sum()
            fig.add_bar(
                x=summary[schema.SEGMENT].astype(str),
                y=summary[column] / total * 100 if total else summary[column] * 0,
                name=f"% of {label}",
            )
    fig.update_layout(barmode="group", yaxis={"title": "% of portfolio"}, margin={"t": 30})
    return fig


def projection(points: pd.DataFrame) -> go.Figure:
    """Accounts on the first two principal components of the clustering features."""
    Trace = _scatter_type(len(points))
    fig = go.Figure()
    for name, part in points.groupby(schema.SEGMENT, sort=True):
        fig.add_trace(
            Trace(
                x=part["x"],
                y=part["y"],
                mode="markers",
                name=str(name),
                marker={"size": 5, "color": SEGMENT_COLOURS.get(str(name)), "opacity": 0.7},
                customdata=np.column_stack(
                    [part[schema.ACCOUNT_ID].astype(str), part["cluster_name"].astype(str)]
                ),
                hovertemplate="%{customdata[0]}<br>%{customdata[1]}<extra></extra>",
            )
        )
    fig.update_layout(
        xaxis={"title": "component 1"}, yaxis={"title": "component 2"}, margin={"t": 30}
    )
    return fig


def tier_bars(summary: pd.DataFrame) -> go.Figure:
    """Accounts and revenue per tier, each as a share of the portfolio."""
    fig = go.Figure()
    for column in ("accounts", "revenue", "exception_cost"):
        total = summary[column].sum()
        fig.add_bar(
            x=summary["tier"].astype(str),
            y=summary[column] / total * 100 if total else summary[column] * 0,
            name=f"% of {column.replace('_', ' ')}",
        )
    fig.update_layout(barmode="group", yaxis={"title": "% of portfolio"}, margin={"t": 30})
    return fig


def cost_bars(exceptions: pd.DataFrame, by: str) -> go.Figure:
    """What special situations cost, by kind or by sales owner, largest first."""
    costs = exceptions.groupby(by)["cost"].sum().sort_values(ascending=False).head(25)
    fig = go.Figure(
        go.Bar(
            x=costs.index.astype(str),
            y=costs.to_numpy(),
            marker={"color": SEGMENT_COLOURS["bad"]},
            hovertemplate="%{x}: $%{y:,.0f}<extra></extra>",
        )
    )
    fig.update_layout(yaxis={"title": "cost ($)"}, margin={"t": 30})
    return fig


def profile_bars(profile: pd.DataFrame) -> go.Figure:
    """How far best customers sit from the rest on each feature, in standard deviations."""
    fig = go.Figure(
        go.Bar(
            x=profile["difference_sd"],
            y=profile["label"],
            orientation="h",
            marker={"color": np.where(profile["difference_sd"] >= 0, "#1f6f5c", "#c0392b")},
            hovertemplate="%{y}: %{x:.2f} sd<extra></extra>",
        )
    )
    fig.update_layout(
        xaxis={"title": "best minus rest (standard deviations)"},
        yaxis={"autorange": "reversed"},
        margin={"t": 30},
    )
    return fig


def power_curve(curve: pd.DataFrame) -> go.Figure:
    """Share of hidden best customers found in the top x% of scores, against chance."""
    fig = go.Figure()
    fig.add_scatter(
        x=curve["top_share"] * 100, y=curve["captured"] * 100, mode="lines+markers", name="score"
    )
    fig.add_scatter(x=[0, 100], y=[0, 100], mode="lines", name="chance", line={"dash": "dot"})
    fig.update_layout(
        xaxis={"title": "top x% of accounts by score"},
        yaxis={"title": "% of hidden best customers found"},
        margin={"t": 30},
    )
    return fig


def similarity_histogram(table: pd.DataFrame) -> go.Figure:
    fig = go.Figure()
    for name, part in table.groupby(schema.SEGMENT, sort=True):
        fig.add_histogram(
            x=part["similarity"],
            name=str(name),
            nbinsx=50,
            marker={"color": SEGMENT_COLOURS.get(str(name))},
            opacity=0.75,
        )
    fig.update_layout(
        barmode="overlay",
        xaxis={"title": "similarity to best (0-100)"},
        yaxis={"title": "accounts"},
        margin={"t": 30},
    )
    return fig


def sankey(
    labels: list[str], sources: list[int], targets: list[int], values: list[float]
) -> go.Figure:
    """Flows between states (e.g. `migration.sankey_data`): nodes coloured by segment."""
    colours = [
        next((c for name, c in SEGMENT_COLOURS.items() if label.startswith(name)), "#7f8c8d")
        for label in labels
    ]
    fig = go.Figure(
        go.Sankey(
            node={"label": labels, "pad": 15, "color": colours},
            link={"source": sources, "target": targets, "value": values},
        )
    )
    fig.update_layout(margin={"t": 30})
    return fig


def quarter_bars(totals: pd.DataFrame) -> go.Figure:
    """Revenue per quarter as bars, with the active accounts as a line on a second axis."""
    fig = go.Figure()
    fig.add_bar(x=totals[schema.QUARTER], y=totals[schema.REVENUE], name="revenue")
    fig.add_trace(
        go.Scatter(
            x=totals[schema.QUARTER],
            y=totals["accounts"],
            name="active accounts",
            mode="lines+markers",
            yaxis="y2",
            line={"color": "#444444"},
        )
    )
    fig.update_layout(
        yaxis={"title": "revenue ($)"},
        yaxis2={"title": "accounts", "overlaying": "y", "side": "right", "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 30},
    )
    return fig


def curves(
    lines: dict[str, pd.DataFrame], *, x: str, y: str, x_title: str, y_title: str
) -> go.Figure:
    """One line per named frame on shared axes (e.g. the whale curve then and now)."""
    fig = go.Figure()
    for name, frame in lines.items():
        fig.add_trace(go.Scatter(x=frame[x], y=frame[y], mode="lines", name=name))
    fig.update_layout(
        xaxis={"title": x_title},
        yaxis={"title": y_title},
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 30},
    )
    return fig
