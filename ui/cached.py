"""`st.cache_data` wrappers around `analysis`: the expensive steps run once per input and config.

Every function takes the files' content key (a SHA-256 of the bytes) as its first argument and the
files themselves as `_files`, which Streamlit does not hash: the key alone decides a cache hit, so
two different uploads never share a result, and a rerun never re-hashes megabytes of data. The
chain re-enters the cache at every step, so a change of segmentation settings reuses the parsed
files and the economics.
"""

from __future__ import annotations

import hashlib
import os

import pandas as pd
import streamlit as st

from analysis import ingest, review
from analysis.economics import UnitCosts, compute_economics
from analysis.ingest import (
    IngestConfig,
    InputFile,
    Portfolio,
    RawTable,
    load_portfolio,
    load_portfolio_isolated,
    preview_raw_isolated,
)
from analysis.ingest.sandbox import DEFAULT_MEMORY_BYTES, DEFAULT_SECONDS
from analysis.pipeline import PipelineConfig, Scored, score_economics
from analysis.sample import SAMPLE_FILES
from analysis.similarity import (
    BEST,
    Validation,
    best_accounts,
    best_profile,
    lookalikes,
    review_list,
    validate,
)
from analysis.tiers import (
    PolicyComparison,
    TierPolicy,
    compare_policies,
    find_exceptions,
    tier_summary,
)

Files = tuple[InputFile, ...]


@st.cache_data(max_entries=8, show_spinner="Reading and checking the files…")
def portfolio(key: str, _files: Files, config: IngestConfig) -> Portfolio:
    """Uploads are parsed in a child process with a memory and time budget (one user's file
    cannot stall or kill the server); the bundled sample is trusted and parsed in-process."""
    if _is_sample(_files):
        return load_portfolio(_files, config)
    return load_portfolio_isolated(
        _files, config, memory_bytes=_upload_memory_bytes(), seconds=_upload_seconds()
    )


def _is_sample(files: Files) -> bool:
    """The files are byte for byte the bundled sample (checked only on a cache miss)."""
    if len(files) != len(SAMPLE_FILES):
        return False
    sample = {path.name: (role, path) for role, path in SAMPLE_FILES.items()}
    return all(
        f.name in sample
        and f.role == sample[f.name][0]
        and f.data == sample[f.name][1].read_bytes()
        for f in files
    )


def _upload_memory_bytes() -> int:
    """RIGHTFIT_UPLOAD_MEMORY_MB sets the memory one upload's parse may use."""
    value = os.environ.get("RIGHTFIT_UPLOAD_MEMORY_MB")
    return int(float(value) * 2**20) if value else DEFAULT_MEMORY_BYTES


def _upload_seconds() -> float:
    """RIGHTFIT_UPLOAD_SECONDS sets how long one upload's parse may take."""
    value = os.environ.get("RIGHTFIT_UPLOAD_SECONDS")
    return float(value) if value else DEFAULT_SECONDS


# The two big results are kept as shared objects (cache_resource), not pickled copies: a copy of
# a 100,000-account analysis costs ~140 ms to unpickle on every rerun and ~150 MB per entry.
# Keys are content hashes, so sessions share only identical inputs; nothing mutates a result.
@st.cache_data(max_entries=8, show_spinner=False)
def quarter_totals(key: str, _files: Files, config: IngestConfig) -> pd.DataFrame | None:
    """The portfolio's activity per quarter (None when no event file is dated)."""
    quarters = portfolio(key, _files, config).account_quarters
    return None if quarters is None else review.quarter_totals(quarters)


@st.cache_resource(max_entries=4, show_spinner="Computing cost-to-serve and profit…")
def economics(key: str, _files: Files, ingest: IngestConfig, costs: UnitCosts) -> pd.DataFrame:
    return compute_economics(portfolio(key, _files, ingest).accounts, costs)


@st.cache_resource(max_entries=4, show_spinner="Segmenting and scoring accounts…")
def scored(key: str, _files: Files, ingest: IngestConfig, config: PipelineConfig) -> Scored:
    return score_economics(economics(key, _files, ingest, config.costs), config)


@st.cache_data(max_entries=32, show_spinner="Reading the file…")
def _raw_table(digest: str, _file: InputFile, config: IngestConfig) -> RawTable:
    """An upload's preview (first rows and row count) is read under the same budget as its
    load (see `portfolio`)."""
    return preview_raw_isolated(
        _file, config, memory_bytes=_upload_memory_bytes(), seconds=_upload_seconds()
    )


def raw_table(file: InputFile, config: IngestConfig) -> RawTable:
    """The file's preview (header found, report rows trimmed, first rows), cached on its bytes."""
    digest = hashlib.sha256(file.data).hexdigest()
    return _raw_table(f"{file.name}:{file.sheet}:{digest}", file, config)


@st.cache_data(max_entries=256, show_spinner=False)
def detect_role(columns: tuple[str, ...]) -> tuple[str, float]:
    return ingest.detect_role(list(columns))


@st.cache_data(max_entries=256, show_spinner=False)
def suggest_mapping(columns: tuple[str, ...], role: str) -> dict[str, str]:
    return ingest.suggest_mapping(list(columns), role)


@st.cache_data(max_entries=8, show_spinner="Checking the score on hidden best customers…")
def validation(key: str, _files: Files, ingest: IngestConfig, config: PipelineConfig) -> Validation:
    result = scored(key, _files, ingest, config)
    best = best_accounts(result.table, config.best)
    return validate(result.segmentation.features, best, config.similarity.random_state)


@st.cache_data(max_entries=8, show_spinner=False)
def best_views(
    key: str, _files: Files, ingest: IngestConfig, config: PipelineConfig, n: int = 50
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """What best customers share, the growth list and the review list."""
    table = scored(key, _files, ingest, config).table
    return (
        best_profile(table, table[BEST]),
        lookalikes(table, n),
        review_list(table, n),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def tier_views(
    key: str, _files: Files, ingest: IngestConfig, config: PipelineConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-tier summary and every special situation, under the config's policy."""
    table = scored(key, _files, ingest, config).table
    return tier_summary(table, config.tiers), find_exceptions(table, config.tiers)


@st.cache_data(max_entries=16, show_spinner="Comparing policies…")
def policy_what_if(
    key: str, _files: Files, ingest: IngestConfig, config: PipelineConfig, proposed: TierPolicy
) -> PolicyComparison:
    table = scored(key, _files, ingest, config).table
    return compare_policies(table, config.tiers, proposed)
