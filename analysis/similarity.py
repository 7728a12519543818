"""Best customers: who they are, how alike every other account is, and the growth list.

A manager defines "best" (named exemplars, a rule over the scored table, or the right segment);
`SimilarityModel` learns what best accounts look like in the scaled feature space, and every
account gets a 0–100 similarity with reasons in plain units ("products 2 vs 6"). `validate`
says how far the score can be trusted, by hiding some best accounts and checking they come back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sklearn.cluster import KMeans
from sklearn.metrics import roc_auc_score
from threadpoolctl import threadpool_limits

from analysis import schema as s
from analysis.errors import ConfigError, MissingColumnsError
from analysis.features import DEFAULT_FEATURES, METRIC_INPUTS, absent_signals, account_metrics

SIMILARITY = "similarity"
SIMILARITY_REASONS = "similarity_reasons"
BEST = "best"
MIN_EXEMPLARS = 3
BANDWIDTH_SAMPLE = 20_000  # non-best rows that set the distance scale
PROTOTYPE_SAMPLE = 20  # best rows per prototype that k-means sees
THIN_SUPPORT = 10  # below this many best accounts the score is a sketch, not a measurement

Op = Literal[">=", "<=", ">", "<", "==", "top_pct", "bottom_pct"]
_COMPARE = MappingProxyType(
    {
        ">=": np.greater_equal,
        "<=": np.less_equal,
        ">": np.greater,
        "<": np.less,
        "==": np.equal,
    }
)


@dataclass(frozen=True)
class Rule:
    """One condition on a column of the scored table: `profit top_pct 20` keeps the top 20% by
    profit; `products_used >= 3` keeps accounts buying three products or more."""

    column: str
    op: Op
    value: float

    def __post_init__(self) -> None:
        if self.op not in (*_COMPARE, "top_pct", "bottom_pct"):
            raise ConfigError(f"Best-customer rule on '{self.column}': unknown test '{self.op}'.")
        if self.op in ("top_pct", "bottom_pct") and not 0 < self.value <= 100:
            raise ConfigError(f"Best-customer rule on '{self.column}': share must be in (0, 100].")


@dataclass(frozen=True)
class BestDefinition:
    """What "best customer" means: named accounts, rules that must all hold, or right segment."""

    kind: Literal["exemplars", "rules", "right"]
    exemplars: tuple[str, ...] = ()
    rules: tuple[Rule, ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "exemplars" and len(set(self.exemplars)) < MIN_EXEMPLARS:
            raise ConfigError(f"Name at least {MIN_EXEMPLARS} best customers.")
        if self.kind == "rules" and not self.rules:
            raise ConfigError("A rule-based best-customer definition needs at least one rule.")
        if self.kind not in ("exemplars", "rules", "right"):
            raise ConfigError(f"Unknown best-customer definition '{self.kind}'.")

    @classmethod
    def from_exemplars(cls, ids: tuple[str, ...] | list[str]) -> BestDefinition:
        return cls("exemplars", exemplars=tuple(str(i) for i in ids))

    @classmethod
    def from_rules(cls, *rules: Rule) -> BestDefinition:
        return cls("rules", rules=rules)

    @classmethod
    def right_segment(cls) -> BestDefinition:
        return cls("right")


def best_accounts(scored: pd.DataFrame, definition: BestDefinition) -> pd.Series:
    """Scored accounts in; a boolean Series on the same index, True for best customers."""
    if definition.kind == "right":
        if s.SEGMENT not in scored:
            raise MissingColumnsError([s.SEGMENT], found=list(scored.columns))
        return scored[s.SEGMENT].eq(s.RIGHT).rename(BEST)
    if definition.kind == "exemplars":
        ids = scored[s.ACCOUNT_ID].astype(str)
        unknown = sorted(set(definition.exemplars) - set(ids))
        if unknown:
            shown = ", ".join(unknown[:5]) + (" ..." if len(unknown) > 5 else "")
            raise ConfigError(f"Best customers not found in the accounts: {shown}.")
        return ids.isin(definition.exemplars).rename(BEST)
    missing = sorted({r.column for r in definition.rules} - set(scored.columns))
    if missing:
        raise MissingColumnsError(missing, found=list(scored.columns))
    keep = np.ones(len(scored), dtype=bool)
    for rule in definition.rules:
        values = pd.to_numeric(scored[rule.column], errors="coerce").to_numpy(dtype="float64")
        if rule.op in _COMPARE:
            keep &= _COMPARE[rule.op](values, rule.value)
        else:
            ranked = values if rule.op == "top_pct" else -values
            cut = np.nanpercentile(ranked, 100 - rule.value) if np.isfinite(ranked).any() else 0
            keep &= ranked >= cut
    return pd.Series(keep, index=scored.index, name=BEST)


class SimilarityModel:
    """Similarity to the nearest best account, in a feature space weighted by what sets best apart.

    Why nearest exemplars and not one profile: best customers come in several kinds (large core
    accounts, lean efficient ones), and the average of two kinds resembles neither; an account
    identical to any best account scores 100, which is what a manager expects. Each feature is
    weighted by how far the best median sits from the rest's median (in sd), plus a prior that
    keeps every feature counting, so three exemplars cannot make one noisy feature decide alone.
    Score = 100 · 2^−(d/h)²: h is half the typical distance of a non-best account to its nearest
    exemplar, so 50 means "halfway between a best customer and an ordinary one". Beyond
    `max_exemplars` best accounts, k-means prototypes of them stand in (scoring stays O(n)).
    """

    def __init__(
        self, *, max_exemplars: int = 128, weight_prior: float = 0.25, random_state: int = 0
    ) -> None:
        self.max_exemplars = max_exemplars
        self.weight_prior = weight_prior
        self.random_state = random_state

    def fit(self, features: pd.DataFrame, is_best: pd.Series | np.ndarray) -> SimilarityModel:
        x = _matrix(features)
        best = np.asarray(is_best, dtype=bool)
        n_best = int(best.sum())
        if n_best < MIN_EXEMPLARS:
            raise ConfigError(
                f"Similarity needs at least {MIN_EXEMPLARS} best customers; found {n_best}."
            )
        xb, xr = x[best], x[~best]
        spread = x.std(axis=0)
        med_best = np.median(xb, axis=0)
        med_rest = np.median(xr, axis=0) if len(xr) else med_best
        effect = np.divide(
            np.abs(med_best - med_rest), spread, out=np.zeros_like(spread), where=spread > 0
        )
        weights = effect + self.weight_prior
        self.feature_names_in_ = tuple(features.columns)
        self.weights_ = weights / weights.sum()
        self.best_median_ = med_best
        self.rest_median_ = med_rest
        self.effect_ = effect
        self.exemplars_ = self._exemplars(xb)
        self.n_best_ = n_best
        self.thin_support_ = n_best < THIN_SUPPORT
        rest_d = self._nearest(_order_free_sample(xr if len(xr) else xb, BANDWIDTH_SAMPLE))
        rest_d = rest_d[rest_d > 0]
        typical = float(np.median(rest_d)) if len(rest_d) else 0.0
        self.bandwidth_ = typical / 2 if typical > 0 else 1.0
        self.warnings_ = (
            (
                f"thin_support: only {n_best} best customers; similarity is a sketch until "
                f"there are {THIN_SUPPORT} or more.",
            )
            if self.thin_support_
            else ()
        )
        return self

    def _exemplars(self, xb: np.ndarray) -> np.ndarray:
        """Distinct best rows; k-means prototypes of a sample of them when there are many."""
        unique = np.unique(xb, axis=0)
        if len(unique) <= self.max_exemplars:
            return unique
        sample = _order_free_sample(xb, PROTOTYPE_SAMPLE * self.max_exemplars)
        km = KMeans(self.max_exemplars, n_init=1, random_state=self.random_state).fit(sample)
        return km.cluster_centers_

    def _nearest(self, x: np.ndarray, chunk: int = 8192) -> np.ndarray:
        """Weighted Euclidean distance from each row to its nearest exemplar: |x|² is the same
        for every exemplar, so the argmin needs one matmul and one add per chunk."""
        root = np.sqrt(self.weights_)
        e = self.exemplars_ * root
        e2 = (e**2).sum(axis=1)
        scale = e2.max()
        out = np.empty(len(x))
        # each chunk's matmul is too small to share across threads; spinning BLAS threads only
        # slow a busy server down (measured 3x), so this loop runs single-threaded
        with threadpool_limits(limits=1, user_api="blas"):
            for start in range(0, len(x), chunk):
                xc = x[start : start + chunk] * root
                m = xc @ (-2.0 * e.T)
                m += e2
                x2 = (xc**2).sum(axis=1)
                d2 = x2 + m.min(axis=1)
                # the expansion loses precision for identical rows: treat rounding noise as zero
                d2[d2 <= 1e-12 * (x2 + scale)] = 0.0
                out[start : start + chunk] = d2
        return np.sqrt(out)

    def score(self, features: pd.DataFrame) -> np.ndarray:
        """0–100 per row: 100 for an account identical to a best one, near 0 for a far one."""
        if tuple(features.columns) != self.feature_names_in_:
            raise ValueError("features must have the columns the model was fitted on")
        d = self._nearest(_matrix(features))
        return 100.0 * np.exp2(-((d / self.bandwidth_) ** 2))


def _order_free_sample(x: np.ndarray, n: int) -> np.ndarray:
    """Up to `n` rows chosen by a hash of their values, in sorted order: the same rows whatever
    the input order, so fitting does not depend on how the file was sorted."""
    if len(x) > n:
        hashes = pd.util.hash_pandas_object(pd.DataFrame(x), index=False).to_numpy()
        x = x[np.argpartition(hashes, n - 1)[:n]]
    return x[np.lexsort(x.T[::-1])]


def _matrix(features: pd.DataFrame) -> np.ndarray:
    """Scaled features as floats; unknown values sit at the median (0 in robust units)."""
    return np.nan_to_num(features.to_numpy(dtype="float64"), nan=0.0, posinf=0.0, neginf=0.0)


# metric -> (words for a person, unit, log metric to undo with expm1)
DISPLAY: Mapping[str, tuple[str, str, bool]] = MappingProxyType(
    {
        "log_revenue": ("revenue", "money", True),
        "revenue_vs_median": ("revenue vs median", "times", False),
        "profit_vs_median": ("profit vs median", "times", False),
        "profit_margin": ("profit margin", "pct", False),
        "gross_margin_pct": ("gross margin", "pct", False),
        "cts_vs_median": ("cost-to-serve vs median", "times", False),
        "cts_share_of_margin": ("cost-to-serve share of margin", "pct", False),
        "log_orders": ("orders", "count", True),
        "log_revenue_per_order": ("revenue per order", "money", True),
        "products_used": ("products", "count", False),
        "contacts": ("contacts", "count", False),
        "decision_maker_access": ("decision-maker access", "yesno", False),
        "friction_pct": ("friction cost", "pct", False),
        "friction_vs_norm": ("friction vs size norm", "times", False),
        "complaints_per_order": ("complaints per order", "number", False),
        "requests_per_order": ("requests per order", "number", False),
        "rush_per_order": ("rush orders per order", "number", False),
        "unresponsiveness": ("missed meetings + unreturned calls", "count", True),
        "discount_pct": ("discounts", "pct", False),
        "days_late": ("days late", "days", False),
    }
)


def _fmt(value: float, unit: str) -> str:
    if not np.isfinite(value):
        return "n/a"
    if unit == "money":
        a = abs(value)
        sign = "-" if value < 0 else ""
        if a >= 1e6:
            return f"{sign}${a / 1e6:.1f}M"
        return f"{sign}${a / 1e3:.1f}k" if a >= 1e3 else f"{sign}${a:.0f}"
    if unit == "pct":
        return f"{value:.0%}"
    if unit == "yesno":
        return "yes" if value >= 0.5 else "no"
    if unit == "times":
        return f"{value:.1f}x"
    if unit in ("count", "days"):
        whole = abs(value) >= 10 or abs(value - round(value)) < 1e-6
        return f"{value:.0f}" if whole else f"{value:.1f}"
    return f"{value:.2f}"


def plain_values(
    scored: pd.DataFrame, columns: tuple[str, ...], *, metrics: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The named features in units a person reads (dollars, %, counts); a column that is not a
    known metric is taken from `scored` when present, else left out. Pass `metrics` (from
    `account_metrics(scored)`) when the caller has them: at a million accounts they cost ~0.5 s."""
    known = [c for c in columns if c in METRIC_INPUTS]
    if known and metrics is None:
        metrics = account_metrics(scored)
    metrics = metrics[known] if known else pd.DataFrame(index=scored.index)
    out = {}
    for c in columns:
        if c in DISPLAY and DISPLAY[c][2]:
            out[c] = np.expm1(metrics[c])
        elif c in metrics:
            out[c] = metrics[c]
        elif c in scored:
            out[c] = pd.to_numeric(scored[c], errors="coerce")
    return pd.DataFrame(out, index=scored.index)


