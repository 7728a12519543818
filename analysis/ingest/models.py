"""The typed values ingest takes and returns: input files, settings, raw tables and the portfolio.

Settings are frozen and hashable (mappings are stored as ``FrozenMap``) so the UI can use an
``IngestConfig`` as a ``st.cache_data`` key.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

Role = Literal["accounts", "invoices", "tickets", "interactions"]
ROLES: tuple[str, ...] = ("accounts", "invoices", "tickets", "interactions")


class FrozenMap(Mapping):
    """An immutable, hashable mapping; nested mappings are frozen too."""

    __slots__ = ("_data", "_hash")

    def __init__(self, data: Mapping | None = None) -> None:
        items = {}
        for key, value in (data or {}).items():
            items[key] = FrozenMap(value) if isinstance(value, Mapping) else value
        object.__setattr__(self, "_data", items)
        object.__setattr__(self, "_hash", hash(tuple(sorted(items.items(), key=lambda kv: kv[0]))))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and dict(self.items()) == dict(other.items())

    def __setattr__(self, name, value):
        raise AttributeError("FrozenMap is immutable")

    def __repr__(self) -> str:
        return f"FrozenMap({self._data!r})"

    def __reduce__(self):
        return (FrozenMap, ({k: v for k, v in self._data.items()},))


@dataclass(frozen=True)
class InputFile:
    """One uploaded or read file: its name (used in every message), bytes and optional role."""

    name: str
    data: bytes = field(repr=False)
    role: str | None = None
    sheet: str | None = None


@dataclass(frozen=True)
class TicketRules:
    """Keyword rules that sort tickets into complaints, enhancement requests, rush demands or
    ordinary support: the ticket type is tried first, then subject and tags. Editable by users."""

    complaint: tuple[str, ...] = (
        "complain",
        "damaged",
        "broken",
        "unhappy",
        "wrong item",
        "refund",
        "dissatisf",
        "escalat",
    )
    enhancement: tuple[str, ...] = (
        "feature",
        "enhancement",
        "integration",
        "would like",
        "request for",
        "improvement",
    )
    rush: tuple[str, ...] = ("urgent", "rush", "expedite", "asap", "by friday", "same day")


@dataclass(frozen=True)
class IngestConfig:
    """How to read the user's files. ``roles`` and ``mappings`` are keyed by file name;
    ``mappings`` maps source header -> canonical field and overrides the suggestion."""

    max_bytes: int = 200 * 2**20
    max_rows: int = 5_000_000
    roles: Mapping[str, str] = field(default_factory=FrozenMap)
    mappings: Mapping[str, Mapping[str, str]] = field(default_factory=FrozenMap)
    date_order: Literal["auto", "dmy", "mdy", "ymd"] = "auto"
    duplicates: Literal["merge", "flag"] = "merge"
    ticket_rules: TicketRules = field(default_factory=TicketRules)
    sheet: Mapping[str, str] = field(default_factory=FrozenMap)

    def __post_init__(self) -> None:
        for name in ("roles", "mappings", "sheet"):
            value = getattr(self, name)
            if not isinstance(value, FrozenMap):
                object.__setattr__(self, name, FrozenMap(value))


@dataclass(frozen=True)
class RawTable:
    """A file's table before mapping: every column text, header found, report rows trimmed.

    ``lines`` holds the 1-based line of each row in the original file; ``rejected`` lists rows
    that could not be split into the header's columns as (line, text, reason). A preview (see
    ``read.preview_raw``) keeps only its first rows and says how many the file has in ``rows``.
    """

    frame: pd.DataFrame
    file: str
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    trimmed_top: list[str] = field(default_factory=list)
    trimmed_bottom: list[str] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    lines: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False)
    rejected: tuple[tuple[int, str, str], ...] = ()
    subtotals: list[str] = field(default_factory=list)
    total_rows: int | None = None

    @property
    def rows(self) -> int:
        """Rows in the file's table (also when `frame` is only a preview of them)."""
        return len(self.frame) if self.total_rows is None else self.total_rows


@dataclass(frozen=True)
class FileReport:
    """What ingest did with one file, for the Data page."""

    name: str
    role: str
    role_confidence: float
    mapping: Mapping[str, str]
    encoding: str | None
    delimiter: str | None
    sheet: str | None
    sheets: tuple[str, ...]
    trimmed_top: tuple[str, ...]
    trimmed_bottom: tuple[str, ...]
    parse_counts: Mapping[str, tuple[int, int, int]]
    rows_in: int
    rows_used: int
    rows_quarantined: int

    def parse_table(self) -> pd.DataFrame:
        """Per mapped column: how many values parsed, were blank, or failed."""
        return pd.DataFrame(
            [
                (column, self.mapping.get(column, ""), *counts)
                for column, counts in self.parse_counts.items()
            ],
            columns=["column", "field", "parsed", "blank", "failed"],
        )


@dataclass(frozen=True)
class Portfolio:
    """The canonical account table and everything the user needs to trust it."""

    accounts: pd.DataFrame
    account_quarters: pd.DataFrame | None
    quarantine: pd.DataFrame
    files: tuple[FileReport, ...]
    reconciliation: pd.DataFrame
    missing: tuple[str, ...]
    warnings: tuple[str, ...]
