"""The session pack: offline HTML with user text kept as text, and a formula-safe workbook."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.offline
import pytest
from openpyxl import load_workbook

from analysis import schema as s
from analysis.decisions import Decision
from analysis.report import (
    ReportContext,
    ReportError,
    excel_workbook,
    html_report,
    metrics_table,
    segment_summary,
)
from analysis.workspace import Workspace

EVIL_NAME = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
EVIL_NOTE = "</script><script>alert(2)</script>"


def scored(revenue_scale: float = 1.0) -> pd.DataFrame:
    revenue = [1000.0 * revenue_scale, 200.0, 300.0, 500.0]
    cts = [100.0, 150.0, 400.0, 50.0]
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A1", "A2", "A3", "A4"],
            s.ACCOUNT_NAME: [EVIL_NAME, FORMULA, "Plain & Co", "Delta"],
            s.REVENUE: revenue,
            "cost_to_serve": cts,
            "profit": [r * 0.5 - c for r, c in zip(revenue, cts, strict=True)],
            s.SEGMENT: ["right", "wrong", "bad", "right"],
            s.EASY: [False, True, False, False],
            "confidence": [0.9, 0.6, 0.8, 0.7],
            "reasons": ["broad use", "small; transactional", "<script>alert(1)</script>", ""],
            "tier": ["Managed", "Self-serve", "Managed", "Managed"],
        }
    )


def decisions() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [1, 2],
            s.ACCOUNT_ID: ["A2", "A2"],
            "action": ["reprice", "move_to_tier"],
            "tier": ["", "Self-serve"],
            "owner": ["Dana", "=cmd|' /C calc'!A0"],
            "decided_on": [date(2026, 10, 1), date(2026, 10, 2)],
            "agreed_by": [("Dana", EVIL_NAME), ("Lee",)],
            "note": ["first", EVIL_NOTE],
            "recorded_at": pd.to_datetime(["2026-10-01 09:00", "2026-10-02 09:00"], utc=True),
        }
    )


def context(**kw: object) -> ReportContext:
    base = dict(
        scored=scored(),
        title="Q3 <review> & plan",
        period="2026-Q3",
        previous=scored(0.5).iloc[[0, 1, 2]].assign(segment=["right", "bad", "bad"]),
        previous_period="2026-Q2",
        decisions=decisions(),
        targets={"profit": 0.0, "bad_accounts": 0},
        generated_on=date(2026, 10, 3),
    )
    return ReportContext(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def report() -> str:
    return html_report(context())


def test_user_text_stays_text(report: str) -> None:
    assert EVIL_NAME not in report
    assert "&lt;img src=x onerror=alert(1)&gt;" in report
    assert "<script>alert(1)</script>" not in report
    assert EVIL_NOTE not in report
    assert "&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in report
    assert "<title>Q3 &lt;review&gt; &amp; plan</title>" in report


def test_report_works_offline(report: str) -> None:
    assert not re.search(r"<script[^>]*\bsrc\s*=", report, re.IGNORECASE)
    assert not re.search(r"<link[^>]*href\s*=\s*[\"']?https?:", report, re.IGNORECASE)
    assert report.count(plotly.offline.get_plotlyjs()[:300]) == 1  # plotly.js inlined once
    assert "Content-Security-Policy" in report and "default-src 'none'" in report
    for div in ("fig-segments", "fig-whale", "fig-migration"):
        assert f'id="{div}"' in report


def test_report_sections_without_history_or_decisions() -> None:
    page = html_report(context(previous=None, decisions=None, targets={}))
    assert "No earlier snapshot" in page and "No decisions recorded" in page
    assert 'id="fig-migration"' not in page


def test_segment_summary_hand_computed() -> None:
    got = segment_summary(scored())
    # profits: A1 500-100=400, A2 100-150=-50, A3 150-400=-250, A4 250-50=200
    assert got[s.SEGMENT].tolist() == ["right", "wrong", "bad"]
    assert got["accounts"].tolist() == [2, 1, 1]
    assert got["easy_accounts"].tolist() == [0, 1, 0]
    assert got["profit"].tolist() == [600.0, -50.0, -250.0]
    assert got["revenue_share"].tolist() == pytest.approx([1500 / 2000, 200 / 2000, 300 / 2000])
    assert got["profit_share"].tolist() == pytest.approx([2.0, -50 / 300, -250 / 300])


def test_metrics_and_targets() -> None:
    table = metrics_table(context()).set_index("metric")
    assert table.loc["profit", "now"] == 300.0
    assert table.loc["bad_accounts", "now"] == 1 and table.loc["bad_accounts", "before"] == 2
    assert table.loc["profit", "met"] is True
    assert not table.loc["bad_accounts", "met"]
    assert table.loc["revenue", "met"] is None
    with pytest.raises(ReportError, match="Unknown target margin"):
        context(targets={"margin": 1.0})
    with pytest.raises(ReportError, match="lack profit"):
        context(scored=scored().drop(columns=["profit"]))


def test_workbook_sheets_and_formula_safety() -> None:
    book = load_workbook(io.BytesIO(excel_workbook(context())))
    assert book.sheetnames == [
        "summary",
        "metrics",
        "accounts",
        "migration",
        "changed accounts",
        "decisions",
    ]
    accounts = book["accounts"]
    header = [c.value for c in accounts[1]]
    assert header[:3] == [s.ACCOUNT_ID, s.ACCOUNT_NAME, s.SEGMENT]
    assert {"tier", "decision", "decision_owner", "decided_on"} <= set(header)
    name = accounts.cell(row=3, column=2)
    assert name.value == "'" + FORMULA and name.data_type == "s"
    decision_col = header.index("decision") + 1
    assert accounts.cell(row=3, column=decision_col).value == "move_to_tier"  # the latest
    log = book["decisions"]
    log_header = [c.value for c in log[1]]
    owner = log.cell(row=3, column=log_header.index("owner") + 1)
    assert owner.value.startswith("'=") and owner.data_type == "s"
    agreed = log.cell(row=2, column=log_header.index("agreed_by") + 1).value
    assert agreed == "Dana; " + EVIL_NAME
    assert all(cell.data_type != "f" for sheet in book for row in sheet.iter_rows() for cell in row)


def test_workbook_without_history() -> None:
    book = load_workbook(io.BytesIO(excel_workbook(context(previous=None, decisions=None))))
    assert book.sheetnames == ["summary", "metrics", "accounts"]


def test_pack_from_a_workspace(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save_snapshot("2026-Q2", scored(0.5), {})
    ws.save_snapshot("2026-Q3", scored(), {})
    ws.add_decision(Decision("A3", "exit", "Dana", date(2026, 10, 2), (EVIL_NAME,), EVIL_NOTE))
    ctx = ReportContext(
        scored=ws.load_snapshot("2026-Q3")[0],
        previous=ws.load_snapshot("2026-Q2")[0],
        decisions=ws.decisions(),
    )
    book = load_workbook(io.BytesIO(excel_workbook(ctx)))
    assert book["decisions"].cell(row=2, column=3).value == "exit"
    page = html_report(ctx)
    assert EVIL_NOTE not in page and "&lt;/script&gt;" in page


def test_best_customer_targets_appear_in_both_outputs() -> None:
    from analysis.similarity import Target, target_progress

    scored = pd.DataFrame(
        {
            "account_id": ["A1", "A2"],
            "segment": ["right", "bad"],
            "revenue": [100.0, 50.0],
            "cost_to_serve": [10.0, 60.0],
            "profit": [40.0, -20.0],
            "similarity": [90.0, 10.0],
        }
    )
    progress = target_progress([Target(70.0, 5, "2026-Q4", date(2026, 11, 1))], {"2026-Q4": scored})
    context = ReportContext(scored, best_targets=progress)
    assert "Best customers: goal and actual" in html_report(context)
    book = load_workbook(io.BytesIO(excel_workbook(context)))
    sheet = book["best-customer targets"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert (row["goal"], row["actual"], row["gap"]) == (5, 1, 4)
