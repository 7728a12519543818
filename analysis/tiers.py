"""Service tiers: what each customer is entitled to for what it spends, and what lies outside.

A written policy reads "our minimum service commitment to all customers is x; a customer that
spends y a year is entitled to z". Every account gets the highest tier whose minimum spend its
revenue reaches (the lowest tier is everyone's baseline); anything an account received beyond its
tier (more discount, tickets, rush orders or meetings, or slower payment than its terms) is a
special situation, priced with the policy's unit costs so it can be argued about in money.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.errors import ConfigError, MissingColumnsError
from analysis.settings_file import read_settings

TIER = "tier"
EXCEPTION_COST = "exception_cost"
EXCEPTION_COLUMNS = (
    s.ACCOUNT_ID,
    s.ACCOUNT_NAME,
    s.OWNER,
    TIER,
    "kind",
    "unit",
    "entitled",
    "actual",
    "excess",
    "cost",
)
_TOLERANCE = 1e-6  # float noise, far below a cent, a ticket or a day

_ENTITLEMENTS = (
    "max_discount_pct",
    "support_tickets",
    "rush_orders",
    "review_meetings",
    "payment_terms_days",
)


@dataclass(frozen=True)
class Tier:
    """One row of the written policy; entitlements are per year, ``math.inf`` means unlimited."""

    name: str
    min_spend: float
    max_discount_pct: float
    support_tickets: float
    rush_orders: float
    review_meetings: float
    payment_terms_days: float

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise ConfigError("Tiers: every tier needs a name.")
        if not (math.isfinite(self.min_spend) and self.min_spend >= 0):
            raise ConfigError(f"Tier '{self.name}': minimum spend must be a number ≥ 0.")
        for f in _ENTITLEMENTS:
            if not getattr(self, f) >= 0:  # also rejects NaN
                raise ConfigError(f"Tier '{self.name}': {f} must be ≥ 0 (or unlimited).")


TIER_FIELDS: tuple[str, ...] = ("name", "min_spend", *_ENTITLEMENTS)

DEFAULT_TIERS: tuple[Tier, ...] = (
    # name, minimum spend, discount % of revenue, tickets, rush orders, review meetings, terms
    Tier("Standard", 0, 2.0, 6, 1, 0, 30),
    Tier("Silver", 25_000, 4.0, 15, 3, 2, 45),
    Tier("Gold", 100_000, 6.0, 30, 6, 4, 45),
    Tier("Platinum", 250_000, 10.0, 80, 12, 12, 60),
)


@dataclass(frozen=True)
class TierPolicy:
    """The tiers, sorted by minimum spend, and the unit costs that price an exception."""

    tiers: tuple[Tier, ...] = DEFAULT_TIERS
    cost_per_ticket: float = 40.0
    cost_per_rush_order: float = 150.0
    cost_per_meeting: float = 150.0
    late_payment_rate: float = 0.10  # annual cost of carrying cash paid after terms

    def __post_init__(self) -> None:
        tiers = tuple(sorted(self.tiers, key=lambda t: t.min_spend))
        if not tiers:
            raise ConfigError("Tiers: the policy needs at least one tier.")
        names = [t.name for t in tiers]
        if len(set(names)) != len(names):
            raise ConfigError(f"Tiers: names must be unique ({', '.join(names)}).")
        spends = [t.min_spend for t in tiers]
        if len(set(spends)) != len(spends):
            raise ConfigError("Tiers: two tiers have the same minimum spend.")
        for f in ("cost_per_ticket", "cost_per_rush_order", "cost_per_meeting"):
            value = getattr(self, f)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"Tiers: {f} must be a number ≥ 0.")
        if not (math.isfinite(self.late_payment_rate) and self.late_payment_rate >= 0):
            raise ConfigError("Tiers: late_payment_rate must be a number ≥ 0.")
        object.__setattr__(self, "tiers", tiers)

    def to_json(self) -> str:
        """The policy as JSON; unlimited entitlements are written as null."""
        data = asdict(self)
        data["tiers"] = [
            {k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in t.items()}
            for t in data["tiers"]
        ]
        return json.dumps(data, indent=2, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, *, source: str = "tiers") -> TierPolicy:
        """Read `to_json()` output; unit costs left out keep their defaults, null is unlimited."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
        if not isinstance(data, dict) or not isinstance(data.get("tiers"), list):
            raise ConfigError(f'{source}: expected an object with a "tiers" list.')
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {', '.join(unknown)}.")
        tiers = []
        for i, row in enumerate(data["tiers"], start=1):
            if not isinstance(row, dict):
                raise ConfigError(f"{source}: tier {i} is not an object.")
            tiers.append(_tier(row, f"{source}, tier {i}"))
        costs = {}
        for key in known - {"tiers"}:
            if key in data:
                costs[key] = _number(data[key], f"{source}: {key}", unlimited=False)
        return _checked(source, lambda: cls(tiers=tuple(tiers), **costs))

    @classmethod
    def from_csv(cls, text: str, *, source: str = "tiers") -> TierPolicy:
        """One row per tier with the `TIER_FIELDS` headers; blank or "unlimited" is unlimited.

        Unit costs keep their defaults; use JSON to change them.
        """
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            raise ConfigError(f"{source}: the file is empty.")
        header = [h.strip().lower().replace(" ", "_") for h in rows[0]]
        missing = [f for f in TIER_FIELDS if f not in header]
        if missing:
            raise ConfigError(
                f"{source}: missing column(s) {', '.join(missing)}; "
                f"expected {', '.join(TIER_FIELDS)}."
            )
        tiers = []
        for line, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                raise ConfigError(
                    f"{source}, row {line}: {len(row)} cells for {len(header)} columns."
                )
            tiers.append(_tier(dict(zip(header, row, strict=True)), f"{source}, row {line}"))
        if not tiers:
            raise ConfigError(f"{source}: no tiers below the header.")
        return _checked(source, lambda: cls(tiers=tuple(tiers)))


