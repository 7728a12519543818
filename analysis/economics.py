"""Account economics: cost-to-serve by driver (time-driven activity-based costing) and profit.

Each activity (an order handled, a complaint, a missed meeting, ...) costs minutes of one team's
time; a minute costs the team's loaded hourly cost divided by 60 and by its practical capacity
(people are paid for more hours than they can spend on customers). Money drivers (discounts,
freight) count at face value, and slow payers cost the interest on cash tied up beyond terms.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.errors import ConfigError
from analysis.settings_file import read_settings

LATE_PAYMENT = "late_payment"
CTS_PREFIX = "cts_"
GROSS_MARGIN = "gross_margin"
COST_TO_SERVE = "cost_to_serve"
PROFIT = "profit"
PROFIT_MARGIN = "profit_margin"
CTS_RATIO = "cts_ratio"


@dataclass(frozen=True)
class Team:
    """A team whose time accounts consume; capacity is the share of paid hours spent on work."""

    name: str
    hourly_cost: float
    capacity: float = 0.8

    @property
    def cost_per_minute(self) -> float:
        return self.hourly_cost / self.capacity / 60.0


@dataclass(frozen=True)
class Activity:
    """One unit of `driver` (a count column of the account table) takes `minutes` of `team`."""

    driver: str
    label: str
    team: str
    minutes: float


# A small B2B distributor: loaded hourly costs (salary, benefits, desk, systems) at 80% capacity.
DEFAULT_TEAMS: tuple[Team, ...] = (
    Team("customer_service", 40.0),  # $50 per effective hour
    Team("support", 48.0),  # $60
    Team("operations", 48.0),  # $60
    Team("product", 80.0),  # $100
    Team("account_management", 96.0),  # $120
)
DEFAULT_ACTIVITIES: tuple[Activity, ...] = (
    Activity(s.ORDERS, "Order handled", "customer_service", 30.0),  # $25
    Activity(s.SUPPORT_TICKETS, "Support ticket", "support", 40.0),  # $40
    Activity(s.COMPLAINTS, "Complaint", "support", 120.0),  # $120
    Activity(s.ENHANCEMENT_REQUESTS, "Enhancement request", "product", 150.0),  # $250
    Activity(s.RUSH_ORDERS, "Rush order", "operations", 150.0),  # $150
    Activity(s.MEETINGS_HELD, "Account meeting held", "account_management", 75.0),  # $150
    Activity(s.MEETINGS_MISSED, "Meeting missed", "account_management", 100.0),  # $200
    Activity(s.CALLS_UNRETURNED, "Call unreturned", "account_management", 10.0),  # $20
)
# Money drivers read a money column and count `weight` dollars of cost per dollar.
DEFAULT_MONEY: tuple[tuple[str, str, float], ...] = (
    (s.DISCOUNTS, "Discounts and concessions", 1.0),
    (s.FREIGHT, "Freight paid", 1.0),
)
MONEY_LABELS: Mapping[str, str] = MappingProxyType({n: label for n, label, _ in DEFAULT_MONEY})
FRAME_COLUMNS: tuple[str, ...] = (
    "driver",
    "label",
    "kind",
    "team",
    "hourly_cost",
    "capacity",
    "minutes",
    "terms_days",
    "unit_cost",
    "unit",
)


@dataclass(frozen=True)
class UnitCosts:
    """What one unit of each cost driver costs; `to_frame()` is the table the user edits."""

    teams: tuple[Team, ...] = DEFAULT_TEAMS
    activities: tuple[Activity, ...] = DEFAULT_ACTIVITIES
    money: tuple[tuple[str, float], ...] = tuple((n, w) for n, _, w in DEFAULT_MONEY)
    late_payment_rate: float = 0.10  # annual cost of capital on cash paid late
    payment_terms_days: float = 30.0

    def __post_init__(self) -> None:
        by_name = {t.name: t for t in self.teams}
        for a in self.activities:
            if a.team not in by_name:
                raise ConfigError(
                    f"Unit costs: activity '{a.driver}' uses unknown team '{a.team}'."
                )
        for t in self.teams:
            if not (t.hourly_cost >= 0 and 0 < t.capacity <= 1):
                raise ConfigError(
                    f"Unit costs: team '{t.name}' needs hourly cost ≥ 0 and capacity in (0, 1]."
                )
        bad = [a.driver for a in self.activities if not a.minutes >= 0]
        bad += [n for n, w in self.money if not w >= 0]
        if bad or not (self.late_payment_rate >= 0 and self.payment_terms_days >= 0):
            raise ConfigError(f"Unit costs must be ≥ 0: check {', '.join(bad) or 'late payment'}.")
        drivers = self.drivers
        if len(set(drivers)) != len(drivers):
            raise ConfigError("Unit costs: each driver may appear only once.")

    def team(self, name: str) -> Team:
        return next(t for t in self.teams if t.name == name)

    @property
    def drivers(self) -> tuple[str, ...]:
        """Driver names in cost-column order: activities, money drivers, late payment."""
        return (
            *(a.driver for a in self.activities),
            *(n for n, _ in self.money),
            LATE_PAYMENT,
        )

    def unit_cost(self, driver: str) -> float:
        """Dollars per unit for an activity, per dollar for a money driver, annual rate for late."""
        for a in self.activities:
            if a.driver == driver:
                return a.minutes * self.team(a.team).cost_per_minute
        for n, w in self.money:
            if n == driver:
                return w
        if driver == LATE_PAYMENT:
            return self.late_payment_rate
        raise KeyError(driver)

    def scaled(self, k: float) -> UnitCosts:
        """Every unit cost times k (team rates, money weights, late-payment rate): so cost-to-serve
        scales by exactly k, which is what "costs are 20% higher than we thought" means."""
        return replace(
            self,
            teams=tuple(replace(t, hourly_cost=t.hourly_cost * k) for t in self.teams),
            money=tuple((n, w * k) for n, w in self.money),
            late_payment_rate=self.late_payment_rate * k,
        )

    def with_driver(
        self, name: str, *, minutes: float | None = None, cost: float | None = None
    ) -> UnitCosts:
        """What-if for one driver: set an activity's minutes, or its cost per unit (the minutes
        are derived from the team's rate); for money drivers `cost` is the weight per dollar and
        for late payment the annual rate."""
        if (minutes is None) == (cost is None):
            raise ValueError("give exactly one of minutes= or cost=")
        for i, a in enumerate(self.activities):
            if a.driver == name:
                rate = self.team(a.team).cost_per_minute
                if minutes is None:
                    minutes = cost / rate if rate > 0 else 0.0  # type: ignore[operator]
                acts = list(self.activities)
                acts[i] = replace(a, minutes=minutes)
                return replace(self, activities=tuple(acts))
        if minutes is not None:
            raise ValueError(f"'{name}' is not a timed activity: set cost= instead")
        if name == LATE_PAYMENT:
            return replace(self, late_payment_rate=cost)
        if name in dict(self.money):
            return replace(self, money=tuple((n, cost if n == name else w) for n, w in self.money))
        raise KeyError(name)

    def to_frame(self) -> pd.DataFrame:
        """One row per driver. Editable: hourly_cost, capacity, minutes, terms_days; unit_cost is
        derived for activities (and is the weight or annual rate for the other kinds)."""
        rows = []
        for a in self.activities:
            t = self.team(a.team)
            rows.append(
                (
                    a.driver,
                    a.label,
                    "activity",
                    t.name,
                    t.hourly_cost,
                    t.capacity,
                    a.minutes,
                    math.nan,
                    self.unit_cost(a.driver),
                    "$ per unit",
                )
            )
        for n, w in self.money:
            label = MONEY_LABELS.get(n, n.replace("_", " ").capitalize())
            rows.append(
                (n, label, "money", "", math.nan, math.nan, math.nan, math.nan, w, "$ per $")
            )
        rows.append(
            (
                LATE_PAYMENT,
                "Late payment",
                "late_payment",
                "",
                math.nan,
                math.nan,
                math.nan,
                self.payment_terms_days,
                self.late_payment_rate,
                "per year on revenue paid late",
            )
        )
        return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, source: str = "unit costs") -> UnitCosts:
        """Read an edited `to_frame()` table, or any subset of it keyed by `driver`: rows update
        the defaults. For activities, minutes (with the team's hourly cost and capacity) decide;
        unit_cost is used only where minutes is blank or absent."""
        if "driver" not in frame.columns:
            raise ConfigError(
                f"{source}: needs a 'driver' column; found {', '.join(frame.columns)}."
            )
        base = cls()
        teams = {t.name: t for t in base.teams}
        acts = {a.driver: a for a in base.activities}
        money = dict(base.money)
        late_rate, terms = base.late_payment_rate, base.payment_terms_days
        team_rows: dict[str, tuple[float, float, int]] = {}
        for i, row in enumerate(frame.to_dict("records"), start=2):

            def num(col: str, row: dict = row, line: int = i) -> float | None:
                return _cell_number(row, col, f"{source}, row {line}, column '{col}'")

            driver, team_name = _cell_text(row, "driver"), _cell_text(row, "team")
            if driver in acts or (team_name and driver not in money and driver != LATE_PAYMENT):
                a = acts.get(driver) or Activity(
                    driver, _cell_text(row, "label") or driver, team_name, 0
                )
                team_name = team_name or a.team
                t = teams.get(team_name, Team(team_name, 0.0))
                hourly, cap = num("hourly_cost"), num("capacity")
                t = replace(
                    t,
                    hourly_cost=t.hourly_cost if hourly is None else hourly,
                    capacity=t.capacity if cap is None else cap,
                )
                seen = team_rows.setdefault(team_name, (t.hourly_cost, t.capacity, i))
                if seen[:2] != (t.hourly_cost, t.capacity):
                    raise ConfigError(
                        f"{source}, row {i}: team '{team_name}' has a different hourly cost or "
                        f"capacity than on row {seen[2]}."
                    )
                teams[team_name] = t
                minutes, cost = num("minutes"), num("unit_cost")
                if minutes is None and cost is not None:
                    minutes = cost / t.cost_per_minute if t.cost_per_minute > 0 else 0.0
                label = _cell_text(row, "label") or a.label
                acts[driver] = replace(
                    a,
                    team=team_name,
                    label=label,
                    minutes=a.minutes if minutes is None else minutes,
                )
            elif driver == LATE_PAYMENT:
                rate, days = num("unit_cost"), num("terms_days")
                late_rate = late_rate if rate is None else rate
                terms = terms if days is None else days
            elif driver in money or num("unit_cost") is not None:
                weight = num("unit_cost")
                money[driver] = money.get(driver, 1.0) if weight is None else weight
            else:
                raise ConfigError(f"{source}, row {i}: unknown driver '{driver}' without a team.")
        used = {a.team for a in acts.values()}
        return cls(
            teams=tuple(t for t in teams.values() if t.name in used),
            activities=tuple(acts.values()),
            money=tuple(money.items()),
            late_payment_rate=late_rate,
            payment_terms_days=terms,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "teams": [vars(t) for t in self.teams],
                "activities": [vars(a) for a in self.activities],
                "money": dict(self.money),
                "late_payment": {
                    "annual_rate": self.late_payment_rate,
                    "terms_days": self.payment_terms_days,
                },
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "unit costs") -> UnitCosts:
        """Read `to_json()` output; any section left out keeps its default."""
        try:
            data = json.loads(text)
            base = cls()
            late = data.get("late_payment", {})
            return cls(
                teams=tuple(Team(**t) for t in data["teams"]) if "teams" in data else base.teams,
                activities=tuple(Activity(**a) for a in data["activities"])
                if "activities" in data
                else base.activities,
                money=tuple(
                    (str(k), float(v)) for k, v in data.get("money", dict(base.money)).items()
                ),
                late_payment_rate=float(late.get("annual_rate", base.late_payment_rate)),
                payment_terms_days=float(late.get("terms_days", base.payment_terms_days)),
            )
        except ConfigError:
            raise
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{source}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
        except (TypeError, KeyError, AttributeError, ValueError) as exc:
            raise ConfigError(f"{source}: unexpected structure ({exc}).") from None


def _cell_text(row: dict, col: str) -> str:
    v = row.get(col)
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip()


def _cell_number(row: dict, col: str, where: str) -> float | None:
    v = _cell_text(row, col)
    if not v:
        return None
    try:
        return float(v)
    except ValueError:
        raise ConfigError(f"{where}: '{v}' is not a number.") from None


def load_unit_costs(path: str | Path) -> UnitCosts:
    """Unit costs from a .json file (`to_json` layout) or a .csv file (`to_frame` layout)."""
    return read_settings(
        path,
        "unit costs",
        {
            ".json": lambda text, name: UnitCosts.from_json(text, source=name),
            ".csv": _unit_costs_from_csv,
        },
    )


def _unit_costs_from_csv(text: str, name: str) -> UnitCosts:
    try:
        frame = pd.read_csv(io.StringIO(text))
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ConfigError(f"{name}: not a readable CSV ({exc}).") from None
    return UnitCosts.from_frame(frame, source=name)


def _column(accounts: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column with unknowns as 0, or zeros when the field is absent."""
    if name not in accounts.columns:
        return pd.Series(0.0, index=accounts.index)
    return pd.to_numeric(accounts[name], errors="coerce").astype("float64").fillna(0.0)


def _absent(accounts: pd.DataFrame, name: str) -> bool:
    return name not in accounts.columns or accounts[name].isna().all()


def missing_drivers(accounts: pd.DataFrame, costs: UnitCosts | None = None) -> list[str]:
    """Cost inputs the data lacked (cogs and drivers), so the page can say the result is coarser."""
    costs = costs or UnitCosts()
    inputs = [s.COGS, *(d if d != LATE_PAYMENT else s.DAYS_TO_PAY for d in costs.drivers)]
    names = [s.COGS, *costs.drivers]
    return [n for n, col in zip(names, inputs, strict=True) if _absent(accounts, col)]


def compute_economics(accounts: pd.DataFrame, costs: UnitCosts) -> pd.DataFrame:
    """Canonical account table in, the same table plus cogs, gross_margin, one `cts_<driver>`
    column per driver, cost_to_serve, profit, profit_margin and cts_ratio out (same row order)."""
    out = accounts.copy()
    revenue = pd.to_numeric(out[s.REVENUE], errors="coerce").astype("float64")
    out[s.REVENUE] = revenue
    cogs = _column(out, s.COGS)
    out[s.COGS] = cogs
    out[GROSS_MARGIN] = revenue - cogs
    cts = {}
    for a in costs.activities:
        cts[CTS_PREFIX + a.driver] = _column(out, a.driver) * costs.unit_cost(a.driver)
    for name, weight in costs.money:
        cts[CTS_PREFIX + name] = _column(out, name) * weight
    late_days = (_column(out, s.DAYS_TO_PAY) - costs.payment_terms_days).clip(lower=0.0)
    paying = revenue.clip(lower=0.0).fillna(0.0)
    cts[CTS_PREFIX + LATE_PAYMENT] = paying * costs.late_payment_rate * late_days / 365.0
    cts_frame = pd.DataFrame(cts, index=out.index)
    out = pd.concat([out.drop(columns=list(cts), errors="ignore"), cts_frame], axis=1)
    total = cts_frame.sum(axis=1)
    out[COST_TO_SERVE] = total
    out[PROFIT] = out[GROSS_MARGIN] - total
    positive = revenue.where(revenue > 0)
    out[PROFIT_MARGIN] = out[PROFIT] / positive
    out[CTS_RATIO] = total / positive
    return out


def cts_columns(econ: pd.DataFrame) -> list[str]:
    """The per-driver cost columns of an economics frame, in order (cts_ratio is not one)."""
    return [c for c in econ.columns if c.startswith(CTS_PREFIX) and c != CTS_RATIO]


def whale_curve(econ: pd.DataFrame, max_points: int | None = None) -> pd.DataFrame:
    """Accounts ranked from most to least profitable, with cumulative profit: one row per rank
    plus rank 0 (the origin). Downsampled to at most `max_points` rows keeping the origin, the
    peak and the end exactly."""
    order = econ[[s.ACCOUNT_ID, PROFIT]].sort_values(
        [PROFIT, s.ACCOUNT_ID], ascending=[False, True], kind="stable"
    )
    n = len(order)
    cum = np.concatenate([[0.0], np.cumsum(order[PROFIT].to_numpy(dtype="float64"))])
    total = cum[-1]
    curve = pd.DataFrame(
        {
            "rank": np.arange(n + 1),
            "share_of_accounts": np.arange(n + 1) / max(n, 1),
            "cumulative_profit": cum,
            "cumulative_profit_pct": cum / total * 100.0 if total > 0 else np.nan,
        }
    )
    if max_points is not None and len(curve) > max_points:
        if max_points < 3:
            raise ValueError("max_points must be at least 3 (origin, peak, end)")
        keep = np.unique(np.round(np.linspace(0, n, max_points - 1)).astype(int))
        keep = np.union1d(keep, [int(np.argmax(cum))])
        curve = curve.iloc[keep].reset_index(drop=True)
    return curve


@dataclass(frozen=True)
class WhaleSummary:
    """Profit concentration: percentages are of total profit (NaN when total profit ≤ 0)."""

    accounts: int
    total_revenue: float
    total_profit: float
    peak_profit: float
    peak_pct: float
    peak_share_of_accounts: float
    erosion: float  # peak_profit − total_profit: what the unprofitable tail gives away
    erosion_pct: float
    top10_revenue_share: float
    top20_revenue_share: float
    top10_profit_share: float
    top20_profit_share: float
    unprofitable_accounts: int
    unprofitable_share: float


def _top_share(values: np.ndarray, fraction: float) -> float:
    total = values.sum()
    if len(values) == 0 or total == 0:
        return math.nan
    top = max(1, math.ceil(len(values) * fraction))
    return float(np.sort(values)[::-1][:top].sum() / total)


def whale_summary(econ: pd.DataFrame) -> WhaleSummary:
    """Headline concentration figures; shares are fractions (0.2 = 20%)."""
    profit = econ[PROFIT].to_numpy(dtype="float64")
    revenue = econ[s.REVENUE].to_numpy(dtype="float64")
    n = len(profit)
    cum = np.concatenate([[0.0], np.cumsum(np.sort(profit)[::-1])])
    peak_at = int(np.argmax(cum))
    total, peak = float(cum[-1]), float(cum[peak_at])
    pct = (lambda v: v / total * 100.0) if total > 0 else (lambda v: math.nan)
    losing = int((profit < 0).sum())
    return WhaleSummary(
        accounts=n,
        total_revenue=float(np.nansum(revenue)),
        total_profit=total,
        peak_profit=peak,
        peak_pct=pct(peak),
        peak_share_of_accounts=peak_at / n if n else math.nan,
        erosion=peak - total,
        erosion_pct=pct(peak - total),
        top10_revenue_share=_top_share(np.nan_to_num(revenue), 0.1),
        top20_revenue_share=_top_share(np.nan_to_num(revenue), 0.2),
        top10_profit_share=_top_share(profit, 0.1),
        top20_profit_share=_top_share(profit, 0.2),
        unprofitable_accounts=losing,
        unprofitable_share=losing / n if n else math.nan,
    )


def profit_waterfall(econ: pd.DataFrame | pd.Series, account_id: str | None = None) -> pd.DataFrame:
    """One account's path from revenue to profit: columns step, amount, measure (Plotly's
    absolute/relative/total). Takes the account's row, or the frame and its id. Costs are
    negative; drivers costing nothing are left out."""
    if isinstance(econ, pd.Series):
        row = econ
    else:
        rows = econ[econ[s.ACCOUNT_ID].astype(str) == str(account_id)]
        if rows.empty:
            raise KeyError(f"no account '{account_id}'")
        row = rows.iloc[0]
    steps = [
        ("Revenue", float(row[s.REVENUE]), "absolute"),
        ("COGS", -float(row[s.COGS]), "relative"),
    ]
    for col in cts_columns(row.to_frame().T):
        if row[col] != 0:
            label = col[len(CTS_PREFIX) :].replace("_", " ").capitalize()
            steps.append((label, -float(row[col]), "relative"))
    steps.append(("Profit", float(row[PROFIT]), "total"))
    return pd.DataFrame(steps, columns=["step", "amount", "measure"])


@dataclass(frozen=True)
class Kpis:
    accounts: int
    revenue: float
    gross_margin: float
    cost_to_serve: float
    profit: float
    unprofitable_accounts: int


def kpis(econ: pd.DataFrame) -> Kpis:
    """Portfolio totals for the KPI row."""
    return Kpis(
        accounts=len(econ),
        revenue=float(econ[s.REVENUE].sum()),
        gross_margin=float(econ[GROSS_MARGIN].sum()),
        cost_to_serve=float(econ[COST_TO_SERVE].sum()),
        profit=float(econ[PROFIT].sum()),
        unprofitable_accounts=int((econ[PROFIT] < 0).sum()),
    )
