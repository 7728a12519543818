"""Property: a table written in any supported dialect and encoding reads back cell for cell."""

from __future__ import annotations

import csv
import io

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.ingest import InputFile, read_raw

DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
HEADERS = ("Account ID", "Name", "Région", "Sales ($)", "Notes", "Owner", "Tier", "Ville")
# Realistic pieces of cells, including every delimiter, quotes, newlines and cp1252 letters.
TOKENS = (
    "Acme",
    "Müller",
    "café",
    "São Paulo",
    "€5",
    "“quoted”",
    "O'Brien",
    "naïve",
    "1.234,50",
    "3,5",
    "$1,200.00",
    "12",
    " ",
    ",",
    ";",
    "|",
    "\t",
    '"',
    '""',
    "\n",
    "-",
)

words = st.lists(st.sampled_from(TOKENS), max_size=4).map("".join)
filled = st.lists(st.sampled_from(TOKENS[:12]), min_size=1, max_size=3).map(" ".join)


@st.composite
def tables(draw) -> pd.DataFrame:
    names = draw(st.lists(st.sampled_from(HEADERS), min_size=2, max_size=5, unique=True))
    rows = draw(st.integers(1, 15))
    columns = {names[0]: [f"A{i:03d}" for i in range(rows)]}
    columns[names[1]] = draw(st.lists(filled, min_size=rows, max_size=rows))
    for name in names[2:]:
        columns[name] = draw(st.lists(words, min_size=rows, max_size=rows))
    return pd.DataFrame(columns, dtype="str")


def write(frame: pd.DataFrame, delimiter: str, encoding: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(frame.columns)
    writer.writerows(frame.itertuples(index=False))
    return buffer.getvalue().encode(encoding)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables(), st.sampled_from(DELIMITERS), st.sampled_from(ENCODINGS))
def test_written_table_reads_back_equal(frame, delimiter, encoding):
    data = write(frame, delimiter, encoding)
    raw = read_raw(InputFile("roundtrip.csv", data))
    assert raw.delimiter == delimiter
    assert raw.encoding == encoding or data.isascii()
    got = raw.frame.fillna("").astype("str")
    pd.testing.assert_frame_equal(got, frame, check_dtype=False)
    assert not raw.trimmed_top and not raw.trimmed_bottom and not raw.rejected
