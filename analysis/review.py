"""Small helpers behind the quarterly review: the portfolio's activity per quarter, the team's
names as typed, which snapshot stands for which quarter when progress is measured against
targets, and the settings a snapshot was made with."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pandas as pd

from analysis import schema as s
from analysis.economics import UnitCosts
from analysis.similarity import BestDefinition, definition_from_json, definition_to_json
from analysis.tiers import TierPolicy

_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
QUARTER_KEY = "quarter"  # snapshot meta key that names the quarter the snapshot stands for


def quarter_totals(account_quarters: pd.DataFrame) -> pd.DataFrame:
    """The per-account quarterly table (``Portfolio.account_quarters``) summed per quarter, in
    quarter order: the accounts active that quarter and every count and amount the events gave.
    Sums are exact re-additions: each column's total equals the table's."""
    counts = [c for c in account_quarters.columns if c not in (s.ACCOUNT_ID, s.QUARTER)]
    grouped = account_quarters.groupby(s.QUARTER, sort=True)
    totals = grouped[counts].sum()
    totals.insert(0, "accounts", grouped[s.ACCOUNT_ID].nunique())
    return totals.reset_index()


def split_names(text: str) -> tuple[str, ...]:
    """Comma-separated names as typed ("Ana, Bo,") in, the non-blank names trimmed out."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def quarter_snapshots(listing: pd.DataFrame) -> dict[str, str]:
    """`Workspace.list_snapshots()` in; quarter -> snapshot name out. A snapshot stands for the
    quarter in its meta, else the quarter its name spells; the newest snapshot of a quarter wins,
    and snapshots naming no quarter are left out."""
    chosen: dict[str, str] = {}
    for row in listing.sort_values("created_at", kind="stable").itertuples(index=False):
        meta = row.meta if isinstance(row.meta, dict) else {}
        quarter = str(meta.get(QUARTER_KEY) or row.name)
        if _QUARTER.match(quarter):
            chosen[quarter] = row.name
    return dict(sorted(chosen.items()))


@dataclass(frozen=True)
class SnapshotSettings:
    """The settings an analysis was made with, as a snapshot's meta records them (None: not
    recorded; snapshots from before a setting was recorded lack it)."""

    unit_costs: UnitCosts | None = None
    tier_policy: TierPolicy | None = None
    best: BestDefinition | None = None

    @property
    def recorded(self) -> bool:
        return any(v is not None for v in (self.unit_costs, self.tier_policy, self.best))

    def meta(self) -> dict:
        """The JSON-able meta entries to store with a snapshot (read back by ``settings_of``)."""
        entries = {
            "unit_costs": self.unit_costs and self.unit_costs.to_json(),
            "tier_policy": self.tier_policy and self.tier_policy.to_json(),
            "best_definition": self.best and definition_to_json(self.best),
        }
        return {k: json.loads(v) for k, v in entries.items() if v is not None}


def settings_of(meta: dict) -> SnapshotSettings:
    """A snapshot's settings from its meta; raises ``ConfigError`` naming what is unreadable."""
    costs, tiers, best = (meta.get(k) for k in ("unit_costs", "tier_policy", "best_definition"))
    return SnapshotSettings(
        unit_costs=None if costs is None else UnitCosts.from_json(json.dumps(costs)),
        tier_policy=None if tiers is None else TierPolicy.from_json(json.dumps(tiers)),
        best=None if best is None else definition_from_json(json.dumps(best)),
    )
