"""The whole analysis in one call, shared by the CLI and exports: accounts in, scored table out."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import schema
from analysis.economics import COST_TO_SERVE, PROFIT, UnitCosts, compute_economics
from analysis.errors import ConfigError
from analysis.features import FeatureConfig, account_metrics
from analysis.segmentation import (
    CONFIDENCE,
    REASONS,
    Segmentation,
    SegmentConfig,
    apply_overrides,
    segment_accounts,
)
from analysis.similarity import (
    BEST,
    SIMILARITY,
    SIMILARITY_REASONS,
    BestDefinition,
    SimilarityConfig,
    score_similarity,
)
from analysis.tiers import (
    EXCEPTION_COST,
    TIER,
    TierPolicy,
    assign_tiers,
    exception_cost_per_account,
)

OUTPUT_COLUMNS: tuple[str, ...] = (
    schema.ACCOUNT_ID,
    schema.ACCOUNT_NAME,
    schema.REVENUE,
    COST_TO_SERVE,
    PROFIT,
    schema.SEGMENT,
    schema.EASY,
    CONFIDENCE,
    REASONS,
    SIMILARITY,
    TIER,
    EXCEPTION_COST,
)


@dataclass(frozen=True)
class PipelineConfig:
    """Every setting of one analysis; frozen and hashable, so it is also the cache key."""

    costs: UnitCosts = field(default_factory=UnitCosts)
    segments: SegmentConfig = field(default_factory=SegmentConfig)
    best: BestDefinition = field(default_factory=BestDefinition.right_segment)
    similarity: SimilarityConfig = field(default_factory=SimilarityConfig)
    tiers: TierPolicy = field(default_factory=TierPolicy)


@dataclass(frozen=True)
class Scored:
    economics: pd.DataFrame
    segmentation: Segmentation
    table: pd.DataFrame  # one row per account: OUTPUT_COLUMNS first, then the rest


def score_accounts(accounts: pd.DataFrame, config: PipelineConfig) -> Scored:
    """Economics, segments, best-customer similarity and service tier for a canonical account
    table; the input is not changed."""
    econ = compute_economics(accounts, config.costs)
    return score_economics(econ, config)


def score_economics(econ: pd.DataFrame, config: PipelineConfig) -> Scored:
    """The steps after economics, for callers that already hold the economics frame."""
    metrics = account_metrics(econ, config.segments.features)
    seg = segment_accounts(econ, config.segments, metrics=metrics)
    # similarity reasons show metrics read with the default settings: reuse these when equal
    plain = metrics if config.segments.features == FeatureConfig() else None
    try:
        scored = score_similarity(
            seg.accounts, seg.features, config.best, config.similarity, metrics=plain
        )
    except ConfigError as error:  # e.g. fewer than 3 best customers: the rest still stands
        scored = seg.accounts.assign(**{BEST: False, SIMILARITY: np.nan, SIMILARITY_REASONS: ""})
        scored.attrs["similarity_warnings"] = (f"{error} Similarity is left blank.",)
    scored = assign_tiers(scored, config.tiers)
    scored[EXCEPTION_COST] = exception_cost_per_account(scored, config.tiers)
    return Scored(econ, seg, output_table(scored))


def output_table(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored accounts with the documented output columns first (names filled when absent).
    Copy-on-write makes the shallow copy safe: a deep one costs ~1 s at a million accounts."""
    table = scored.copy(deep=False)
    if schema.ACCOUNT_NAME not in table:
        table[schema.ACCOUNT_NAME] = table[schema.ACCOUNT_ID]
    first = [c for c in OUTPUT_COLUMNS if c in table]
    return table[first + [c for c in table.columns if c not in first]]


def with_overrides(scored: Scored, overrides: pd.DataFrame) -> Scored:
    """The team's segment calls applied to the output table (model_segment and override_reason
    beside them), so every export carries them; the model's own results are left as they are."""
    if overrides.empty:
        return scored
    table = output_table(apply_overrides(scored.table, overrides))
    return Scored(scored.economics, scored.segmentation, table)
