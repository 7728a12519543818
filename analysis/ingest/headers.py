"""Which column is which: header normalising, synonym tables, export presets and role detection.

The tables are data so users (and tests) can read what is recognised; matching is exact on
normalised headers, so "Annual Revenue ($)" and "annual_revenue" both find ``revenue``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from analysis import schema as s

# Event fields: names used in mappings for event files (they are not account-table columns).
INVOICE_NO, DATE, PAID_DATE, AMOUNT, COST, DISCOUNT = (
    "invoice_no",
    "date",
    "paid_date",
    "amount",
    "cost",
    "discount",
)
QUANTITY, UNIT_PRICE, PRODUCT, CREDIT_NOTE = "quantity", "unit_price", "product", "credit_note"
TICKET_TYPE, SUBJECT, TAGS, KIND, OUTCOME = "type", "subject", "tags", "kind", "outcome"
CONTACT, DECISION_MAKER = "contact", "decision_maker"
GROSS_MARGIN, GROSS_MARGIN_PCT = "gross_margin", "gross_margin_pct"
LINE_PROFIT = "line_profit"  # an invoice line's profit: its cost is amount minus profit

_ID = (
    "account id",
    "customer id",
    "client id",
    "record id",
    "client number",
    "customer number",
    "account number",
    "cust id",
    "customer no",
    "account no",
    "customer code",
    "account code",
    "company id",
    "organization id",
    "cliente id",
    "id cliente",
    "kundennummer",
    "customerid",
)
_NAME = (
    "account name",
    "customer name",
    "client name",
    "company name",
    "customer",
    "client",
    "company",
    "account",
    "business name",
    "organization",
    "organisation",
    "name",
    "nombre",
    "kunde",
    "cliente",
)

# Account-file synonyms: canonical field -> normalised headers.
ACCOUNT_SYNONYMS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        s.ACCOUNT_ID: _ID,
        s.ACCOUNT_NAME: _NAME,
        s.REVENUE: (
            "revenue",
            "sales",
            "total spent",
            "total spend",
            "amount",
            "net sales",
            "annual revenue",
            "total revenue",
            "total sales",
            "net revenue",
            "turnover",
            "sales amount",
            "gross sales",
            "cargos totales",
            "ventas",
            "ingresos",
            "umsatz",
        ),
        s.COGS: ("cogs", "cost of goods sold", "cost", "cost of sales", "costs", "product cost"),
        GROSS_MARGIN: ("gross margin", "gross profit", "margin", "profit"),
        GROSS_MARGIN_PCT: ("gross margin pct", "margin pct", "gm pct", "gross margin percent"),
        s.DISCOUNTS: (
            "discounts and concessions",
            "discount",
            "discounts",
            "concessions",
            "rebates",
            "discount amount",
        ),
        s.FREIGHT: ("freight", "shipping", "delivery cost", "postage", "shipping cost"),
        s.ORDERS: (
            "orders",
            "total orders",
            "order count",
            "number of orders",
            "orders count",
            "invoices",
            "payment count",
            "transactions",
        ),
        s.SUPPORT_TICKETS: ("support tickets", "tickets", "cases", "support cases", "ticket count"),
        s.COMPLAINTS: ("complaints", "complaint count"),
        s.ENHANCEMENT_REQUESTS: ("feature requests", "enhancement requests", "enhancements"),
        s.RUSH_ORDERS: ("rush orders", "rush requests", "expedites", "expedited orders"),
        s.MEETINGS_HELD: ("meetings held", "meetings"),
        s.MEETINGS_MISSED: ("missed meetings", "meetings missed", "no shows", "noshows"),
        s.CALLS_UNRETURNED: ("unreturned calls", "calls unreturned", "calls not returned"),
        s.DAYS_TO_PAY: (
            "avg days to pay",
            "average days to pay",
            "days to pay",
            "dso",
            "payment days",
            "avg days to pay days",
        ),
        s.PRODUCTS_USED: ("products used", "products", "product lines", "number of products"),
        s.CONTACTS: ("contacts", "number of contacts", "contact count"),
        s.DECISION_MAKER_ACCESS: (
            "decision maker access",
            "decision maker",
            "exec sponsor",
            "executive sponsor",
            "dm access",
        ),
        s.FIRST_ORDER: (
            "first order date",
            "first order",
            "customer since",
            "first purchase",
            "first purchase date",
            "start date",
        ),
        s.TENURE_MONTHS: ("tenure months", "tenure", "permanencia", "months as customer"),
        s.INDUSTRY: ("industry", "vertical", "sector"),
        s.REGION: ("region", "territory", "country", "country region", "sales region"),
        s.OWNER: ("account owner", "owner", "sales rep", "account manager", "salesperson", "rep"),
    }
)

_EVENT_ID = (*_ID, "customer", "client", "account", "company", "customer code")

EVENT_SYNONYMS: Mapping[str, dict[str, tuple[str, ...]]] = MappingProxyType(
    {
        "invoices": {
            s.ACCOUNT_ID: _EVENT_ID,
            s.ACCOUNT_NAME: ("account name", "customer name", "client name", "company name"),
            INVOICE_NO: (
                "invoice no",
                "invoice number",
                "invoice",
                "invoice id",
                "order id",
                "order number",
                "order no",
                "document number",
            ),
            DATE: (
                "invoice date",
                "date",
                "order date",
                "transaction date",
                "created at",
                "created",
            ),
            PAID_DATE: ("paid date", "paid at", "payment date", "date paid"),
            AMOUNT: (
                "amount",
                "total",
                "net amount",
                "sales",
                "revenue",
                "line total",
                "invoice amount",
                "value",
                "net sales",
            ),
            COST: ("cost", "cogs", "line cost", "cost amount"),
            LINE_PROFIT: ("profit", "line profit", "gross profit", "margin amount"),
            DISCOUNT: ("discount", "discount amount", "discounts"),
            QUANTITY: ("quantity", "qty", "units"),
            UNIT_PRICE: ("unit price", "price", "unitprice"),
            PRODUCT: (
                "product",
                "item",
                "sku",
                "product name",
                "stock code",
                "product id",
                "category",
            ),
            s.FREIGHT: ("freight", "shipping", "shipping cost", "postage"),
            CREDIT_NOTE: ("credit note", "is credit", "credit"),
        },
        "tickets": {
            s.ACCOUNT_ID: (*_EVENT_ID, "organization", "requester id"),
            DATE: ("created", "created at", "date", "opened", "created date", "date opened"),
            TICKET_TYPE: ("type", "ticket type", "category", "issue type", "case type"),
            SUBJECT: ("subject", "title", "summary", "description"),
            TAGS: ("tags", "labels"),
        },
        "interactions": {
            s.ACCOUNT_ID: _EVENT_ID,
            DATE: ("date", "activity date", "meeting date", "created", "scheduled"),
            KIND: ("kind", "type", "activity type", "channel", "activity"),
            OUTCOME: ("outcome", "status", "result", "disposition"),
            CONTACT: ("contact", "contact name", "attendee", "person"),
            DECISION_MAKER: ("decision maker", "is decision maker", "dm", "decision maker present"),
        },
    }
)

# Export presets: (name, role, headers that identify it, header -> field).
PRESETS: tuple[tuple[str, str, frozenset[str], dict[str, str]], ...] = (
    (
        "Shopify customers",
        "accounts",
        frozenset({"customer id", "total spent", "total orders"}),
        {"Customer ID": s.ACCOUNT_ID, "Total Spent": s.REVENUE, "Total Orders": s.ORDERS},
    ),
    (
        "Stripe customers",
        "accounts",
        frozenset({"id", "total spend", "payment count"}),
        {
            "id": s.ACCOUNT_ID,
            "Name": s.ACCOUNT_NAME,
            "Total Spend": s.REVENUE,
            "Payment Count": s.ORDERS,
            "Created (UTC)": s.FIRST_ORDER,
        },
    ),
    (
        "HubSpot companies",
        "accounts",
        frozenset({"record id", "company name"}),
        {"Record ID": s.ACCOUNT_ID, "Company name": s.ACCOUNT_NAME},
    ),
    (
        "QuickBooks sales by customer",
        "accounts",
        frozenset({"column 1", "total"}),
        {"column_1": s.ACCOUNT_NAME, "Total": s.REVENUE},
    ),
    (
        "Shopify orders",
        "invoices",
        frozenset({"name", "financial status", "lineitem name", "total"}),
        {
            "Name": INVOICE_NO,
            "Email": s.ACCOUNT_ID,
            "Created at": DATE,
            "Paid at": PAID_DATE,
            "Total": AMOUNT,
            "Discount Amount": DISCOUNT,
            "Shipping": s.FREIGHT,
            "Lineitem name": PRODUCT,
            "Lineitem quantity": QUANTITY,
            "Billing Company": s.ACCOUNT_NAME,
        },
    ),
    (
        "Zendesk tickets",
        "tickets",
        frozenset({"requester id", "subject", "ticket type", "created at"}),
        {
            "requester_id": s.ACCOUNT_ID,
            "created_at": DATE,
            "ticket_type": TICKET_TYPE,
            "subject": SUBJECT,
            "tags": TAGS,
        },
    ),
)

# Fields that point to a role, with weights: distinctive fields count most.
_ROLE_EVIDENCE: Mapping[str, dict[str, float]] = MappingProxyType(
    {
        "accounts": {
            s.REVENUE: 1.0,
            s.ORDERS: 1.0,
            s.SUPPORT_TICKETS: 1.0,
            s.COMPLAINTS: 1.0,
            s.DAYS_TO_PAY: 1.0,
            s.INDUSTRY: 0.5,
            s.ACCOUNT_NAME: 0.5,
            s.OWNER: 0.5,
            s.CONTACTS: 1.0,
            s.FIRST_ORDER: 0.5,
            s.COGS: 0.5,
            GROSS_MARGIN: 0.5,
        },
        "invoices": {
            INVOICE_NO: 2.0,
            DATE: 0.5,
            PAID_DATE: 2.0,
            AMOUNT: 1.0,
            QUANTITY: 1.5,
            UNIT_PRICE: 1.5,
            PRODUCT: 1.0,
        },
        "tickets": {TICKET_TYPE: 0.5, SUBJECT: 2.0, TAGS: 1.0, DATE: 0.5},
        "interactions": {OUTCOME: 2.0, KIND: 0.5, CONTACT: 1.0, DECISION_MAKER: 1.0, DATE: 0.5},
    }
)


def normalise(header: str) -> str:
    """Lowercase words: accents, units such as "($)", punctuation and camelCase removed."""
    text = unicodedata.normalize("NFKD", str(header))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    text = text.replace("%", " pct ").replace("&", " and ").replace("#", " number ")
    text = re.sub(r"\((?:[^)]*)\)|\[(?:[^\]]*)\]", " ", text)
    text = re.sub(r"[^0-9a-zA-Z]+", " ", text).lower()
    text = re.sub(r"\b(usd|eur|gbp|in|num)\b$", " ", text)
    return " ".join(text.split())


def snake(header: str) -> str:
    """A column name for a kept extra column: "Avg Order Value ($)" -> "avg_order_value"."""
    return normalise(header).replace(" ", "_") or "column"


def header_signature(columns: list[str]) -> str:
    """A stable hash of the normalised headers, to recognise a file shape seen before."""
    joined = "\x1f".join(sorted(normalise(c) for c in columns))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:16]


ROLES: tuple[str, ...] = ("accounts", "invoices", "tickets", "interactions")


def mapping_targets(role: str) -> list[str]:
    """The fields a column of a `role` file can be mapped to, for the mapping editor."""
    return list(_synonyms(role))


def _synonyms(role: str) -> dict[str, tuple[str, ...]]:
    return ACCOUNT_SYNONYMS if role == "accounts" else EVENT_SYNONYMS[role]


def _preset(columns: list[str], role: str | None) -> tuple[str, str, dict[str, str]] | None:
    normalised = {normalise(c) for c in columns}
    for name, preset_role, needs, mapping in PRESETS:
        if needs <= normalised and role in (None, preset_role):
            by_norm = {normalise(c): c for c in columns}
            return (
                name,
                preset_role,
                {by_norm[normalise(k)]: v for k, v in mapping.items() if normalise(k) in by_norm},
            )
    return None


def suggest_mapping(columns: list[str], role: str) -> dict[str, str]:
    """Source header -> canonical field (or event field) for every header that is recognised.

    Each field is taken at most once, by the header whose synonym ranks earliest; a preset for
    a known export is applied first.
    """
    mapping: dict[str, str] = {}
    preset = _preset(columns, role)
    if preset is not None:
        mapping.update(preset[2])
    normalised = [normalise(c) for c in columns]
    for field, synonyms in _synonyms(role).items():
        if field in mapping.values():
            continue
        for synonym in synonyms:
            hits = [
                c
                for c, n in zip(columns, normalised, strict=True)
                if n == synonym and c not in mapping
            ]
            if hits:
                mapping[hits[0]] = field
                break
    if role == "accounts" and s.ACCOUNT_ID not in mapping.values():
        for c, n in zip(columns, normalised, strict=True):
            if n == "id" and c not in mapping:
                mapping[c] = s.ACCOUNT_ID
                break
    return mapping


def detect_role(columns: list[str]) -> tuple[str, float]:
    """The likeliest role of a file from its headers, and a confidence between 0 and 1."""
    preset = _preset(columns, None)
    if preset is not None:
        return preset[1], 0.95
    scores = {}
    for role, evidence in _ROLE_EVIDENCE.items():
        found = set(suggest_mapping(columns, role).values())
        scores[role] = sum(weight for field, weight in evidence.items() if field in found)
    role = max(scores, key=lambda r: (scores[r], r == "accounts"))
    total = sum(scores.values())
    if total == 0:
        return "accounts", 0.0
    runner_up = max(v for r, v in scores.items() if r != role)
    confidence = min(1.0, 0.5 + 0.5 * (scores[role] - runner_up) / max(scores[role], 1.0))
    return role, round(confidence, 2)
