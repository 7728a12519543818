"""What the strategy session decided, and how a wrong customer could be moved on.

A decision is made by the team, so it names who agreed as well as who owns the follow-up. An
override records the team correcting the model's segment for one account. A transition plan turns
"this customer belongs with a cheaper provider" into one concrete route and the team hours it frees.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from analysis import economics as econ
from analysis import schema as s
from analysis.errors import RightfitError

ACTIONS: tuple[str, ...] = ("keep", "grow", "reprice", "move_to_tier", "help_move", "exit")
NAME_MAX = 80
NOTE_MAX = 2000


class DecisionError(RightfitError):
    """A decision, override or plan request that cannot be recorded as given."""


def clean_label(value: object, what: str, *, max_len: int = NAME_MAX) -> str:
    """A short user-typed label (name, owner, id): trimmed, NFC, 1..max_len chars, no control or
    format characters (which hide text or reorder it on screen)."""
    if not isinstance(value, str):
        raise DecisionError(f"{what} must be text, not {type(value).__name__}.")
    text = unicodedata.normalize("NFC", value.strip())
    if not 1 <= len(text) <= max_len:
        raise DecisionError(f"{what} must be 1 to {max_len} characters long (got {len(text)}).")
    if any(unicodedata.category(c).startswith("C") for c in text):
        raise DecisionError(f"{what} '{text!r}' contains control characters.")
    return text


def _clean_note(note: object) -> str:
    if not isinstance(note, str):
        raise DecisionError("The note must be text.")
    if len(note) > NOTE_MAX:
        raise DecisionError(f"The note is {len(note)} characters long; the limit is {NOTE_MAX}.")
    bad = [c for c in note if unicodedata.category(c) == "Cc" and c not in "\n\t"]
    if bad:
        raise DecisionError("The note contains control characters.")
    return note


def _check_day(value: object) -> None:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise DecisionError(f"decided_on must be a date, not {type(value).__name__}.")


@dataclass(frozen=True)
class Decision:
    """One account decision. `tier` names the target tier and is required for move_to_tier."""

    account_id: str
    action: str
    owner: str
    decided_on: date
    agreed_by: tuple[str, ...]
    note: str = ""
    tier: str = ""

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "account_id", clean_label(self.account_id, "Account id"))
        if self.action not in ACTIONS:
            raise DecisionError(
                f"Unknown action '{self.action}': choose one of {', '.join(ACTIONS)}."
            )
        set_(self, "owner", clean_label(self.owner, "Owner"))
        _check_day(self.decided_on)
        if isinstance(self.agreed_by, str) or not isinstance(self.agreed_by, tuple | list):
            raise DecisionError("agreed_by must be a list of names.")
        names = tuple(clean_label(n, "A name in agreed by") for n in self.agreed_by)
        if not names:
            raise DecisionError("Decisions are made by the team: name at least one who agreed.")
        if len(set(names)) != len(names):
            raise DecisionError("agreed_by names each person once.")
        set_(self, "agreed_by", names)
        set_(self, "note", _clean_note(self.note))
        if self.action == "move_to_tier":
            set_(self, "tier", clean_label(self.tier, "Tier for move_to_tier"))
        elif self.tier:
            raise DecisionError(f"A tier is only given with move_to_tier, not '{self.action}'.")


@dataclass(frozen=True)
class Override:
    """The team's segment for an account where it disagrees with the model, and why."""

    account_id: str
    segment: str
    reason: str
    by: str
    decided_on: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "account_id", clean_label(self.account_id, "Account id"))
        if self.segment not in s.SEGMENTS:
            raise DecisionError(
                f"Unknown segment '{self.segment}': choose one of {', '.join(s.SEGMENTS)}."
            )
        object.__setattr__(self, "reason", clean_label(self.reason, "Reason", max_len=NOTE_MAX))
        object.__setattr__(self, "by", clean_label(self.by, "Overridden by"))
        _check_day(self.decided_on)


# Routes for a wrong customer, tried in this order: the first whose test passes is the plan.
ROUTE_SELF_SERVE, ROUTE_REPRICE, ROUTE_REFER = "self_serve", "reprice", "refer"


@dataclass(frozen=True)
class TransitionPolicy:
    """Assumptions behind a transition plan.

    self_serve_share: share of the account's activity cost still incurred on the self-serve tier
        (portal orders and tickets are cheaper, meetings stop).
    tier_minimum: minimum annual revenue for the managed tier: smaller accounts pay at least this.
    target_margin: profit margin a route must reach to count as a fix.
    max_price_increase: beyond this rise (0.3 = +30%) repricing is not credible: refer instead.
    """

    self_serve_share: float = 0.3
    tier_minimum: float = 10_000.0
    target_margin: float = 0.10
    max_price_increase: float = 0.30

    def __post_init__(self) -> None:
        ok = (
            0 <= self.self_serve_share <= 1
            and self.tier_minimum >= 0
            and 0 <= self.target_margin < 1
            and self.max_price_increase >= 0
        )
        if not ok:
            raise DecisionError(
                "Transition policy: self-serve share and target margin must be in [0, 1), "
                "tier minimum and maximum price increase ≥ 0."
            )


