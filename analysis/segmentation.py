"""Segments: KMeans groups accounts that behave alike; a visible rule table says who is right,
wrong or bad, why (in words with numbers), how sure we are, and which accounts are easy.

The rules, not the clusters, decide an account's segment: a person can read and edit a threshold,
but not a centroid. Clusters name the groups, show the portfolio's shape and temper confidence
(an account whose cluster mostly disagrees with its label is a closer call).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from string import Formatter
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import sklearn
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import pairwise_distances_chunked
from threadpoolctl import threadpool_limits

from analysis import schema as s
from analysis.economics import COST_TO_SERVE, PROFIT
from analysis.errors import ConfigError
from analysis.features import FeatureConfig, absent_signals, account_metrics, build_features

CLUSTER, CLUSTER_NAME, CONFIDENCE, REASONS = "cluster", "cluster_name", "confidence", "reasons"
MODEL_SEGMENT, OVERRIDE_REASON = "model_segment", "override_reason"
OPS: Mapping[str, Callable] = MappingProxyType(
    {">=": operator.ge, "<=": operator.le, ">": operator.gt, "<": operator.lt, "==": operator.eq}
)


@dataclass(frozen=True)
class Rule:
    """One condition. Conditions sharing `label` and `rule` must all hold for the rule to fire;
    rules are tried top to bottom and the first that fires decides. `reason` is shown with the
    account's value ({value}); scope "cluster" tests the median of the account's cluster."""

    label: str
    rule: str
    metric: str
    op: str
    threshold: float
    reason: str
    scope: str = "account"


# fmt: off
RULES: tuple[Rule, ...] = (
    Rule("bad", "friction far above the norm for its size", "friction_vs_norm", ">=", 3.0,
         "friction costs {value:.1f}x the norm for its size"),
    Rule("bad", "friction far above the norm for its size", "friction_pct", ">=", 0.01,
         "friction {value:.1%} of revenue"),
    Rule("bad", "heavy discounts and concessions", "discount_pct", ">=", 0.10,
         "discounts {value:.0%} of revenue"),
    Rule("bad", "pays far beyond terms", "days_late", ">=", 30.0,
         "pays {value:.0f} days past terms"),
    Rule("wrong", "small and narrow", "revenue_vs_median", "<=", 0.35,
         "revenue {value:.2f}x the portfolio median"),
    Rule("wrong", "small and narrow", "products_used", "<=", 2.0,
         "buys {value:.0f} product line(s)"),
    Rule("wrong", "small with thin profit", "revenue_vs_median", "<=", 0.35,
         "revenue {value:.2f}x the portfolio median"),
    Rule("wrong", "small with thin profit", "profit_vs_median", "<=", 0.25,
         "profit {value:.0%} of the median account's"),
    Rule("bad", "loses money after cost-to-serve", "profit", "<=", 0.0,
         "profit {value:,.0f} after cost-to-serve"),
    Rule("bad", "cost-to-serve eats the margin", "cts_share_of_margin", ">=", 0.75,
         "cost-to-serve eats {value:.0%} of gross margin"),
    Rule("right", "profitable and broad", "profit_margin", ">", 0.0,
         "profit margin {value:.0%} after cost-to-serve"),
    Rule("right", "profitable and broad", "revenue_vs_median", ">", 0.0,
         "revenue {value:.1f}x the portfolio median"),
    Rule("right", "profitable and broad", "products_used", ">=", 0.0,
         "buys {value:.0f} product lines"),
    Rule("easy", "single contact, no decision-maker, narrow use", "contacts", "==", 1.0,
         "a single contact"),
    Rule("easy", "single contact, no decision-maker, narrow use", "decision_maker_access", "==",
         0.0, "no decision-maker access"),
    Rule("easy", "single contact, no decision-maker, narrow use", "products_used", "<=", 2.0,
         "{value:.0f} product line(s)"),
)
# Cluster names: tested on each cluster's median metrics, first full match names it.
NAMES: tuple[Rule, ...] = (
    Rule("Discount-driven", "", "discount_pct", ">=", 0.10, ""),
    Rule("Slow payers", "", "days_late", ">=", 30.0, ""),
    Rule("High-friction drain", "", "friction_vs_norm", ">=", 3.0, ""),
    Rule("Loss-making", "", "profit_margin", "<=", 0.0, ""),
    Rule("Small transactional", "", "revenue_vs_median", "<=", 0.35, ""),
    Rule("Small transactional", "", "products_used", "<=", 2.0, ""),
    Rule("Small", "", "revenue_vs_median", "<=", 0.35, ""),
    Rule("Large, broad and profitable", "", "revenue_vs_median", ">=", 1.5, ""),
    Rule("Large, broad and profitable", "", "products_used", ">=", 4.0, ""),
    Rule("Large and profitable", "", "revenue_vs_median", ">=", 1.5, ""),
    Rule("Mid-size, broad and steady", "", "products_used", ">=", 3.0, ""),
    Rule("Steady", "", "profit_margin", ">", 0.0, ""),
)
# fmt: on
RULE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Rule))


def rules_frame(rules: tuple[Rule, ...]) -> pd.DataFrame:
    """The rule table as the user sees and edits it."""
    return pd.DataFrame(
        [tuple(getattr(r, c) for c in RULE_COLUMNS) for r in rules], columns=list(RULE_COLUMNS)
    )


def rules_from_frame(frame: pd.DataFrame, *, source: str = "rules") -> tuple[Rule, ...]:
    """Read an edited rule table back; raises ConfigError naming the bad row."""
    missing = [c for c in RULE_COLUMNS[:5] if c not in frame.columns]
    if missing:
        raise ConfigError(f"{source}: missing column(s) {', '.join(missing)}.")
    rules = []
    for i, row in enumerate(frame.to_dict("records"), start=2):
        if row["op"] not in OPS:
            raise ConfigError(f"{source}, row {i}: op must be one of {' '.join(OPS)}.")
        try:
            threshold = float(row["threshold"])
        except (TypeError, ValueError):
            raise ConfigError(
                f"{source}, row {i}: threshold '{row['threshold']}' is not a number."
            ) from None
        rules.append(
            Rule(
                str(row["label"]),
                str(row["rule"]),
                str(row["metric"]),
                row["op"],
                threshold,
                str(row.get("reason") or row["metric"]),
                str(row.get("scope") or "account"),
            )
        )
    return tuple(rules)


@dataclass(frozen=True)
class SegmentConfig:
    """Clustering and labelling settings; `rules` and `names` are the visible tables."""

    features: FeatureConfig = field(default_factory=FeatureConfig)
    k_min: int = 3
    k_max: int = 10
    random_state: int = 0
    n_init: int = 4
    select_sample: int = 5_000  # k is chosen by silhouette on at most this many accounts
    fit_sample: int = 50_000  # the final model is fitted on at most this many, then predicts all
    rules: tuple[Rule, ...] = RULES
    names: tuple[Rule, ...] = NAMES
    # OpenMP threads for KMeans. One is the default because on a busy or shared machine (a
    # Streamlit server) spinning threads starve each other: measured 30x slower with 2 cores.
    threads: int | None = 1


@dataclass(frozen=True)
class Segmentation:
    accounts: (
        pd.DataFrame
    )  # economics frame + cluster, cluster_name, segment, easy, confidence, reasons
    profiles: pd.DataFrame  # one row per cluster: name, size, majority segment, feature z-scores
    k: int
    k_scores: pd.DataFrame  # k, silhouette
    absent_signals: list[str]
    rules: pd.DataFrame
    features: pd.DataFrame  # the scaled features the clusters were fitted on (same index)


def _sample_order(ids: pd.Series, random_state: int) -> np.ndarray:
    """Positions in a seeded pseudo-random order that depends on account ids, not row order."""
    key = f"{random_state % 10**8:08d}rightfit"[:16]
    hashed = pd.util.hash_pandas_object(ids.astype(str), index=False, hash_key=key)
    return np.argsort(hashed.to_numpy(), kind="stable")


def _silhouettes(x: np.ndarray, labelings: list[np.ndarray]) -> list[float]:
    """Mean silhouette of each labeling of the same points, computing the distances only once
    (in chunks bounded by sklearn's working_memory) instead of once per candidate k."""
    onehots = [np.eye(int(lab.max()) + 1)[lab] for lab in labelings]
    stacked = np.hstack(onehots)
    sums = np.vstack(list(pairwise_distances_chunked(x, reduce_func=lambda d, _: d @ stacked)))
    scores, col = [], 0
    for lab, onehot in zip(labelings, onehots, strict=True):
        k = onehot.shape[1]
        per_cluster, sizes = sums[:, col : col + k], onehot.sum(axis=0)
        col += k
        rows = np.arange(len(lab))
        own = sizes[lab]
        a = per_cluster[rows, lab] / np.maximum(own - 1, 1)
        others = np.where(onehot.astype(bool), np.inf, per_cluster / np.maximum(sizes, 1))
        b = others.min(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sil = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
        scores.append(float(np.nanmean(np.nan_to_num(sil, nan=0.0))))
    return scores


def _fit_clusters(
    x: np.ndarray, order: np.ndarray, config: SegmentConfig
) -> tuple[KMeans, pd.DataFrame]:
    """Pick k by silhouette on a seeded sample, then fit the final model on a larger one."""
    select = x[order[: config.select_sample]]
    distinct = len(np.unique(select, axis=0))
    ks = range(max(2, config.k_min), min(config.k_max, distinct - 1, len(select) - 1) + 1)
    if not ks:
        k = max(1, min(distinct, len(select)))
        model = KMeans(k, n_init=1, random_state=config.random_state).fit(select)
        return model, pd.DataFrame({"k": [k], "silhouette": [np.nan]})
    with (
        sklearn.config_context(working_memory=64),
        threadpool_limits(config.threads, user_api="openmp"),
    ):
        models = {
            k: KMeans(k, n_init=config.n_init, random_state=config.random_state).fit(select)
            for k in ks
        }
        scores = _silhouettes(select, [m.labels_ for m in models.values()])
        k_scores = pd.DataFrame({"k": list(ks), "silhouette": scores})
        best = int(k_scores.loc[k_scores["silhouette"].idxmax(), "k"])
        model = models[best]
        if len(order) > config.select_sample:
            fit = x[order[: config.fit_sample]]
            model = KMeans(best, n_init=config.n_init, random_state=config.random_state).fit(fit)
    return model, k_scores


def _canonical(centroids: np.ndarray) -> np.ndarray:
    """new label of each old cluster: clusters ordered by their rounded centroid coordinates."""
    rounded = np.round(centroids, 6)
    order = np.lexsort(rounded.T[::-1])
    relabel = np.empty(len(order), dtype=int)
    relabel[order] = np.arange(len(order))
    return relabel


def _conditions(
    rules: tuple[Rule, ...],
    metrics: pd.DataFrame,
    cluster_medians: pd.DataFrame,
    clusters: np.ndarray,
    absent: set[str],
) -> list[tuple[Rule, np.ndarray, np.ndarray, np.ndarray]]:
    """(rule, value, holds, margin) for each usable condition; margin in 0–1 says how far the
    value is from the threshold, in units of the metric's spread across the portfolio."""
    out = []
    for r in rules:
        if r.metric not in metrics.columns:
            raise ConfigError(f"Rule '{r.rule}': unknown metric '{r.metric}'.")
        if r.op not in OPS:
            raise ConfigError(f"Rule '{r.rule}': unknown operator '{r.op}'.")
        if r.metric in absent:
            continue
        if r.scope == "cluster":
            value = cluster_medians[r.metric].to_numpy()[clusters]
        else:
            value = metrics[r.metric].to_numpy()
        with np.errstate(invalid="ignore"):
            holds = OPS[r.op](value, r.threshold) & ~np.isnan(value)
        out.append((r, value, holds, _margin(value, r)))
    return out


def _margin(value: np.ndarray, rule: Rule) -> np.ndarray:
    """0–1: how far each value is from flipping the condition, relative to the threshold (or to
    the metric's spread when the threshold is 0); counts get half a unit of slack."""
    if rule.op == "==":
        return np.ones(len(value))
    finite = value[np.isfinite(value)]
    spread = np.subtract(*np.percentile(finite, [75, 25])) if len(finite) else 0.0
    scale = abs(rule.threshold) or spread or 1.0
    slack = 0.5 if len(finite) and np.all(finite == np.round(finite)) else 0.0
    with np.errstate(invalid="ignore"):
        distance = (np.abs(value - rule.threshold) + slack) / scale
    return np.tanh(2.0 * np.nan_to_num(distance, nan=1.0, posinf=1.0))


def _format(template: str, values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """template.format(value=v) for each distinct shown value, and each value's position in
    that list: formatting a million values one by one costs seconds."""
    spec = next((f[2] for f in Formatter().parse(template) if f[1] == "value"), "")
    fixed = re.fullmatch(r",?\.(\d+)([f%])", spec or "")
    if fixed:
        unit = 100.0 if fixed[2] == "%" else 1.0
        values = np.round(values * unit, int(fixed[1])) / unit
    distinct, inverse = np.unique(values, return_inverse=True)
    return [template.format(value=v) for v in distinct], inverse.reshape(-1)


def _label(
    conditions: list[tuple[Rule, np.ndarray, np.ndarray, np.ndarray]], n: int
) -> tuple[np.ndarray, np.ndarray, pd.Series]:
    """Segment, rule certainty and reasons per account from the segment rules (not easy)."""
    groups: dict[tuple[str, str], list] = {}
    for c in conditions:
        if c[0].label in s.SEGMENTS:
            groups.setdefault((c[0].label, c[0].rule), []).append(c)
    code = np.zeros(n, dtype=np.int8)  # index into s.SEGMENTS; 0 = right, the default
    decided = np.zeros(n, dtype=bool)
    certainty = np.ones(n)
    far = np.ones(n)  # how far every earlier rule was from firing (the weakest of them)
    # up to three reasons each, as positions in `texts` (−1: none), filled slot by slot
    texts: list[str] = []
    slots = np.full((3, n), -1, dtype=np.int64)
    count = np.zeros(n, dtype=np.int8)
    shown: dict[str, np.ndarray] = {}  # metric -> accounts whose reasons already cite it
    for (label, _), conds in groups.items():
        fires = np.logical_and.reduce([c[2] for c in conds])
        firm = np.minimum.reduce([c[3] for c in conds])
        distance = np.maximum.reduce([np.where(c[2], 0.0, c[3]) for c in conds])
        new = fires & ~decided
        code[new] = s.SEGMENTS.index(label)
        certainty[new] = far[new] if label == s.RIGHT else np.minimum(far[new], firm[new])
        decided |= new
        if label != s.RIGHT:
            far = np.where(decided, far, np.minimum(far, distance))
        ours = fires & (code == s.SEGMENTS.index(label))
        for r, value, _, _ in conds:  # supporting reasons from every fired rule of the label
            cited = shown.setdefault(r.metric, np.zeros(n, dtype=bool))
            add = np.flatnonzero(ours & (count < 3) & ~cited)
            if len(add):
                cited[add] = True
                words, inverse = _format(r.reason, value[add])
                slots[count[add], add] = len(texts) + inverse
                texts.extend(words)
                count[add] += 1
    undecided = ~decided
    certainty[undecided] = far[undecided]
    reasons = pd.Series(_join(texts, slots), dtype="str")
    reasons = reasons.replace("", "no warning sign in the rule table")
    return np.asarray(s.SEGMENTS, dtype=object)[code], certainty, reasons


def _join(texts: list[str], slots: np.ndarray) -> pa.Array:
    """Per account, the texts its slots point at (−1: none) joined by "; ", "" when none."""
    table = pa.array(texts, type=pa.string())
    columns = [table.take(pa.array(slot, mask=slot < 0)) for slot in slots]
    # pyarrow's "skip" join drops rows whose inputs are all null: the first slot never is
    columns[0] = columns[0].fill_null("")
    return pc.binary_join_element_wise(*columns, "; ", null_handling="skip")


def _names(medians: pd.DataFrame, names: tuple[Rule, ...], absent: set[str]) -> list[str]:
    """Each cluster's name: the first name whose conditions its medians meet; repeats numbered."""
    groups: dict[str, list[Rule]] = {}
    for r in names:
        if r.metric not in absent:
            groups.setdefault(r.label, []).append(r)
    result: list[str] = []
    for _, row in medians.iterrows():
        chosen = next(
            (
                name
                for name, conds in groups.items()
                if all(OPS[r.op](row[r.metric], r.threshold) for r in conds)
            ),
            "Mixed",
        )
        taken = sum(n == chosen or n.startswith(chosen + " (") for n in result)
        result.append(chosen if not taken else f"{chosen} ({taken + 1})")
    return result


def cluster_profiles(features: pd.DataFrame, clusters: np.ndarray) -> pd.DataFrame:
    """One row per cluster: accounts and each feature's z-score against the portfolio."""
    values = features.to_numpy(dtype="float64")
    mean = pd.Series(values.mean(axis=0), index=features.columns)
    std = pd.Series(values.std(axis=0), index=features.columns).replace(0, 1.0)
    z = (features.groupby(clusters).mean() - mean) / std
    z.index.name = CLUSTER
    sizes = pd.Series(clusters).value_counts().sort_index()
    return z.reset_index().assign(accounts=sizes.to_numpy())


def segment_accounts(
    econ: pd.DataFrame, config: SegmentConfig | None = None, *, metrics: pd.DataFrame | None = None
) -> Segmentation:
    """Economics frame in; a Segmentation out whose .accounts is the same frame (same order) plus
    cluster, cluster_name, segment, easy, confidence and reasons. Labels depend only on the
    accounts and the seed, not on row order. Pass `metrics` (`account_metrics(econ,
    config.features)`) when a later step needs them too, so they are computed once."""
    config = config or SegmentConfig()
    if metrics is None:
        metrics = account_metrics(econ, config.features)
    features, absent_features = build_features(econ, config.features, metrics=metrics)
    absent = set(absent_signals(econ))
    x = features.to_numpy(dtype="float64") if features.shape[1] else np.zeros((len(econ), 1))
    order = _sample_order(econ[s.ACCOUNT_ID], config.random_state)
    model, k_scores = _fit_clusters(x, order, config)
    relabel = _canonical(model.cluster_centers_)
    with threadpool_limits(config.threads, user_api="openmp"):
        distances = model.transform(x)
    clusters = relabel[np.argmin(distances, axis=1)]
    k = model.n_clusters
    used = {r.metric for r in (*config.rules, *config.names)}  # medians cost ~20 ms a metric
    ruled = [m for m in metrics.columns if m in used]
    medians = metrics[ruled].groupby(clusters).median().reindex(range(k))
    names = _names(medians, config.names, absent)
    conditions = _conditions(config.rules, metrics, medians, clusters, absent)
    segment, certainty, reasons = _label(conditions, len(econ))
    easy_conds = [c for c in conditions if c[0].label == s.EASY]
    easy = (
        np.logical_and.reduce([c[2] for c in easy_conds])
        if easy_conds
        else np.zeros(len(econ), bool)
    )
    same = pd.crosstab(clusters, segment, normalize="index")
    support = same.stack().reindex(pd.MultiIndex.from_arrays([clusters, segment])).to_numpy()
    accounts = econ.assign(
        **{
            CLUSTER: clusters,
            CLUSTER_NAME: np.asarray(names, dtype=object)[clusters],
            s.SEGMENT: segment,
            s.EASY: easy,
            CONFIDENCE: np.round(0.8 * certainty + 0.2 * support, 3),
            REASONS: reasons.array,
        }
    )
    majority = same.idxmax(axis=1).reindex(range(k))
    profiles = cluster_profiles(features, clusters)
    profiles.insert(1, CLUSTER_NAME, names)
    profiles.insert(2, s.SEGMENT, majority.to_numpy())
    return Segmentation(
        accounts=accounts,
        profiles=profiles,
        k=k,
        k_scores=k_scores,
        absent_signals=sorted(set(absent_features) | (absent & {r.metric for r in config.rules})),
        rules=rules_frame(config.rules),
        features=features,
    )


def segment_summary(seg: Segmentation) -> pd.DataFrame:
    """Per segment: accounts, revenue, profit, cost-to-serve and share of total profit."""
    table = seg.accounts.groupby(s.SEGMENT).agg(
        accounts=(s.ACCOUNT_ID, "size"),
        revenue=(s.REVENUE, "sum"),
        profit=(PROFIT, "sum"),
        cost_to_serve=(COST_TO_SERVE, "sum"),
    )
    table = table.reindex(list(s.SEGMENTS), fill_value=0)
    total = seg.accounts[PROFIT].sum()
    table["profit_share"] = table["profit"] / total if total else np.nan
    return table.reset_index()


def apply_overrides(seg_accounts: pd.DataFrame, overrides: pd.DataFrame) -> pd.DataFrame:
    """A person's calls win: segment replaced where overridden, the model's kept in model_segment,
    the person's words (a `reason` column, as `Workspace.overrides()` has, or `note`) in
    override_reason. Unknown account ids are ignored."""
    missing = [c for c in (s.ACCOUNT_ID, s.SEGMENT) if c not in overrides.columns]
    if missing:
        raise ConfigError(f"Overrides: missing column(s) {', '.join(missing)}.")
    bad = overrides[~overrides[s.SEGMENT].isin(s.SEGMENTS)]
    if len(bad):
        raise ConfigError(
            f"Overrides, row {int(bad.index[0]) + 2}: segment '{bad[s.SEGMENT].iloc[0]}' "
            f"must be one of {', '.join(s.SEGMENTS)}."
        )
    last = overrides.drop_duplicates(s.ACCOUNT_ID, keep="last").set_index(
        overrides.drop_duplicates(s.ACCOUNT_ID, keep="last")[s.ACCOUNT_ID].astype(str)
    )
    ids = seg_accounts[s.ACCOUNT_ID].astype(str)
    out = seg_accounts.copy()
    out[MODEL_SEGMENT] = seg_accounts.get(MODEL_SEGMENT, seg_accounts[s.SEGMENT])
    hit = ids.isin(last.index)
    out[s.SEGMENT] = out[MODEL_SEGMENT].where(~hit, ids.map(last[s.SEGMENT]))
    text = next((c for c in ("reason", "note") if c in last.columns), None)
    notes = last[text] if text else pd.Series("", index=last.index)
    out[OVERRIDE_REASON] = ids.map(notes.fillna("").astype(str)).where(hit, "").fillna("")
    return out


def projection_2d(
    seg: Segmentation, *, random_state: int = 0, fit_sample: int = 50_000
) -> pd.DataFrame:
    """PCA of the clustering features to two axes, for a segment map: account_id, x, y, cluster,
    cluster_name, segment (same row order as seg.accounts)."""
    x = seg.features.to_numpy(dtype="float64")
    coords = np.zeros((len(x), 2))
    if x.shape[1] and len(x) > 1:
        order = _sample_order(seg.accounts[s.ACCOUNT_ID], random_state)[:fit_sample]
        dims = min(2, x.shape[1], len(order))
        pca = PCA(dims, random_state=random_state).fit(x[order])
        coords[:, :dims] = pca.transform(x)
    cols = [s.ACCOUNT_ID, CLUSTER, CLUSTER_NAME, s.SEGMENT]
    return seg.accounts[cols].assign(x=coords[:, 0], y=coords[:, 1])
