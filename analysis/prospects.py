"""Prospects before signing: how much they look like our best and our bad accounts, and where
what they expect differs from what we offer, priced, so the team can discuss it before a deal.

Only what is known before a sale is used: expected revenue, products wanted, decision-maker
access, meetings missed and calls unreturned so far, the share of deliveries wanted rushed and the
discount asked. The book's accounts are described by the same fields, so "like" means the same
thing on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.errors import MissingColumnsError
from analysis.similarity import SimilarityModel
from analysis.tiers import TierPolicy

RUSH_SHARE = "rush_share"  # share of orders the prospect wants rushed, 0–1
DISCOUNT_ASKED = "discount_asked_pct"  # % of revenue
TERMS_ASKED = "payment_terms_asked_days"
CUSTOM_ENHANCEMENTS = "custom_enhancements"  # bool: expects custom enhancements
FIT, RISK = "fit", "risk"
NEAREST = "nearest"
MISMATCH_COUNT, MISMATCH_COST, MISMATCHES = "mismatch_count", "mismatch_cost", "mismatches"
RECOMMENDATION = "recommendation"
MISMATCH_COLUMNS = (s.ACCOUNT_ID, "expectation", "expected", "offered", "cost")


@dataclass(frozen=True)
class ProspectConfig:
    """What we offer beyond the tier policy, and when to call a prospect a fit or a risk."""

    policy: TierPolicy = field(default_factory=TierPolicy)
    offers_custom_enhancements: bool = False
    enhancements_per_year: float = 4.0  # expected when a prospect asks for custom work
    cost_per_enhancement: float = 250.0
    good_fit: float = 50.0
    high_risk: float = 50.0
    neighbours: int = 5


def _num(frame: pd.DataFrame, col: str, default: float = np.nan) -> np.ndarray:
    if col not in frame:
        return np.full(len(frame), default)
    return pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")


def presale_metrics(frame: pd.DataFrame) -> pd.DataFrame:
    """Account table or prospect table in; the pre-sale fields in comparable units out. For an
    account, rush share and discount come from its history; a prospect states them."""
    revenue = _num(frame, s.REVENUE)
    with np.errstate(divide="ignore", invalid="ignore"):
        rush = np.where(
            np.isfinite(_num(frame, RUSH_SHARE)),
            _num(frame, RUSH_SHARE),
            _num(frame, s.RUSH_ORDERS) / _num(frame, s.ORDERS),
        )
        discount = np.where(
            np.isfinite(_num(frame, DISCOUNT_ASKED)),
            _num(frame, DISCOUNT_ASKED) / 100,
            _num(frame, s.DISCOUNTS) / revenue,
        )
    dm = frame[s.DECISION_MAKER_ACCESS].astype("float64") if s.DECISION_MAKER_ACCESS in frame else 0
    unresponsive = np.nan_to_num(_num(frame, s.MEETINGS_MISSED)) + np.nan_to_num(
        _num(frame, s.CALLS_UNRETURNED)
    )
    return pd.DataFrame(
        {
            "log_revenue": np.log1p(np.clip(revenue, 0, None)),
            "products": _num(frame, s.PRODUCTS_USED),
            "dm": np.asarray(dm, dtype="float64") * np.ones(len(frame)),
            "unresponsive": np.log1p(unresponsive),
            "rush": np.clip(rush, 0, 1),
            "discount": np.clip(discount, 0, 1),
        },
        index=frame.index,
    )


def _scaled(book: pd.DataFrame, prospects: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both tables robust-scaled by the book's spread, so a prospect is measured in the book's
    units (the prospects never move the scale)."""
    both = pd.concat([presale_metrics(book), presale_metrics(prospects)], ignore_index=True)
    book_rows = len(book)
    ref = both.iloc[:book_rows]
    q1, med, q3 = ref.quantile(0.25), ref.median(), ref.quantile(0.75)
    spread = (q3 - q1).where(q3 > q1, ref.std().where(ref.std() > 0, 1.0))
    scaled = ((both - med) / spread).clip(-5, 5).fillna(0.0)
    return scaled.iloc[:book_rows].set_axis(book.index), scaled.iloc[book_rows:].set_axis(
        prospects.index
    )


def prospect_mismatches(prospects: pd.DataFrame, config: ProspectConfig) -> pd.DataFrame:
    """One row per expectation a prospect has beyond what its tier offers: `expectation`,
    `expected`, `offered` (as text) and `cost` (dollars a year to close the gap)."""
    policy = config.policy
    revenue = np.clip(np.nan_to_num(_num(prospects, s.REVENUE)), 0, None)
    spends = np.array([t.min_spend for t in policy.tiers])
    tiers = [
        policy.tiers[i] for i in np.clip(np.searchsorted(spends, revenue, "right") - 1, 0, None)
    ]
    ids = prospects[s.ACCOUNT_ID].astype(str).to_numpy()
    discount, terms = _num(prospects, DISCOUNT_ASKED), _num(prospects, TERMS_ASKED)
    rush, orders = _num(prospects, RUSH_SHARE), _num(prospects, s.ORDERS)
    custom = (
        prospects[CUSTOM_ENHANCEMENTS].fillna(False).astype(bool).to_numpy()
        if CUSTOM_ENHANCEMENTS in prospects
        else np.zeros(len(prospects), dtype=bool)
    )
    rows = []
    for i, tier in enumerate(tiers):
        if discount[i] > tier.max_discount_pct:
            cost = (discount[i] - tier.max_discount_pct) / 100 * revenue[i]
            rows.append(
                (ids[i], "discount", f"{discount[i]:g}%", f"{tier.max_discount_pct:g}%", cost)
            )
        if terms[i] > tier.payment_terms_days:
            late = terms[i] - tier.payment_terms_days
            cost = revenue[i] * policy.late_payment_rate * late / 365
            rows.append(
                (
                    ids[i],
                    "payment terms",
                    f"{terms[i]:g} days",
                    f"{tier.payment_terms_days:g} days",
                    cost,
                )
            )
        rush_orders = rush[i] * orders[i]
        if rush_orders > tier.rush_orders:
            cost = (rush_orders - tier.rush_orders) * policy.cost_per_rush_order
            rows.append(
                (ids[i], "rush orders", f"{rush_orders:.0f}/yr", f"{tier.rush_orders:g}/yr", cost)
            )
        if custom[i] and not config.offers_custom_enhancements:
            cost = config.enhancements_per_year * config.cost_per_enhancement
            rows.append((ids[i], "custom enhancements", "yes", "no", cost))
    return pd.DataFrame(rows, columns=list(MISMATCH_COLUMNS))


