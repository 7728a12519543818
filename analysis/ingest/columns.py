"""Parse the mapped columns of one raw table, counting and recording every cell that fails.

A ``ColumnParser`` lives for one file: it hands back parsed numpy/Arrow columns and collects
per-column counts (parsed, blank, failed) and quarantine entries with the original line number.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.ingest.models import RawTable
from analysis.ingest.values import (
    Parsed,
    as_text,
    blank_cells,
    blank_mask,
    parse_bool,
    parse_date,
    parse_ids,
    parse_number,
)

# Rough relative cost of parsing a text column as each kind, to share them between threads.
_PARSE_COST = MappingProxyType(
    {"number": 3, "date": 3, "bool": 2, "category": 2, "text": 1, "ids": 1}
)
# The parser for each kind of schema field (schema.py); any other kind is parsed as text.
PARSER_KINDS = MappingProxyType(
    {"money": "number", "count": "number", "number": "number", "date": "date", "bool": "bool"}
)
QUARANTINE_COLUMNS = ("file", "row", "column", "value", "reason")


def empty_quarantine() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": pd.Series(dtype="str"),
            "row": pd.Series(dtype="int64"),
            "column": pd.Series(dtype="str"),
            "value": pd.Series(dtype="str"),
            "reason": pd.Series(dtype="str"),
        }
    )


@dataclass
class ColumnParser:
    """Parses columns of one ``RawTable`` and remembers what went wrong, by line."""

    raw: RawTable
    date_order: str = "auto"
    counts: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    issues: list[pd.DataFrame] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _ahead: dict[tuple[str, str], Future] = field(default_factory=dict, repr=False)

    @contextmanager
    def parsing_ahead(self, columns: list[tuple[str, str]]) -> Iterator[None]:
        """Within this block, about half of these (kind, source) columns are parsed on a second
        thread while the others are parsed on this one: Arrow's kernels and numpy release the
        GIL, so two columns parse at once. Columns the typed read already parsed are left out
        (nothing to do), and so is everything when Arrow may use one core only (the upload
        sandbox). Each method below takes its column's result when asked, so counts,
        quarantine and warnings keep the order they are asked in."""
        if pa.cpu_count() < 2:
            yield
            return
        with ThreadPoolExecutor(max_workers=1) as pool:
            here, there = _PARSE_COST["ids"], 0  # this thread starts with the ids
            for kind, source in columns:
                dtype = self.raw.frame[source].dtype
                if pd.api.types.is_float_dtype(dtype) or pd.api.types.is_datetime64_dtype(dtype):
                    continue
                if there < here:
                    column = self.raw.frame[source]  # read here: the frame is not shared
                    self._ahead[kind, source] = pool.submit(self._parsers[kind], self, column)
                    there += _PARSE_COST[kind]
                else:
                    here += _PARSE_COST[kind]
            try:
                yield
            finally:
                self._ahead.clear()

    def _parsed(self, kind: str, source: str):
        """A column's parse: the one started ahead, or one done here and now."""
        ahead = self._ahead.pop((kind, source), None)
        if ahead is not None:
            return ahead.result()
        return self._parsers[kind](self, self.raw.frame[source])

    def _parse_number(self, column) -> Parsed:
        return parse_number(column, decimal_comma=self.decimal_comma)

    def _parse_date(self, column) -> Parsed:
        return parse_date(column, order=self.date_order, prefer_dmy=self.decimal_comma)

    def _parse_text(self, column) -> tuple[pa.Array, np.ndarray]:
        text = as_text(column)
        return text, blank_mask(text)

    def _parse_category(self, column) -> tuple[pa.DictionaryArray, np.ndarray]:
        codes = pc.dictionary_encode(as_text(column))
        return codes, blank_cells(codes)

    _parsers = MappingProxyType(
        {
            "number": _parse_number,
            "date": _parse_date,
            "bool": lambda self, column: parse_bool(column),
            "text": _parse_text,
            "category": _parse_category,
            "ids": lambda self, column: parse_ids(column),
        }
    )

    @property
    def n(self) -> int:
        return len(self.raw.frame)

    @property
    def decimal_comma(self) -> bool:
        return self.raw.delimiter == ";"

    def record(self, source: str, mask: np.ndarray, reason: str) -> None:
        """Add the cells of ``source`` where ``mask`` is true to the quarantine list."""
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        values = as_text(self.raw.frame[source]).take(pa.array(idx)).to_pylist() if source else ""
        self.issues.append(
            pd.DataFrame(
                {
                    "file": self.raw.file,
                    "row": self.raw.lines[idx],
                    "column": source,
                    "value": pd.array([v or "" for v in values], dtype="str") if source else "",
                    "reason": reason,
                }
            )
        )

    def _count(self, source: str, parsed: Parsed, required: bool, what: str) -> None:
        self.counts[source] = parsed.counts()
        if not required:
            self.record(source, parsed.failed, f"ignored value: not {what}")

    def number(self, source: str, *, required: bool = False) -> tuple[np.ndarray, Parsed]:
        column = self.raw.frame[source]
        if pd.api.types.is_float_dtype(column.dtype):  # already parsed by read.read_typed
            values = column.to_numpy(dtype=float, na_value=np.nan)
            blank = np.isnan(values)
            parsed = Parsed(pa.array(values, from_pandas=True), blank, np.zeros(len(blank), bool))
            self._count(source, parsed, required, "a number")
            return values, parsed
        parsed = self._parsed("number", source)
        self._count(source, parsed, required, "a number")
        return parsed.values.to_numpy(zero_copy_only=False).astype(float, copy=False), parsed

    def boolean(self, source: str) -> pa.Array:
        parsed = self._parsed("bool", source)
        self._count(source, parsed, False, "yes/no")
        return parsed.values

    def date(self, source: str) -> pa.Array:
        column = self.raw.frame[source]
        if pd.api.types.is_datetime64_dtype(column.dtype):  # already parsed by read.read_typed
            values = pa.Array.from_pandas(column)
            blank = np.asarray(values.is_null().to_numpy(zero_copy_only=False), bool)
            parsed = Parsed(pc.cast(values, pa.date32()), blank, np.zeros(len(blank), bool))
            self._count(source, parsed, False, "a date")
            return parsed.values
        parsed = self._parsed("date", source)
        self._count(source, parsed, False, "a date")
        if parsed.note:
            self.warnings.append(
                f"Dates in {self.raw.file}, column '{source}', are {parsed.note}; "
                "choose the date order in settings if that is wrong."
            )
        return parsed.values

    def _count_blanks(self, source: str, blank: np.ndarray) -> int:
        """Counts for a column whose cells are either filled or blank (text, ids): the blanks."""
        blanks = int(blank.sum())
        self.counts[source] = (self.n - blanks, blanks, 0)
        return blanks

    def text(self, source: str) -> pa.Array:
        text, blank = self._parsed("text", source)
        blanks = self._count_blanks(source, blank)
        return pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), text) if blanks else text

    def category(self, source: str) -> pa.DictionaryArray:
        """``text`` for a column of few distinct values (products), as dictionary codes: the
        blank check runs on the distinct values only, and grouping by the codes needs no hash."""
        codes, blank = self._parsed("category", source)
        self._count_blanks(source, blank)
        indices = pc.fill_null(codes.indices, 0).to_numpy(zero_copy_only=False)
        return pa.DictionaryArray.from_arrays(pa.array(indices, mask=blank), codes.dictionary)

    def ids(self, source: str, *, label: str = "Account ID") -> tuple[pa.Array, np.ndarray]:
        check = self._parsed("ids", source)
        self._count_blanks(source, check.blank)
        self.record(source, check.blank, "account id is blank")
        if check.scientific:
            self.warnings.append(
                f"{label} in {self.raw.file} looks like Excel turned IDs into numbers "
                f"({check.scientific:,} like 7.02255E+12): precision is lost; re-export as text."
            )
        if check.leading_zero:
            self.warnings.append(
                f"{label} in {self.raw.file} has digit-only IDs of mixed widths, some with leading "
                "zeros: Excel may have stripped zeros; re-export as text if IDs do not match."
            )
        return check.values, check.blank

    def quarantine(self) -> pd.DataFrame:
        frames = [f for f in self.issues if len(f)]
        for line, text, reason in self.raw.rejected:
            frames.append(
                pd.DataFrame(
                    {
                        "file": [self.raw.file],
                        "row": [line],
                        "column": [""],
                        "value": [text],
                        "reason": [reason],
                    }
                )
            )
        if not frames:
            return empty_quarantine()
        return pd.concat(frames, ignore_index=True).astype({"row": "int64"})
