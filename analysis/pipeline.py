"""The whole analysis in one call, shared by the CLI and exports: accounts in, scored table out."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from analysis import schema
from analysis.economics import UnitCosts, compute_economics
from analysis.segmentation import Segmentation, SegmentConfig, segment_accounts

OUTPUT_COLUMNS: tuple[str, ...] = (
    schema.ACCOUNT_ID,
    schema.ACCOUNT_NAME,
    schema.REVENUE,
    "cost_to_serve",
    "profit",
    schema.SEGMENT,
    schema.EASY,
    "confidence",
    "reasons",
)


@dataclass(frozen=True)
class PipelineConfig:
    costs: UnitCosts = field(default_factory=UnitCosts)
    segments: SegmentConfig = field(default_factory=SegmentConfig)


@dataclass(frozen=True)
class Scored:
    economics: pd.DataFrame
    segmentation: Segmentation
    table: pd.DataFrame  # one row per account: OUTPUT_COLUMNS first, then the rest


def score_accounts(accounts: pd.DataFrame, config: PipelineConfig) -> Scored:
    """Economics, then segments, for a canonical account table; the input is not changed."""
    econ = compute_economics(accounts, config.costs)
    seg = segment_accounts(econ, config.segments)
    return Scored(econ, seg, output_table(seg.accounts))


def output_table(scored: pd.DataFrame) -> pd.DataFrame:
    """The scored accounts with the documented output columns first (names filled when absent)."""
    table = scored.copy()
    if schema.ACCOUNT_NAME not in table:
        table[schema.ACCOUNT_NAME] = table[schema.ACCOUNT_ID]
    first = [c for c in OUTPUT_COLUMNS if c in table]
    return table[first + [c for c in table.columns if c not in first]]
