"""The canonical account table: every field Rightfit knows, with its type, unit and meaning.

Ingest turns whatever the user uploads into this table (one row per account); every later step
reads columns by these names only. Only ``account_id`` and ``revenue`` are required: a field that
is absent from the user's files is absent from the table, and later steps say what was missing.
Any other numeric column the user maps is kept under its own name as an optional feature.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Kind = Literal["id", "text", "money", "count", "number", "bool", "date", "category"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    unit: str
    meaning: str
    required: bool = False


ACCOUNT_ID = "account_id"
ACCOUNT_NAME = "account_name"
REVENUE = "revenue"
COGS = "cogs"
DISCOUNTS = "discounts"
FREIGHT = "freight"
ORDERS = "orders"
SUPPORT_TICKETS = "support_tickets"
COMPLAINTS = "complaints"
ENHANCEMENT_REQUESTS = "enhancement_requests"
RUSH_ORDERS = "rush_orders"
MEETINGS_HELD = "meetings_held"
MEETINGS_MISSED = "meetings_missed"
CALLS_UNRETURNED = "calls_unreturned"
DAYS_TO_PAY = "days_to_pay"
PRODUCTS_USED = "products_used"
CONTACTS = "contacts"
DECISION_MAKER_ACCESS = "decision_maker_access"
FIRST_ORDER = "first_order"
TENURE_MONTHS = "tenure_months"
INDUSTRY = "industry"
REGION = "region"
OWNER = "owner"

FIELDS: tuple[Field, ...] = (
    Field(ACCOUNT_ID, "id", "", "The account's key in the source system, kept as text.", True),
    Field(ACCOUNT_NAME, "text", "", "Display name of the account."),
    Field(REVENUE, "money", "currency", "Net revenue in the period, after credit notes.", True),
    Field(COGS, "money", "currency", "Cost of goods sold; derived from gross margin when given."),
    Field(DISCOUNTS, "money", "currency", "Discounts, rebates and concessions granted."),
    Field(FREIGHT, "money", "currency", "Freight and delivery paid by us for the account."),
    Field(ORDERS, "count", "orders", "Orders (or invoices) placed in the period."),
    Field(SUPPORT_TICKETS, "count", "tickets", "Ordinary support tickets."),
    Field(COMPLAINTS, "count", "tickets", "Complaints."),
    Field(ENHANCEMENT_REQUESTS, "count", "tickets", "Feature or enhancement requests."),
    Field(RUSH_ORDERS, "count", "requests", "Rush, expedite and scheduling demands."),
    Field(MEETINGS_HELD, "count", "meetings", "Account-management meetings that took place."),
    Field(MEETINGS_MISSED, "count", "meetings", "No-shows and late cancellations."),
    Field(CALLS_UNRETURNED, "count", "calls", "Our calls the account never returned."),
    Field(DAYS_TO_PAY, "number", "days", "Average days from invoice to payment."),
    Field(PRODUCTS_USED, "count", "products", "Distinct products or product lines bought."),
    Field(CONTACTS, "count", "people", "Contacts we have at the account."),
    Field(DECISION_MAKER_ACCESS, "bool", "", "Whether we reach the person who decides."),
    Field(FIRST_ORDER, "date", "", "Date of the first order."),
    Field(TENURE_MONTHS, "number", "months", "Months since the first order."),
    Field(INDUSTRY, "category", "", "Industry or vertical."),
    Field(REGION, "category", "", "Region or territory."),
    Field(OWNER, "category", "", "Sales owner (account manager)."),
)

FIELDS_BY_NAME: Mapping[str, Field] = MappingProxyType({f.name: f for f in FIELDS})
REQUIRED: tuple[str, ...] = tuple(f.name for f in FIELDS if f.required)

# Columns of the per-account-per-quarter table built from event exports.
QUARTER = "quarter"  # text such as "2026-Q3"

# Segment labels and the flag beside them.
SEGMENT = "segment"
RIGHT, WRONG, BAD = "right", "wrong", "bad"
SEGMENTS: tuple[str, ...] = (RIGHT, WRONG, BAD)
EASY = "easy"
