"""Event files aggregated to accounts and quarters, joined with an accounts file, and the sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema as s
from analysis.ingest import IngestConfig, InputFile, TicketRules, load_paths, load_portfolio

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample"

INVOICES = (
    b"Invoice No,Account ID,Invoice Date,Paid Date,Product,Quantity,Amount,Cost,Discount\n"
    b"INV-1,A,2026-01-05,2026-02-04,Paper,1,100,60,5\n"
    b"INV-1,A,2026-01-05,2026-02-04,Ink,2,50,30,0\n"
    b"INV-2,A,2026-04-01,2026-04-11,Paper,1,200,120,10\n"
    b"CN-1,A,2026-04-20,,Paper,-1,-40,-24,0\n"
    b"INV-3,B,2026-02-01,2026-03-03,Toner,3,300,150,0\n"
    b"INV-4,,2026-02-01,,Toner,3,70,35,0\n"
)
TICKETS = (
    b"Ticket ID,Account ID,Created,Type,Subject\n"
    b"1,A,2026-01-10 09:00,Complaint,Box arrived late\n"
    b"2,A,2026-01-11 09:00,Support,Need this ASAP please\n"
    b"3,B,2026-02-12 09:00,Support,Login help\n"
    b"4,B,2026-05-12 09:00,Question,Would like an API integration\n"
)
INTERACTIONS = (
    b"Account ID,Date,Kind,Outcome,Contact,Decision Maker\n"
    b"A,2026-01-02,Meeting,Held,Ann,Y\n"
    b"A,2026-01-09,Meeting,No-show,Ann,N\n"
    b"A,2026-02-02,Meeting,Cancelled late,Bob,N\n"
    b"B,2026-02-03,Call,Unreturned,Cy,N\n"
)


def events_portfolio(**config):
    files = [
        InputFile("invoices.csv", INVOICES),
        InputFile("tickets.csv", TICKETS),
        InputFile("interactions.csv", INTERACTIONS),
    ]
    return load_portfolio(files, IngestConfig(**config))


def test_invoices_tickets_interactions_to_accounts():
    portfolio = events_portfolio()
    a = portfolio.accounts.set_index(s.ACCOUNT_ID)
    assert a[s.REVENUE].to_dict() == {"A": 310.0, "B": 300.0}
    assert a[s.ORDERS].to_dict() == {"A": 2.0, "B": 1.0}
    assert a["credit_notes"].to_dict() == {"A": 1.0, "B": 0.0}
    assert a[s.COGS].to_dict() == {"A": 186.0, "B": 150.0}
    assert a[s.DISCOUNTS].to_dict() == {"A": 15.0, "B": 0.0}
    assert a[s.PRODUCTS_USED].to_dict() == {"A": 2.0, "B": 1.0}
    assert a.loc["A", s.DAYS_TO_PAY] == pytest.approx((30 + 30 + 10) / 3)
    assert str(a.loc["A", s.FIRST_ORDER].date()) == "2026-01-05"
    assert a[s.COMPLAINTS].to_dict() == {"A": 1.0, "B": 0.0}
    assert a[s.RUSH_ORDERS].to_dict() == {"A": 1.0, "B": 0.0}
    assert a[s.ENHANCEMENT_REQUESTS].to_dict() == {"A": 0.0, "B": 1.0}
    assert a[s.SUPPORT_TICKETS].to_dict() == {"A": 0.0, "B": 1.0}
    assert a[s.MEETINGS_HELD].to_dict() == {"A": 1.0, "B": 0.0}
    assert a[s.MEETINGS_MISSED].to_dict() == {"A": 2.0, "B": 0.0}
    assert a[s.CALLS_UNRETURNED].to_dict() == {"A": 0.0, "B": 1.0}
    assert a[s.CONTACTS].to_dict() == {"A": 2.0, "B": 1.0}
    assert a[s.DECISION_MAKER_ACCESS].tolist() == [True, False]
    q = portfolio.quarantine
    assert q[["file", "row", "reason"]].values.tolist() == [
        ["invoices.csv", 7, "account id is blank"]
    ]


def test_account_quarters():
    q = events_portfolio().account_quarters
    a = q[q[s.ACCOUNT_ID] == "A"].set_index(s.QUARTER)
    assert a[s.REVENUE].to_dict() == {"2026-Q1": 150.0, "2026-Q2": 160.0}
    assert a[s.ORDERS].to_dict() == {"2026-Q1": 1, "2026-Q2": 1}
    assert a.loc["2026-Q1", s.MEETINGS_MISSED] == 2
    b = q[q[s.ACCOUNT_ID] == "B"].set_index(s.QUARTER)
    assert b.loc["2026-Q2", s.ENHANCEMENT_REQUESTS] == 1 and b.loc["2026-Q2", s.REVENUE] == 0


def test_ticket_rules_are_editable():
    rules = TicketRules(rush=(), complaint=("complain", "late"))
    a = events_portfolio(ticket_rules=rules).accounts.set_index(s.ACCOUNT_ID)
    assert a.loc["A", s.RUSH_ORDERS] == 0 and a.loc["A", s.SUPPORT_TICKETS] == 1


def test_events_fill_and_replace_accounts_file():
    accounts = b"Account ID,Account Name,Annual Revenue,Complaints\nA,Acme,999,7\nC,Cee,50,3\n"
    files = [InputFile("accounts.csv", accounts), InputFile("invoices.csv", INVOICES)]
    files.append(InputFile("tickets.csv", TICKETS))
    portfolio = load_portfolio(files, IngestConfig())
    a = portfolio.accounts.set_index(s.ACCOUNT_ID)
    assert list(a.index) == ["A", "C", "B"]
    assert a[s.REVENUE].to_dict() == {"A": 310.0, "C": 50.0, "B": 300.0}
    assert a[s.COMPLAINTS].to_dict() == {"A": 1.0, "C": 3.0, "B": 0.0}
    assert a.loc["C", s.ORDERS] == 0
    assert any("only in event files" in w for w in portfolio.warnings)
    rec = portfolio.reconciliation.set_index("file")
    assert rec.loc["accounts.csv", "revenue_replaced_by_invoices"] == 999
    total = rec.loc["total"]
    assert total.revenue_in == pytest.approx(total.revenue_in_table + total.revenue_quarantined)


@settings(max_examples=8, deadline=None)
@given(st.randoms(use_true_random=False))
def test_invoice_row_order_does_not_matter(random):
    header, *rows = INVOICES.decode().splitlines()
    random.shuffle(rows)
    shuffled = ("\n".join([header, *rows]) + "\n").encode()
    baseline = load_portfolio([InputFile("i.csv", INVOICES)], IngestConfig())
    other = load_portfolio([InputFile("i.csv", shuffled)], IngestConfig())
    pd.testing.assert_frame_equal(baseline.accounts, other.accounts)
    pd.testing.assert_frame_equal(baseline.account_quarters, other.account_quarters)


@pytest.mark.skipif(not (SAMPLE / "accounts.csv").exists(), reason="data/sample not generated")
def test_sample_loads_without_user_input_and_agrees():
    names = ["accounts", "invoices", "tickets", "interactions"]
    alone = load_paths([SAMPLE / "accounts.csv"])
    events = load_paths([SAMPLE / f"{n}.csv" for n in names[1:]])
    assert [f.role for f in events.files] == names[1:] and alone.files[0].role == "accounts"
    assert len(alone.files[0].mapping) == 20
    a = alone.accounts.set_index(s.ACCOUNT_ID)[s.REVENUE]
    e = events.accounts.set_index(s.ACCOUNT_ID)[s.REVENUE]
    pd.testing.assert_series_equal(a.sort_index(), e.sort_index(), check_exact=False)
    both = load_paths([SAMPLE / f"{n}.csv" for n in names])
    assert len(both.accounts) == len(alone.accounts) and both.quarantine.empty


def test_invoices_without_numbers_count_rows_as_orders():
    data = (
        b"Customer ID,Date,Paid,Amount,Cost\n"
        b"A,2026-01-05,2026-01-15,100,60\nA,2026-04-01,,50,20\nA,2026-04-03,2026-04-05,-30,0\n"
        b"B,2026-02-01,2026-02-04,10,5\n"
    )
    config = IngestConfig(
        roles={"i.csv": "invoices"},
        mappings={"i.csv": {"Date": "date", "Paid": "paid_date", "Amount": "amount"}},
    )
    portfolio = load_portfolio([InputFile("i.csv", data)], config)
    a = portfolio.accounts.set_index(s.ACCOUNT_ID)
    assert a[s.REVENUE].to_dict() == {"A": 120.0, "B": 10.0}
    assert a[s.ORDERS].to_dict() == {"A": 2.0, "B": 1.0}
    assert a["credit_notes"].to_dict() == {"A": 1.0, "B": 0.0}
    assert a[s.COGS].to_dict() == {"A": 80.0, "B": 5.0}
    assert a[s.DAYS_TO_PAY].to_dict() == {"A": 6.0, "B": 3.0}
    q = portfolio.account_quarters.set_index([s.ACCOUNT_ID, s.QUARTER])
    assert q[s.ORDERS].to_dict() == {("A", "2026-Q1"): 1, ("A", "2026-Q2"): 1, ("B", "2026-Q1"): 1}
    assert q[s.REVENUE].to_dict() == {
        ("A", "2026-Q1"): 100.0,
        ("A", "2026-Q2"): 20.0,
        ("B", "2026-Q1"): 10.0,
    }


def test_line_profit_gives_cost_of_goods() -> None:
    """Exports such as Superstore's carry profit per line instead of cost: cogs = sales - profit."""
    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    data = (
        b"Order ID,Customer ID,Order Date,Sales,Profit\n"
        b"O1,C1,2026-01-05,100.00,25.00\nO2,C1,2026-02-05,50.00,-5.00\nO3,C2,2026-02-06,10.00,1.00\n"
    )
    accounts = load_portfolio([InputFile("orders.csv", data)], IngestConfig()).accounts
    by_id = accounts.set_index("account_id")
    assert by_id.loc["C1", "revenue"] == pytest.approx(150.0)
    assert by_id.loc["C1", "cogs"] == pytest.approx(130.0)
    assert by_id.loc["C2", "cogs"] == pytest.approx(9.0)


