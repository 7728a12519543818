"""The `rightfit` command: same pipeline as the app, one row per account, clear failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis import cli
from analysis.pipeline import OUTPUT_COLUMNS
from analysis.sample import SAMPLE_FILES

ROOT = Path(__file__).resolve().parents[2]


def test_help_lists_the_segment_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--help"])
    assert exit_info.value.code == 0
    assert "segment" in capsys.readouterr().out


def test_segment_writes_one_row_per_account(tmp_path) -> None:
    out = tmp_path / "scored.csv"
    code = cli.main(["segment", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"])
    assert code == 0
    scored = pd.read_csv(out, dtype={"account_id": str})
    source = pd.read_csv(SAMPLE_FILES["accounts"], dtype=str)
    assert list(scored.columns[: len(OUTPUT_COLUMNS)]) == list(OUTPUT_COLUMNS)
    assert len(scored) == len(source)
    assert scored["account_id"].is_unique
    assert set(scored["segment"]) <= {"right", "wrong", "bad"}
    assert scored["revenue"].sum() == pytest.approx(
        pd.to_numeric(source["Annual Revenue"]).sum(), rel=1e-9
    )


@pytest.mark.parametrize("suffix", [".xlsx", ".parquet"])
def test_segment_writes_by_extension(tmp_path, suffix: str) -> None:
    out = tmp_path / f"scored{suffix}"
    assert (
        cli.main(["segment", "--accounts", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"])
        == 0
    )
    frame = pd.read_excel(out, engine="calamine") if suffix == ".xlsx" else pd.read_parquet(out)
    assert list(frame.columns[: len(OUTPUT_COLUMNS)]) == list(OUTPUT_COLUMNS)


def test_bad_input_exits_2_with_one_line(tmp_path) -> None:
    bad = tmp_path / "nothing.csv"
    bad.write_text("colour,shape\nred,round\n")
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "segment", str(bad), "--out", str(tmp_path / "o.csv")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rightfit: error: nothing.csv")
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "analysis",
            "segment",
            str(tmp_path / "absent.csv"),
            "--out",
            "o.csv",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert "absent.csv" in result.stderr and "Traceback" not in result.stderr


def test_screen_ranks_prospects_against_the_book(tmp_path) -> None:
    from analysis.prospect_input import template_frame

    prospects = pd.concat([template_frame()] * 2, ignore_index=True)
    prospects.loc[1, "account_id"] = "Demanding Co"
    prospects.loc[1, "discount_asked_pct"] = 25
    source = tmp_path / "prospects.csv"
    prospects.to_csv(source, index=False)
    out = tmp_path / "screened.csv"
    book = str(SAMPLE_FILES["accounts"])
    assert cli.main(["screen", str(source), "--against", book, "--out", str(out), "-q"]) == 0
    screened = pd.read_csv(out)
    assert set(screened["account_id"]) == {"Example Ltd", "Demanding Co"}
    assert screened[["fit", "risk"]].apply(lambda c: c.between(0, 100)).all().all()
    assert screened["recommendation"].notna().all()
    demanding = screened.set_index("account_id").loc["Demanding Co"]
    assert demanding["mismatch_count"] >= 1


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_report_writes_the_session_pack(tmp_path, suffix: str) -> None:
    out = tmp_path / f"report{suffix}"
    assert cli.main(["report", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"]) == 0
    if suffix == ".html":
        text = out.read_text(encoding="utf-8")
        assert text.lstrip().lower().startswith("<!doctype html")
        assert '<script src="http' not in text
    else:
        assert "accounts" in pd.ExcelFile(out, engine="calamine").sheet_names


def test_report_refuses_other_outputs(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.pdf"
    assert cli.main(["report", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"]) == 2
    assert "report.pdf: a report is .html or .xlsx" in capsys.readouterr().err


def test_overrides_reach_the_output_table() -> None:
    from analysis.ingest import load_paths
    from analysis.pipeline import PipelineConfig, score_accounts, with_overrides

    scored = score_accounts(load_paths([SAMPLE_FILES["accounts"]]).accounts, PipelineConfig())
    first = scored.table.iloc[0]
    other = next(seg for seg in ("right", "wrong", "bad") if seg != first["segment"])
    overrides = pd.DataFrame(
        {"account_id": [first["account_id"]], "segment": [other], "reason": ["agreed in QBR"]}
    )
    table = with_overrides(scored, overrides).table.set_index("account_id")
    row = table.loc[first["account_id"]]
    assert (row["segment"], row["model_segment"], row["override_reason"]) == (
        other,
        first["segment"],
        "agreed in QBR",
    )
    assert (table["segment"] != scored.table.set_index("account_id")["segment"]).sum() == 1
    assert with_overrides(scored, overrides.iloc[0:0]) is scored


def test_a_bug_is_one_line_without_debug(monkeypatch, capsys, tmp_path) -> None:
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(cli, "score_accounts", broken)
    monkeypatch.delenv("RIGHTFIT_DEBUG", raising=False)
    out = tmp_path / "o.csv"
    assert cli.main(["segment", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "rightfit: internal error (ZeroDivisionError: boom); "
        "rerun with RIGHTFIT_DEBUG=1 for details and report it"
    ]
    monkeypatch.setenv("RIGHTFIT_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        cli.main(["segment", str(SAMPLE_FILES["accounts"]), "--out", str(out), "-q"])


def test_workspace_brings_the_apps_overrides_and_unit_costs(tmp_path) -> None:
    from datetime import date

    from analysis.decisions import Override
    from analysis.economics import UnitCosts
    from analysis.workspace import UNIT_COSTS, Workspace

    workspace = Workspace(tmp_path / "ws")
    workspace.set_override(Override("A-000102", "right", "new contract", "Dana", date(2026, 11, 2)))
    pricey = UnitCosts().with_driver("complaints", cost=1000.0)
    workspace.save_setting(UNIT_COSTS, pricey.to_json())
    plain, saved = tmp_path / "plain.csv", tmp_path / "saved.csv"
    accounts = str(SAMPLE_FILES["accounts"])
    assert cli.main(["segment", accounts, "--out", str(plain), "-q"]) == 0
    args = ["segment", accounts, "--workspace", str(tmp_path / "ws"), "--out", str(saved), "-q"]
    assert cli.main(args) == 0
    before = pd.read_csv(plain).set_index("account_id")
    after = pd.read_csv(saved).set_index("account_id")
    row = after.loc["A-000102"]
    assert (row["segment"], row["override_reason"]) == ("right", "new contract")
    assert (after["cost_to_serve"] >= before["cost_to_serve"] - 1e-9).all()
    assert after["cost_to_serve"].sum() > before["cost_to_serve"].sum()


def test_workspace_must_exist(tmp_path, capsys) -> None:
    args = ["segment", str(SAMPLE_FILES["accounts"]), "--workspace", str(tmp_path / "none")]
    assert cli.main([*args, "--out", str(tmp_path / "o.csv"), "-q"]) == 2
    assert "not a Rightfit workspace" in capsys.readouterr().err
