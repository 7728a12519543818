"""Hostile and broken CSVs from the hardening list: each loads sensibly or is refused with a
message naming the file, never a traceback and never a silently wrong load."""

from __future__ import annotations

import pytest

from analysis.errors import RightfitError
from analysis.ingest import IngestConfig, InputFile, load_portfolio

HEADER = "Account ID,Account Name,Revenue\n"


def rows(n: int, start: int = 0) -> str:
    return "".join(f"A{i},Name {i},{i + 1}.50\n" for i in range(start, start + n))


def load(data: bytes, name: str = "hostile.csv"):
    return load_portfolio([InputFile(name, data)], IngestConfig())


def test_utf16le_tab_separated_from_excel() -> None:
    text = (HEADER + rows(20)).replace(",", "\t")
    portfolio = load(b"\xff\xfe" + text.encode("utf-16-le"))
    assert len(portfolio.accounts) == 20
    assert portfolio.accounts["revenue"].sum() == pytest.approx(sum(i + 1.5 for i in range(20)))


def test_semicolons_with_decimal_commas_are_not_one_column() -> None:
    data = b"Account ID;Account Name;Revenue\nA1;Alpha;1.234,50\nA2;Beta;99,00\n"
    accounts = load(data).accounts.set_index("account_id")
    assert accounts.loc["A1", "revenue"] == pytest.approx(1234.5)
    assert accounts.loc["A2", "revenue"] == pytest.approx(99.0)


def test_single_column_file_is_refused_with_the_headers_found() -> None:
    with pytest.raises(RightfitError, match=r"hostile\.csv.*Customer"):
        load(b"Customer\nAcme\nBeta\n")


def test_ragged_row_at_line_5000_is_quarantined_and_counted() -> None:
    body = rows(4998) + "A4998,Broken,1,extra,cells\n" + rows(10, start=5000)
    portfolio = load((HEADER + body).encode())
    assert len(portfolio.accounts) == 4998 + 10
    bad = portfolio.quarantine
    assert bad["row"].tolist() == [5000]
    assert str(bad["file"].iloc[0]) == "hostile.csv"
    recon = portfolio.reconciliation.iloc[0]
    assert recon["rows_in"] == recon["rows_used"] + recon["rows_quarantined"]


def test_unclosed_quote_is_a_clear_error_or_quarantine() -> None:
    data = (HEADER + 'A1,"Never closed,10\nA2,Fine,20\n').encode()
    try:
        portfolio = load(data)
    except RightfitError as error:
        assert str(error).startswith("hostile.csv")
    else:
        recon = portfolio.reconciliation.iloc[0]
        assert recon["rows_in"] == recon["rows_used"] + recon["rows_quarantined"]


def test_nul_and_control_characters_in_a_name_stay_in_the_name() -> None:
    data = (HEADER + "A1,Bad\x00Name\x07 Ltd,10\nA2,Plain,20\n").encode()
    accounts = load(data).accounts.set_index("account_id")
    assert len(accounts) == 2
    assert "Name" in accounts.loc["A1", "account_name"]
    assert accounts["revenue"].sum() == pytest.approx(30)


def test_duplicate_and_blank_headers_are_kept_apart() -> None:
    data = b"Account ID,Revenue,Revenue,,Notes\nA1,10,99,x,y\nA2,20,98,x,y\n"
    portfolio = load(data)
    assert portfolio.accounts["revenue"].tolist() == [10.0, 20.0]


def test_a_hundred_thousand_columns() -> None:
    wide = ",".join(f"c{i}" for i in range(100_000))
    values = ",".join("1" for _ in range(100_000))
    data = f"Account ID,Revenue,{wide}\nA1,10,{values}\n".encode()
    try:
        portfolio = load(data)
    except RightfitError as error:
        assert str(error).startswith("hostile.csv")
    else:
        assert portfolio.accounts["revenue"].tolist() == [10.0]


def test_unclosed_quote_swallowing_a_large_file_names_its_line() -> None:
    data = (HEADER + 'A1,"Never closed,10\n' + "A2," + "x" * 200_000 + ",20\n").encode()
    with pytest.raises(RightfitError, match=r"hostile\.csv, row 2: a quoted value .* never ends"):
        load(data)
