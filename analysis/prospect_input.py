"""Prospects as typed in or uploaded: the fields `prospects.screen_prospects` reads, a template
with those columns, header suggestions for an uploaded list, and values coerced to numbers and
yes/no so a hand-made spreadsheet can be screened as it is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.errors import MissingColumnsError, RightfitError
from analysis.ingest.headers import normalise
from analysis.prospects import CUSTOM_ENHANCEMENTS, DISCOUNT_ASKED, RUSH_SHARE, TERMS_ASKED

TEXT, NUMBER, YES_NO = "text", "number", "yes/no"


@dataclass(frozen=True)
class ProspectField:
    name: str
    label: str
    kind: str
    synonyms: tuple[str, ...] = ()


PROSPECT_FIELDS: tuple[ProspectField, ...] = (
    ProspectField(s.ACCOUNT_ID, "Prospect", TEXT, ("prospect", "company", "name", "id")),
    ProspectField(s.REVENUE, "Expected annual revenue", NUMBER, ("expected revenue", "annual")),
    ProspectField(s.PRODUCTS_USED, "Products wanted", NUMBER, ("products",)),
    ProspectField(s.INDUSTRY, "Industry", TEXT, ("sector", "vertical")),
    ProspectField(s.REGION, "Region", TEXT, ("territory", "country")),
    ProspectField(s.ORDERS, "Orders a year (size)", NUMBER, ("orders", "size")),
    ProspectField(CUSTOM_ENHANCEMENTS, "Expects custom enhancements", YES_NO, ("custom",)),
    ProspectField(RUSH_SHARE, "Share of orders wanted rushed (0-1)", NUMBER, ("rush",)),
    ProspectField(DISCOUNT_ASKED, "Discount asked (%)", NUMBER, ("discount",)),
    ProspectField(TERMS_ASKED, "Payment terms asked (days)", NUMBER, ("payment terms", "terms")),
    ProspectField(s.MEETINGS_MISSED, "Meetings cancelled or missed", NUMBER, ("meetings",)),
    ProspectField(s.CALLS_UNRETURNED, "Calls unreturned", NUMBER, ("calls",)),
    ProspectField(
        s.DECISION_MAKER_ACCESS, "Contact is the decision maker", YES_NO, ("decision maker",)
    ),
)
REQUIRED = (s.REVENUE,)
_YES = frozenset({"1", "true", "yes", "y", "x"})
_NO = frozenset({"0", "false", "no", "n", ""})


class ProspectInputError(RightfitError):
    """A prospect list value that cannot be read as its field asks (names the row and column)."""


def template_frame() -> pd.DataFrame:
    """The upload template: every field as a column, with one example prospect."""
    example = {
        s.ACCOUNT_ID: "Example Ltd",
        s.REVENUE: 50_000,
        s.PRODUCTS_USED: 3,
        s.INDUSTRY: "manufacturing",
        s.REGION: "north",
        s.ORDERS: 24,
        CUSTOM_ENHANCEMENTS: "no",
        RUSH_SHARE: 0.1,
        DISCOUNT_ASKED: 5,
        TERMS_ASKED: 30,
        s.MEETINGS_MISSED: 0,
        s.CALLS_UNRETURNED: 0,
        s.DECISION_MAKER_ACCESS: "yes",
    }
    return pd.DataFrame([{f.name: example[f.name] for f in PROSPECT_FIELDS}])


def suggest_prospect_mapping(columns: list[str]) -> dict[str, str]:
    """Uploaded header -> field, by normalised name: the field's own name or label first, then
    the first header that starts with one of its synonyms. Each header and field is used once."""
    normalised = {c: normalise(c) for c in columns}
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for f in PROSPECT_FIELDS:
            if f.name in mapping.values():
                continue
            names = (
                {normalise(f.name), normalise(f.label)}
                if exact
                else {normalise(x) for x in f.synonyms}
            )
            for column, norm in normalised.items():
                hit = norm in names if exact else any(norm.startswith(n) for n in names)
                if column not in mapping and hit:
                    mapping[column] = f.name
                    break
    return mapping


def _yes_no(values: pd.Series, column: str) -> pd.Series:
    text = values.astype("string").str.strip().str.lower().fillna("")
    bad = ~(text.isin(_YES) | text.isin(_NO))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise ProspectInputError(
            f"Row {row + 1}, column '{column}': '{values.iloc[row]}' is not yes or no."
        )
    return text.isin(_YES)


def prospects_from_table(raw: pd.DataFrame, mapping: Mapping[str, str]) -> pd.DataFrame:
    """A prospect list (all text, as `ingest.read_raw` gives it) and header -> field in; one
    row per prospect with the fields typed out. Unreadable numbers become blank (NaN); a list
    without ids gets "P1", "P2", ... Raises MissingColumnsError when revenue is not mapped and
    ProspectInputError for a yes/no column holding something else."""
    chosen = {src: field for src, field in mapping.items() if field and src in raw.columns}
    missing = [f for f in REQUIRED if f not in chosen.values()]
    if missing:
        raise MissingColumnsError(missing, found=[str(c) for c in raw.columns])
    out = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    kinds = {f.name: f.kind for f in PROSPECT_FIELDS}
    for src, field in chosen.items():
        values = raw[src].reset_index(drop=True)
        if kinds[field] == NUMBER:
            cleaned = values.astype("string").str.replace(r"[,$%\s]", "", regex=True)
            out[field] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
        elif kinds[field] == YES_NO:
            out[field] = _yes_no(values, src)
        else:
            out[field] = values.astype("string").str.strip().astype(object)
    if s.ACCOUNT_ID not in out:
        out[s.ACCOUNT_ID] = [f"P{i + 1}" for i in range(len(out))]
    ids = out[s.ACCOUNT_ID].fillna("").astype(str)
    blank = ids.str.len().to_numpy() == 0
    out[s.ACCOUNT_ID] = np.where(blank, [f"P{i + 1}" for i in range(len(out))], ids)
    order = [f.name for f in PROSPECT_FIELDS if f.name in out]
    return out[order]
