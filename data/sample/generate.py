"""Generate the bundled sample portfolio of "Northgate Supply", a fictional B2B distributor.

The events (invoice lines, helpdesk tickets, CRM activities) are drawn first, account by account,
from a planted kind with known behaviour; the CRM/BI account summary is then aggregated FROM those
events, so the summary and the event files agree exactly (apart from deliberate blank cells).
``planted_truth.csv`` records each account's planted kind for tests and benchmarks only.

Run ``python data/sample/generate.py`` to rewrite the files byte for byte.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261124
N_ACCOUNTS = 3000
START = np.datetime64("2025-10-01")
DAYS = 365  # 2025-10-01 .. 2026-09-30

ACCOUNT_HEADER = [
    "Account ID",
    "Account Name",
    "Industry",
    "Region",
    "Account Owner",
    "Contacts",
    "Decision Maker Access",
    "Products Used",
    "First Order Date",
    "Annual Revenue",
    "COGS",
    "Discounts & Concessions",
    "Orders",
    "Support Tickets",
    "Complaints",
    "Feature Requests",
    "Rush Orders",
    "Missed Meetings",
    "Unreturned Calls",
    "Avg Days to Pay",
]
INVOICE_HEADER = [
    "Invoice No",
    "Account ID",
    "Invoice Date",
    "Paid Date",
    "Product",
    "Quantity",
    "Amount",
    "Cost",
    "Discount",
]
TICKET_HEADER = ["Ticket ID", "Account ID", "Created", "Type", "Subject"]
INTERACTION_HEADER = ["Account ID", "Date", "Kind", "Outcome", "Contact", "Decision Maker"]


@dataclass(frozen=True)
class Kind:
    """A planted kind of account: its segment, share and yearly behaviour at median size.

    Rates are yearly means for an account of median revenue; they grow with size as
    ``(revenue / median) ** 0.6`` and shrink with the part of the year the account was active.
    """

    name: str
    segment: str
    share: float
    easy_share: float
    revenue_median: float
    revenue_sigma: float
    orders: float
    lines: float  # chance of each extra line on an invoice (up to 3 lines)
    products: tuple[int, int]
    contacts: tuple[int, int]
    decision_maker: float
    margin: tuple[float, float]  # gross margin on the invoiced amount
    discount: tuple[float, float]  # concessions as a share of the invoiced amount
    days_to_pay: tuple[float, float]
    support: float
    complaints: float
    enhancements: float
    rush: float
    meetings: float
    missed: float
    calls: float
    unreturned: float


# Under the app's default unit costs the kinds give a B2B whale curve (Kaplan & Narayanan): right
# accounts clearly profitable, small-transactional about break-even after order handling,
# discount whales (near-zero gross margin, 18-25% concessions, rush demands) losing tens of
# thousands each, energy drains losing their margin to friction, brick-walls thin; so the top
# 20% of accounts earn ~160% of total profit and ~22% of accounts lose money.
KINDS: tuple[Kind, ...] = (
    Kind(
        name="core",
        segment="right",
        share=0.22,
        easy_share=0.20,
        revenue_median=120_000,
        revenue_sigma=0.55,
        orders=12,
        lines=0.45,
        products=(5, 10),
        contacts=(3, 8),
        decision_maker=1.0,
        margin=(0.28, 0.35),
        discount=(0.01, 0.04),
        days_to_pay=(30, 40),
        support=5,
        complaints=0.8,
        enhancements=0.4,
        rush=1.5,
        meetings=5,
        missed=0.4,
        calls=6,
        unreturned=0.5,
    ),
    Kind(
        name="ordinary",
        segment="right",
        share=0.12,
        easy_share=0.20,
        revenue_median=70_000,
        revenue_sigma=0.50,
        orders=9,
        lines=0.40,
        products=(4, 8),
        contacts=(2, 6),
        decision_maker=0.9,
        margin=(0.22, 0.28),
        discount=(0.02, 0.06),
        days_to_pay=(28, 45),
        support=4,
        complaints=0.8,
        enhancements=0.3,
        rush=1.2,
        meetings=4,
        missed=0.4,
        calls=5,
        unreturned=0.6,
    ),
    Kind(
        name="lean",
        segment="right",
        share=0.13,
        easy_share=0.40,
        revenue_median=45_000,
        revenue_sigma=0.45,
        orders=5,
        lines=0.55,
        products=(3, 6),
        contacts=(2, 4),
        decision_maker=1.0,
        margin=(0.30, 0.36),
        discount=(0.00, 0.02),
        days_to_pay=(20, 35),
        support=1.5,
        complaints=0.2,
        enhancements=0.1,
        rush=0.3,
        meetings=2,
        missed=0.1,
        calls=3,
        unreturned=0.2,
    ),
    Kind(
        name="small-transactional",
        segment="wrong",
        share=0.20,
        easy_share=0.15,
        revenue_median=6_000,
        revenue_sigma=0.50,
        orders=22,
        lines=0.08,
        products=(1, 2),
        contacts=(1, 2),
        decision_maker=0.6,
        margin=(0.14, 0.20),
        discount=(0.00, 0.03),
        days_to_pay=(25, 45),
        support=1.5,
        complaints=0.15,
        enhancements=0.05,
        rush=0.5,
        meetings=0.2,
        missed=0.05,
        calls=1,
        unreturned=0.3,
    ),
    Kind(
        name="one-off",
        segment="wrong",
        share=0.10,
        easy_share=0.00,
        revenue_median=2_000,
        revenue_sigma=0.60,
        orders=2,
        lines=0.00,
        products=(1, 1),
        contacts=(1, 1),
        decision_maker=1.0,
        margin=(0.22, 0.30),
        discount=(0.00, 0.00),
        days_to_pay=(15, 40),
        support=0.2,
        complaints=0,
        enhancements=0,
        rush=0,
        meetings=0,
        missed=0,
        calls=0,
        unreturned=0,
    ),
    Kind(
        name="energy-drain",
        segment="bad",
        share=0.10,
        easy_share=0.00,
        revenue_median=60_000,
        revenue_sigma=0.50,
        orders=10,
        lines=0.35,
        products=(3, 7),
        contacts=(2, 5),
        decision_maker=0.7,
        margin=(0.17, 0.23),
        discount=(0.06, 0.11),
        days_to_pay=(35, 55),
        support=6,
        complaints=24,
        enhancements=30,
        rush=22,
        meetings=8,
        missed=18,
        calls=6,
        unreturned=8,
    ),
    Kind(
        name="discount-whale",
        segment="bad",
        share=0.07,
        easy_share=0.00,
        revenue_median=320_000,
        revenue_sigma=0.50,
        orders=18,
        lines=0.45,
        products=(4, 8),
        contacts=(3, 6),
        decision_maker=1.0,
        margin=(-0.03, 0.05),
        discount=(0.18, 0.25),
        days_to_pay=(40, 60),
        support=8,
        complaints=4,
        enhancements=3,
        rush=30,
        meetings=10,
        missed=1,
        calls=8,
        unreturned=1,
    ),
    Kind(
        name="brick-wall",
        segment="bad",
        share=0.06,
        easy_share=0.00,
        revenue_median=50_000,
        revenue_sigma=0.50,
        orders=8,
        lines=0.35,
        products=(3, 6),
        contacts=(2, 4),
        decision_maker=0.0,
        margin=(0.18, 0.24),
        discount=(0.02, 0.05),
        days_to_pay=(90, 140),
        support=3,
        complaints=1.5,
        enhancements=0.3,
        rush=1,
        meetings=1,
        missed=14,
        calls=1,
        unreturned=12,
    ),
)

PRODUCTS: tuple[tuple[str, float], ...] = (
    ("Fasteners & Fixings", 18.0),
    ("Hand Tools", 45.0),
    ("Power Tools", 220.0),
    ("Safety & PPE", 25.0),
    ("Janitorial & Cleaning", 30.0),
    ("Office Paper", 12.0),
    ("Printer Supplies", 65.0),
    ("Packaging Materials", 20.0),
    ("Electrical Supplies", 35.0),
    ("Plumbing Supplies", 40.0),
    ("Material Handling", 380.0),
    ("Breakroom Supplies", 15.0),
)

INDUSTRIES = (
    "Manufacturing",
    "Construction",
    "Facilities Management",
    "Logistics & Warehousing",
    "Healthcare",
    "Education",
    "Hospitality",
    "Automotive",
    "Professional Services",
    "Retail",
    "Public Sector",
    "Energy & Utilities",
)
REGIONS = ("North", "South", "East", "West", "Central")
OWNERS = (
    "Dana Whitfield",
    "Marco Rossi",
    "Priya Raman",
    "Tom Becker",
    "Aisha Okafor",
    "Lena Schmidt",
    "Carlos Méndez",
    "Grace Liu",
    "Ben Carter",
    "Sofia Lindqvist",
    "Omar Haddad",
    "Hannah Brooks",
)
NAME_STEMS = (
    "Harbor", "Kessler", "Summit", "Ridgeway", "Alder", "Brightwater", "Copperfield", "Dunmore",
    "Eastbrook", "Fairhaven", "Granite", "Hollis", "Ironbridge", "Juniper", "Keystone", "Lakeside",
    "Marlow", "Northfield", "Oakridge", "Pinecrest", "Quarry", "Redstone", "Silverline", "Thornton",
    "Unity", "Valley", "Westgate", "Yardley", "Ashford", "Beacon", "Cedar", "Delta", "Evergreen",
    "Foxglove", "Greyson", "Highland", "Ingram", "Jasper", "Kingsley", "Lindgren", "Meridian",
    "Newport", "Orchard", "Prescott", "Riverside", "Sterling", "Tidewater", "Vance", "Whitmore",
    "Zenith", "Atlas", "Bramble", "Carrow", "Dalton", "Emberly", "Falk", "Gideon", "Hartmann",
    "Becker", "Novak", "Okafor", "Patel", "Rinaldi", "Sato", "Weber", "Yilmaz",
)  # fmt: skip
NAME_TRADES = (
    "Tools", "Supply", "Fabrication", "Logistics", "Builders", "Engineering", "Facilities",
    "Dental Group", "Clinic", "Academy", "Hotels", "Motors", "Metalworks", "Plastics", "Foods",
    "Packaging", "Electric", "Plumbing", "Print", "Properties", "Joinery", "Machining", "Labs",
    "Transport", "Interiors", "Hospitality", "Services",
)  # fmt: skip
NAME_SUFFIXES = ("Ltd", "Inc.", "LLC", "GmbH", "& Sons", "Co.", "Group", "Corp.", "", "", "")
ODD_NAMES = (
    "Müller, Bau & Co.",
    'The "Corner" Workshop',
    "Øresund Logistik A/S",
    "Brasserie Côté Jardin",
    "Smith, Jones & Partners LLP",
    "O'Neill Facilities Ltd",
    "Łódź Metalworks Sp. z o.o.",
    "Zürich Präzision AG",
    "Ångström Labs AB",
    "Peña & Hijos, S.A.",
    'Kessler & Sons GmbH "Nord"',
    "Café Noël SARL",
)
FIRST_NAMES = (
    "James", "Maria", "Robert", "Linda", "Michael", "Sarah", "David", "Emma", "Daniel", "Olivia",
    "José", "Zoë", "Björn", "Renée", "François", "Ingrid", "Kenji", "Fatima", "Liam", "Chloé",
    "Noah", "Ava", "Ethan", "Mia", "Lucas", "Isla", "Mateo", "Nora", "Arjun", "Yara",
    "Samuel", "Elena", "Jonas", "Amara", "Felix", "Hana", "Oscar", "Leila", "Victor", "Greta",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Wilson",
    "Anderson", "Taylor", "Thomas", "Moore", "Martin", "Jackson", "Thompson", "White", "Harris",
    "Clark", "Lewis", "Müller", "Schneider", "Fischer", "Dubois", "Lefèvre", "Rossi", "Bianchi",
    "Nowak", "Kowalski", "Jensen", "Nielsen", "Johansson", "Tanaka", "Kim", "Nguyen", "Singh",
    "Khan", "O'Brien", "Murphy", "García-López", "Da Silva", "Van Dijk", "Andersson", "Ivanova",
)  # fmt: skip

# Subjects name the ticket's type by their words, so a blank Type can still be classified.
SUBJECTS: dict[str, tuple[str, ...]] = {
    "Support": (
        "How do I reset my portal password",
        "Question about invoice copy",
        "How do I add a delivery address",
        "Question: order status",
        "Help with online catalogue login",
        "How do I download a statement",
    ),
    "Complaint": (
        "Complaint about damaged pallet",
        "Complaint: wrong item delivered",
        "Complaint - short shipment",
        "Complaint about late delivery",
        "Complaint: invoice overcharged",
        "Complaint about rude driver",
    ),
    "Enhancement Request": (
        "Feature request: EDI integration",
        "Feature request: custom price list export",
        "Feature request: punch-out catalogue",
        "Feature request: monthly consolidated invoice",
        "Feature request: custom labels on cartons",
    ),
    "Rush Request": (
        "URGENT: need delivery by Friday",
        "URGENT: same-day dispatch needed",
        "URGENT: expedite order before site visit",
        "URGENT: rush delivery to second site",
        "URGENT: next-morning delivery please",
    ),
}
TICKET_TYPES = tuple(SUBJECTS)


def _day_str(days: np.ndarray) -> np.ndarray:
    return (START + days.astype("timedelta64[D]")).astype(str)


def _money(cents: pd.Series) -> pd.Series:
    """Format integer cents as plain numbers with two decimals (e.g. -12.05)."""
    sign = np.where(cents < 0, "-", "")
    absolute = cents.abs()
    return pd.Series(
        [f"{s}{a // 100}.{a % 100:02d}" for s, a in zip(sign, absolute, strict=True)],
        index=cents.index,
    )


def _account_names(rng: np.random.Generator, n: int) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        stem = NAME_STEMS[rng.integers(len(NAME_STEMS))]
        trade = NAME_TRADES[rng.integers(len(NAME_TRADES))]
        suffix = NAME_SUFFIXES[rng.integers(len(NAME_SUFFIXES))]
        name = f"{stem} {trade} {suffix}".strip()
        if name not in seen:
            seen.add(name)
            names.append(name)
    for i, odd in zip(rng.choice(n, size=len(ODD_NAMES), replace=False), ODD_NAMES, strict=True):
        names[i] = odd
    return names


def _contact_names(rng: np.random.Generator, k: int) -> list[str]:
    names: list[str] = []
    while len(names) < k:
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
        if f"{first} {last}" not in names:
            names.append(f"{first} {last}")
    return names


@dataclass(frozen=True)
class _Plan:
    """What one account was planted to be; the events are drawn from it."""

    index: int
    kind: Kind
    easy: bool
    revenue: float
    start: int
    end: int


def _plan(rng: np.random.Generator) -> list[_Plan]:
    shares = np.array([k.share for k in KINDS])
    kinds = rng.choice(len(KINDS), size=N_ACCOUNTS, p=shares / shares.sum())
    plans = []
    for i, ki in enumerate(kinds):
        kind = KINDS[ki]
        easy = bool(rng.random() < kind.easy_share)
        revenue = kind.revenue_median * float(np.exp(rng.normal(0.0, kind.revenue_sigma)))
        start, end = 0, DAYS - 1
        life = rng.random()
        if kind.name == "one-off":
            start = int(rng.integers(0, DAYS - 60))
            end = start + int(rng.integers(0, 60))
        elif life < 0.08:  # won during the year
            start = int(rng.integers(30, 300))
        elif life < 0.14:  # lost during the year
            end = int(rng.integers(60, 330))
        plans.append(_Plan(i, kind, easy, revenue, start, end))
    return plans


def _events(rng: np.random.Generator, plan: _Plan, aid: str) -> tuple[list, list, list]:
    """Draw one account's invoice lines, tickets and interactions for the year."""
    kind = plan.kind
    active = (plan.end - plan.start + 1) / DAYS
    size = (plan.revenue / kind.revenue_median) ** 0.6

    def count(rate: float) -> int:
        return int(rng.poisson(rate * size * active))

    def days(n: int) -> np.ndarray:
        return np.sort(rng.integers(plan.start, plan.end + 1, size=n))

    # Products and invoice lines.
    lo, hi = (1, 2) if plan.easy else kind.products
    n_products = int(rng.integers(lo, hi + 1))
    products = rng.choice(len(PRODUCTS), size=n_products, replace=False)
    if kind.name == "one-off":
        n_orders = int(rng.integers(1, 4))
    else:
        n_orders = max(
            1, int(rng.poisson(kind.orders * (plan.revenue / kind.revenue_median) ** 0.5 * active))
        )
    margin = rng.uniform(*kind.margin)
    discount = rng.uniform(*kind.discount)
    pay_days = rng.uniform(*kind.days_to_pay)
    price_factor = rng.uniform(0.9, 1.1)
    weights = rng.lognormal(0.0, 0.35, size=n_orders)
    yearly = plan.revenue if kind.name == "one-off" else plan.revenue * active
    order_value = yearly * weights / weights.sum()
    order_days = days(n_orders)
    invoices = []
    cover = list(rng.permutation(products))
    for o in range(n_orders):
        n_lines = min(n_products, 1 + int(rng.binomial(2, kind.lines)))
        chosen: list[int] = []
        while cover and len(chosen) < n_lines:
            chosen.append(int(cover.pop()))
        rest = [int(p) for p in products if p not in chosen]
        extra = n_lines - len(chosen)
        if extra > 0:
            chosen += [int(p) for p in rng.choice(rest, size=extra, replace=False)]
        split = rng.dirichlet(np.ones(n_lines)) if n_lines > 1 else np.ones(1)
        paid = order_days[o] + max(0, round(rng.normal(pay_days, max(3.0, 0.12 * pay_days))))
        unpaid = rng.random() < 0.01
        for p, share in zip(chosen, split, strict=True):
            name, price = PRODUCTS[p]
            unit = price * price_factor
            qty = max(1, round(order_value[o] * share / unit))
            amount = round(qty * unit * 100)
            cost = round(amount * (1 - margin + rng.normal(0.0, 0.015)))
            disc = round(amount * discount * rng.lognormal(0.0, 0.25))
            invoices.append(
                (
                    aid,
                    o,
                    int(order_days[o]),
                    None if unpaid else paid,
                    name,
                    qty,
                    amount,
                    cost,
                    disc,
                )
            )
    credit = []
    for line in invoices:
        if rng.random() < 0.02:
            day = line[2] + int(rng.integers(3, 40))
            if day < DAYS:
                frac = rng.choice([0.25, 0.5, 1.0])
                qty = max(1, round(line[5] * frac))
                share = qty / line[5]
                credit.append(
                    (
                        aid,
                        -1,
                        day,
                        None,
                        line[4],
                        -qty,
                        -round(line[6] * share),
                        -round(line[7] * share),
                        -round(line[8] * share),
                    )
                )
    invoices += credit

    # Tickets by type; some right accounts have one bad quarter.
    rates = {
        "Support": kind.support,
        "Complaint": kind.complaints,
        "Enhancement Request": kind.enhancements,
        "Rush Request": kind.rush,
    }
    tickets = []
    for ttype, rate in rates.items():
        for d in days(count(rate)):
            tickets.append((aid, int(d), ttype))
    if kind.segment == "right" and rng.random() < 0.06:
        q0 = int(rng.integers(0, 4)) * 91
        for ttype, extra in (("Complaint", 4), ("Rush Request", 2)):
            for d in rng.integers(q0, q0 + 91, size=int(rng.poisson(extra))):
                if plan.start <= d <= plan.end:
                    tickets.append((aid, int(d), ttype))

    # Interactions: each planned contact appears at least once when there are enough.
    if kind.name == "one-off":
        outcomes = ["Held"] * int(rng.integers(0, 2))
        kinds_ = ["Call"] * len(outcomes)
    else:
        held_m, missed_m = count(kind.meetings), count(kind.missed)
        held_c, unret_c = count(kind.calls), count(kind.unreturned)
        kinds_ = ["Meeting"] * (held_m + missed_m) + ["Call"] * (held_c + unret_c)
        missed = list(rng.choice(["No-show", "Cancelled late"], size=missed_m))
        outcomes = ["Held"] * held_m + missed + ["Held"] * held_c + ["Unreturned"] * unret_c
        if plan.easy and not outcomes:
            kinds_, outcomes = ["Call"], ["Held"]
    lo, hi = (1, 1) if plan.easy else kind.contacts
    n_contacts = int(rng.integers(lo, hi + 1))
    contacts = _contact_names(rng, n_contacts)
    if plan.easy:
        dm = [False]
    else:
        has_dm = rng.random() < kind.decision_maker or (n_contacts == 1 and n_products <= 2)
        dm = [bool(has_dm)] + [bool(rng.random() < 0.15) and has_dm for _ in contacts[1:]]
    order = rng.permutation(len(outcomes))
    when = days(len(outcomes))
    if not plan.easy and 0 < len(outcomes) < 2:
        dm[0] = True  # a lone contact is the owner, so only planted accounts look easy
    interactions = []
    for slot, i in enumerate(order):
        c = slot if slot < n_contacts else int(rng.integers(n_contacts))
        interactions.append((aid, int(when[slot]), kinds_[i], outcomes[i], contacts[c], dm[c]))
    return invoices, tickets, interactions