def test_ascending_invoice_numbers_skip_the_fold_with_the_same_result():
    """Lines whose invoice numbers ascend (INV-9 before INV-10) are aggregated without the fold;
    shuffled, the same lines take the fold: both give the same tables."""
    import pyarrow as pa

    from analysis.ingest.values import ascending

    assert ascending(pa.array(["INV-9", "INV-10", "INV-11", "JNV-11"]))
    assert not ascending(pa.array(["INV-1", "INV-1"]))
    assert not ascending(pa.array(["INV-2", "INV-10", "INV-3"]))
    assert not ascending(pa.array(["INV-1", None]))
    header = b"Invoice No,Account ID,Account Name,Invoice Date,Paid Date,Product,Amount,Cost\n"
    rows = [
        b"INV-8,A,,2026-01-05,2026-02-04,Paper,100,60",
        b"INV-9,A,Acme,2026-03-30,,Ink,50,",
        b"INV-10,A,Ace,2026-04-01,2026-04-11,Paper,200,120",
        b"INV-11,A,,2026-04-20,,Paper,-40,",
        b"INV-12,B,,,2026-03-03,Toner,300,",
    ]
    ascending = load_portfolio([InputFile("i.csv", header + b"\n".join(rows))], IngestConfig())
    shuffled = header + b"\n".join(rows[::-1])
    folded = load_portfolio([InputFile("i.csv", shuffled)], IngestConfig())
    pd.testing.assert_frame_equal(ascending.accounts, folded.accounts)
    pd.testing.assert_frame_equal(ascending.account_quarters, folded.account_quarters)
    a = ascending.accounts.set_index(s.ACCOUNT_ID)
    assert a[s.ORDERS].to_dict() == {"A": 3.0, "B": 1.0}
    assert a[s.PRODUCTS_USED].to_dict() == {"A": 2.0, "B": 1.0}


