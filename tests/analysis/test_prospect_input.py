"""Prospect input: template columns, header suggestions, typed values from a text table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import schema as s
from analysis.errors import MissingColumnsError
from analysis.prospect_input import (
    PROSPECT_FIELDS,
    ProspectInputError,
    prospects_from_table,
    suggest_prospect_mapping,
    template_frame,
)
from analysis.prospects import DISCOUNT_ASKED, RUSH_SHARE, screen_prospects


def test_template_has_every_field_once() -> None:
    assert list(template_frame().columns) == [f.name for f in PROSPECT_FIELDS]
    assert len(template_frame()) == 1


def test_template_round_trips_through_mapping() -> None:
    raw = template_frame().astype(str)
    mapping = suggest_prospect_mapping(list(raw.columns))
    assert mapping == {f.name: f.name for f in PROSPECT_FIELDS}
    typed = prospects_from_table(raw, mapping)
    assert typed[s.REVENUE].tolist() == [50_000.0]
    assert typed[s.DECISION_MAKER_ACCESS].tolist() == [True]


def test_suggests_by_label_then_synonym_each_once() -> None:
    columns = ["Company", "Expected annual revenue ($)", "Discount %", "Discount note", "Misc"]
    assert suggest_prospect_mapping(columns) == {
        "Company": s.ACCOUNT_ID,
        "Expected annual revenue ($)": s.REVENUE,
        "Discount %": DISCOUNT_ASKED,
    }


def test_values_typed_blank_ids_filled_input_kept() -> None:
    raw = pd.DataFrame(
        {
            "Name": ["Acme", ""],
            "Revenue": ["$12,000", "n/a"],
            "Rush": ["0.5", ""],
            "DM": ["Yes", "no"],
        }
    )
    before = raw.copy()
    mapping = {
        "Name": s.ACCOUNT_ID,
        "Revenue": s.REVENUE,
        "Rush": RUSH_SHARE,
        "DM": s.DECISION_MAKER_ACCESS,
    }
    out = prospects_from_table(raw, mapping)
    pd.testing.assert_frame_equal(raw, before)
    assert out[s.ACCOUNT_ID].tolist() == ["Acme", "P2"]
    assert out[s.REVENUE].tolist()[0] == 12_000.0 and np.isnan(out[s.REVENUE].iloc[1])
    assert out[RUSH_SHARE].iloc[0] == 0.5
    assert out[s.DECISION_MAKER_ACCESS].tolist() == [True, False]


def test_revenue_must_be_mapped() -> None:
    with pytest.raises(MissingColumnsError, match="revenue"):
        prospects_from_table(pd.DataFrame({"a": ["1"]}), {"a": s.ORDERS})


def test_yes_no_names_row_and_column() -> None:
    raw = pd.DataFrame({"rev": ["1", "2"], "dm": ["yes", "maybe"]})
    with pytest.raises(ProspectInputError, match="Row 2, column 'dm'"):
        prospects_from_table(raw, {"rev": s.REVENUE, "dm": s.DECISION_MAKER_ACCESS})


def test_template_prospect_can_be_screened() -> None:
    book = pd.DataFrame(
        {
            s.ACCOUNT_ID: [f"B{i}" for i in range(8)],
            s.REVENUE: [1e4 * (i + 1) for i in range(8)],
            s.PRODUCTS_USED: [1, 2, 3, 4, 5, 6, 7, 8],
            s.SEGMENT: [s.RIGHT, s.BAD] * 4,
            "profit": [100.0, -50.0] * 4,
        }
    )
    raw = template_frame().astype(str)
    prospects = prospects_from_table(raw, suggest_prospect_mapping(list(raw.columns)))
    out = screen_prospects(prospects, book)
    assert out["recommendation"].iloc[0]