def _build(seed: int) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    plans = _plan(rng)
    numbers = np.sort(rng.choice(np.arange(100, 20_000), size=N_ACCOUNTS, replace=False))
    ids = [f"A-{n:06d}" for n in numbers]
    names = _account_names(rng, N_ACCOUNTS)
    inv, tic, itr = [], [], []
    for plan, aid in zip(plans, ids, strict=True):
        a, b, c = _events(rng, plan, aid)
        inv += a
        tic += b
        itr += c

    invoices = pd.DataFrame(
        inv, columns=["aid", "order", "day", "paid", "product", "qty", "amount", "cost", "disc"]
    )
    invoices["credit"] = invoices["order"] < 0
    invoices["row"] = np.arange(len(invoices))
    invoices = invoices.sort_values(["day", "aid", "order", "row"], kind="stable")
    first_line = ~invoices.duplicated(["aid", "order", "day"]) & ~invoices["credit"]
    invoice_no = "INV-" + (260_000 + first_line.cumsum()).astype(str)
    credit_no = "CN-" + (9_000 + invoices["credit"].cumsum()).astype(str)
    invoices["number"] = np.where(invoices["credit"], credit_no, invoice_no)

    tickets = pd.DataFrame(tic, columns=["aid", "day", "type"])
    tickets["minute"] = rng.integers(7 * 60, 18 * 60, size=len(tickets))
    tickets["subject"] = [SUBJECTS[t][rng.integers(len(SUBJECTS[t]))] for t in tickets["type"]]
    tickets["blank"] = rng.random(len(tickets)) < 0.10
    tickets = tickets.sort_values(["day", "minute", "aid"], kind="stable").reset_index(drop=True)

    interactions = pd.DataFrame(itr, columns=["aid", "day", "kind", "outcome", "contact", "dm"])
    interactions = interactions.sort_values(["day", "aid"], kind="stable").reset_index(drop=True)

    return _files(rng, plans, ids, names, invoices, tickets, interactions)


