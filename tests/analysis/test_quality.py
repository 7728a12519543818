"""The product's promise on the sample: the planted right, wrong and bad customers come back,
from the accounts export alone and from the event exports alone, through the real ingest."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from sklearn.metrics import f1_score

from analysis import schema as s
from analysis.ingest import load_paths
from analysis.pipeline import PipelineConfig, score_accounts
from analysis.sample import SAMPLE_FILES

EVENTS = ("invoices", "tickets", "interactions")


def macro_f1(accounts: pd.DataFrame, truth: pd.DataFrame) -> float:
    scored = score_accounts(accounts, PipelineConfig()).table
    both = scored[[s.ACCOUNT_ID, s.SEGMENT]].merge(truth, on=s.ACCOUNT_ID, suffixes=("", "_true"))
    assert len(both) == len(truth)
    return f1_score(both["segment_true"], both[s.SEGMENT], average="macro")


@pytest.mark.parametrize(
    "roles", [("accounts",), EVENTS], ids=["accounts-export-alone", "event-exports-alone"]
)
def test_planted_segments_come_back(roles, planted_truth: pd.DataFrame) -> None:
    portfolio = load_paths([SAMPLE_FILES[r] for r in roles])
    assert macro_f1(portfolio.accounts, planted_truth) >= 0.90


def test_both_sources_give_the_same_money_per_account() -> None:
    alone = load_paths([SAMPLE_FILES["accounts"]]).accounts.set_index(s.ACCOUNT_ID)
    events = load_paths([SAMPLE_FILES[r] for r in EVENTS]).accounts.set_index(s.ACCOUNT_ID)
    for column in (s.REVENUE, s.COGS, s.DISCOUNTS, s.ORDERS, s.COMPLAINTS):
        pd.testing.assert_series_equal(
            alone[column].sort_index(),
            events.loc[alone.index, column].sort_index(),
            check_dtype=False,
            check_names=False,
        )


def test_coarse_order_log_still_segments() -> None:
    """An e-commerce order log with only account, date and amount: segments still come out,
    bad then means unprofitable after handling costs, and the absent signals are named."""
    invoices = pd.read_csv(SAMPLE_FILES["invoices"], dtype=str)
    log = invoices[["Account ID", "Invoice Date", "Amount"]]
    portfolio = load_paths_from_frame(log, "orders.csv")
    result = score_accounts(portfolio.accounts, PipelineConfig())
    assert set(result.table[s.SEGMENT]) <= set(s.SEGMENTS)
    assert len(result.table) == invoices["Account ID"].nunique()
    assert result.segmentation.absent_signals


def load_paths_from_frame(frame: pd.DataFrame, name: str):
    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    data = frame.to_csv(index=False).encode()
    return load_portfolio([InputFile(name=name, data=data)], IngestConfig())


def test_a_tiny_portfolio_still_gets_every_result() -> None:
    """Two accounts cannot define best customers: similarity is blank with a warning, and
    economics, segments and tiers still come out."""
    data = b"Customer,Sales\nA,10\nB,20\n"
    portfolio = load_paths_from_frame(pd.read_csv(io.BytesIO(data)), "tiny.csv")
    table = score_accounts(portfolio.accounts, PipelineConfig()).table
    assert len(table) == 2 and table["similarity"].isna().all()
    assert set(table[s.SEGMENT]) <= set(s.SEGMENTS) and table["tier"].notna().all()
    assert "at least 3 best customers" in table.attrs["similarity_warnings"][0]
