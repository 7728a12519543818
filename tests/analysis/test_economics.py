"""Economics: hand-computed cost-to-serve per driver, unit-cost files, whale curve, invariants."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema as s
from analysis.economics import (
    COST_TO_SERVE,
    LATE_PAYMENT,
    PROFIT,
    UnitCosts,
    compute_economics,
    cts_columns,
    kpis,
    load_unit_costs,
    missing_drivers,
    profit_waterfall,
    whale_curve,
    whale_summary,
)
from analysis.errors import ConfigError

COSTS = UnitCosts()


def one_account(**fields: float) -> pd.DataFrame:
    return pd.DataFrame([{s.ACCOUNT_ID: "A1", s.REVENUE: 10_000.0, **fields}])


@pytest.mark.parametrize(
    ("field", "value", "driver", "expected"),
    [
        (s.ORDERS, 4, s.ORDERS, 4 * 30 * 40 / 0.8 / 60),  # 30 min at $50/h = $25 each
        (s.SUPPORT_TICKETS, 3, s.SUPPORT_TICKETS, 3 * 40.0),
        (s.COMPLAINTS, 2, s.COMPLAINTS, 2 * 120.0),
        (s.ENHANCEMENT_REQUESTS, 1, s.ENHANCEMENT_REQUESTS, 250.0),
        (s.RUSH_ORDERS, 5, s.RUSH_ORDERS, 5 * 150.0),
        (s.MEETINGS_HELD, 2, s.MEETINGS_HELD, 2 * 150.0),
        (s.MEETINGS_MISSED, 3, s.MEETINGS_MISSED, 3 * 200.0),
        (s.CALLS_UNRETURNED, 7, s.CALLS_UNRETURNED, 7 * 20.0),
        (s.DISCOUNTS, 900.0, s.DISCOUNTS, 900.0),
        (s.FREIGHT, 310.0, s.FREIGHT, 310.0),
        (s.DAYS_TO_PAY, 75.0, LATE_PAYMENT, 10_000 * 0.10 * 45 / 365),
        (s.DAYS_TO_PAY, 20.0, LATE_PAYMENT, 0.0),
    ],
    ids=lambda v: str(v) if isinstance(v, str) else None,
)
def test_each_driver_hand_computed(field, value, driver, expected):
    econ = compute_economics(one_account(**{field: value, s.COGS: 6_000.0}), COSTS)
    row = econ.iloc[0]
    assert row[f"cts_{driver}"] == pytest.approx(expected)
    assert row[COST_TO_SERVE] == pytest.approx(expected)
    assert row["gross_margin"] == pytest.approx(4_000.0)
    assert row[PROFIT] == pytest.approx(4_000.0 - expected)
    assert row["profit_margin"] == pytest.approx((4_000.0 - expected) / 10_000)
    assert row["cts_ratio"] == pytest.approx(expected / 10_000)


def test_full_row_and_columns():
    accounts = pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A", "B"],
            s.REVENUE: [20_000.0, 0.0],
            s.COGS: [12_000.0, None],
            s.ORDERS: [10, 1],
            s.COMPLAINTS: [1, None],
            s.DISCOUNTS: [500.0, 0.0],
        }
    )
    econ = compute_economics(accounts, COSTS)
    expected_cts = 10 * 25 + 120 + 500
    assert econ[COST_TO_SERVE].tolist() == pytest.approx([expected_cts, 25.0])
    assert econ[s.COGS].tolist() == [12_000.0, 0.0]
    assert econ[PROFIT].tolist() == pytest.approx([8_000 - expected_cts, -25.0])
    assert math.isnan(econ["profit_margin"].iloc[1]) and math.isnan(econ["cts_ratio"].iloc[1])
    assert cts_columns(econ) == [f"cts_{d}" for d in COSTS.drivers]


def test_missing_drivers_names_absent_and_empty_inputs():
    accounts = pd.DataFrame(
        {s.ACCOUNT_ID: ["A"], s.REVENUE: [1.0], s.ORDERS: [2], s.COMPLAINTS: [None]}
    )
    missing = missing_drivers(accounts)
    assert s.COGS in missing and s.COMPLAINTS in missing and LATE_PAYMENT in missing
    assert s.ORDERS not in missing


def test_unit_cost_table_round_trips_and_edits():
    frame = COSTS.to_frame()
    assert UnitCosts.from_frame(frame) == COSTS
    assert UnitCosts.from_json(COSTS.to_json()) == COSTS
    edited = frame.copy()
    edited.loc[edited["driver"] == s.COMPLAINTS, "minutes"] = 240.0
    assert UnitCosts.from_frame(edited).unit_cost(s.COMPLAINTS) == pytest.approx(240.0)
    partial = pd.DataFrame({"driver": [s.COMPLAINTS, LATE_PAYMENT], "unit_cost": [60.0, 0.2]})
    costs = UnitCosts.from_frame(partial)
    assert costs.unit_cost(s.COMPLAINTS) == pytest.approx(60.0)
    assert costs.late_payment_rate == 0.2 and costs.unit_cost(s.ORDERS) == pytest.approx(25.0)


def test_what_if_helpers():
    assert COSTS.with_driver(s.COMPLAINTS, cost=300).unit_cost(s.COMPLAINTS) == pytest.approx(300)
    assert COSTS.with_driver(s.ORDERS, minutes=60).unit_cost(s.ORDERS) == pytest.approx(50)
    assert COSTS.with_driver(s.DISCOUNTS, cost=0.5).unit_cost(s.DISCOUNTS) == 0.5
    assert COSTS.scaled(2).unit_cost(s.MEETINGS_MISSED) == pytest.approx(400)
    with pytest.raises(ValueError):
        COSTS.with_driver(s.DISCOUNTS, minutes=3)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("costs.json", "{not json", "not valid JSON"),
        ("costs.json", json.dumps({"teams": [{"name": "x"}]}), "unexpected structure"),
        ("costs.csv", "driver,unit_cost\ncomplaints,abc\n", "row 2, column 'unit_cost'"),
        ("costs.csv", "name,unit_cost\ncomplaints,3\n", "needs a 'driver' column"),
        ("costs.csv", "driver,unit_cost\ncomplaints,-3\n", "must be ≥ 0"),
        ("costs.txt", "x", "must be a .csv or .json"),
    ],
    ids=["bad-json", "bad-structure", "not-a-number", "no-driver", "negative", "suffix"],
)
def test_bad_unit_cost_files_raise_config_error(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_unit_costs(path)


def test_load_unit_costs_reads_both_formats(tmp_path):
    (tmp_path / "c.json").write_text(COSTS.scaled(2).to_json(), encoding="utf-8")
    COSTS.scaled(3).to_frame().to_csv(tmp_path / "c.csv", index=False)
    assert load_unit_costs(tmp_path / "c.json") == COSTS.scaled(2)
    assert load_unit_costs(tmp_path / "c.csv").unit_cost(s.COMPLAINTS) == pytest.approx(360)


def test_whale_curve_and_summary_by_hand():
    econ = compute_economics(
        pd.DataFrame({s.ACCOUNT_ID: list("ABCDE"), s.REVENUE: [100.0, 50, 30, 10, 10]}), COSTS
    ).assign(profit=[60.0, 30, 20, -5, -25])
    curve = whale_curve(econ)
    assert curve["cumulative_profit"].tolist() == [0, 60, 90, 110, 105, 80]
    assert curve["cumulative_profit_pct"].iloc[3] == pytest.approx(137.5)
    summary = whale_summary(econ)
    assert summary.peak_pct == pytest.approx(137.5) and summary.peak_share_of_accounts == 0.6
    assert summary.erosion == pytest.approx(30) and summary.erosion_pct == pytest.approx(37.5)
    assert summary.top20_profit_share == pytest.approx(60 / 80)
    assert summary.top20_revenue_share == pytest.approx(100 / 200)
    assert summary.unprofitable_accounts == 2 and summary.unprofitable_share == 0.4
    sampled = whale_curve(econ, max_points=3)
    assert sampled["cumulative_profit"].tolist() == [0, 110, 80]


def test_waterfall_and_kpis():
    econ = compute_economics(
        one_account(**{s.COGS: 6_000.0, s.COMPLAINTS: 2, s.DISCOUNTS: 100.0}), COSTS
    )
    steps = profit_waterfall(econ, "A1")
    assert steps["step"].tolist() == ["Revenue", "COGS", "Complaints", "Discounts", "Profit"]
    assert steps["amount"].tolist() == pytest.approx([10_000, -6_000, -240, -100, 3_660])
    assert steps["amount"].iloc[:-1].sum() == pytest.approx(steps["amount"].iloc[-1])
    pd.testing.assert_frame_equal(profit_waterfall(econ.iloc[0]), steps)
    with pytest.raises(KeyError):
        profit_waterfall(econ, "nobody")
    k = kpis(econ)
    assert (k.accounts, k.profit, k.cost_to_serve, k.unprofitable_accounts) == (1, 3_660, 340, 0)


COUNTS = (s.ORDERS, s.SUPPORT_TICKETS, s.COMPLAINTS, s.ENHANCEMENT_REQUESTS, s.RUSH_ORDERS,
          s.MEETINGS_HELD, s.MEETINGS_MISSED, s.CALLS_UNRETURNED)  # fmt: skip


@st.composite
def portfolios(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 25))
    money = st.floats(0, 1e6, allow_nan=False)
    count = st.integers(0, 50)
    data = {
        s.ACCOUNT_ID: [f"A{i:03d}" for i in range(n)],
        s.REVENUE: draw(st.lists(money, min_size=n, max_size=n)),
        s.COGS: draw(st.lists(money, min_size=n, max_size=n)),
        s.DISCOUNTS: draw(st.lists(st.floats(0, 1e4), min_size=n, max_size=n)),
        s.DAYS_TO_PAY: draw(st.lists(st.floats(0, 200), min_size=n, max_size=n)),
    }
    for c in COUNTS:
        data[c] = draw(st.lists(count, min_size=n, max_size=n))
    return pd.DataFrame(data)


@settings(max_examples=40, deadline=None)
@given(portfolios(), st.floats(0.1, 10))
def test_properties(accounts, k):
    before = accounts.copy()
    econ = compute_economics(accounts, COSTS)
    pd.testing.assert_frame_equal(accounts, before)  # input not mutated
    total = kpis(econ).profit
    assert econ[PROFIT].sum() == pytest.approx(total, rel=1e-9, abs=1e-6)
    assert whale_curve(econ)["cumulative_profit"].iloc[-1] == pytest.approx(total, abs=1e-3)
    scaled = compute_economics(accounts, COSTS.scaled(k))
    np.testing.assert_allclose(scaled[COST_TO_SERVE], econ[COST_TO_SERVE] * k, rtol=1e-9)
    shuffled = accounts.sample(frac=1, random_state=1)
    pd.testing.assert_frame_equal(compute_economics(shuffled, COSTS).loc[econ.index], econ)
    more = accounts.assign(complaints=accounts[s.COMPLAINTS] + 1)
    assert (compute_economics(more, COSTS)[PROFIT] <= econ[PROFIT]).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-1e5, 1e5), min_size=1, max_size=300), st.integers(3, 40))
def test_downsampled_whale_curve_keeps_origin_peak_and_end(profits, max_points):
    econ = pd.DataFrame({s.ACCOUNT_ID: [f"A{i}" for i in range(len(profits))], PROFIT: profits})
    full, small = whale_curve(econ), whale_curve(econ, max_points=max_points)
    assert len(small) <= max_points
    peak = full["cumulative_profit"].max()
    assert small["cumulative_profit"].max() == peak
    assert (
        small.iloc[[0, -1]].reset_index(drop=True).equals(full.iloc[[0, -1]].reset_index(drop=True))
    )


@settings(max_examples=25, deadline=None)
@given(portfolios(), st.sampled_from([*COUNTS, s.DISCOUNTS]))
def test_driver_with_zero_cost_changes_nothing(accounts, driver):
    free = COSTS.with_driver(driver, cost=0)
    base = compute_economics(accounts.drop(columns=driver), COSTS)
    np.testing.assert_allclose(compute_economics(accounts, free)[PROFIT], base[PROFIT])


def test_sample_top_fifth_earns_over_all_profit(sample_accounts):
    summary = whale_summary(compute_economics(sample_accounts, COSTS))
    assert summary.top20_profit_share > 1.2


def test_sample_has_a_whale_curve(sample_accounts):
    summary = whale_summary(compute_economics(sample_accounts, COSTS))
    assert summary.peak_pct > 100 and summary.unprofitable_accounts > 0