def _files(
    rng: np.random.Generator,
    plans: list[_Plan],
    ids: list[str],
    names: list[str],
    invoices: pd.DataFrame,
    tickets: pd.DataFrame,
    interactions: pd.DataFrame,
) -> dict[str, pd.DataFrame]:
    """Shape the events as exports and aggregate the account summary from them."""
    paid = invoices["paid"]
    invoice_out = pd.DataFrame(
        {
            "Invoice No": invoices["number"],
            "Account ID": invoices["aid"],
            "Invoice Date": _day_str(invoices["day"].to_numpy()),
            "Paid Date": np.where(paid.isna(), "", _day_str(paid.fillna(0).astype(int).to_numpy())),
            "Product": invoices["product"],
            "Quantity": invoices["qty"].astype(str),
            "Amount": _money(invoices["amount"]),
            "Cost": _money(invoices["cost"]),
            "Discount": _money(invoices["disc"]),
        }
    )
    ticket_out = pd.DataFrame(
        {
            "Ticket ID": (48_211 + np.arange(len(tickets))).astype(str),
            "Account ID": tickets["aid"],
            "Created": [
                f"{d} {m // 60:02d}:{m % 60:02d}"
                for d, m in zip(_day_str(tickets["day"].to_numpy()), tickets["minute"], strict=True)
            ],
            "Type": np.where(tickets["blank"], "", tickets["type"]),
            "Subject": tickets["subject"],
        }
    )
    interaction_out = pd.DataFrame(
        {
            "Account ID": interactions["aid"],
            "Date": _day_str(interactions["day"].to_numpy()),
            "Kind": interactions["kind"],
            "Outcome": interactions["outcome"],
            "Contact": interactions["contact"],
            "Decision Maker": np.where(interactions["dm"], "Y", "N"),
        }
    )

    by_inv = invoices.groupby("aid")
    sales = invoices[~invoices["credit"]]
    bills = sales.drop_duplicates("number")
    days_to_pay = (bills["paid"] - bills["day"]).groupby(bills["aid"]).mean()
    first_sale = sales.groupby("aid")["day"].min()
    orders = bills.groupby("aid").size()
    tcount = tickets.groupby(["aid", "type"]).size().unstack(fill_value=0)
    tcount = tcount.reindex(columns=list(TICKET_TYPES), fill_value=0)
    itr = interactions
    missed = itr[itr["outcome"].isin(["No-show", "Cancelled late"])].groupby("aid").size()
    unreturned = itr[itr["outcome"] == "Unreturned"].groupby("aid").size()

    idx = pd.Index(ids)
    history = np.datetime64("2012-01-01")
    span = int((START - history).astype(int))
    first_order = []
    for plan, aid in zip(plans, ids, strict=True):
        if plan.start > 0:
            first_order.append(str(START + int(first_sale[aid])))
        else:
            first_order.append(str(history + int(rng.integers(0, span))))
    industry = [INDUSTRIES[i] for i in rng.integers(len(INDUSTRIES), size=len(ids))]
    region = [REGIONS[i] for i in rng.integers(len(REGIONS), size=len(ids))]
    owner = [OWNERS[i] for i in rng.integers(len(OWNERS), size=len(ids))]
    blank_industry = rng.random(len(ids)) < 0.01
    blank_region = rng.random(len(ids)) < 0.01
    blank_days = rng.random(len(ids)) < 0.005

    def per(series: pd.Series) -> pd.Series:
        return series.reindex(idx, fill_value=0)

    dtp = days_to_pay.reindex(idx)
    accounts = pd.DataFrame(
        {
            "Account ID": ids,
            "Account Name": names,
            "Industry": np.where(blank_industry, "", industry),
            "Region": np.where(blank_region, "", region),
            "Account Owner": owner,
            "Contacts": per(itr.groupby("aid")["contact"].nunique()).to_numpy(),
            "Decision Maker Access": np.where(
                itr.groupby("aid")["dm"].any().reindex(idx, fill_value=False).to_numpy(),
                "Yes",
                "No",
            ),
            "Products Used": per(by_inv["product"].nunique()).to_numpy(),
            "First Order Date": first_order,
            "Annual Revenue": _money(per(by_inv["amount"].sum())).to_numpy(),
            "COGS": _money(per(by_inv["cost"].sum())).to_numpy(),
            "Discounts & Concessions": _money(per(by_inv["disc"].sum())).to_numpy(),
            "Orders": per(orders).to_numpy(),
            "Support Tickets": per(tcount["Support"]).to_numpy(),
            "Complaints": per(tcount["Complaint"]).to_numpy(),
            "Feature Requests": per(tcount["Enhancement Request"]).to_numpy(),
            "Rush Orders": per(tcount["Rush Request"]).to_numpy(),
            "Missed Meetings": per(missed).to_numpy(),
            "Unreturned Calls": per(unreturned).to_numpy(),
            "Avg Days to Pay": [
                "" if blank or pd.isna(v) else f"{v:.1f}"
                for v, blank in zip(dtp.round(1), blank_days, strict=True)
            ],
        }
    )
    truth = pd.DataFrame(
        {
            "account_id": ids,
            "segment": [p.kind.segment for p in plans],
            "kind": [p.kind.name for p in plans],
            "easy": ["true" if p.easy else "false" for p in plans],
        }
    )
    return {
        "accounts.csv": accounts,
        "invoices.csv": invoice_out,
        "tickets.csv": ticket_out,
        "interactions.csv": interaction_out,
        "planted_truth.csv": truth,
    }


def main(out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write the sample files into ``out_dir`` and return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in _build(seed).items():
        path = out_dir / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(frame.columns)
            writer.writerows(frame.astype(str).itertuples(index=False, name=None))
        paths.append(path)
    return paths


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    for written in main(args.out, args.seed):
        print(f"{written}  {written.stat().st_size:,} bytes")