def test_discount_rates_are_not_counted_as_money() -> None:
    """Superstore-style: the discount is a rate and the sales are already net of it, so counting
    it again as a cost would double count; it is left out, with a warning."""
    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    data = (
        b"Order ID,Order Date,Customer ID,Sales,Discount\n"
        b"O1,2026-01-02,C1,80.00,0.2\nO2,2026-01-03,C1,100.00,0\nO3,2026-01-04,C2,45.00,0.1\n"
    )
    portfolio = load_portfolio([InputFile("orders.csv", data)], IngestConfig())
    assert "discounts" not in portfolio.accounts
    assert portfolio.accounts["revenue"].sum() == pytest.approx(225.0)
    assert any("holds rates, not money" in w for w in portfolio.warnings)


def test_discount_money_stays_money() -> None:
    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    data = (
        b"Order ID,Order Date,Customer ID,Sales,Discount\n"
        b"O1,2026-01-02,C1,80.00,20.00\nO2,2026-01-03,C2,45.00,0.50\n"
    )
    portfolio = load_portfolio([InputFile("orders.csv", data)], IngestConfig())
    assert portfolio.accounts["discounts"].sum() == pytest.approx(20.5)
    assert not any("rates" in w for w in portfolio.warnings)


def _invoice_lines(rows: int, seed: int, products: int):
    """Random invoice lines: repeated invoice numbers, credits, blank dates, paid dates, names.
    Amounts are whole quarters so that sums are exact in any order."""
    import datetime as dt

    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    days = rng.integers(0, 900, rows)
    dates = [None if d < 60 else dt.date(2024, 1, 1) + dt.timedelta(int(d)) for d in days]
    paid = [None if d is None or d.day % 3 == 0 else d + dt.timedelta(7) for d in dates]
    amount = rng.integers(-40, 400, rows) / 4
    return pa.table(
        {
            "account_id": [f"A-{i}" for i in rng.integers(0, rows // 4, rows)],
            "amount": amount,
            "credit": amount < 0,
            "cost": amount / 2,
            "date": pa.array(dates, pa.date32()),
            "paid_date": pa.array(paid, pa.date32()),
            "invoice_no": [f"INV-{i}" for i in rng.integers(0, rows // 2, rows)],
            "product": [f"P{i}" for i in rng.integers(0, products, rows)],
            "account_name": [f"Name {i % 7}" for i in range(rows)],
        }
    )


@pytest.mark.parametrize("products", [4, 80])
@pytest.mark.parametrize("ascending", [False, True])
def test_account_ranges_give_the_same_tables_as_one(monkeypatch, products, ascending):
    """Big invoice files are aggregated in account-id ranges side by side; with tiny ranges
    forced, the tables equal those of a single range, on the fold and the no-fold paths."""
    import pyarrow as pa

    from analysis.ingest import events as ev
    from analysis.ingest import values

    lines = _invoice_lines(3000, seed=products, products=products)
    if ascending:  # distinct ascending invoice numbers: no fold
        numbers = pa.array([f"INV-{i}" for i in range(len(lines))])
        lines = lines.set_column(lines.column_names.index("invoice_no"), "invoice_no", numbers)
    assert values.ascending(lines.column("invoice_no").combine_chunks()) == ascending
    whole = ev.aggregate_invoices(lines)
    monkeypatch.setattr(ev, "_LINES_PER_RANGE", 100)
    assert len(ev._account_ranges(lines.column("account_id"), 2)) == 4
    ranged = ev.aggregate_invoices(lines)
    pd.testing.assert_frame_equal(whole[0], ranged[0], check_exact=True)
    pd.testing.assert_frame_equal(whole[1], ranged[1], check_exact=True)
