"""The workspace keeps tables, settings, decisions and overrides across restarts, by name only."""

from __future__ import annotations

import os
import sqlite3
import time
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import schema as s
from analysis.decisions import Decision, Override
from analysis.segmentation import apply_overrides
from analysis.workspace import DB_NAME, ENV_ROOT, Workspace, WorkspaceError, default_root


def scored() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A1", "A2", "A3"],
            s.ACCOUNT_NAME: ["Acme", "<img src=x onerror=alert(1)>", '=HYPERLINK("x")'],
            s.REVENUE: [1000.0, 250.5, float("nan")],
            "profit": [300.0, -20.0, 0.0],
            s.SEGMENT: pd.Categorical(["right", "bad", "wrong"], categories=list(s.SEGMENTS)),
            s.EASY: [False, True, True],
            "confidence": [0.9, 0.55, 0.7],
            "reasons": ["broad use", "complaints 4x norm; late payment", ""],
            s.ORDERS: pd.array([12, None, 3], dtype="Int64"),
            s.FIRST_ORDER: pd.to_datetime(["2020-01-05", "2023-07-01", None]),
        },
        index=pd.Index([10, 11, 12]),
    )


def parquet_files(ws: Workspace) -> list[Path]:
    return sorted(ws.tables_dir.iterdir())


def test_snapshot_round_trip_through_a_new_workspace(tmp_path: Path) -> None:
    frame = scored()
    before = frame.copy()
    Workspace(tmp_path).save_snapshot("2026 Q3", frame, {"period": "2026-Q3", "k": 4})
    pd.testing.assert_frame_equal(frame, before)  # input not mutated
    back, meta = Workspace(tmp_path).load_snapshot("2026 Q3")
    pd.testing.assert_frame_equal(back, frame)
    assert meta == {"period": "2026-Q3", "k": 4}


