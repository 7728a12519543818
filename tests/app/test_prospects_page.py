"""Prospects page: a prospect typed into the form comes back with a recommendation and a brief."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import new_session, ok
from streamlit.testing.v1 import AppTest


@pytest.fixture
def prospects(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RIGHTFIT_WORKSPACE", str(tmp_path / "ws"))
    at = ok(new_session().run())
    return ok(at.switch_page("pages/prospects.py").run())


def results(at: AppTest):
    return next(d.value for d in at.dataframe if "recommendation" in d.value.columns)


def test_form_prospect_gets_recommendation_nearest_and_gaps(prospects: AppTest) -> None:
    at = prospects
    assert any("Enter a prospect" in i.value for i in at.info)
    at.text_input(key="pro_name").set_value("<b>Acme</b>")
    at.number_input(key="pro_revenue").set_value(40_000.0)
    at.number_input(key="pro_discount").set_value(25.0)
    at.number_input(key="pro_terms").set_value(90)
    at.checkbox(key="pro_custom").check()
    ok(at.button(key="pro_submit").click().run())
    table = results(at)
    assert table["account_id"].tolist() == ["<b>Acme</b>"]
    recommendation = table["recommendation"].iloc[0]
    assert recommendation.startswith(("discuss", "high risk", "looks like", "unlike"))
    assert "reject" not in recommendation
    nearest = next(
        d.value for d in at.dataframe if list(d.value.columns)[:2] == ["account_id", "segment"]
    )
    assert len(nearest) == 5
    gaps = next(d.value for d in at.dataframe if "expectation" in d.value.columns)
    assert {"discount", "payment terms", "custom enhancements"} <= set(gaps["expectation"])
    assert any("To discuss" in t.value for t in at.text)


def test_upload_mode_offers_template(prospects: AppTest) -> None:
    at = prospects
    at.segmented_control(key="pro_mode").set_value("Upload a list")
    ok(at.run())
    assert not at.error
