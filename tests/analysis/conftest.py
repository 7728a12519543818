"""Shared fixtures: the bundled sample portfolio as a canonical account table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import load_paths

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"


def read_sample_accounts() -> pd.DataFrame:
    """The sample's accounts export through the real ingest, as a user's upload would go."""
    return load_paths([SAMPLE / "accounts.csv"]).accounts


@pytest.fixture(scope="session")
def sample_accounts() -> pd.DataFrame:
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample portfolio not generated yet")
    return read_sample_accounts()


@pytest.fixture(scope="session")
def planted_truth() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "planted_truth.csv", dtype={"account_id": str})