def test_list_rename_delete(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save_snapshot("Q2", scored(), {})
    ws.save_snapshot("Q3", scored().head(2), {"p": 1})
    listed = ws.list_snapshots()
    assert listed.columns.tolist() == ["name", "created_at", "accounts", "meta"]
    assert listed["name"].tolist() == ["Q2", "Q3"]
    assert listed["accounts"].tolist() == [3, 2]
    assert listed["meta"].tolist() == [{}, {"p": 1}]

    ws.rename_snapshot("Q3", "Q3 final")
    assert Workspace(tmp_path).list_snapshots()["name"].tolist() == ["Q2", "Q3 final"]
    pd.testing.assert_frame_equal(ws.load_snapshot("Q3 final")[0], scored().head(2))
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.rename_snapshot("Q2", "Q3 final")
    with pytest.raises(WorkspaceError, match="No snapshot named 'nope'"):
        ws.rename_snapshot("nope", "other")

    ws.delete_snapshot("Q2")
    assert ws.list_snapshots()["name"].tolist() == ["Q3 final"]
    assert len(parquet_files(ws)) == 1
    with pytest.raises(WorkspaceError, match="No snapshot"):
        ws.load_snapshot("Q2")
    with pytest.raises(WorkspaceError, match="No snapshot"):
        ws.delete_snapshot("Q2")


def test_existing_name_needs_replace_and_the_old_file_goes(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save_snapshot("Q3", scored(), {"v": 1})
    with pytest.raises(WorkspaceError, match="already exists"):
        ws.save_snapshot("Q3", scored().head(1), {"v": 2})
    assert ws.load_snapshot("Q3")[1] == {"v": 1}
    assert len(parquet_files(ws)) == 1  # the refused save left nothing behind
    ws.save_snapshot("Q3", scored().head(1), {"v": 2}, replace=True)
    back, meta = ws.load_snapshot("Q3")
    assert (len(back), meta) == (1, {"v": 2})
    assert len(parquet_files(ws)) == 1


@pytest.mark.parametrize(
    "name",
    ["", "   ", "x" * 81, "a\x00b", "line\nbreak", "tab\there", "rtl\u202eevil", 42, None],
    ids=["empty", "blank", "too-long", "nul", "newline", "tab", "bidi", "int", "none"],
)
def test_bad_names_are_refused(tmp_path: Path, name: object) -> None:
    ws = Workspace(tmp_path)
    with pytest.raises(WorkspaceError):
        ws.save_snapshot(name, scored(), {})  # type: ignore[arg-type]
    assert parquet_files(ws) == []


def test_names_never_become_paths(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    for name in ["../../escape", "/etc/passwd", "C:\\x", "é" * 80, "Q3 <b>&"]:
        ws.save_snapshot(name, scored(), {})
        pd.testing.assert_frame_equal(ws.load_snapshot(name)[0], scored())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ws"]
    assert all(len(p.stem) == 32 and p.suffix == ".parquet" for p in parquet_files(ws))


def test_names_are_trimmed_consistently(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save_snapshot("  Q3 ", scored(), {})
    assert ws.list_snapshots()["name"].tolist() == ["Q3"]
    assert len(ws.load_snapshot("Q3")[0]) == 3


@pytest.mark.parametrize(
    "meta", [{"when": date(2026, 1, 1)}, {"x": float("nan")}], ids=["date", "nan"]
)
def test_metadata_must_be_plain_json(tmp_path: Path, meta: dict) -> None:
    ws = Workspace(tmp_path)
    with pytest.raises(WorkspaceError, match="metadata"):
        ws.save_snapshot("Q3", scored(), meta)
    assert ws.list_snapshots().empty
    assert parquet_files(ws) == []


def test_data_tables(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.load_table("accounts") is None
    ws.save_table("accounts", scored())
    ws.save_table("accounts", scored().head(1))  # replaces
    pd.testing.assert_frame_equal(Workspace(tmp_path).load_table("accounts"), scored().head(1))
    assert ws.list_snapshots().empty  # data tables are not snapshots
    assert len(parquet_files(ws)) == 1


def test_settings(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert ws.load_setting("unit_costs") is None
    ws.save_setting("unit_costs", '{"late_payment": {"annual_rate": 0.12}}')
    ws.save_setting("targets", '{"profit": 1e6}')
    ws.save_setting("targets", '{"profit": 2e6}')
    again = Workspace(tmp_path)
    assert again.load_setting("unit_costs") == '{"late_payment": {"annual_rate": 0.12}}'
    assert again.load_setting("targets") == '{"profit": 2e6}'
    with pytest.raises(WorkspaceError, match="not valid JSON"):
        ws.save_setting("targets", "{profit: 1}")
    assert again.load_setting("targets") == '{"profit": 2e6}'


def decision(account: str = "A1", **kw: object) -> Decision:
    base = dict(
        account_id=account,
        action="reprice",
        owner="Dana",
        decided_on=date(2026, 10, 2),
        agreed_by=("Dana", "Lee"),
        note="raise to tier minimum",
    )
    return Decision(**{**base, **kw})  # type: ignore[arg-type]


def test_decision_log(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    empty = ws.decisions()
    assert empty.columns.tolist()[:3] == ["id", s.ACCOUNT_ID, "action"]
    assert empty.empty
    first = ws.add_decision(decision())
    second = ws.add_decision(decision("A2", action="move_to_tier", tier="Self-serve"))
    ws.add_decision(decision(action="keep", note=""))
    assert second > first
    log = Workspace(tmp_path).decisions()
    assert log[s.ACCOUNT_ID].tolist() == ["A1", "A2", "A1"]
    assert log["agreed_by"].iloc[0] == ("Dana", "Lee")
    assert log["decided_on"].iloc[0] == date(2026, 10, 2)
    assert log["tier"].tolist() == ["", "Self-serve", ""]
    a1 = ws.decisions("A1")
    assert a1["action"].tolist() == ["reprice", "keep"]
    with pytest.raises(WorkspaceError):
        ws.add_decision({"account_id": "A1"})  # type: ignore[arg-type]


def test_overrides(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.set_override(Override("A2", "right", "new contract signed", "Dana", date(2026, 10, 2)))
    ws.set_override(Override("A3", "bad", "disputes", "Lee", date(2026, 10, 2)))
    ws.set_override(Override("A3", "right", "dispute settled", "Lee", date(2026, 10, 3)))
    got = Workspace(tmp_path).overrides()
    assert got[s.ACCOUNT_ID].tolist() == ["A2", "A3"]
    assert got[s.SEGMENT].tolist() == ["right", "right"]
    assert ws.overrides("A3")["reason"].tolist() == ["dispute settled"]

    applied = apply_overrides(scored(), got)
    assert applied[s.SEGMENT].tolist() == ["right", "right", "right"]
    assert applied["model_segment"].tolist() == ["right", "bad", "wrong"]
    assert applied["override_reason"].tolist() == ["", "new contract signed", "dispute settled"]

    ws.remove_override("A2")
    assert ws.overrides()[s.ACCOUNT_ID].tolist() == ["A3"]
    with pytest.raises(WorkspaceError, match="No override"):
        ws.remove_override("A2")
    unchanged = apply_overrides(scored(), ws.overrides().iloc[0:0])
    assert unchanged[s.SEGMENT].tolist() == ["right", "bad", "wrong"]


def test_orphans_are_cleaned_only_when_old(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save_snapshot("Q3", scored(), {})
    old_orphan = ws.tables_dir / ("a" * 32 + ".parquet")
    old_tmp = ws.tables_dir / ".tmp-123"
    young = ws.tables_dir / ("b" * 32 + ".parquet")
    for path in (old_orphan, old_tmp, young):
        path.write_bytes(b"partial")
    hour_ago = time.time() - 7200
    for path in (old_orphan, old_tmp):
        os.utime(path, (hour_ago, hour_ago))
    live = set(parquet_files(ws))
    Workspace(tmp_path)  # opening cleans old orphans
    assert set(parquet_files(ws)) == live - {old_orphan, old_tmp}
    assert not old_orphan.exists() and not old_tmp.exists() and young.exists()
    assert ws.clean_orphans(older_than=0) == 1
    assert len(parquet_files(ws)) == 1
    pd.testing.assert_frame_equal(ws.load_snapshot("Q3")[0], scored())


def test_wal_mode_and_default_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace(tmp_path)
    with sqlite3.connect(tmp_path / DB_NAME) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    monkeypatch.setenv(ENV_ROOT, str(tmp_path / "env"))
    assert default_root() == tmp_path / "env"
    monkeypatch.delenv(ENV_ROOT)
    assert default_root() == Path("workspace")


def test_unusable_folder_is_a_workspace_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(WorkspaceError, match="Cannot open the workspace folder"):
        Workspace(tmp_path / "file")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / DB_NAME).write_bytes(b"not a database" * 100)
    with pytest.raises(WorkspaceError, match="Cannot open the workspace folder"):
        Workspace(tmp_path / "bad")


frames = st.integers(0, 12).flatmap(
    lambda n: st.tuples(
        st.lists(st.text(max_size=12), min_size=n, max_size=n),
        st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=n, max_size=n),
        st.lists(st.sampled_from(s.SEGMENTS), min_size=n, max_size=n),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(columns=frames)
def test_any_scored_frame_round_trips(tmp_path: Path, columns: tuple) -> None:
    names, profit, segment, easy = columns
    frame = pd.DataFrame(
        {s.ACCOUNT_NAME: names, "profit": profit, s.SEGMENT: segment, s.EASY: easy},
        columns=[s.ACCOUNT_NAME, "profit", s.SEGMENT, s.EASY],
    )
    ws = Workspace(tmp_path)
    ws.save_snapshot("prop", frame, {"n": len(frame)}, replace=True)
    back, meta = Workspace(tmp_path).load_snapshot("prop")
    pd.testing.assert_frame_equal(back, frame)
    assert meta == {"n": len(frame)}