def _money(value: float) -> str:
    sign, a = ("-" if value < 0 else ""), abs(value)
    return f"{sign}${a / 1e3:,.1f}k" if a >= 1e3 else f"{sign}${a:,.0f}"


def screen_prospects(
    prospects: pd.DataFrame, book: pd.DataFrame, config: ProspectConfig | None = None
) -> pd.DataFrame:
    """Prospects (one row each, `account_id` as their key) and the scored book (with `segment`
    and `profit`) in; the prospects plus `fit` and `risk` (0–100: like our right / bad accounts),
    `nearest` (the closest accounts with segment and profit), `mismatch_count`, `mismatch_cost`,
    `mismatches` and a `recommendation` for the team out."""
    config = config or ProspectConfig()
    for frame, needed in ((prospects, [s.ACCOUNT_ID, s.REVENUE]), (book, [s.SEGMENT, "profit"])):
        missing = [c for c in needed if c not in frame]
        if missing:
            raise MissingColumnsError(missing, found=[str(c) for c in frame.columns])
    book_x, prospect_x = _scaled(book, prospects)
    segment = book[s.SEGMENT].to_numpy()
    out = prospects.copy()
    weights = np.zeros(book_x.shape[1])
    for column, label in ((FIT, s.RIGHT), (RISK, s.BAD)):
        model = SimilarityModel().fit(book_x, segment == label)
        out[column] = model.score(prospect_x)
        weights += model.weights_ / 2
    root = np.sqrt(weights)  # neighbours in the space both scores use
    out[NEAREST], losses = _nearest_accounts(
        book, book_x * root, prospect_x * root, config.neighbours
    )
    mismatches = prospect_mismatches(prospects, config)
    grouped = mismatches.groupby(s.ACCOUNT_ID)
    ids = prospects[s.ACCOUNT_ID].astype(str)
    out[MISMATCH_COUNT] = ids.map(grouped.size()).fillna(0).astype(int).to_numpy()
    out[MISMATCH_COST] = ids.map(grouped["cost"].sum()).fillna(0.0).to_numpy()
    text = mismatches.assign(
        t=mismatches["expectation"]
        + ": wants "
        + mismatches["expected"]
        + ", we offer "
        + mismatches["offered"]
        + ", gap "
        + mismatches["cost"].map(_money)
        + "/yr"
    )
    out[MISMATCHES] = ids.map(text.groupby(s.ACCOUNT_ID)["t"].agg("; ".join)).fillna("").to_numpy()
    out[RECOMMENDATION] = [
        _recommend(f, r, n, loss, config)
        for f, r, n, loss in zip(out[FIT], out[RISK], out[MISMATCH_COUNT], losses, strict=True)
    ]
    return out


def _nearest_accounts(
    book: pd.DataFrame, book_x: pd.DataFrame, prospect_x: pd.DataFrame, k: int
) -> tuple[list[str], np.ndarray]:
    """The k closest book accounts per prospect as text, and what the bad ones among them lost."""
    b, p = book_x.to_numpy(), prospect_x.to_numpy()
    ids = book[s.ACCOUNT_ID].astype(str).to_numpy()
    segment, profit = book[s.SEGMENT].to_numpy(), _num(book, "profit")
    texts, losses = [], np.zeros(len(p))
    k = min(k, len(b))
    for i in range(len(p)):
        d = ((b - p[i]) ** 2).sum(axis=1)
        near = np.argsort(d, kind="stable")[:k]
        texts.append("; ".join(f"{ids[j]} ({segment[j]}, {_money(profit[j])})" for j in near))
        bad = near[(segment[near] == s.BAD) & (profit[near] < 0)]
        losses[i] = -profit[bad].sum()
    return texts, losses


def _recommend(
    fit: float, risk: float, mismatches: int, loss: float, config: ProspectConfig
) -> str:
    if risk >= config.high_risk and risk > fit:
        if loss > 0:
            return f"high risk: resembles accounts that cost us {_money(loss)} last year"
        return "high risk: resembles accounts we class as bad"
    if mismatches:
        return f"discuss: {mismatches} mismatch{'es' if mismatches > 1 else ''}"
    if fit >= config.good_fit:
        return "looks like our best customers"
    return "unlike our best customers: check the price covers the cost to serve"