def tiers_frame(policy: TierPolicy) -> pd.DataFrame:
    """The tiers as the table users edit: one row per tier, blank where unlimited."""
    frame = pd.DataFrame([asdict(t) for t in policy.tiers], columns=list(TIER_FIELDS))
    return frame.replace([math.inf], np.nan)


def policy_from_frame(
    frame: pd.DataFrame, base: TierPolicy | None = None, *, source: str = "tiers"
) -> TierPolicy:
    """An edited `tiers_frame` back into a policy (the unit costs of `base` kept); blank cells
    mean unlimited, as in the CSV file format."""
    tiers = TierPolicy.from_csv(frame.to_csv(index=False), source=source).tiers
    return replace(base or TierPolicy(), tiers=tiers)


def _checked(source: str, build: Callable[[], TierPolicy]) -> TierPolicy:
    """Build the policy, naming the file in any error about the policy as a whole."""
    try:
        return build()
    except ConfigError as exc:
        raise ConfigError(f"{source}: {str(exc).removeprefix('Tiers: ')}") from None


def _number(value: object, where: str, *, unlimited: bool) -> float:
    """A setting as a float; "$25,000" and "5%" are read as 25000 and 5."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", "unlimited")):
        if unlimited:
            return math.inf
        raise ConfigError(f"{where}: a number is required.")
    if isinstance(value, bool):
        raise ConfigError(f"{where}: '{value}' is not a number.")
    text = str(value).strip().replace("$", "").replace(",", "").rstrip("%")
    try:
        number = float(text)
    except ValueError:
        raise ConfigError(f"{where}: '{value}' is not a number.") from None
    if math.isnan(number):
        raise ConfigError(f"{where}: '{value}' is not a number.")
    return number


def _tier(row: dict, where: str) -> Tier:
    unknown = sorted(set(row) - set(TIER_FIELDS))
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}.")
    missing = [f for f in TIER_FIELDS if f not in row]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}.")
    name = str(row["name"] or "").strip()
    values = {
        f: _number(row[f], f"{where}, {f}", unlimited=f != "min_spend") for f in TIER_FIELDS[1:]
    }
    try:
        return Tier(name=name, **values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def load_tier_policy(path: str | Path) -> TierPolicy:
    """A policy from a .json file (`to_json` layout) or a .csv file (one row per tier)."""
    return read_settings(
        path,
        "tiers",
        {
            ".json": lambda text, name: TierPolicy.from_json(text, source=name),
            ".csv": lambda text, name: TierPolicy.from_csv(text, source=name),
        },
    )


@dataclass(frozen=True)
class _Rule:
    """How one kind of special situation is measured: account column against tier field."""

    kind: str
    column: str
    entitlement: str
    unit: str


RULES: tuple[_Rule, ...] = (
    _Rule("discount", s.DISCOUNTS, "max_discount_pct", "currency"),
    _Rule("support", s.SUPPORT_TICKETS, "support_tickets", "tickets"),
    _Rule("rush", s.RUSH_ORDERS, "rush_orders", "rush orders"),
    _Rule("meetings", s.MEETINGS_HELD, "review_meetings", "meetings"),
    _Rule("payment terms", s.DAYS_TO_PAY, "payment_terms_days", "days"),
)


def _require(accounts: pd.DataFrame) -> None:
    missing = [c for c in (s.ACCOUNT_ID, s.REVENUE) if c not in accounts.columns]
    if missing:
        raise MissingColumnsError(missing, found=[str(c) for c in accounts.columns])


def _revenue(accounts: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(accounts[s.REVENUE], errors="coerce").fillna(0.0).to_numpy(float)


def _tier_index(accounts: pd.DataFrame, policy: TierPolicy) -> np.ndarray:
    thresholds = np.array([t.min_spend for t in policy.tiers])
    index = np.searchsorted(thresholds, _revenue(accounts), side="right") - 1
    return np.clip(index, 0, None)


def assign_tiers(accounts: pd.DataFrame, policy: TierPolicy) -> pd.DataFrame:
    """Return a copy of the account table with ``tier``: the highest tier whose minimum spend
    the account's revenue reaches (exactly at a threshold is the higher tier; below the lowest
    threshold, or unknown revenue, is the lowest tier).

    Raises
    ------
    MissingColumnsError
        When ``account_id`` or ``revenue`` is absent.
    """
    _require(accounts)
    names = np.array([t.name for t in policy.tiers], dtype=object)
    return accounts.assign(**{TIER: names[_tier_index(accounts, policy)]})


def unassessed(accounts: pd.DataFrame) -> list[str]:
    """Kinds of special situation the table cannot show, each with the column it lacks."""
    return [f"{r.kind}: no {r.column} column" for r in RULES if r.column not in accounts.columns]


def _measure(
    rule: _Rule,
    accounts: pd.DataFrame,
    entitled: np.ndarray,
    revenue: np.ndarray,
    policy: TierPolicy,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entitled, actual, excess and the money cost of the excess, per account, for one rule."""
    actual = pd.to_numeric(accounts[rule.column], errors="coerce").to_numpy(float)
    revenue = np.maximum(revenue, 0.0)
    if rule.kind == "discount":  # the allowance is a share of revenue, compared in money
        with np.errstate(invalid="ignore"):
            entitled = np.where(np.isinf(entitled), np.inf, entitled / 100 * revenue)
    excess = actual - entitled
    over = np.where(excess > 0, excess, 0.0)  # unknown or within: nothing to price
    if rule.kind == "discount":
        return entitled, actual, excess, over
    if rule.kind == "payment terms":
        return entitled, actual, excess, over * revenue * policy.late_payment_rate / 365
    price = {
        "support": policy.cost_per_ticket,
        "rush": policy.cost_per_rush_order,
        "meetings": policy.cost_per_meeting,
    }[rule.kind]
    return entitled, actual, excess, over * price


