"""Service tiers: hand-computed entitlements and exceptions, policy files, and invariants."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema as s
from analysis.errors import ConfigError, MissingColumnsError
from analysis.tiers import (
    EXCEPTION_COLUMNS,
    RULES,
    TIER,
    Tier,
    TierPolicy,
    assign_tiers,
    compare_policies,
    exception_cost_per_account,
    find_exceptions,
    load_tier_policy,
    tier_summary,
    unassessed,
    with_tier,
)

BASIC = Tier("Basic", 0, 2.0, 2, 0, 1, 30)
PLUS = Tier("Plus", 10_000, 5.0, 5, 2, 4, 45)
POLICY = TierPolicy(tiers=(PLUS, BASIC))  # given unsorted on purpose


def _accounts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A1", "A2", "A3", "A4"],
            s.ACCOUNT_NAME: ["Alpha", "Beta", "Gamma", "Delta"],
            s.OWNER: ["Kim", None, "Kim", "Lee"],
            s.REVENUE: [10_000.0, 5_000.0, 9_999.99, 0.0],
            s.DISCOUNTS: [600.0, 100.0, 0.0, 10.0],
            s.SUPPORT_TICKETS: [5, 4, 0, 0],
            s.RUSH_ORDERS: [3, 0, 0, 0],
            s.MEETINGS_HELD: [4, 2, 0, 0],
            s.DAYS_TO_PAY: [45.0, 66.5, 20.0, np.nan],
        }
    )


def test_policy_sorts_tiers_by_minimum_spend() -> None:
    assert [t.name for t in POLICY.tiers] == ["Basic", "Plus"]


def test_assign_tiers_at_threshold_goes_up_and_keeps_the_input() -> None:
    accounts = _accounts()
    before = accounts.copy()
    tiered = assign_tiers(accounts, POLICY)
    assert tiered[TIER].tolist() == ["Plus", "Basic", "Basic", "Basic"]
    pd.testing.assert_frame_equal(accounts, before)
    assert list(tiered.columns) == [*before.columns, "tier"]


def test_unknown_or_negative_revenue_gets_the_baseline_tier() -> None:
    frame = pd.DataFrame({s.ACCOUNT_ID: ["x", "y"], s.REVENUE: [np.nan, -50.0]})
    assert assign_tiers(frame, POLICY)["tier"].tolist() == ["Basic", "Basic"]
    above_zero = TierPolicy(tiers=(Tier("Only", 1_000, 0, 0, 0, 0, 30),))
    assert assign_tiers(frame, above_zero)["tier"].tolist() == ["Only", "Only"]


def test_find_exceptions_hand_computed() -> None:
    got = find_exceptions(_accounts(), POLICY)
    expected = pd.DataFrame(
        [
            ("A1", "Alpha", "Kim", "Plus", "rush", "rush orders", 2.0, 3.0, 1.0, 150.0),
            ("A2", "Beta", "", "Basic", "meetings", "meetings", 1.0, 2.0, 1.0, 150.0),
            ("A1", "Alpha", "Kim", "Plus", "discount", "currency", 500.0, 600.0, 100.0, 100.0),
            ("A2", "Beta", "", "Basic", "support", "tickets", 2.0, 4.0, 2.0, 80.0),
            # 36.5 days late on 5,000 at 10% a year: 5000 * 0.10 * 36.5 / 365 = 50
            ("A2", "Beta", "", "Basic", "payment terms", "days", 30.0, 66.5, 36.5, 50.0),
            # no revenue, so no discount allowance: all 10 is excess
            ("A4", "Delta", "Lee", "Basic", "discount", "currency", 0.0, 10.0, 10.0, 10.0),
        ],
        columns=list(EXCEPTION_COLUMNS),
    )
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_exception_cost_per_account_and_summary_hand_computed() -> None:
    accounts = _accounts().set_index(pd.Index([10, 11, 12, 13]))
    cost = exception_cost_per_account(accounts, POLICY)
    pd.testing.assert_series_equal(
        cost,
        pd.Series([250.0, 280.0, 0.0, 10.0], index=accounts.index, name="exception_cost"),
    )
    summary = tier_summary(accounts, POLICY)
    expected = pd.DataFrame(
        {
            "tier": ["Basic", "Plus"],
            "min_spend": [0.0, 10_000.0],
            "accounts": [3, 1],
            "revenue": [14_999.99, 10_000.0],
            "accounts_with_exceptions": [2, 1],
            "exception_cost": [290.0, 250.0],
            "exception_cost_pct": [290.0 / 14_999.99 * 100, 2.5],
        }
    )
    pd.testing.assert_frame_equal(summary, expected, check_dtype=False)


def test_empty_tiers_still_appear_in_the_summary() -> None:
    policy = TierPolicy(tiers=(BASIC, PLUS, Tier("Top", 1e6, 10, 9, 9, 9, 60)))
    summary = tier_summary(_accounts(), policy)
    assert summary["tier"].tolist() == ["Basic", "Plus", "Top"]
    assert summary.loc[2, "accounts"] == 0 and math.isnan(summary.loc[2, "exception_cost_pct"])


def test_absent_columns_are_reported_not_fatal() -> None:
    accounts = _accounts().drop(columns=[s.DAYS_TO_PAY, s.MEETINGS_HELD, s.OWNER])
    assert unassessed(accounts) == [
        "meetings: no meetings_held column",
        "payment terms: no days_to_pay column",
    ]
    got = find_exceptions(accounts, POLICY)
    assert set(got["kind"]) == {"rush", "discount", "support"}
    assert (got[s.OWNER] == "").all()
    only_required = _accounts()[[s.ACCOUNT_ID, s.REVENUE]]
    assert find_exceptions(only_required, POLICY).empty
    assert list(find_exceptions(only_required, POLICY).columns) == list(EXCEPTION_COLUMNS)
    assert len(unassessed(only_required)) == len(RULES)
    assert exception_cost_per_account(only_required, POLICY).eq(0).all()


def test_missing_revenue_is_a_user_error() -> None:
    with pytest.raises(MissingColumnsError, match="revenue"):
        find_exceptions(pd.DataFrame({s.ACCOUNT_ID: ["a"]}), POLICY)


def test_unlimited_entitlement_never_raises_an_exception() -> None:
    unlimited = Tier("All", 0, math.inf, math.inf, math.inf, math.inf, math.inf)
    assert find_exceptions(_accounts(), TierPolicy(tiers=(unlimited,))).empty


def test_what_if_counts_moves_and_costs() -> None:
    proposed = with_tier(POLICY, "Plus", min_spend=10_001)
    result = compare_policies(_accounts(), POLICY, proposed)
    assert result.accounts_changing_tier == 1
    pd.testing.assert_frame_equal(
        result.moves,
        pd.DataFrame({"from_tier": ["Plus"], "to_tier": ["Basic"], "accounts": [1]}),
        check_dtype=False,
    )
    # A1 in Basic: discount 600 - 200 = 400, support 3 * 40, rush 3 * 150, meetings 3 * 150,
    # payment 15 days on 10,000 at 10%
    a1_after = 400 + 120 + 450 + 450 + 10_000 * 0.10 * 15 / 365
    assert result.exception_cost_before == pytest.approx(540.0)
    assert result.exception_cost_after == pytest.approx(290.0 + a1_after)
    assert result.exceptions_before == 6 and result.exceptions_after == 4 + 5
    assert result.exception_cost_change == pytest.approx(a1_after - 250.0)
    with pytest.raises(ConfigError, match="Gold"):
        with_tier(POLICY, "Gold", min_spend=1)


# ---- policy files ---------------------------------------------------------------------------


def test_json_round_trip_keeps_unlimited() -> None:
    policy = TierPolicy(
        tiers=(BASIC, Tier("VIP", 50_000, 8, math.inf, 5, 6, 60)), cost_per_ticket=55.0
    )
    text = policy.to_json()
    assert '"support_tickets": null' in text
    assert TierPolicy.from_json(text) == policy


def test_json_leaves_out_costs_keeps_defaults() -> None:
    text = (
        '{"tiers": [{"name": "Std", "min_spend": 0, "max_discount_pct": 1, '
        '"support_tickets": 3, "rush_orders": 0, "review_meetings": 0, "payment_terms_days": 30}]}'
    )
    policy = TierPolicy.from_json(text)
    assert policy.cost_per_rush_order == TierPolicy().cost_per_rush_order
    assert policy.tiers == (Tier("Std", 0, 1, 3, 0, 0, 30),)


CSV = """\
Name,Min Spend,Max Discount Pct,Support Tickets,Rush Orders,Review Meetings,Payment Terms Days
Standard,0,0%,4,0,0,30
Gold,"$100,000",6%,unlimited,6,4,45
Silver,25000,3,12,2,1,
"""


def test_csv_reads_money_percent_and_unlimited() -> None:
    policy = TierPolicy.from_csv(CSV)
    assert [t.name for t in policy.tiers] == ["Standard", "Silver", "Gold"]
    assert policy.tiers[2] == Tier("Gold", 100_000, 6, math.inf, 6, 4, 45)
    assert policy.tiers[1].payment_terms_days == math.inf


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("name,min_spend\nA,0\n", "missing column"),
        (CSV.replace("25000", "lots"), r"row 4, min_spend: 'lots' is not a number"),
        (CSV.replace("Silver", "Gold"), "tiers.csv: names must be unique"),
        (CSV.replace(",2,1,", ",-2,1,"), "rush_orders must be ≥ 0"),
        (CSV.replace('"$100,000"', "25000"), "same minimum spend"),
        (CSV.replace(",0,0,30", ",0,0"), "row 2: 6 cells for 7 columns"),
        (CSV.replace("Silver,", ","), "needs a name"),
        (CSV.splitlines()[0], "no tiers"),
    ],
    ids=[
        "empty",
        "missing-column",
        "not-a-number",
        "duplicate-name",
        "negative",
        "duplicate-threshold",
        "ragged",
        "no-name",
        "header-only",
    ],
)
def test_bad_csv_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TierPolicy.from_csv(text, source="tiers.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", '"tiers" list'),
        ('{"tiers": [], "cost_per_tiket": 1}', "unknown setting.*cost_per_tiket"),
        ('{"tiers": []}', "tiers.json: the policy needs at least one tier"),
        ('{"tiers": [{"name": "A"}]}', "tier 1: missing min_spend"),
        (POLICY.to_json().replace('"late_payment_rate": 0.1', '"late_payment_rate": -1'), "rate"),
        ('{"tiers": [1]}', "tier 1 is not an object"),
    ],
    ids=["syntax", "shape", "typo", "no-tiers", "missing-field", "negative-rate", "not-object"],
)
def test_bad_json_names_the_problem(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TierPolicy.from_json(text, source="tiers.json")


def test_load_tier_policy_by_extension(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "t.json").write_text(POLICY.to_json(), encoding="utf-8")
    (tmp_path / "t.txt").write_text(CSV, encoding="utf-8")
    assert len(load_tier_policy(tmp_path / "t.csv").tiers) == 3
    assert load_tier_policy(tmp_path / "t.json") == POLICY
    with pytest.raises(ConfigError, match=r"t\.txt: tiers must be a \.csv or \.json"):
        load_tier_policy(tmp_path / "t.txt")
    with pytest.raises(ConfigError, match="cannot read"):
        load_tier_policy(tmp_path / "absent.csv")


# ---- invariants -----------------------------------------------------------------------------

_entitlement = st.one_of(st.floats(0, 200, allow_nan=False), st.just(math.inf))


@st.composite
def policies(draw) -> TierPolicy:
    spends = draw(st.lists(st.integers(1, 500_000), max_size=3, unique=True))
    tiers = [
        Tier(f"T{i}", float(spend), *(draw(_entitlement) for _ in range(5)))
        for i, spend in enumerate([0, *spends])
    ]
    return TierPolicy(tiers=tuple(tiers))


@st.composite
def account_tables(draw) -> pd.DataFrame:
    n = draw(st.integers(1, 12))
    ints = st.integers(0, 300)
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: [f"A{i}" for i in range(n)],
            s.REVENUE: draw(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=n, max_size=n)),
            s.DISCOUNTS: draw(st.lists(st.floats(0, 1e5), min_size=n, max_size=n)),
            s.SUPPORT_TICKETS: draw(st.lists(ints, min_size=n, max_size=n)),
            s.RUSH_ORDERS: draw(st.lists(ints, min_size=n, max_size=n)),
            s.MEETINGS_HELD: draw(st.lists(ints, min_size=n, max_size=n)),
            s.DAYS_TO_PAY: draw(st.lists(st.floats(0, 200), min_size=n, max_size=n)),
        }
    )


def _pairs(exceptions: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(exceptions[s.ACCOUNT_ID], exceptions["kind"], strict=True))


@settings(max_examples=60, deadline=None)
@given(policies(), account_tables(), st.data())
def test_within_every_entitlement_means_no_exception(policy, accounts, data) -> None:
    tiers = {t.name: t for t in policy.tiers}
    tier = assign_tiers(accounts, policy)["tier"].map(tiers)
    within = accounts.copy()
    for rule in RULES:
        allowed = tier.map(lambda t, f=rule.entitlement: getattr(t, f)).astype(float)
        if rule.kind == "discount":
            allowed = allowed.where(np.isinf(allowed), allowed / 100 * within[s.REVENUE])
        share = data.draw(st.floats(0, 1))
        within[rule.column] = np.where(np.isinf(allowed), 1e9, allowed * share)
    assert find_exceptions(within, policy).empty
    assert exception_cost_per_account(within, policy).eq(0).all()


@settings(max_examples=60, deadline=None)
@given(policies(), account_tables(), st.data())
def test_doubling_an_entitlement_never_adds_an_exception(policy, accounts, data) -> None:
    tier = data.draw(st.sampled_from(policy.tiers))
    field = data.draw(st.sampled_from([r.entitlement for r in RULES]))
    doubled = with_tier(policy, tier.name, **{field: getattr(tier, field) * 2})
    assert _pairs(find_exceptions(accounts, doubled)) <= _pairs(find_exceptions(accounts, policy))
    assert (
        exception_cost_per_account(accounts, doubled)
        <= exception_cost_per_account(accounts, policy) + 1e-6
    ).all()


@settings(max_examples=60, deadline=None)
@given(policies())
def test_revenue_exactly_at_a_threshold_lands_in_that_tier(policy) -> None:
    frame = pd.DataFrame(
        {
            s.ACCOUNT_ID: [t.name for t in policy.tiers],
            s.REVENUE: [t.min_spend for t in policy.tiers],
        }
    )
    assert assign_tiers(frame, policy)["tier"].tolist() == frame[s.ACCOUNT_ID].tolist()


@settings(max_examples=60, deadline=None)
@given(policies(), account_tables(), st.randoms(use_true_random=False))
def test_row_order_does_not_change_results(policy, accounts, rnd) -> None:
    order = list(range(len(accounts)))
    rnd.shuffle(order)
    shuffled = accounts.iloc[order]
    before = accounts.copy()
    pd.testing.assert_frame_equal(
        find_exceptions(shuffled, policy), find_exceptions(accounts, policy)
    )
    pd.testing.assert_series_equal(
        exception_cost_per_account(shuffled, policy).sort_index(),
        exception_cost_per_account(accounts, policy),
    )
    pd.testing.assert_frame_equal(tier_summary(shuffled, policy), tier_summary(accounts, policy))
    pd.testing.assert_frame_equal(accounts, before)


def test_tiers_frame_round_trips_with_blank_as_unlimited() -> None:
    from analysis.tiers import policy_from_frame, tiers_frame

    policy = TierPolicy(
        tiers=(Tier("Basic", 0, 2, 5, 1, 0, 30), Tier("Top", 1000, math.inf, 50, 5, 4, 60)),
        cost_per_ticket=55.0,
    )
    frame = tiers_frame(policy)
    assert frame["max_discount_pct"].isna().tolist() == [False, True]
    assert policy_from_frame(frame, policy) == policy
    frame.loc[0, "support_tickets"] = 8
    assert policy_from_frame(frame, policy).tiers[0].support_tickets == 8
