"""The column parsers' shortcuts (offsets, dictionaries, ordered ids) agree with the plain
rules they stand in for, on any cells, including slices that share a bigger buffer and nulls."""

from __future__ import annotations

from itertools import pairwise

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given
from hypothesis import strategies as st

from analysis.ingest.values import (
    BLANK_VALUES,
    FALSE_WORDS,
    TRUE_WORDS,
    as_text,
    ascending,
    blank_mask,
    first_bytes,
    parse_bool,
    parse_ids,
    parse_number,
)

_WORDS = [*BLANK_VALUES, *TRUE_WORDS, *FALSE_WORDS, "North", "N", "Nx", "n/ab", " ", "0012", "7.0"]
cells = st.lists(st.one_of(st.none(), st.sampled_from(_WORDS), st.text(max_size=10)), max_size=40)


def _arrays(values: list, cut: int) -> list[pa.Array]:
    """The cells as a whole array and as a slice of a longer one."""
    whole = pa.array(values, pa.string())
    padded = pa.array(["pad-" * 3] * cut + values + ["N/A"] * cut, pa.string())
    return [whole, padded.slice(cut, len(values))]


@given(cells, st.integers(0, 3))
def test_blank_mask_is_a_lookup_of_every_cell(values, cut):
    expected = [v is None or v in BLANK_VALUES for v in values]
    for text in _arrays(values, cut):
        assert blank_mask(text).tolist() == expected


@given(cells, st.integers(0, 3))
def test_first_bytes_read_from_offsets(values, cut):
    expected = [v.encode()[0] if v else -1 for v in values]
    for text in _arrays(values, cut):
        assert first_bytes(text).tolist() == expected


@given(cells)
def test_parse_bool_classifies_each_cell(values):
    parsed = parse_bool(pa.array(values, pa.string()))
    for cell, value, blank, failed in zip(
        values, parsed.values.to_pylist(), parsed.blank, parsed.failed, strict=True
    ):
        word = (cell or "").strip().lower()
        truth = True if word in TRUE_WORDS else False if word in FALSE_WORDS else None
        empty = cell is None or cell.strip() in BLANK_VALUES
        assert value is truth
        assert blank == (empty and truth is not False)
        assert failed == (not empty and truth is None)


@given(st.lists(st.text(alphabet="A-0123", max_size=5), max_size=30))
def test_ascending_means_distinct_and_ordered(values):
    expected = all((len(a), a.encode()) < (len(b), b.encode()) for a, b in pairwise(values))
    assert ascending(pa.array(values, pa.string())) == expected
    if ascending(pa.array(values, pa.string())):
        assert len(set(values)) == len(values)


def test_ascending_nulls_say_no():
    assert not ascending(pa.array(["A-1", None], pa.string()))


@given(
    st.lists(st.sampled_from(["A-1", "007", "7", "7.0", "12", "7.02E+12", "", "N/A"]), max_size=20)
)
def test_ids_checks_agree_with_or_without_digits(values):
    check = parse_ids(pa.array(values, pa.string()))
    digits = [v for v in values if v and v[0].isdigit()]
    assert check.scientific == sum(1 for v in values if "E+" in v)
    if not digits:
        assert not check.leading_zero
    assert check.values.to_pylist() == [
        None if v in ("", "N/A") else v.removesuffix(".0") for v in values
    ]


@given(
    st.lists(
        st.one_of(
            st.sampled_from(["$1,234.50", "12", "-", "N/A", "€ 3", "£4", "1\u00a0000", "(5)"]),
            st.decimals(-1e6, 1e6, places=2, allow_nan=False).map(str),
        ),
        max_size=20,
    ),
    st.integers(0, 3),
)
def test_parse_number_same_on_a_slice(values, cut):
    whole, part = (parse_number(text) for text in _arrays(values, cut))
    assert whole.values.to_pylist() == part.values.to_pylist()
    assert whole.failed.tolist() == part.failed.tolist()


@given(st.lists(st.one_of(st.none(), st.text(max_size=8)), max_size=30), st.integers(0, 3))
def test_as_text_trims_exactly_like_arrow(values, cut):
    for text in _arrays(values, cut):
        assert as_text(text).to_pylist() == pc.utf8_trim_whitespace(text).to_pylist()


@given(
    st.lists(
        st.sampled_from(["$1", "1$", "$1$2", "12 €", "€12", "1 000", " 5 ", "£3", "\u00a07", "9"]),
        min_size=1,
        max_size=20,
    )
)
def test_currency_marks_anywhere_are_removed(values):
    parsed = parse_number(pa.array(values, pa.string()))
    expected = [
        float("".join(c for c in v if c.isdigit() or c == ".")) if v.strip() else None
        for v in values
    ]
    assert parsed.values.to_pylist() == expected


def test_a_second_thread_changes_nothing(tmp_path):
    """Columns parsed ahead on a second thread give the same table, counts, quarantine and
    warnings, in the same order, as parsing them one by one."""
    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    rows = ["Account,Name,Revenue,Region,Industry,Exec sponsor,Orders,Since,Score"]
    for i in range(300):
        revenue = ["$1,200.50", "N/A", "abc", "(40)", "12%"][i % 5]
        since = ["2024-01-05", "05/01/2024", "-", "45000", "soon"][i % 4]
        rows.append(
            f"A{i % 290},Co {i},{revenue},{['North', '', 'NULL'][i % 3]},Retail,"
            f"{['Yes', 'no', 'maybe'][i % 3]},{['3', 'x', ''][i % 3]},{since},{i / 7:.2f}"
        )
    file = InputFile("accounts.csv", "\n".join(rows).encode())
    config = IngestConfig()
    threads = pa.cpu_count()
    try:
        pa.set_cpu_count(2)
        two = load_portfolio([file], config)
        pa.set_cpu_count(1)
        one = load_portfolio([file], config)
    finally:
        pa.set_cpu_count(threads)
    pd.testing.assert_frame_equal(two.accounts, one.accounts)
    pd.testing.assert_frame_equal(two.quarantine, one.quarantine)
    assert two.files == one.files and two.warnings == one.warnings
    assert list(two.files[0].parse_counts) == list(one.files[0].parse_counts)
    assert len(one.quarantine) > 100 and one.warnings


@given(cells)
def test_category_reads_like_text(values):
    """Dictionary codes for products give the same cells and counts as plain text."""
    import numpy as np

    from analysis.ingest.columns import ColumnParser
    from analysis.ingest.models import RawTable

    frame = pd.DataFrame({"p": pd.array(values, dtype=pd.ArrowDtype(pa.string()))})
    raw = RawTable(frame=frame, file="f.csv", lines=np.arange(len(values)))
    as_codes, as_text_ = ColumnParser(raw), ColumnParser(raw)
    assert as_codes.category("p").to_pylist() == as_text_.text("p").to_pylist()
    assert as_codes.counts == as_text_.counts