def _situations(
    accounts: pd.DataFrame, policy: TierPolicy, tier_index: np.ndarray
) -> Iterator[tuple[_Rule, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]]:
    """Per kind the table can show: the rule, `_measure`'s arrays for every account, and which
    accounts received more than their tier grants."""
    revenue = _revenue(accounts)
    for rule in RULES:
        if rule.column not in accounts.columns:
            continue
        by_tier = np.array([getattr(t, rule.entitlement) for t in policy.tiers], dtype=float)
        measured = _measure(rule, accounts, by_tier[tier_index], revenue, policy)
        yield rule, measured, measured[2] > _TOLERANCE  # unknown (NaN), unlimited (-inf): never


def find_exceptions(accounts: pd.DataFrame, policy: TierPolicy) -> pd.DataFrame:
    """Turn the account table into one row per special situation: an account that received more
    than its tier grants.

    Returns ``EXCEPTION_COLUMNS``: account_id, account_name and owner (empty when unknown), tier,
    kind (discount | support | rush | meetings | payment terms), unit, entitled, actual, excess
    (discount in money; the others in their unit) and cost (money). Sorted by cost, largest
    first, then account and kind, so row order of the input does not matter. Kinds whose column
    is absent are skipped: see `unassessed`.
    """
    _require(accounts)
    tier_index = _tier_index(accounts, policy)
    tier_names = np.array([t.name for t in policy.tiers], dtype=object)[tier_index]
    ids = accounts[s.ACCOUNT_ID].to_numpy()
    names, owners = _optional(accounts, s.ACCOUNT_NAME), _optional(accounts, s.OWNER)
    parts = []
    for rule, (entitled, actual, excess, cost), hit in _situations(accounts, policy, tier_index):
        if not hit.any():
            continue
        parts.append(
            pd.DataFrame(
                {
                    s.ACCOUNT_ID: ids[hit],
                    s.ACCOUNT_NAME: names[hit],
                    s.OWNER: owners[hit],
                    TIER: tier_names[hit],
                    "kind": rule.kind,
                    "unit": rule.unit,
                    "entitled": entitled[hit],
                    "actual": actual[hit],
                    "excess": excess[hit],
                    "cost": cost[hit],
                }
            )
        )
    if not parts:
        return _empty_exceptions()
    out = pd.concat(parts, ignore_index=True)
    out[s.ACCOUNT_ID] = out[s.ACCOUNT_ID].astype(str)
    return out.sort_values(
        ["cost", s.ACCOUNT_ID, "kind"], ascending=[False, True, True], kind="stable"
    ).reset_index(drop=True)


