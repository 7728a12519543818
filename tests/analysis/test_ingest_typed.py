"""The typed fast path for plain invoice CSVs gives exactly what the careful path gives."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.ingest import IngestConfig, InputFile, load_portfolio
from analysis.ingest import portfolio as portfolio_module

HEADER = b"Invoice No,Account ID,Invoice Date,Paid Date,Product,Quantity,Amount,Cost\n"
LINES = (
    b"INV-1,A,2026-01-05,2026-02-04,Paper,1,100,60\n"
    b"INV-1,A,2026-01-05,2026-02-04,Ink,2,50.5,30\n"
    b"INV-2,A,2026-04-01,,Paper,1,200,\n"
    b"CN-1,A,2026-04-20,,Paper,-1,-40,-24\n"
    b"INV-3,007,2026-02-01,2026-03-03,Toner,3,300,N/A\n"
)
CASES = {
    "plain": HEADER + LINES,
    "blank account": HEADER + LINES + b"INV-4,,2026-02-01,,Toner,3,70,35\n",
    "blank amount": HEADER + LINES + b"INV-5,B,2026-02-01,,Toner,3,N/A,35\n",
    "money text": HEADER + LINES + b'INV-6,B,2026-02-01,,Toner,3,"$1,200.00",35\n',
    "padded amount": HEADER + LINES + b"INV-7,B,2026-02-01,,Toner,3, 12 ,35\n",
    "padded date": HEADER + LINES + b"INV-8,B, 2026-02-01,,Toner,3,12,35\n",
    "us dates": HEADER + LINES.replace(b"2026-01-05", b"01/05/2026"),
    "infinite": HEADER + LINES + b"INV-9,B,2026-02-01,,Toner,3,inf,35\n",
    "padded ids": HEADER + LINES + b"INV-10, B ,2026-02-01,,Toner,3,12,35\n",
    "float ids": HEADER + LINES + b"INV-11,12.0,2026-02-01,,Toner,3,12,35\n",
    "footer": HEADER + LINES + b"Total,,,,,,590.5,\n",
    "subtotal": HEADER + LINES + b"Total A,,,,,,590.5,\n" + LINES,
    "padded subtotal": HEADER + LINES + b" sub-total,,,,,,590.5,\n" + LINES,
    "grand total inside": HEADER + LINES + "\u00a0Grand total:,,,,,,590.5,\n".encode() + LINES,
    "blank line": HEADER + LINES + b"\n" + LINES,
    "blank row": HEADER + LINES + b",,,,,,,\n" + LINES,
    "ragged": HEADER + LINES + b"INV-12,B,2026-02-01,,Toner,3,12,35,extra\n",
    "line break": HEADER + LINES + b'INV-13,B,2026-02-01,,"Ton\ner",3,12,35\n',
    "title rows": b"Sales report\nQ1 2026\n\n" + HEADER + LINES,
    "no trailing newline": HEADER + LINES.rstrip(b"\n"),
    "crlf": (HEADER + LINES).replace(b"\n", b"\r\n"),
    "tab": (HEADER + LINES).replace(b",", b"\t"),
    "bom": b"\xef\xbb\xbf" + HEADER + LINES,
}


def _careful(monkeypatch) -> None:
    monkeypatch.setattr(portfolio_module, "_typed", lambda *args: None)


def _same(left, right) -> None:
    for name in ("accounts", "account_quarters", "quarantine", "reconciliation"):
        a, b = getattr(left, name), getattr(right, name)
        if a is None or b is None:
            assert a is None and b is None, name
        else:
            pd.testing.assert_frame_equal(a, b, obj=name)
    assert left.files == right.files
    assert left.warnings == right.warnings
    assert left.missing == right.missing


@pytest.mark.parametrize("case", sorted(CASES))
def test_typed_path_matches_careful_path(case, monkeypatch):
    files = [InputFile("invoices.csv", CASES[case])]
    fast = load_portfolio(files, IngestConfig())
    _careful(monkeypatch)
    careful = load_portfolio(files, IngestConfig())
    _same(fast, careful)


def test_typed_path_is_taken_for_a_plain_file():
    file = InputFile("invoices.csv", CASES["plain"])
    loaded = portfolio_module._load(file, IngestConfig())
    assert str(loaded.raw.frame["Amount"].dtype) == "float64"


ACCOUNTS_HEADER = (
    b"Account ID,Account Name,Annual Revenue,COGS,Orders,Avg Days to Pay,First Order Date,"
    b"Decision Maker Access,Headcount\n"
)
ACCOUNT_ROWS = (
    b"A-1,Acme,1000,600,3,31.5,2024-01-05,Yes,12\n"
    b"A-2,Beta,$2000,,4,N/A,2023-11-30,No,\n"
    b"A-3,Gamma,N/A,100,1,40,,,7\n"
    b"A-1,Acme again,500,200,2,20,2022-02-02,No,3\n"
)
ACCOUNT_CASES = {
    "plain": ACCOUNTS_HEADER + ACCOUNT_ROWS,
    "blank row": ACCOUNTS_HEADER + ACCOUNT_ROWS + b",,,,,,,,\n" + ACCOUNT_ROWS,
    "percent later": ACCOUNTS_HEADER + ACCOUNT_ROWS + b"A-9,Nine,10,5%,1,2,2024-01-01,Y,1\n",
    "us date later": ACCOUNTS_HEADER + ACCOUNT_ROWS + b"A-9,Nine,10,5,1,2,01/02/2024,Y,1\n",
    "blank id": ACCOUNTS_HEADER + ACCOUNT_ROWS + b",Nameless,10,5,1,2,2024-01-01,Y,1\n",
    "grand total": ACCOUNTS_HEADER + ACCOUNT_ROWS + b"Grand Totals (4 records),,3500,900,,,,,\n",
}


@pytest.mark.parametrize("duplicates", ["merge", "flag"])
@pytest.mark.parametrize("case", sorted(ACCOUNT_CASES))
def test_typed_accounts_match_careful_path(case, duplicates, monkeypatch):
    files = [InputFile("accounts.csv", ACCOUNT_CASES[case])]
    config = IngestConfig(duplicates=duplicates)
    fast = load_portfolio(files, config)
    _careful(monkeypatch)
    careful = load_portfolio(files, config)
    _same(fast, careful)