def _display_precision(values: np.ndarray, unit: str) -> np.ndarray:
    """Values rounded as `_fmt` shows them, so each distinct text is formatted once."""
    if unit == "money":
        step = np.where(np.abs(values) >= 1e6, 1e5, np.where(np.abs(values) >= 1e3, 100.0, 1.0))
        return np.round(values / step) * step
    return np.round(values, {"pct": 2, "times": 1, "count": 1, "days": 1}.get(unit, 2))


def _reasons(
    model: SimilarityModel, x: np.ndarray, plain: pd.DataFrame, best: np.ndarray, n: int
) -> pd.api.extensions.ExtensionArray:
    """Per account: the heaviest feature it shares with best ("revenue like best"), then its
    largest weighted gaps in plain units against the best median ("products 2 vs 6")."""
    rows = np.arange(len(x))
    gap = x - model.best_median_
    close = np.abs(gap) < 0.5
    like = np.argmax(np.where(close, model.weights_, -1.0), axis=1)
    far = np.argsort(-np.where(close, -1.0, model.weights_ * gap**2), axis=1, kind="stable")[:, :n]
    # candidates: the shared feature first, then the gaps; keep the first n that apply
    cand = np.column_stack([like, far])
    valid = np.column_stack([close.any(axis=1), ~close[rows[:, None], far]])
    order = np.argsort(~valid, axis=1, kind="stable")[:, :n]
    cand, valid = cand[rows[:, None], order], valid[rows[:, None], order]
    texts, codes = _reason_codes(model, cand, valid, order == 0, plain, best)
    # valid parts come first in each row, so joining the non-null parts keeps their order
    table = pa.array(texts, type=pa.string())
    parts = [table.take(pa.array(c, mask=c < 0)) for c in codes.T]
    # pyarrow's "skip" join drops rows whose inputs are all null: the first part never is
    parts[0] = parts[0].fill_null("")
    return pd.array(pc.binary_join_element_wise(*parts, "; ", null_handling="skip"), dtype="str")


