"""Ingest on tiny hand-written files: reading, mapping, values, quarantine and reconciliation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import schema as s
from analysis.errors import InputFileError, MissingColumnsError
from analysis.ingest import (
    IngestConfig,
    InputFile,
    detect_role,
    header_signature,
    load_portfolio,
    read_raw,
    suggest_mapping,
)
from analysis.ingest.values import parse_bool, parse_date, parse_ids, parse_number


def load(*files: tuple[str, bytes], **config) -> object:
    return load_portfolio([InputFile(n, d) for n, d in files], IngestConfig(**config))


def values(parsed) -> list:
    return parsed.values.to_pylist()


# ---- values ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["$1,234.50", "-1,234", "(1,234.50)", "12%"], [1234.5, -1234.0, -1234.5, 12.0]),
        (["1.234,50 €", "99,00", "-3,5"], [1234.5, 99.0, -3.5]),
        (["", "N/A", "-", "NULL", "none", "7"], [None, None, None, None, None, 7.0]),
        (["EUR 10", "USD 1,000.25", "1e3"], [10.0, 1000.25, 1000.0]),
    ],
    ids=["us-money", "eu-money", "blanks", "codes"],
)
def test_parse_number(cells, expected):
    parsed = parse_number(pd.Series(cells, dtype="str"))
    assert values(parsed) == expected
    assert not parsed.failed.any()


def test_parse_number_failures_are_counted():
    parsed = parse_number(pd.Series(["10", "ten", "", "1/2/2020"], dtype="str"))
    assert parsed.counts() == (1, 1, 2)
    assert parsed.failed.tolist() == [False, True, False, True]


def test_parse_bool():
    parsed = parse_bool(pd.Series(["Yes", "no", "Y", "N", "TRUE", "false", "1", "0", "", "maybe"]))
    assert values(parsed) == [True, False, True, False, True, False, True, False, None, None]
    assert parsed.counts() == (8, 1, 1)


def test_dates_iso_us_eu_serial_and_times():
    assert [
        str(d) for d in values(parse_date(pd.Series(["2025-03-04", "2025-03-04 10:30:00"])))
    ] == [
        "2025-03-04",
        "2025-03-04",
    ]
    eu = parse_date(pd.Series(["31/01/2025", "01/02/2025"]))
    assert [str(d) for d in values(eu)] == ["2025-01-31", "2025-02-01"] and not eu.note
    us = parse_date(pd.Series(["1/31/2025 10:42", "2/1/2025"]))
    assert [str(d) for d in values(us)] == ["2025-01-31", "2025-02-01"] and not us.note
    serial = parse_date(pd.Series(["45123", ""]))
    assert [str(d) for d in values(serial)] == ["2023-07-16", "None"]


def test_ambiguous_dates_are_noted_and_configurable():
    cells = pd.Series(["01/02/2025", "03/04/2025"])
    auto = parse_date(cells)
    assert "ambiguous" in auto.note and str(values(auto)[0]) == "2025-01-02"
    dmy = parse_date(cells, order="dmy")
    assert str(values(dmy)[0]) == "2025-02-01" and not dmy.note


def test_ids_from_excel_are_reported():
    check = parse_ids(pd.Series(["7.02255E+12", "123.0", ""]))
    assert check.scientific == 1 and check.values.to_pylist() == ["7.02255E+12", "123", None]
    zeros = parse_ids(pd.Series(["00123", "456", "78"]))
    assert zeros.leading_zero


# ---- reading --------------------------------------------------------------------------------


SALESFORCE = (
    b'"Account Report"\n"As of 2026-01-05"\n\n'
    b"Account ID,Account Name,Annual Revenue\n001A,Acme,100\n001B,Beta,200\n\n"
    b'"Grand Totals (2 records)"\n\n"Confidential Information - Do Not Distribute"\n'
    b'"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n'
)
QUICKBOOKS = (
    b"Sales by Customer Summary\nAcme Co\nJanuary - December 2025\n\n"
    b',Total\nCustomer A,"1,234.00"\nParent Co,\n   Sub1,100.00\n   Sub2,200.00\n'
    b'Total Parent Co,300.00\nTOTAL,"1,534.00"\n\n\n"Monday, Jan 05 2026 10:00 AM GMT-05:00"\n'
)


def test_salesforce_report_trims_title_and_footer():
    raw = read_raw(InputFile("sf.csv", SALESFORCE))
    assert list(raw.frame.columns) == ["Account ID", "Account Name", "Annual Revenue"]
    assert raw.frame["Account ID"].tolist() == ["001A", "001B"]
    assert raw.trimmed_top == ['"Account Report"', '"As of 2026-01-05"']
    assert raw.trimmed_bottom[0].startswith("Grand Totals") and len(raw.trimmed_bottom) == 3
    assert raw.lines.tolist() == [5, 6]


def test_quickbooks_totals_are_not_double_counted():
    portfolio = load(("qb.csv", QUICKBOOKS))
    accounts = portfolio.accounts.set_index(s.ACCOUNT_ID)
    assert accounts[s.REVENUE].to_dict() == {"Customer A": 1234.0, "Sub1": 100.0, "Sub2": 200.0}
    report = portfolio.files[0]
    assert "Total Parent Co,300.00" in report.trimmed_bottom
    assert any(r.startswith("TOTAL") for r in report.trimmed_bottom)
    blank = portfolio.quarantine
    assert blank[["row", "reason"]].values.tolist() == [[7, "revenue is blank"]]
    assert any("names are used as IDs" in w for w in portfolio.warnings)


@pytest.mark.parametrize(
    ("data", "encoding", "delimiter"),
    [
        ("id;name;revenue\n1;Müller;1.234,50\n".encode("cp1252"), "cp1252", ";"),
        ("id\tname\trevenue\n1\tMüller\t1234.5\n".encode("utf-16"), "utf-16", "\t"),
        ("id|name|revenue\n1|Müller|1234.5\n".encode("utf-8-sig"), "utf-8-sig", "|"),
        ("id,name,revenue\n1,Müller,1234.5\n".encode("utf-16-be"), "utf-16-be", ","),
    ],
    ids=["cp1252-semicolon", "utf16-tab", "bom-pipe", "utf16be-nobom"],
)
def test_encodings_and_dialects(data, encoding, delimiter):
    raw = read_raw(InputFile("f.csv", data))
    assert (raw.encoding, raw.delimiter) == (encoding, delimiter)
    portfolio = load_portfolio([InputFile("f.csv", data)], IngestConfig())
    assert portfolio.accounts[s.REVENUE].tolist() == [1234.5]
    assert portfolio.accounts[s.ACCOUNT_NAME].tolist() == ["Müller"]


def test_cp1252_byte_late_in_file_is_detected():
    body = b"".join(b"A%06d,Plain name,%d\n" % (i, i) for i in range(4000))
    data = b"id,name,revenue\n" + body + "Z1,Caf\u00e9 \u2013 Bar,5\n".encode("cp1252")
    assert len(data) > 70_000
    raw = read_raw(InputFile("late.csv", data))
    assert raw.encoding == "cp1252"
    assert raw.frame["name"].iloc[-1] == "Café – Bar"


def test_ragged_rows_are_quarantined_with_line_numbers():
    data = b"id,name,revenue\n1,a,2\n2,b,c,3\n3,x,4\n"
    portfolio = load(("ragged.csv", data))
    assert portfolio.accounts[s.ACCOUNT_ID].tolist() == ["1", "3"]
    q = portfolio.quarantine
    assert q["row"].tolist() == [3] and "4 fields" in q["reason"].iat[0]
    rec = portfolio.reconciliation.iloc[0]
    assert (rec.rows_in, rec.rows_used, rec.rows_quarantined) == (3, 2, 1)


def test_quoted_newlines_keep_line_numbers():
    data = b'id,note,revenue\n1,"a\nb",x\n2,c,3\n'
    portfolio = load(("q.csv", data))
    assert portfolio.quarantine[["row", "reason"]].values.tolist() == [
        [2, "revenue is not a number"]
    ]
    data = b'id,note,revenue\n1,"a\nb",1\n2,c,oops\n'
    assert load(("q.csv", data)).quarantine["row"].tolist() == [4]


# ---- mapping --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Customer", s.ACCOUNT_NAME),
        ("Client Number", s.ACCOUNT_ID),
        ("Record ID", s.ACCOUNT_ID),
        ("Net Sales ($)", s.REVENUE),
        ("Total Spent (USD)", s.REVENUE),
        ("Cost of goods sold", s.COGS),
        ("Discounts & Concessions", s.DISCOUNTS),
        ("Feature requests", s.ENHANCEMENT_REQUESTS),
        ("No-shows", s.MEETINGS_MISSED),
        ("Exec sponsor", s.DECISION_MAKER_ACCESS),
        ("DSO", s.DAYS_TO_PAY),
        ("customerID", s.ACCOUNT_ID),
        ("Cargos totales", s.REVENUE),
    ],
)
def test_synonyms(header, field):
    assert suggest_mapping([header, "Other"], "accounts") == {header: field}


def test_gross_margin_derives_cogs():
    data = b"Customer,Sales,Gross margin %\nA,100,40%\nB,200,25%\n"
    accounts = load(("gm.csv", data)).accounts
    assert accounts[s.COGS].tolist() == [60.0, 150.0]


def test_roles_are_detected():
    assert detect_role(["Invoice No", "Account ID", "Invoice Date", "Amount"])[0] == "invoices"
    assert detect_role(["Ticket ID", "Account ID", "Created", "Type", "Subject"])[0] == "tickets"
    assert detect_role(["Account ID", "Date", "Kind", "Outcome"])[0] == "interactions"
    assert detect_role(["Account ID", "Annual Revenue", "Orders"])[0] == "accounts"


def test_header_signature_is_stable_under_spelling_and_order():
    assert header_signature(["Account ID", "Revenue ($)"]) == header_signature(
        ["revenue", "account_id"]
    )
    assert header_signature(["a"]) != header_signature(["b"])


def test_mapping_override_and_missing_columns():
    data = b"Kto,Betrag\nA,1\nB,2\n"
    with pytest.raises(MissingColumnsError, match="Kto, Betrag"):
        load(("x.csv", data))
    config = {"mappings": {"x.csv": {"Kto": s.ACCOUNT_ID, "Betrag": s.REVENUE}}}
    accounts = load(("x.csv", data), **config).accounts
    assert accounts[s.REVENUE].tolist() == [1.0, 2.0]


def test_extra_numeric_columns_are_kept():
    data = b"Account ID,Revenue,Avg Order Value ($),Zip\nA,10,5.5,02134\nB,20,7,90210\n"
    accounts = load(("x.csv", data)).accounts
    assert accounts["avg_order_value"].tolist() == [5.5, 7.0]
    assert "zip" not in accounts.columns


# ---- duplicates, quarantine, reconciliation -------------------------------------------------

DUPES = b"Account ID,Revenue,Orders,Industry\nA,10,1,Retail\nB,5,1,\nA,7,2,Food\n,3,1,\nC,x,1,\n"


def test_duplicates_merge():
    portfolio = load(("d.csv", DUPES))
    accounts = portfolio.accounts.set_index(s.ACCOUNT_ID)
    assert accounts[s.REVENUE].to_dict() == {"A": 17.0, "B": 5.0}
    assert accounts.loc["A", s.ORDERS] == 3 and accounts.loc["A", s.INDUSTRY] == "Retail"
    assert "1 duplicated account ids in d.csv merged." in portfolio.warnings
    q = portfolio.quarantine
    assert q[["row", "reason"]].values.tolist() == [
        [5, "account id is blank"],
        [6, "revenue is not a number"],
    ]


def test_duplicates_flag():
    portfolio = load(("d.csv", DUPES), duplicates="flag")
    assert portfolio.accounts[s.REVENUE].tolist() == [10.0, 5.0]
    assert "duplicate account id (first row kept)" in portfolio.quarantine["reason"].tolist()


def test_reconciliation_invariants():
    rec = load(("d.csv", DUPES), duplicates="flag").reconciliation
    for row in rec.itertuples():
        assert row.rows_in == row.rows_used + row.rows_quarantined
        assert row.revenue_in == pytest.approx(
            row.revenue_in_table + row.revenue_quarantined + row.revenue_replaced_by_invoices
        )
    total = rec.iloc[-1]
    assert (total.file, total.rows_in, total.rows_used) == ("total", 5, 2)
    assert total.revenue_in == 25.0 and total.revenue_in_table == 15.0


def test_accounts_table_contract():
    portfolio = load(("d.csv", DUPES))
    assert portfolio.accounts[s.ACCOUNT_ID].dtype == "str"
    assert s.COGS in portfolio.missing and s.REVENUE not in portfolio.missing
    assert portfolio.account_quarters is None
    assert list(portfolio.quarantine.columns) == ["file", "row", "column", "value", "reason"]


def test_input_is_not_mutated_and_config_is_hashable():
    config = IngestConfig(roles={"a.csv": "accounts"}, mappings={"a.csv": {"X": s.REVENUE}})
    assert hash(config) == hash(
        IngestConfig(roles={"a.csv": "accounts"}, mappings={"a.csv": {"X": s.REVENUE}})
    )
    with pytest.raises(TypeError):
        config.roles["b.csv"] = "tickets"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"id,revenue\n", "no data rows"),
        (b"\x1f\x8b\x08\x00rest", "gzip"),
        (b"%PDF-1.7 rest", "PDF"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"\x80\x04\x95 pickle", "pickle"),
    ],
    ids=["empty", "header-only", "gzip", "pdf", "png", "pickle"],
)
def test_unusable_files_raise_clear_errors(data, message):
    with pytest.raises(InputFileError, match=message) as info:
        read_raw(InputFile("upload.csv", data))
    assert str(info.value).startswith("upload.csv")


def test_blank_rows_ignored_and_numbers_exact():
    data = b"id,revenue\n\n1,0.1\n\n2,0.2\n"
    portfolio = load(("b.csv", data))
    assert np.isclose(portfolio.accounts[s.REVENUE].sum(), 0.3)
    assert portfolio.reconciliation.iloc[0].rows_in == 2
