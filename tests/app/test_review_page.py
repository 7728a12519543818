"""Quarterly review page: save, list, rename, delete (confirmed) snapshots; record a decision."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from apptest import new_session, ok
from streamlit.testing.v1 import AppTest

from analysis.economics import UnitCosts
from analysis.similarity import Target


@pytest.fixture
def review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("RIGHTFIT_WORKSPACE", str(tmp_path / "ws"))
    at = ok(new_session().run())
    return ok(at.switch_page("pages/review.py").run())


def table_with(at: AppTest, column: str):
    """The first table showing `column` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def snapshot_names(at: AppTest) -> list[str]:
    return table_with(at, "created_at")["name"].tolist()


def test_snapshot_save_list_rename_delete(review: AppTest) -> None:
    at = review
    assert any("without login" in c.value for c in at.caption)
    at.text_input(key="rev_name").set_value("2026-Q3")
    ok(at.button(key="rev_save").click().run())
    assert snapshot_names(at) == ["2026-Q3"]

    at.text_input(key="rev_name").set_value("2026-Q3")
    ok(at.button(key="rev_save").click().run())
    assert any("already exists" in e.value for e in at.error)

    at.text_input(key="rev_name").set_value("2026-Q4")
    ok(at.button(key="rev_save").click().run())
    assert snapshot_names(at) == ["2026-Q3", "2026-Q4"]
    assert at.selectbox(key="rev_compare_after").value == "2026-Q4"
    assert at.selectbox(key="rev_compare_before").value == "2026-Q3"
    assert table_with(at, "reasons_after").empty  # same analysis twice: nothing moved

    at.selectbox(key="rev_open").set_value("2026-Q3")
    at.text_input(key="rev_rename_to").set_value("Q3 board")
    ok(at.button(key="rev_rename").click().run())
    assert sorted(snapshot_names(at)) == ["2026-Q4", "Q3 board"]

    at.selectbox(key="rev_open").set_value("Q3 board")
    ok(at.run())
    assert at.button(key="rev_delete").disabled
    at.checkbox(key="rev_delete_confirm").check()
    ok(at.run())
    ok(at.button(key="rev_delete").click().run())
    assert snapshot_names(at) == ["2026-Q4"]


def test_decision_recorded_and_plan_shown(review: AppTest) -> None:
    at = review
    options = at.selectbox(key="rev_dec_account").options
    wrong = next(o for o in options if o.endswith("· wrong"))
    at.selectbox(key="rev_dec_account").set_value(wrong.split(" · ")[0])
    at.selectbox(key="rev_dec_action").set_value("help_move")
    at.text_input(key="rev_dec_owner").set_value("Dana")
    at.text_input(key="rev_dec_agreed").set_value("Ana, Bo")
    at.text_area(key="rev_dec_note").set_value("<b>not bold</b>")
    ok(at.button(key="rev_dec_save").click().run())
    log = table_with(at, "agreed_by")
    assert log["action"].tolist() == ["help_move"]
    assert log["agreed_by"].tolist() == ["Ana; Bo"]
    assert at.selectbox(key="rev_plan_account").value == wrong.split(" · ")[0]
    assert any(m.label == "Team hours freed" for m in at.metric)


def test_decision_needs_someone_who_agreed(review: AppTest) -> None:
    at = review
    at.text_input(key="rev_dec_owner").set_value("Dana")
    ok(at.button(key="rev_dec_save").click().run())
    assert any("at least one who agreed" in e.value for e in at.error)


def test_targets_measured_on_quarter_snapshots(review: AppTest) -> None:
    at = review
    at.session_state["targets"] = [
        Target(50.0, 10, "2026-Q1", date(2026, 1, 2)),
        Target(50.0, 20, "2026-Q2", date(2026, 1, 2)),
    ]
    at.text_input(key="rev_name").set_value("2026-Q1")
    ok(at.button(key="rev_save").click().run())
    progress = table_with(at, "goal")
    assert progress["quarter"].tolist() == ["2026-Q1", "2026-Q2"]
    assert progress["actual"].notna().tolist() == [True, False]


def test_snapshot_settings_restored(review: AppTest) -> None:
    """A snapshot keeps the settings it was made with; "Use its ..." brings them back."""
    from ui import state

    at = review
    at.text_input(key="rev_name").set_value("2026-Q3")
    ok(at.button(key="rev_save").click().run())
    before = at.session_state[state.UNIT_COSTS]
    at.session_state[state.UNIT_COSTS] = UnitCosts(late_payment_rate=0.5)
    ok(at.run())
    assert not at.button(key="rev_restore").disabled
    ok(at.button(key="rev_restore").click().run())
    assert at.session_state[state.UNIT_COSTS] == before
    assert any("Now using the settings of" in s.value for s in at.success)
