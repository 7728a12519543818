"""Behaviour features that size does not swamp: log money, rates per order or per dollar, shares.

Two views of the same numbers: `account_metrics` keeps plain units (for rules and reasons a
person can read, such as "discounts 14% of revenue"), `build_features` robust-scales the chosen
metrics for clustering and similarity, so one huge account cannot stretch every distance.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.economics import COST_TO_SERVE, CTS_PREFIX, GROSS_MARGIN, PROFIT

# Friction: what an account costs beyond the orders it places (tickets, complaints, demands,
# meetings it misses, calls it ignores). Discounts and slow payment are measured on their own.
FRICTION_DRIVERS: tuple[str, ...] = (
    s.SUPPORT_TICKETS,
    s.COMPLAINTS,
    s.ENHANCEMENT_REQUESTS,
    s.RUSH_ORDERS,
    s.MEETINGS_MISSED,
    s.CALLS_UNRETURNED,
)
# metric -> canonical input columns it needs: all of them, or any one for ANY_INPUT metrics
METRIC_INPUTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "log_revenue": (s.REVENUE,),
        "revenue_vs_median": (s.REVENUE,),
        "profit": (s.REVENUE,),
        "profit_vs_median": (s.REVENUE,),
        "profit_margin": (s.REVENUE,),
        "gross_margin_pct": (s.REVENUE, s.COGS),
        "cts_vs_median": (s.REVENUE,),
        "cts_share_of_margin": (s.REVENUE,),
        "log_orders": (s.ORDERS,),
        "log_revenue_per_order": (s.REVENUE, s.ORDERS),
        "products_used": (s.PRODUCTS_USED,),
        "contacts": (s.CONTACTS,),
        "decision_maker_access": (s.DECISION_MAKER_ACCESS,),
        "friction_pct": FRICTION_DRIVERS,
        "friction_vs_norm": FRICTION_DRIVERS,
        "complaints_per_order": (s.COMPLAINTS, s.ORDERS),
        "requests_per_order": (s.ENHANCEMENT_REQUESTS, s.ORDERS),
        "rush_per_order": (s.RUSH_ORDERS, s.ORDERS),
        "unresponsiveness": (s.MEETINGS_MISSED, s.CALLS_UNRETURNED),
        "discount_pct": (s.DISCOUNTS,),
        "days_late": (s.DAYS_TO_PAY,),
    }
)
ANY_INPUT: frozenset[str] = frozenset({"friction_pct", "friction_vs_norm", "unresponsiveness"})
DEFAULT_FEATURES: tuple[str, ...] = (
    "log_revenue",
    "log_revenue_per_order",
    "log_orders",
    "profit_margin",
    "gross_margin_pct",
    "products_used",
    "contacts",
    "decision_maker_access",
    "friction_pct",
    "complaints_per_order",
    "rush_per_order",
    "unresponsiveness",
    "discount_pct",
    "days_late",
)


@dataclass(frozen=True)
class FeatureConfig:
    """Which metrics to cluster on, how many size bands define "the norm for its size", and the
    clip (in robust units) that stops outliers from owning a whole axis."""

    features: tuple[str, ...] = DEFAULT_FEATURES
    size_bands: int = 5
    clip: float = 5.0
    payment_terms_days: float = 30.0


def _num(econ: pd.DataFrame, col: str) -> np.ndarray:
    if col not in econ.columns:
        return np.full(len(econ), np.nan)
    return pd.to_numeric(econ[col], errors="coerce").to_numpy(dtype="float64")


def _flag(econ: pd.DataFrame, col: str) -> np.ndarray:
    if col not in econ.columns:
        return np.full(len(econ), np.nan)
    return econ[col].astype("boolean").astype("float64").to_numpy()


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, np.nan)


def absent_signals(
    econ: pd.DataFrame, metrics: tuple[str, ...] = tuple(METRIC_INPUTS)
) -> list[str]:
    """Metrics the data cannot support because an input column is absent or entirely blank."""
    present = {c for c in econ.columns if econ[c].notna().any()}
    if s.COGS in econ.columns and not (econ[s.COGS] != 0).any():
        present.discard(s.COGS)  # economics fills unknown cogs with 0

    def usable(m: str) -> bool:
        needs = set(METRIC_INPUTS[m])
        return bool(needs & present) if m in ANY_INPUT else needs <= present

    return [m for m in metrics if not usable(m)]


def _size_band_median(values: np.ndarray, revenue: np.ndarray, bands: int) -> np.ndarray:
    """Median of `values` among accounts of similar revenue (equal-count revenue bands)."""
    n = len(values)
    bands = max(1, min(bands, n // 50))
    ranks = pd.Series(revenue).rank(method="first").to_numpy() - 1
    band = np.minimum((ranks * bands // max(n, 1)).astype(int), bands - 1)
    medians = pd.Series(values).groupby(band).median()
    return medians.reindex(band).to_numpy()


def account_metrics(econ: pd.DataFrame, config: FeatureConfig | None = None) -> pd.DataFrame:
    """Economics frame in, one row per account (same index) of readable metrics out: every
    metric in `METRIC_INPUTS`, NaN where its inputs are absent."""
    config = config or FeatureConfig()
    revenue = _num(econ, s.REVENUE)
    orders = _num(econ, s.ORDERS)
    profit, cts, gm = _num(econ, PROFIT), _num(econ, COST_TO_SERVE), _num(econ, GROSS_MARGIN)
    median_revenue = np.nanmedian(revenue) if len(revenue) else np.nan
    median_profit = np.nanmedian(profit) if len(profit) else np.nan
    cts_pct = _ratio(cts, revenue)
    friction = np.zeros(len(econ))
    for driver in FRICTION_DRIVERS:
        friction += np.nan_to_num(_num(econ, CTS_PREFIX + driver))
    friction_pct = _ratio(friction, revenue)
    norm = _size_band_median(friction_pct, revenue, config.size_bands)
    metrics = {
        "log_revenue": np.log1p(np.clip(revenue, 0, None)),
        "revenue_vs_median": _ratio(revenue, np.full(len(econ), median_revenue)),
        "profit": profit,
        "profit_vs_median": _ratio(profit, np.full(len(econ), abs(median_profit))),
        "profit_margin": np.clip(_ratio(profit, revenue), -2.0, 1.0),
        "gross_margin_pct": np.clip(_ratio(gm, revenue), -1.0, 1.0),
        "cts_vs_median": _ratio(cts_pct, np.full(len(econ), np.nanmedian(cts_pct))),
        "cts_share_of_margin": np.where(gm > 0, _ratio(cts, gm), np.where(cts > 0, np.inf, 0.0)),
        "log_orders": np.log1p(np.clip(orders, 0, None)),
        "log_revenue_per_order": np.log1p(np.clip(_ratio(revenue, orders), 0, None)),
        "products_used": _num(econ, s.PRODUCTS_USED),
        "contacts": _num(econ, s.CONTACTS),
        "decision_maker_access": _flag(econ, s.DECISION_MAKER_ACCESS),
        "friction_pct": friction_pct,
        "friction_vs_norm": _ratio(friction_pct, norm),
        "complaints_per_order": _ratio(_num(econ, s.COMPLAINTS), orders),
        "requests_per_order": _ratio(_num(econ, s.ENHANCEMENT_REQUESTS), orders),
        "rush_per_order": _ratio(_num(econ, s.RUSH_ORDERS), orders),
        "unresponsiveness": np.log1p(
            np.nan_to_num(_num(econ, s.MEETINGS_MISSED))
            + np.nan_to_num(_num(econ, s.CALLS_UNRETURNED))
        ),
        "discount_pct": _ratio(_num(econ, s.DISCOUNTS), revenue),
        "days_late": np.clip(_num(econ, s.DAYS_TO_PAY) - config.payment_terms_days, 0, None),
    }
    frame = pd.DataFrame(metrics, index=econ.index)
    for m in absent_signals(econ):
        frame[m] = np.nan
    return frame


def robust_scale(frame: pd.DataFrame, clip: float = 5.0) -> pd.DataFrame:
    """(x − median) / IQR per column (the standard deviation when the IQR is 0), clipped to
    ±clip; unknown values become 0, the median."""
    columns = {}
    for name in frame.columns:
        values = frame[name].to_numpy(dtype="float64")
        known = values[np.isfinite(values)]
        if len(known):
            q1, med, q3 = np.percentile(known, [25, 50, 75])
            spread = (q3 - q1) or known.std() or 1.0
        else:
            med, spread = 0.0, 1.0
        with np.errstate(invalid="ignore"):
            columns[name] = np.nan_to_num(np.clip((values - med) / spread, -clip, clip))
    return pd.DataFrame(columns, index=frame.index, columns=frame.columns)


def build_features(
    econ: pd.DataFrame, config: FeatureConfig | None = None, *, metrics: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Economics frame in; (robust-scaled features for clustering, same index, one column per
    usable configured metric; configured metrics the data lacked) out. Works on revenue alone.
    Pass `metrics` (from `account_metrics(econ, config)`) to avoid computing them twice."""
    config = config or FeatureConfig()
    unknown = [f for f in config.features if f not in METRIC_INPUTS]
    if unknown:
        raise ValueError(f"unknown features: {', '.join(unknown)}")
    absent = absent_signals(econ, config.features)
    usable = [f for f in config.features if f not in absent]
    if metrics is None:
        metrics = account_metrics(econ, config)
    return robust_scale(metrics[usable], config.clip), absent
