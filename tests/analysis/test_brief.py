"""The prospect brief: nearest accounts parsed back, user text escaped, no scripts or fetches."""

from __future__ import annotations

from datetime import date

import pandas as pd

from analysis import schema as s
from analysis.brief import nearest_table, prospect_brief
from analysis.prospects import (
    DISCOUNT_ASKED,
    FIT,
    MISMATCH_COLUMNS,
    NEAREST,
    RECOMMENDATION,
    RISK,
    ProspectConfig,
    prospect_mismatches,
)


def test_nearest_table_parses_screen_text() -> None:
    text = "B01 (right, $20.0k); Acme (UK) Ltd (bad, -$3.0k)"
    expected = pd.DataFrame(
        {
            s.ACCOUNT_ID: ["B01", "Acme (UK) Ltd"],
            s.SEGMENT: ["right", "bad"],
            "profit": ["$20.0k", "-$3.0k"],
        }
    )
    pd.testing.assert_frame_equal(nearest_table(text), expected)
    assert nearest_table("").empty


def prospect(name: str = "P1") -> pd.Series:
    return pd.Series(
        {
            s.ACCOUNT_ID: name,
            s.REVENUE: 40_000.0,
            s.INDUSTRY: "retail",
            DISCOUNT_ASKED: 12.0,
            s.DECISION_MAKER_ACCESS: True,
            FIT: 71.6,
            RISK: 12.2,
            NEAREST: "B01 (right, $20.0k)",
            RECOMMENDATION: "discuss: 1 mismatch",
        }
    )


def test_brief_shows_scores_nearest_and_priced_gaps() -> None:
    row = prospect()
    gaps = prospect_mismatches(row.to_frame().T, ProspectConfig())
    page = prospect_brief(row, gaps, generated_on=date(2026, 11, 2))
    assert page.startswith("<!DOCTYPE html>") and "2026-11-02" in page
    assert "<td>72</td>" in page and "<td>12</td>" in page
    assert "<td>B01</td><td>right</td><td>$20.0k</td>" in page
    assert "discount" in page and "a year" in page
    assert "reject" not in page.lower()


def test_brief_escapes_user_text_and_loads_nothing() -> None:
    row = prospect('<script>alert("x")</script>')
    row[s.INDUSTRY] = "<img src=x onerror=alert(1)>"
    page = prospect_brief(row, pd.DataFrame(columns=list(MISMATCH_COLUMNS)))
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "http" not in page.replace("http-equiv", "")
