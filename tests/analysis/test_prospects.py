"""Prospects: mismatch costs by hand, recommendations, and the sample's accounts re-entered."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from analysis import schema as s
from analysis.economics import UnitCosts, compute_economics
from analysis.errors import MissingColumnsError
from analysis.prospects import (
    CUSTOM_ENHANCEMENTS,
    DISCOUNT_ASKED,
    FIT,
    MISMATCH_COST,
    MISMATCH_COUNT,
    NEAREST,
    RECOMMENDATION,
    RISK,
    RUSH_SHARE,
    TERMS_ASKED,
    ProspectConfig,
    prospect_mismatches,
    screen_prospects,
)


def book() -> pd.DataFrame:
    """Broad, clean right accounts; noisy, discount-hungry bad ones that lose money."""
    n = 40
    right = np.arange(n) < 20
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: [f"B{i:02d}" for i in range(n)],
            s.REVENUE: np.where(right, 90_000.0, 30_000.0) + np.arange(n) * 100,
            s.PRODUCTS_USED: np.where(right, 6, 2),
            s.DECISION_MAKER_ACCESS: right,
            s.MEETINGS_MISSED: np.where(right, 0, 4),
            s.CALLS_UNRETURNED: np.where(right, 0, 10),
            s.ORDERS: 10,
            s.RUSH_ORDERS: np.where(right, 0, 5),
            s.DISCOUNTS: np.where(right, 900.0, 4_500.0),
            s.SEGMENT: np.where(right, s.RIGHT, s.BAD),
            "profit": np.where(right, 20_000.0, -3_000.0),
        }
    )


PROSPECTS = pd.DataFrame(
    {
        s.ACCOUNT_ID: ["P-good", "P-bad", "P-asks"],
        s.REVENUE: [92_000.0, 31_000.0, 120_000.0],
        s.PRODUCTS_USED: [6, 2, 6],
        s.DECISION_MAKER_ACCESS: [True, False, True],
        s.MEETINGS_MISSED: [0, 4, 0],
        s.CALLS_UNRETURNED: [0, 10, 0],
        RUSH_SHARE: [0.0, 0.5, 0.9],
        DISCOUNT_ASKED: [1.0, 15.0, 9.0],
        TERMS_ASKED: [30, 30, 90],
        s.ORDERS: [10, 10, 10],
        CUSTOM_ENHANCEMENTS: [False, False, True],
    }
)


def test_mismatches_priced_by_hand():
    got = prospect_mismatches(PROSPECTS, ProspectConfig())
    asks = got[got[s.ACCOUNT_ID] == "P-asks"].set_index("expectation")
    # 120k is Gold: 6% discount, 45 days, 6 rush orders a year, no custom work
    assert asks.loc["discount", "cost"] == pytest.approx(0.03 * 120_000)
    assert asks.loc["payment terms", "cost"] == pytest.approx(120_000 * 0.10 * 45 / 365)
    assert asks.loc["rush orders", "cost"] == pytest.approx((9 - 6) * 150.0)
    assert asks.loc["custom enhancements", "cost"] == pytest.approx(4 * 250.0)
    assert asks.loc["discount", ["expected", "offered"]].tolist() == ["9%", "6%"]
    # 31k is Silver: 4% discount, 3 rush orders; asks 15% and 5 rush orders
    bad = got[got[s.ACCOUNT_ID] == "P-bad"].set_index("expectation")
    assert bad.loc["discount", "cost"] == pytest.approx(0.11 * 31_000)
    assert bad.loc["rush orders", "cost"] == pytest.approx(2 * 150.0)
    assert "P-good" not in set(got[s.ACCOUNT_ID])
    offered = prospect_mismatches(PROSPECTS, ProspectConfig(offers_custom_enhancements=True))
    assert "custom enhancements" not in set(offered["expectation"])


def test_screen_prospects_scores_neighbours_and_recommendations():
    the_book = book()
    before = PROSPECTS.copy()
    out = screen_prospects(PROSPECTS, the_book).set_index(s.ACCOUNT_ID)
    pd.testing.assert_frame_equal(PROSPECTS, before)
    assert out.loc["P-good", FIT] > 50 > out.loc["P-good", RISK]
    assert out.loc["P-bad", RISK] > 50 > out.loc["P-bad", FIT]
    assert out.loc["P-good", RECOMMENDATION] == "looks like our best customers"
    assert out.loc["P-bad", RECOMMENDATION] == (
        "high risk: resembles accounts that cost us $15.0k last year"  # 5 neighbours × $3k
    )
    assert out.loc["P-asks", RECOMMENDATION] == "discuss: 4 mismatches"
    assert out.loc["P-asks", MISMATCH_COUNT] == 4 and out.loc["P-good", MISMATCH_COST] == 0
    assert out.loc["P-bad", NEAREST].count("(bad, -$3.0k)") == 5
    assert out[[FIT, RISK]].stack().between(0, 100).all()


def test_screen_prospects_names_missing_columns():
    with pytest.raises(MissingColumnsError, match="segment"):
        screen_prospects(PROSPECTS, book().drop(columns=[s.SEGMENT]))


def test_sample_accounts_reentered_as_prospects(sample_accounts, planted_truth):
    """Half the sample is the book (with its planted segments); the other half is re-entered
    with only pre-sale fields, and must be told apart by risk and fit."""
    econ = compute_economics(sample_accounts, UnitCosts())
    econ[s.SEGMENT] = econ[s.ACCOUNT_ID].map(planted_truth.set_index("account_id")["segment"])
    in_book = np.random.default_rng(7).permutation(len(econ)) < len(econ) // 2
    the_book, held = econ[in_book], econ[~in_book]
    prospects = pd.DataFrame(
        {
            s.ACCOUNT_ID: held[s.ACCOUNT_ID],
            s.REVENUE: held[s.REVENUE],
            s.PRODUCTS_USED: held[s.PRODUCTS_USED],
            s.DECISION_MAKER_ACCESS: held[s.DECISION_MAKER_ACCESS],
            s.MEETINGS_MISSED: held[s.MEETINGS_MISSED],
            s.CALLS_UNRETURNED: held[s.CALLS_UNRETURNED],
            RUSH_SHARE: held[s.RUSH_ORDERS] / held[s.ORDERS],
            DISCOUNT_ASKED: 100 * held[s.DISCOUNTS] / held[s.REVENUE],
        }
    )
    out = screen_prospects(prospects, the_book)
    assert roc_auc_score(held[s.SEGMENT].eq(s.BAD), out[RISK]) >= 0.85
    assert roc_auc_score(held[s.SEGMENT].eq(s.RIGHT), out[FIT]) >= 0.85
