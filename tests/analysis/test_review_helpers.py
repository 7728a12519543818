"""Quarterly review helpers: typed names, snapshots standing for quarters."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.economics import UnitCosts
from analysis.errors import ConfigError
from analysis.review import SnapshotSettings, quarter_snapshots, settings_of, split_names
from analysis.similarity import BestDefinition, Rule
from analysis.tiers import TierPolicy


@pytest.mark.parametrize(
    ("text", "names"),
    [("Ana, Bo", ("Ana", "Bo")), (" Ana ,, ,Bo,", ("Ana", "Bo")), ("", ()), (" , ", ())],
    ids=["plain", "blanks", "empty", "only-commas"],
)
def test_split_names(text: str, names: tuple[str, ...]) -> None:
    assert split_names(text) == names


def test_quarter_snapshots_meta_first_newest_wins_others_left_out() -> None:
    listing = pd.DataFrame(
        {
            "name": ["2026-Q1", "Q2 review", "2026-Q1 redo", "board pack", "2026-Q2"],
            "created_at": pd.to_datetime(
                ["2026-03-30", "2026-06-29", "2026-04-02", "2026-05-01", "2026-06-01"], utc=True
            ),
            "accounts": [1, 1, 1, 1, 1],
            "meta": [{}, {"quarter": "2026-Q2"}, {"quarter": "2026-Q1"}, {}, {}],
        }
    )
    assert quarter_snapshots(listing) == {"2026-Q1": "2026-Q1 redo", "2026-Q2": "Q2 review"}


def test_quarter_snapshots_empty() -> None:
    empty = pd.DataFrame(columns=["name", "created_at", "accounts", "meta"])
    assert quarter_snapshots(empty) == {}


def test_snapshot_settings_round_trip_through_meta() -> None:
    costs = UnitCosts(late_payment_rate=0.2)
    best = BestDefinition.from_rules(Rule("profit", ">=", 1000.0))
    kept = SnapshotSettings(costs, TierPolicy(), best)
    assert settings_of(kept.meta()) == kept and kept.recorded
    only_costs = {"unit_costs": kept.meta()["unit_costs"], "files_key": "abc"}
    assert settings_of(only_costs) == SnapshotSettings(unit_costs=costs)
    assert not settings_of({"files_key": "abc"}).recorded  # saved before settings were kept


def test_snapshot_settings_unreadable_meta_says_so() -> None:
    with pytest.raises(ConfigError):
        settings_of({"best_definition": {"exemplars": ["A"]}})


def test_quarter_totals_add_up() -> None:
    from analysis.review import quarter_totals

    quarters = pd.DataFrame(
        {
            "account_id": ["A", "A", "B", "C"],
            "quarter": ["2026-Q2", "2026-Q1", "2026-Q1", "2026-Q1"],
            "revenue": [100.0, 50.0, -20.0, 0.0],
            "orders": [2, 1, 0, 0],
            "complaints": [0, 1, 3, 0],
        }
    )
    totals = quarter_totals(quarters)
    assert totals["quarter"].tolist() == ["2026-Q1", "2026-Q2"]
    assert totals["accounts"].tolist() == [3, 1]
    assert totals["revenue"].tolist() == [30.0, 100.0]
    assert totals["orders"].tolist() == [1, 2] and totals["complaints"].tolist() == [4, 0]
    for column in ("revenue", "orders", "complaints"):  # money in = money out
        assert totals[column].sum() == quarters[column].sum()
