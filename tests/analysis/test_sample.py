"""The bundled sample: reproducible, small, and its summary agrees with its event files."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import schema as s
from analysis.economics import PROFIT, UnitCosts, compute_economics, whale_summary
from analysis.sample import SAMPLE_DIR, SAMPLE_FILES, TRUTH_FILE

ROLES = ("accounts", "invoices", "tickets", "interactions")


def _generator():
    spec = importlib.util.spec_from_file_location("sample_generate", SAMPLE_DIR / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _generator()


@pytest.fixture(scope="module")
def files() -> dict[str, pd.DataFrame]:
    frames = {
        role: pd.read_csv(path, dtype=str, keep_default_na=False)
        for role, path in SAMPLE_FILES.items()
    }
    frames["truth"] = pd.read_csv(TRUTH_FILE, dtype=str)
    return frames


@pytest.fixture(scope="module")
def accounts(files) -> pd.DataFrame:
    return files["accounts"].set_index("Account ID")


def _num(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column].replace("", np.nan))


def test_regenerating_gives_the_committed_files_byte_for_byte(gen, tmp_path: Path) -> None:
    written = gen.main(tmp_path)
    assert sorted(p.name for p in written) == sorted(
        [*(f"{r}.csv" for r in ROLES), "planted_truth.csv"]
    )
    for path in written:
        assert path.read_bytes() == (SAMPLE_DIR / path.name).read_bytes(), path.name


def test_another_seed_gives_other_data(gen, tmp_path: Path) -> None:
    gen.main(tmp_path, seed=7)
    assert (tmp_path / "accounts.csv").read_bytes() != SAMPLE_FILES["accounts"].read_bytes()


def test_files_exist_and_are_small() -> None:
    paths = [*SAMPLE_FILES.values(), TRUTH_FILE, SAMPLE_DIR / "README.md"]
    assert all(p.is_file() for p in paths)
    assert sum(p.stat().st_size for p in SAMPLE_DIR.iterdir() if p.is_file()) < 10 * 2**20


def test_headers_are_exactly_the_exports(gen, files) -> None:
    assert list(files["accounts"].columns) == gen.ACCOUNT_HEADER
    assert list(files["invoices"].columns) == gen.INVOICE_HEADER
    assert list(files["tickets"].columns) == gen.TICKET_HEADER
    assert list(files["interactions"].columns) == gen.INTERACTION_HEADER
    assert list(files["truth"].columns) == ["account_id", "segment", "kind", "easy"]


def test_about_three_thousand_accounts_with_text_ids(accounts) -> None:
    assert len(accounts) == 3000
    assert accounts.index.is_unique
    assert accounts.index.str.fullmatch(r"A-\d{6}").all()
    assert accounts["Account Name"].is_unique
    assert "Müller, Bau & Co." in set(accounts["Account Name"])


@pytest.mark.parametrize(
    ("summary", "event"),
    [("Annual Revenue", "Amount"), ("COGS", "Cost"), ("Discounts & Concessions", "Discount")],
    ids=["revenue", "cogs", "discounts"],
)
def test_money_equals_the_invoice_sums(files, accounts, summary: str, event: str) -> None:
    invoices = files["invoices"]
    sums = _num(invoices, event).groupby(invoices["Account ID"]).sum()
    assert np.allclose(
        _num(accounts, summary), sums.reindex(accounts.index, fill_value=0), atol=0.005
    )


def test_orders_products_and_days_to_pay_come_from_the_invoices(files, accounts) -> None:
    invoices = files["invoices"]
    sales = invoices[~invoices["Invoice No"].str.startswith("CN-")]
    bills = sales.drop_duplicates("Invoice No")
    orders = bills.groupby("Account ID").size().reindex(accounts.index, fill_value=0)
    assert (accounts["Orders"].astype(int) == orders).all()
    products = invoices.groupby("Account ID")["Product"].nunique().reindex(accounts.index)
    assert (accounts["Products Used"].astype(int) == products).all()
    paid = bills[bills["Paid Date"] != ""]
    days = (pd.to_datetime(paid["Paid Date"]) - pd.to_datetime(paid["Invoice Date"])).dt.days
    mean = days.groupby(paid["Account ID"]).mean().reindex(accounts.index)
    shown = _num(accounts, "Avg Days to Pay")
    assert shown.notna().mean() > 0.99
    assert np.allclose(shown.dropna(), mean[shown.notna()], atol=0.051)


def _ticket_type(subject: str) -> str:
    for word, kind in (
        ("URGENT", "Rush Request"),
        ("Complaint", "Complaint"),
        ("Feature request", "Enhancement Request"),
    ):
        if word in subject:
            return kind
    return "Support"


def test_ticket_counts_by_type_including_untyped_rows(files, accounts) -> None:
    tickets = files["tickets"]
    inferred = tickets["Subject"].map(_ticket_type)
    typed = tickets["Type"] != ""
    assert (inferred[typed] == tickets.loc[typed, "Type"]).all()
    assert 0.08 < (~typed).mean() < 0.12
    counts = inferred.groupby(tickets["Account ID"]).value_counts().unstack(fill_value=0)
    counts = counts.reindex(accounts.index, fill_value=0)
    for column, kind in (
        ("Support Tickets", "Support"),
        ("Complaints", "Complaint"),
        ("Feature Requests", "Enhancement Request"),
        ("Rush Orders", "Rush Request"),
    ):
        assert (accounts[column].astype(int) == counts[kind]).all(), column


def test_interactions_give_contacts_decision_makers_and_misses(files, accounts) -> None:
    itr = files["interactions"]
    allowed = {("Meeting", o) for o in ("Held", "Cancelled late", "No-show")} | {
        ("Call", o) for o in ("Held", "Unreturned")
    }
    assert set(zip(itr["Kind"], itr["Outcome"], strict=True)) <= allowed
    assert (itr.groupby(["Account ID", "Contact"])["Decision Maker"].nunique() == 1).all()
    by = itr.groupby("Account ID")
    contacts = by["Contact"].nunique().reindex(accounts.index, fill_value=0)
    assert (accounts["Contacts"].astype(int) == contacts).all()
    dm = by["Decision Maker"].agg(lambda v: "Yes" if (v == "Y").any() else "No")
    assert (accounts["Decision Maker Access"] == dm.reindex(accounts.index, fill_value="No")).all()
    missed = itr["Outcome"].isin(["No-show", "Cancelled late"]).groupby(itr["Account ID"]).sum()
    assert (
        accounts["Missed Meetings"].astype(int) == missed.reindex(accounts.index, fill_value=0)
    ).all()
    unreturned = (itr["Outcome"] == "Unreturned").groupby(itr["Account ID"]).sum()
    assert (
        accounts["Unreturned Calls"].astype(int) == unreturned.reindex(accounts.index, fill_value=0)
    ).all()


def test_invoices_look_like_a_billing_export(files) -> None:
    invoices = files["invoices"]
    assert len(invoices) < 60_000
    credit = invoices["Invoice No"].str.startswith("CN-")
    assert 0.01 < credit.mean() < 0.03
    assert (_num(invoices, "Amount")[credit] < 0).all() and (
        _num(invoices, "Cost")[credit] < 0
    ).all()
    unpaid = invoices.loc[~credit, "Paid Date"] == ""
    assert 0.005 < unpaid.mean() < 0.02
    dates = pd.to_datetime(invoices["Invoice Date"], format="%Y-%m-%d")
    assert dates.min() >= pd.Timestamp("2025-10-01") and dates.max() <= pd.Timestamp("2026-09-30")
    assert invoices["Product"].nunique() == 12
    lines = invoices[~credit].groupby("Invoice No")["Product"].agg(["size", "nunique"])
    assert lines["size"].between(1, 3).all() and (lines["size"] == lines["nunique"]).all()
    assert all(re.fullmatch(r"-?\d+\.\d\d", v) for v in invoices["Amount"].head(500))


def test_truth_has_every_account_and_the_intended_mix(files, accounts) -> None:
    truth = files["truth"].set_index("account_id")
    assert truth.index.equals(accounts.index)
    share = truth["segment"].value_counts(normalize=True)
    assert 0.42 < share["right"] < 0.52
    assert 0.26 < share["wrong"] < 0.34
    assert 0.19 < share["bad"] < 0.27
    easy = truth["easy"] == "true"
    assert 0.12 < easy.mean() < 0.18
    rule = (
        (accounts["Contacts"] == "1")
        & (accounts["Decision Maker Access"] == "No")
        & (accounts["Products Used"].astype(int) <= 2)
    )
    assert (rule == easy).all()


def test_bad_accounts_cost_money_under_the_briefed_unit_costs(files, accounts) -> None:
    """Rough cost-to-serve the app applies: whales lose money and about a fifth of accounts do."""
    itr = files["interactions"]
    held = (
        ((itr["Kind"] == "Meeting") & (itr["Outcome"] == "Held")).groupby(itr["Account ID"]).sum()
    )
    a = accounts
    revenue = _num(a, "Annual Revenue")
    days = _num(a, "Avg Days to Pay").fillna(30)
    cost = (
        _num(a, "Orders") * 25
        + _num(a, "Support Tickets") * 40
        + _num(a, "Complaints") * 120
        + _num(a, "Feature Requests") * 250
        + _num(a, "Rush Orders") * 150
        + _num(a, "Missed Meetings") * 200
        + _num(a, "Unreturned Calls") * 20
        + held.reindex(a.index, fill_value=0) * 150
        + _num(a, "Discounts & Concessions")
        + revenue * 0.10 * (days - 30).clip(lower=0) / 365
    )
    profit = revenue - _num(a, "COGS") - cost
    kind = files["truth"].set_index("account_id")["kind"]
    assert (profit[kind == "discount-whale"] < 0).mean() > 0.95
    assert (profit[kind.isin(["core", "lean"])] > 0).mean() > 0.95
    assert 0.15 < (profit < 0).mean() < 0.25
    ranked = profit.sort_values(ascending=False)
    assert ranked.cumsum().max() > profit.sum() * 1.1


def test_sample_has_a_b2b_whale_curve_under_the_default_unit_costs(
    sample_accounts, planted_truth
) -> None:
    """Kaplan & Narayanan: the top fifth of accounts earn 150-300% of profit; 15-25% lose money."""
    econ = compute_economics(sample_accounts, UnitCosts())
    summary = whale_summary(econ)
    assert summary.top20_profit_share > 1.3
    assert summary.peak_pct >= 150
    assert 0.15 <= summary.unprofitable_share <= 0.25
    kind = econ[s.ACCOUNT_ID].map(planted_truth.set_index("account_id")["kind"])
    median = econ[PROFIT].groupby(kind).median()
    assert median["discount-whale"] < -20_000  # large accounts that lose tens of thousands
    assert median["energy-drain"] < 0
    assert -1_000 < median["small-transactional"] < 1_000  # thin profit after order handling
    right = kind.isin(["core", "ordinary", "lean"])
    assert (econ.loc[right, PROFIT] > 0).mean() > 0.99
