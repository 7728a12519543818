"""Decisions are validated before they are logged; a transition plan picks one route."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from analysis import schema as s
from analysis.decisions import (
    ROUTE_REFER,
    ROUTE_REPRICE,
    ROUTE_SELF_SERVE,
    Decision,
    DecisionError,
    Override,
    TransitionPolicy,
    helped_to_move,
    transition_plan,
)
from analysis.economics import Activity, Team, UnitCosts

BASE = dict(
    account_id="A1",
    action="grow",
    owner="Dana",
    decided_on=date(2026, 10, 2),
    agreed_by=("Dana",),
)


def test_a_valid_decision_is_normalised() -> None:
    d = Decision(**{**BASE, "account_id": " A1 ", "agreed_by": ["Lee", "Dana"]})  # type: ignore[arg-type]
    assert d.account_id == "A1"
    assert d.agreed_by == ("Lee", "Dana")
    assert Decision(**{**BASE, "action": "move_to_tier", "tier": "Self-serve"}).tier == "Self-serve"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"action": "fire"}, "Unknown action 'fire'"),
        ({"agreed_by": ()}, "at least one"),
        ({"agreed_by": "Dana"}, "list of names"),
        ({"agreed_by": ("Dana", "Dana")}, "once"),
        ({"agreed_by": ("Dana", "")}, "1 to 80"),
        ({"owner": ""}, "Owner must be 1 to 80"),
        ({"owner": "x" * 81}, "Owner must be 1 to 80"),
        ({"owner": "Dana\x07"}, "control"),
        ({"account_id": 7}, "must be text"),
        ({"decided_on": "2026-10-02"}, "must be a date"),
        ({"decided_on": datetime(2026, 10, 2)}, "must be a date"),
        ({"note": "x" * 2001}, "limit is 2000"),
        ({"note": "bell\x07"}, "control"),
        ({"action": "move_to_tier"}, "Tier for move_to_tier"),
        ({"tier": "Gold"}, "only given with move_to_tier"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_invalid_decisions_say_what_is_wrong(change: dict, message: str) -> None:
    with pytest.raises(DecisionError, match=message):
        Decision(**{**BASE, **change})  # type: ignore[arg-type]


def test_notes_may_span_lines() -> None:
    assert Decision(**{**BASE, "note": "line 1\n\tline 2"}).note == "line 1\n\tline 2"  # type: ignore[arg-type]


def test_override_validation() -> None:
    with pytest.raises(DecisionError, match="Unknown segment 'great'"):
        Override("A1", "great", "why", "Dana", date(2026, 1, 1))
    with pytest.raises(DecisionError, match="Reason"):
        Override("A1", "right", " ", "Dana", date(2026, 1, 1))


# One team at $60 per effective hour ($1 a minute) makes the arithmetic easy to follow.
COSTS = UnitCosts(
    teams=(Team("service", 48.0, 0.8),),
    activities=(
        Activity(s.ORDERS, "Order", "service", 30.0),
        Activity(s.MEETINGS_HELD, "Meeting", "service", 60.0),
    ),
    money=(),
)


def row(revenue: float, cogs: float, orders: int, meetings: int, **extra: object) -> pd.Series:
    base = {s.ACCOUNT_ID: "W1", s.REVENUE: revenue, s.COGS: cogs, s.ORDERS: orders}
    return pd.Series({**base, s.MEETINGS_HELD: meetings, **extra})


def test_self_serve_when_it_alone_restores_margin() -> None:
    # activity cost = 10*30 + 2*60 = 420 minutes = $420, 7 hours; profit = 2000-1500-420 = 80
    # self-serve keeps 30%: profit = 80 + 0.7*420 = 374 = 18.7% margin >= 10%
    plan = transition_plan(row(2000.0, 1500.0, 10, 2, segment="wrong"), COSTS)
    assert plan.route == ROUTE_SELF_SERVE
    assert plan.hours == pytest.approx(7.0)
    assert plan.hours_by_team == {"service": pytest.approx(7.0)}
    assert plan.hours_table().to_dict("list") == {
        "team": ["service"],
        "hours": [pytest.approx(7.0)],
    }
    assert plan.current_profit == pytest.approx(80.0)
    assert plan.profit_after == pytest.approx(374.0)
    assert len(plan.steps) == 3


def test_reprice_to_the_tier_minimum_when_the_rise_is_credible() -> None:
    # cost = 9000 + 420 = 9420; needed at 10% margin = 10466.67 > tier minimum 10000
    # rise = 466.67/9500 = 4.9%; self-serve margin = (80 + 294)/9500 = 3.9% < 10%
    plan = transition_plan(row(9500.0, 9000.0, 10, 2), COSTS)
    assert plan.route == ROUTE_REPRICE
    assert plan.price_after == pytest.approx(9420 / 0.9)
    assert plan.profit_after == pytest.approx(9420 / 0.9 - 9420)


def test_refer_when_repricing_would_need_too_much() -> None:
    plan = transition_plan(row(1000.0, 900.0, 10, 2), COSTS)  # needs +47% and below minimum
    assert plan.route == ROUTE_REFER
    assert plan.hours == pytest.approx(7.0)
    assert transition_plan(row(0.0, 0.0, 1, 0), COSTS).route == ROUTE_REFER


def test_policy_changes_the_route() -> None:
    generous = TransitionPolicy(tier_minimum=0.0, max_price_increase=0.5)  # +46.7% fits
    assert transition_plan(row(1000.0, 900.0, 10, 2), COSTS, generous).route == ROUTE_REPRICE
    with pytest.raises(DecisionError, match="Transition policy"):
        TransitionPolicy(target_margin=1.0)


def test_plans_are_for_wrong_customers_only() -> None:
    with pytest.raises(DecisionError, match="'right'"):
        transition_plan(row(2000.0, 1500.0, 10, 2, segment="right"), COSTS)
    with pytest.raises(DecisionError, match="id and revenue"):
        transition_plan(pd.Series({s.ACCOUNT_ID: "X"}), COSTS)


def test_missing_counts_free_no_hours() -> None:
    plan = transition_plan({s.ACCOUNT_ID: "W2", s.REVENUE: 5000.0}, COSTS)
    assert plan.hours == 0.0
    assert plan.hours_by_team == {}


def test_helped_to_move_is_wrong_accounts_with_a_help_move_decision() -> None:
    scored = pd.DataFrame(
        {s.ACCOUNT_ID: ["A1", "A2", "A3", "7"], s.SEGMENT: ["wrong", "wrong", "bad", "wrong"]}
    )
    decisions = pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A1", "A2", "A3", "7"],
            "action": ["help_move", "keep", "help_move", "help_move"],
        }
    )
    assert helped_to_move(scored, decisions)[s.ACCOUNT_ID].tolist() == ["A1", "7"]