def _reason_codes(
    model: SimilarityModel,
    cand: np.ndarray,
    valid: np.ndarray,
    is_like: np.ndarray,
    plain: pd.DataFrame,
    best: np.ndarray,
) -> tuple[list[str], np.ndarray]:
    """Each distinct reason text once, and per account and slot its position in that list (−1
    for none): formatting a million accounts' parts one by one costs seconds, codes do not."""
    texts: list[str] = []
    codes = np.full(cand.shape, -1, dtype=np.int64)
    for j, name in enumerate(model.feature_names_in_):
        label, unit, _ = DISPLAY.get(name, (name, "number", False))
        col = plain[name].to_numpy(dtype="float64") if name in plain else None
        target = "" if col is None else _fmt(float(np.nanmedian(col[best])), unit)
        for k in range(cand.shape[1]):
            hit = np.flatnonzero(valid[:, k] & (cand[:, k] == j))
            like = is_like[hit, k]
            codes[hit[like], k] = len(texts)
            texts.append(f"{label} like best")
            if col is None:
                codes[hit[~like], k] = len(texts)
                texts.append(f"{label} unlike best")
                continue
            # slot by slot, as np.unique picks which of 0.0 and -0.0 a "0%" shows
            uniq, inverse = np.unique(_display_precision(col[hit], unit), return_inverse=True)
            codes[hit[~like], k] = len(texts) + inverse[~like]
            texts.extend(f"{label} {_fmt(v, unit)} vs {target}" for v in uniq)
    return texts, codes