def _optional(accounts: pd.DataFrame, column: str) -> np.ndarray:
    if column in accounts.columns:
        return accounts[column].astype(object).where(accounts[column].notna(), "").to_numpy()
    return np.full(len(accounts), "", dtype=object)


def _empty_exceptions() -> pd.DataFrame:
    numeric = {"entitled", "actual", "excess", "cost"}
    return pd.DataFrame(
        {c: pd.Series(dtype=float if c in numeric else object) for c in EXCEPTION_COLUMNS}
    )


def exception_cost_per_account(accounts: pd.DataFrame, policy: TierPolicy) -> pd.Series:
    """Money spent on each account beyond its tier, aligned to ``accounts.index``; 0 when none.
    Summed directly, as `find_exceptions`' sorted frame costs seconds at a million accounts;
    rows that share an account id share its total."""
    _require(accounts)
    total = np.zeros(len(accounts))
    for _, measured, hit in _situations(accounts, policy, _tier_index(accounts, policy)):
        total += np.where(hit, measured[3], 0.0)
    cost = pd.Series(total, index=accounts.index, name=EXCEPTION_COST)
    ids = accounts[s.ACCOUNT_ID].astype(str)
    return cost if ids.is_unique else cost.groupby(ids.to_numpy()).transform("sum")


def tier_summary(accounts: pd.DataFrame, policy: TierPolicy) -> pd.DataFrame:
    """One row per tier, in policy order (empty tiers included): min_spend, accounts, revenue,
    accounts_with_exceptions, exception_cost and exception_cost_pct (of the tier's revenue)."""
    tiered = assign_tiers(accounts, policy)
    tiered[EXCEPTION_COST] = exception_cost_per_account(accounts, policy).to_numpy()
    tiered[s.REVENUE] = _revenue(accounts)
    names = [t.name for t in policy.tiers]
    grouped = tiered.groupby(TIER).agg(
        accounts=(s.ACCOUNT_ID, "size"),
        revenue=(s.REVENUE, "sum"),
        accounts_with_exceptions=(EXCEPTION_COST, lambda c: int((c > 0).sum())),
        exception_cost=(EXCEPTION_COST, "sum"),
    )
    out = grouped.reindex(names, fill_value=0).rename_axis(TIER).reset_index()
    out.insert(1, "min_spend", [t.min_spend for t in policy.tiers])
    out["accounts"] = out["accounts"].astype(int)
    out["accounts_with_exceptions"] = out["accounts_with_exceptions"].astype(int)
    out["revenue"] = out["revenue"].astype(float)
    out["exception_cost"] = out["exception_cost"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(out["revenue"] > 0, out["exception_cost"] / out["revenue"] * 100, np.nan)
    out["exception_cost_pct"] = pct
    return out


@dataclass(frozen=True)
class PolicyComparison:
    """What changes when ``proposed`` replaces ``current``."""

    accounts_changing_tier: int
    moves: pd.DataFrame  # from_tier, to_tier, accounts: only pairs that differ
    exceptions_before: int
    exceptions_after: int
    exception_cost_before: float
    exception_cost_after: float

    @property
    def exception_cost_change(self) -> float:
        return self.exception_cost_after - self.exception_cost_before


def compare_policies(
    accounts: pd.DataFrame, current: TierPolicy, proposed: TierPolicy
) -> PolicyComparison:
    """What-if: how many accounts change tier and what special situations cost under each."""
    before = assign_tiers(accounts, current)[TIER]
    after = assign_tiers(accounts, proposed)[TIER]
    changed = before.to_numpy() != after.to_numpy()
    moves = (
        pd.DataFrame({"from_tier": before[changed], "to_tier": after[changed]})
        .groupby(["from_tier", "to_tier"])
        .size()
        .rename("accounts")
        .reset_index()
        .sort_values(["accounts", "from_tier", "to_tier"], ascending=[False, True, True])
        .reset_index(drop=True)
    )
    exc_before = find_exceptions(accounts, current)
    exc_after = find_exceptions(accounts, proposed)
    return PolicyComparison(
        accounts_changing_tier=int(changed.sum()),
        moves=moves,
        exceptions_before=len(exc_before),
        exceptions_after=len(exc_after),
        exception_cost_before=float(exc_before["cost"].sum()),
        exception_cost_after=float(exc_after["cost"].sum()),
    )


def with_tier(policy: TierPolicy, name: str, **changes: float) -> TierPolicy:
    """A copy of ``policy`` with one tier's fields changed, for what-if questions."""
    if name not in {t.name for t in policy.tiers}:
        raise ConfigError(f"Tiers: no tier named '{name}'.")
    tiers = tuple(replace(t, **changes) if t.name == name else t for t in policy.tiers)
    return replace(policy, tiers=tiers)
