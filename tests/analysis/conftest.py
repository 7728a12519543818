"""Shared fixtures: the bundled sample portfolio as a canonical account table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis import schema as s

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"
# Until tests use the real ingest: the sample summary's headers mapped to canonical names by hand.
SAMPLE_HEADERS = {
    "Account ID": s.ACCOUNT_ID,
    "Account Name": s.ACCOUNT_NAME,
    "Industry": s.INDUSTRY,
    "Region": s.REGION,
    "Account Owner": s.OWNER,
    "Contacts": s.CONTACTS,
    "Decision Maker Access": s.DECISION_MAKER_ACCESS,
    "Products Used": s.PRODUCTS_USED,
    "First Order Date": s.FIRST_ORDER,
    "Annual Revenue": s.REVENUE,
    "COGS": s.COGS,
    "Discounts & Concessions": s.DISCOUNTS,
    "Orders": s.ORDERS,
    "Support Tickets": s.SUPPORT_TICKETS,
    "Complaints": s.COMPLAINTS,
    "Feature Requests": s.ENHANCEMENT_REQUESTS,
    "Rush Orders": s.RUSH_ORDERS,
    "Missed Meetings": s.MEETINGS_MISSED,
    "Unreturned Calls": s.CALLS_UNRETURNED,
    "Avg Days to Pay": s.DAYS_TO_PAY,
}


def read_sample_accounts() -> pd.DataFrame:
    frame = pd.read_csv(SAMPLE / "accounts.csv", dtype={"Account ID": str}).rename(
        columns=SAMPLE_HEADERS
    )
    frame[s.DECISION_MAKER_ACCESS] = frame[s.DECISION_MAKER_ACCESS].eq("Yes")
    frame[s.FIRST_ORDER] = pd.to_datetime(frame[s.FIRST_ORDER])
    return frame


@pytest.fixture(scope="session")
def sample_accounts() -> pd.DataFrame:
    if not (SAMPLE / "accounts.csv").exists():
        pytest.skip("sample portfolio not generated yet")
    return read_sample_accounts()


@pytest.fixture(scope="session")
def planted_truth() -> pd.DataFrame:
    return pd.read_csv(SAMPLE / "planted_truth.csv", dtype={"account_id": str})