@dataclass(frozen=True)
class TransitionPlan:
    """A short plan for one wrong customer. `hours` is the team time the account uses per period
    (its activity minutes / 60), by team in `hours_by_team`: what moving it off frees."""

    account_id: str
    route: str
    steps: tuple[str, ...]
    hours: float
    hours_by_team: Mapping[str, float]
    current_profit: float
    profit_after: float
    price_after: float

    def hours_table(self) -> pd.DataFrame:
        """`hours_by_team` as a table (team, hours), for showing and downloading."""
        return pd.DataFrame(
            {"team": list(self.hours_by_team), "hours": list(self.hours_by_team.values())}
        )


def helped_to_move(scored: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    """The scored accounts still labelled wrong that a decision says to help move: the ones a
    transition plan is for."""
    moving = decisions.loc[decisions["action"] == "help_move", s.ACCOUNT_ID].astype(str)
    ids = scored[s.ACCOUNT_ID].astype(str)
    return scored[ids.isin(moving) & (scored[s.SEGMENT] == s.WRONG)]


def _hours_by_team(row: Mapping, costs: econ.UnitCosts) -> dict[str, float]:
    hours: dict[str, float] = {}
    for a in costs.activities:
        count = pd.to_numeric(pd.Series([row.get(a.driver)]), errors="coerce").iloc[0]
        if pd.notna(count) and count > 0:
            hours[a.team] = hours.get(a.team, 0.0) + float(count) * a.minutes / 60.0
    return hours


def transition_plan(
    account_row: pd.Series | Mapping,
    costs: econ.UnitCosts,
    policy: TransitionPolicy = TransitionPolicy(),
) -> TransitionPlan:
    """One wrong customer's route off the managed service: self-serve when that alone makes it
    profitable, else a price to the tier minimum when the rise is credible, else a referral.

    `account_row` is a row of the scored or canonical account table (count columns named in
    schema.py); its cost-to-serve is recomputed from `costs` so the plan matches the unit costs.
    Raises DecisionError for a row labelled other than wrong, or without account_id / revenue.
    """
    row = dict(account_row)
    if s.ACCOUNT_ID not in row or s.REVENUE not in row:
        raise DecisionError("A transition plan needs the account's id and revenue.")
    if row.get(s.SEGMENT, s.WRONG) != s.WRONG:
        raise DecisionError(
            f"Account {row[s.ACCOUNT_ID]} is '{row[s.SEGMENT]}': plans are for wrong customers."
        )
    frame = pd.DataFrame([{k: v for k, v in row.items() if not k.startswith(econ.CTS_PREFIX)}])
    e = econ.compute_economics(frame, costs).iloc[0]
    revenue = float(e[s.REVENUE]) if pd.notna(e[s.REVENUE]) else 0.0
    activity = sum(float(e[econ.CTS_PREFIX + a.driver]) for a in costs.activities)
    profit = float(e[econ.PROFIT])
    self_serve_profit = profit + activity * (1.0 - policy.self_serve_share)
    needed = (float(e[s.COGS]) + float(e[econ.COST_TO_SERVE])) / (1.0 - policy.target_margin)
    price = max(needed, policy.tier_minimum)
    rise = (price - revenue) / revenue if revenue > 0 else math.inf
    by_team = _hours_by_team(row, costs)
    hours = sum(by_team.values())
    margin = self_serve_profit / revenue if revenue > 0 else -math.inf

    if margin >= policy.target_margin:
        route, price_after, profit_after = ROUTE_SELF_SERVE, revenue, self_serve_profit
        steps = (
            "Move the account to the self-serve tier: portal ordering and support, no meetings.",
            f"Activity cost falls to {policy.self_serve_share:.0%}; margin becomes {margin:.0%}.",
            f"Frees about {hours:,.1f} hours of managed-team time.",
        )
    elif rise <= policy.max_price_increase:
        route, price_after = ROUTE_REPRICE, price
        profit_after = profit + (price - revenue)
        steps = (
            f"Price to the tier minimum: {price:,.0f} a period (+{max(rise, 0):.0%}).",
            "Offer the self-serve tier as the cheaper alternative if the account declines.",
            f"The account keeps using about {hours:,.1f} hours, now paid for.",
        )
    else:
        route, price_after, profit_after = ROUTE_REFER, 0.0, 0.0
        steps = (
            "Refer the account to a partner or cheaper provider that fits its size.",
            f"Staying would need +{rise:.0%} on price, above the credible "
            f"+{policy.max_price_increase:.0%}."
            if math.isfinite(rise)
            else "The account brings no revenue to reprice.",
            f"Frees about {hours:,.1f} hours of managed-team time.",
        )
    return TransitionPlan(
        account_id=str(row[s.ACCOUNT_ID]),
        route=route,
        steps=steps,
        hours=hours,
        hours_by_team=by_team,
        current_profit=profit,
        profit_after=profit_after,
        price_after=price_after,
    )
