"""Exports neutralise spreadsheet formulas in text, keep numbers, and never silently truncate."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from analysis import exports

NAMES = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3", "Plain & Co", "\tTab", None]


def test_text_cells_are_prefixed_and_numbers_kept() -> None:
    frame = pd.DataFrame({"name": NAMES, "revenue": [-5.0, 1, 2, 3, 4, 5, 6]})
    safe = exports.safe_frame(frame)
    assert safe["name"].tolist()[:6] == [
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)",
        "'+1",
        "'-2+3",
        "Plain & Co",
        "'\tTab",
    ]
    assert pd.isna(safe["name"].iloc[6])
    assert safe["revenue"].tolist() == [-5.0, 1, 2, 3, 4, 5, 6]
    assert frame["name"].iloc[0].startswith("=")  # input not mutated


def test_csv_round_trip_keeps_numbers_numeric() -> None:
    frame = pd.DataFrame({"name": ["=1+1", "ok"], "revenue": [-1.5, 2.0]})
    back = pd.read_csv(io.BytesIO(exports.to_csv_bytes(frame)), encoding="utf-8-sig")
    assert back["name"].tolist() == ["'=1+1", "ok"]
    assert back["revenue"].tolist() == [-1.5, 2.0]


def test_xlsx_cells_are_text_and_numbers() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("x")'], "revenue": [-3.25]})
    book = load_workbook(io.BytesIO(exports.to_xlsx_bytes({"accounts": frame})))
    sheet = book["accounts"]
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == -3.25


def test_xlsx_refuses_cells_longer_than_excel_allows() -> None:
    frame = pd.DataFrame({"name": ["x" * (exports.EXCEL_MAX_CELL + 1)]})
    with pytest.raises(exports.ExportError, match="row 2, column 'name'"):
        exports.to_xlsx_bytes({"accounts": frame})


def test_xlsx_splits_sheets_past_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "EXCEL_MAX_ROWS", 3)
    frame = pd.DataFrame({"n": range(7)})
    book = load_workbook(io.BytesIO(exports.to_xlsx_bytes({"accounts": frame})))
    assert book.sheetnames == ["accounts", "accounts (2)", "accounts (3)"]
    values = [c.value for name in book.sheetnames for c in book[name]["A"][1:]]
    assert values == list(range(7))


def test_write_table_rejects_unknown_extension(tmp_path) -> None:
    with pytest.raises(exports.ExportError, match="unknown output type"):
        exports.write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.txt")


@given(st.lists(st.text(max_size=20), min_size=1, max_size=20))
def test_no_neutralised_cell_starts_a_formula(names: list[str]) -> None:
    safe = exports.neutralise_text(pd.Series(names, dtype=object))
    for original, value in zip(names, safe, strict=True):
        assert not value.startswith(exports._FORMULA_START)
        assert value in (original, "'" + original)


def test_xlsx_keeps_each_type_and_blank() -> None:
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2026-01-02", None]),
            "count": pd.array([1, None], dtype="Int64"),
            "share": [1.5, float("nan")],
            "flag": [True, False],
            "note": ["=1+1", None],
            "agreed_by": [("Ann", "Bo"), "Cy"],
            "at": pd.to_datetime(["2026-01-02T10:00Z", None]),
        }
    )
    sheet = load_workbook(io.BytesIO(exports.to_xlsx_bytes({"x": frame})))["x"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(frame.columns)
    assert rows[1][1:6] == (1, 1.5, True, "'=1+1", "('Ann', 'Bo')")
    assert rows[1][0].isoformat() == "2026-01-02T00:00:00"
    assert rows[1][6].isoformat() == "2026-01-02T10:00:00"
    assert rows[2] == (None, None, None, False, None, "Cy", None)