@dataclass(frozen=True)
class SimilarityConfig:
    max_exemplars: int = 128
    weight_prior: float = 0.25
    random_state: int = 0
    reasons: int = 3  # comparisons per account; 0 skips the reasons column


def score_similarity(
    scored_accounts: pd.DataFrame,
    features: pd.DataFrame,
    definition: BestDefinition,
    config: SimilarityConfig | None = None,
    *,
    metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Scored accounts and their scaled features (same index) in; the accounts plus `best`,
    `similarity` (0–100) and `similarity_reasons` out. Warnings (thin support) are in
    `.attrs["similarity_warnings"]`. `metrics`: `account_metrics(scored_accounts)`, if at hand."""
    config = config or SimilarityConfig()
    if not features.index.equals(scored_accounts.index):
        raise ValueError("features must share the scored accounts' index")
    best = best_accounts(scored_accounts, definition).to_numpy()
    model = SimilarityModel(
        max_exemplars=config.max_exemplars,
        weight_prior=config.weight_prior,
        random_state=config.random_state,
    ).fit(features, best)
    out = scored_accounts.assign(**{BEST: best, SIMILARITY: model.score(features)})
    if config.reasons > 0:
        plain = plain_values(scored_accounts, model.feature_names_in_, metrics=metrics)
        out[SIMILARITY_REASONS] = _reasons(model, _matrix(features), plain, best, config.reasons)
    out.attrs["similarity_warnings"] = model.warnings_
    return out


def best_profile(scored: pd.DataFrame, is_best: pd.Series | np.ndarray) -> pd.DataFrame:
    """What best customers have in common, feature by feature in plain units: one row per
    feature with `feature`, `label`, `median_best`, `median_rest`, `difference_sd` (the gap in
    standard deviations), largest gap first."""
    usable = tuple(f for f in DEFAULT_FEATURES if f not in absent_signals(scored, DEFAULT_FEATURES))
    plain = plain_values(scored, usable)
    best = np.asarray(is_best, dtype=bool)
    rows = []
    for c in plain.columns:
        v = plain[c].to_numpy(dtype="float64")
        sd = np.nanstd(v)
        mb, mr = np.nanmedian(v[best]), np.nanmedian(v[~best])
        diff = (mb - mr) / sd if sd > 0 else 0.0
        rows.append((c, DISPLAY.get(c, (c,))[0], mb, mr, diff))
    frame = pd.DataFrame(
        rows, columns=["feature", "label", "median_best", "median_rest", "difference_sd"]
    )
    order = frame["difference_sd"].abs().sort_values(ascending=False, kind="stable").index
    return frame.loc[order].reset_index(drop=True)


def lookalikes(scored: pd.DataFrame, n: int) -> pd.DataFrame:
    """The growth list: the `n` most similar accounts that are not best yet (from
    `score_similarity`'s output), most similar first; ties broken by account id."""
    rest = scored[~scored[BEST]]
    return rest.sort_values([SIMILARITY, s.ACCOUNT_ID], ascending=[False, True]).head(n)


def review_list(scored: pd.DataFrame, n: int) -> pd.DataFrame:
    """Large accounts (top revenue quartile) least like the best: worth a closer look."""
    revenue = pd.to_numeric(scored[s.REVENUE], errors="coerce")
    large = scored[(revenue >= revenue.quantile(0.75)) & ~scored[BEST]]
    return large.sort_values([SIMILARITY, s.ACCOUNT_ID], ascending=[True, True]).head(n)


@dataclass(frozen=True)
class Validation:
    """How well hidden best accounts come back: `power_curve` has `top_share` (0–1 of accounts
    by score) and `captured` (share of hidden best found there); lift and AUC summarise it."""

    power_curve: pd.DataFrame
    top_decile_lift: float
    auc: float
    folds: int
    n_best: int
    warnings: tuple[str, ...] = field(default=())


def validate(
    features: pd.DataFrame,
    is_best: pd.Series | np.ndarray,
    seed: int,
    *,
    folds: int = 5,
    config: SimilarityConfig | None = None,
) -> Validation:
    """k-fold over the best accounts: fit on the others, then rank the hidden ones among the
    non-best accounts. AUC and the power curve pool the hidden accounts' ranks over all folds."""
    config = config or SimilarityConfig()
    x_best = np.flatnonzero(np.asarray(is_best, dtype=bool))
    n_best = len(x_best)
    folds = min(folds, n_best // MIN_EXEMPLARS if n_best >= 2 * MIN_EXEMPLARS else 0)
    if folds < 2:
        raise ConfigError(
            f"Validation needs at least {2 * MIN_EXEMPLARS} best customers; found {n_best}."
        )
    rng = np.random.default_rng(seed)
    order = x_best[rng.permutation(n_best)]
    rest = np.setdiff1d(np.arange(len(features)), x_best)
    ranks, aucs = [], []
    for k in range(folds):
        hidden = order[k::folds]
        train = np.zeros(len(features), dtype=bool)
        train[np.setdiff1d(x_best, hidden)] = True
        model = SimilarityModel(
            max_exemplars=config.max_exemplars,
            weight_prior=config.weight_prior,
            random_state=config.random_state,
        ).fit(features, train)
        sh = model.score(features.iloc[hidden])
        sr = model.score(features.iloc[rest])
        sorted_rest = np.sort(sr)
        # share of non-best accounts scoring at least as high as each hidden one (ties count half)
        above = len(sr) - np.searchsorted(sorted_rest, sh, side="right")
        ties = np.searchsorted(sorted_rest, sh, side="right") - np.searchsorted(sorted_rest, sh)
        ranks.append((above + ties / 2) / max(len(sr), 1))
        labels = np.r_[np.ones(len(sh)), np.zeros(len(sr))]
        aucs.append(roc_auc_score(labels, np.r_[sh, sr]) if len(sr) else np.nan)
    pooled = np.concatenate(ranks)
    shares = np.round(np.arange(0.05, 1.0001, 0.05), 2)
    captured = np.array([(pooled < t).mean() for t in shares])
    curve = pd.DataFrame({"top_share": shares, "captured": captured})
    warn = () if n_best >= THIN_SUPPORT else (f"thin_support: only {n_best} best customers.",)
    return Validation(
        curve, float(captured[1] / 0.10), float(np.nanmean(aucs)), folds, n_best, warn
    )


_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")


@dataclass(frozen=True)
class Target:
    """A goal: by the end of `quarter` ("2026-Q4"), `goal` accounts at similarity ≥ `threshold`."""

    threshold: float
    goal: int
    quarter: str
    created: date

    def __post_init__(self) -> None:
        if not _QUARTER.match(self.quarter):
            raise ConfigError(f"Target quarter '{self.quarter}' should look like 2026-Q4.")
        if not 0 <= self.threshold <= 100 or self.goal < 0:
            raise ConfigError("A target needs a threshold in 0–100 and a goal of 0 or more.")


def target_progress(
    targets: tuple[Target, ...] | list[Target], snapshots: Mapping[str, pd.DataFrame]
) -> pd.DataFrame:
    """Targets and scored snapshots by quarter in; one row per target (by quarter) with
    `actual` (accounts at or above the threshold, NA without a snapshot), `gap` and `met`."""
    rows = []
    for t in sorted(targets, key=lambda t: (t.quarter, t.threshold, t.created)):
        snap = snapshots.get(t.quarter)
        actual = None if snap is None else int((snap[SIMILARITY] >= t.threshold).sum())
        gap = None if actual is None else max(t.goal - actual, 0)
        met = None if actual is None else actual >= t.goal
        rows.append((t.quarter, t.threshold, t.goal, actual, gap, met, t.created))
    columns = [s.QUARTER, "threshold", "goal", "actual", "gap", "met", "created"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"actual": "Int64", "gap": "Int64", "met": "boolean"})


def definition_to_json(definition: BestDefinition) -> str:
    """The best-customer definition as JSON, for the workspace."""
    return json.dumps(
        {
            "kind": definition.kind,
            "exemplars": list(definition.exemplars),
            "rules": [[r.column, r.op, r.value] for r in definition.rules],
        }
    )


def definition_from_json(text: str) -> BestDefinition:
    """Read `definition_to_json` output; anything else raises ConfigError."""
    try:
        data = json.loads(text)
        return BestDefinition(
            data["kind"],
            exemplars=tuple(str(i) for i in data.get("exemplars", ())),
            rules=tuple(Rule(str(c), o, float(v)) for c, o, v in data.get("rules", ())),
        )
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"Saved best-customer definition is unreadable ({exc}).") from None


def targets_to_json(targets: list[Target] | tuple[Target, ...]) -> str:
    return json.dumps([[t.threshold, t.goal, t.quarter, t.created.isoformat()] for t in targets])


def targets_from_json(text: str) -> list[Target]:
    try:
        return [
            Target(float(t), int(g), str(q), date.fromisoformat(c))
            for t, g, q, c in json.loads(text)
        ]
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise ConfigError(f"Saved targets are unreadable ({exc}).") from None
