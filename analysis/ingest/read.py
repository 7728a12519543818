"""Bytes to a ``RawTable``: every column as text, the real header found, report rows trimmed.

Delimited text goes through pyarrow's CSV reader (fast, multi-threaded); files whose rows do not
all have the header's width fall back to Python's csv module so every ragged row keeps its line
number and is reported. Workbooks go through python-calamine, Parquet through pyarrow.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from analysis.errors import InputFileError
from analysis.ingest.formats import detect_encoding, detect_format
from analysis.ingest.models import IngestConfig, InputFile, RawTable
from analysis.ingest.values import BLANK_VALUES, BLANKS, first_bytes, whole

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 256 * 1024
_NUMERIC_CELL = re.compile(r"^[\s$€£(+-]*[\d.,]+[\s%)€£]*$|^\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}")
_FOOTER = re.compile(
    r"^\s*((grand\s+)?totals?\s*($|\(|:)|confidential|copyright|\(c\)|©|generated|"
    r"report\s+(run|generated)|powered\s+by|printed|run\s+(on|at)|"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday),)",
    re.IGNORECASE,
)
# Text columns as Arrow ``string`` in pandas: no copy into pandas' large_string and back, which
# for a 1M-row file costs ~0.2 s and a second copy of every text column.
ARROW_TEXT = MappingProxyType({pa.string(): pd.ArrowDtype(pa.string())})
BLANK_WORDS = frozenset(BLANKS) | {"nan"}
_SUBTOTAL = r"(?i)^\s*((grand\s+)?totals?|sub-?totals?)(\s|$|:)"


def preview_raw(file: InputFile, config: IngestConfig | None = None, rows: int = 200) -> RawTable:
    """`read_raw` keeping only the first `rows` rows (and the row count): what the Data page
    shows while the user confirms roles and mappings, without carrying a whole file around."""
    raw = read_raw(file, config)
    return replace(
        raw, frame=raw.frame.head(rows), lines=raw.lines[:rows], total_rows=len(raw.frame)
    )


def read_raw(file: InputFile, config: IngestConfig | None = None) -> RawTable:
    """Read one file into a ``RawTable`` (all text), whatever its format.

    Raises ``InputFileError`` naming the file for anything that cannot be read as a table.
    """
    config = config or IngestConfig()
    check_size(file, config)
    return read_kind(file, config, detect_format(file.name, file.data))


def read_kind(file: InputFile, config: IngestConfig, kind: str) -> RawTable:
    """``read_raw`` once the format is known (``formats.detect_format``)."""
    if kind == "csv":
        raw = _read_text(file)
    elif kind == "parquet":
        raw = _read_parquet(file)
    else:
        raw = _read_workbook(file, config.sheet.get(file.name) or file.sheet)
    return _limit(raw, config)


def check_size(file: InputFile, config: IngestConfig) -> None:
    """Refuse a file above the byte limit before anything reads it."""
    if len(file.data) > config.max_bytes:
        raise InputFileError(
            file.name,
            f"the file is {len(file.data) / 2**20:,.0f} MB; the limit is "
            f"{config.max_bytes / 2**20:,.0f} MB.",
        )


def _limit(raw: RawTable, config: IngestConfig) -> RawTable:
    if len(raw.frame) > config.max_rows:
        raise InputFileError(
            raw.file, f"the file has {len(raw.frame):,} rows; the limit is {config.max_rows:,}."
        )
    return raw


# ---- delimited text -------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLayout:
    """Where a delimited file's table is: decoded UTF-8 bytes, header and the body's offset."""

    buf: bytes
    encoding: str
    delimiter: str
    names: list[str]
    offset: int
    first_line: int
    trimmed_top: list[str]
    one_line_rows: int
    sample: tuple[tuple[str, ...], ...] = ()

    @property
    def body(self) -> pa.Buffer:
        return pa.py_buffer(self.buf).slice(self.offset)


def text_layout(file: InputFile) -> TextLayout:
    """Encoding, delimiter and header of a delimited file, judged on a sample (the encoding on
    every byte); raises ``InputFileError`` when no header row is found."""
    encoding = detect_encoding(file.data)
    if encoding == "utf-8":
        buf = file.data
    elif encoding == "utf-8-sig":
        buf = file.data[3:]
    else:
        try:
            buf = file.data.decode(encoding).lstrip("\ufeff").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputFileError(file.name, f"the text is not valid {encoding}.") from exc
    cut = buf.rfind(b"\n", 0, SAMPLE_BYTES) if len(buf) > SAMPLE_BYTES else len(buf)
    sample = buf[: cut if cut > 0 else SAMPLE_BYTES].decode("utf-8", errors="replace")
    lines = list(io.StringIO(sample, newline=""))
    delimiter = sniff_delimiter(lines)
    rows, starts = _sample_rows(lines, delimiter)
    header_at = find_header(rows)
    if header_at is None:
        raise InputFileError(file.name, "no header row was found: the file has no table in it.")
    header_line = starts[header_at]
    header_end = starts[header_at + 1] if header_at + 1 < len(starts) else header_line + 1
    names = _unique_names(rows[header_at][: _width(rows[header_at])] or rows[header_at])
    offset = sum(len(line.encode("utf-8")) for line in lines[:header_end])
    trimmed_top = [line.rstrip("\r\n") for line in lines[:header_line] if line.strip()]
    one_line_rows = _newlines(buf, offset) + (0 if buf.endswith(b"\n") else 1)
    sample = tuple(tuple(row) for row in rows[header_at + 1 :])
    return TextLayout(
        buf, encoding, delimiter, names, offset, header_end + 1, trimmed_top, one_line_rows, sample
    )


def _newlines(buf: bytes, start: int) -> int:
    """Line breaks from ``start`` on: numpy over 4 MB slices, four times ``bytes.count``."""
    codes = np.frombuffer(buf, np.uint8)[start:]
    step = 4 * 2**20
    return sum(int(np.count_nonzero(codes[i : i + step] == 10)) for i in range(0, len(codes), step))


def _read_text(
    file: InputFile, layout: TextLayout | None = None, *, arrow_text: bool = False
) -> RawTable:
    layout = layout or text_layout(file)
    delimiter, names = layout.delimiter, layout.names
    table, lines_of_rows = _parse_arrow(
        layout.body, delimiter, names, layout.first_line, layout.one_line_rows
    )
    rejected: tuple[tuple[int, str, str], ...] = ()
    if table is None:
        try:
            table, lines_of_rows, rejected = _parse_python(
                layout.buf[layout.offset :], delimiter, names, layout.first_line
            )
        except _BrokenCsv as broken:
            raise InputFileError(
                file.name,
                "a quoted value starts here and never ends, so the rest of the file cannot be "
                "split into rows.",
                row=broken.line,
                hint='Check for a stray double quote (") on that line.',
            ) from None
    return _finish(
        file,
        table,
        lines_of_rows,
        layout.trimmed_top,
        encoding=layout.encoding,
        delimiter=delimiter,
        rejected=rejected,
        arrow_text=arrow_text,
    )


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter under which the largest share of sample rows has one width, then the most
    such rows (ties: , tab ; |).

    A share, not a count: under the wrong delimiter, quoted line breaks split one row into
    several short ones that could outnumber the real rows, but never all agree with the header."""
    best, best_score = ",", (0.0, 0, 0)
    for delimiter in DELIMITERS:
        try:
            widths = [len(row) for row in csv.reader(lines[:200], delimiter=delimiter) if row]
        except csv.Error:  # e.g. one "field" longer than csv allows: not this delimiter
            continue
        wide = [w for w in widths if w > 1]
        if not wide:
            continue
        modal = max(set(wide), key=wide.count)
        score = (widths.count(modal) / len(widths), widths.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_rows(lines: list[str], delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Rows of the sample and the 0-based line each starts on."""
    reader = csv.reader(iter(lines[:400]), delimiter=delimiter)
    rows, starts = [], []
    while True:
        start = reader.line_num
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            break
        rows.append(row)
        starts.append(start)
    return rows, starts


def find_header(rows: list[list]) -> int | None:
    """The first row whose cells are mostly non-empty text and that the following rows fit."""
    texts = [[str(c).strip() if c is not None else "" for c in row] for row in rows[:200]]
    for i, row in enumerate(texts):
        width = len(row)
        while width and not row[width - 1]:
            width -= 1
        filled = [c for c in row[:width] if c]
        if not filled:
            continue
        words = [c for c in filled if not _NUMERIC_CELL.match(c)]
        if len(words) < max(1, 0.6 * len(filled)) or len(filled) < max(1, width - 1):
            continue
        following = [r for r in texts[i + 1 : i + 11] if any(r)]
        if not following:
            return i if width > 1 or i == len(texts) - 1 else None
        fits = sum(
            1 for r in following if _width(r) <= width + 0 and _width(r) >= max(2, width // 2)
        )
        if (
            width == 1
            and all(_width(r) <= 1 for r in following)
            and len(texts) == len(following) + i + 1
        ):
            return i
        if width > 1 and fits >= max(1, len(following) // 2):
            return i
    return None


def _width(row: list[str]) -> int:
    width = len(row)
    while width and not row[width - 1]:
        width -= 1
    return width


def _parse_arrow(
    body: pa.Buffer, delimiter: str, names: list[str], first_line: int, one_line_rows: int
) -> tuple[pa.Table | None, np.ndarray]:
    """Parse with pyarrow; None when some row does not have the header's width.

    The fast mode assumes no quoted value holds a line break; when the row count shows one
    does (or the fast mode fails), the file is parsed again in the slower mode that allows
    them, and each row's line is found by counting the breaks inside its values.
    """
    table = _arrow_csv(body, delimiter, names, newlines_in_values=False)
    if table is not None and table.num_rows == one_line_rows:
        return table, first_line + np.arange(table.num_rows, dtype=np.int64)
    table = _arrow_csv(body, delimiter, names, newlines_in_values=True)
    if table is None:
        return None, np.zeros(0, np.int64)
    extra = np.zeros(table.num_rows, np.int64)
    for column in table.columns:
        extra += pc.fill_null(pc.count_substring(column, "\n"), 0).to_numpy(zero_copy_only=False)
    lines = (
        first_line
        + np.arange(table.num_rows, dtype=np.int64)
        + np.concatenate(([0], np.cumsum(extra)[:-1]))[: table.num_rows]
    )
    return table, lines


def _arrow_csv(
    body: pa.Buffer,
    delimiter: str,
    names: list[str],
    *,
    newlines_in_values: bool,
    column_types: dict[str, pa.DataType] | None = None,
) -> pa.Table | None:
    bad: list[int] = []

    def on_invalid(row) -> str:
        bad.append(1)
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(body),
            read_options=pacsv.ReadOptions(column_names=names, block_size=16 * 2**20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=newlines_in_values,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()) | (column_types or {}),
                strings_can_be_null=False,
                quoted_strings_can_be_null=column_types is not None,
                null_values=BLANK_VALUES if column_types else [],
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowKeyError, pa.ArrowNotImplementedError):
        return None
    hand_back_memory()
    return None if bad else table


def hand_back_memory() -> None:
    """Give the memory Arrow has freed back to the system. Its pool keeps freed pages for
    reuse, so the CSV reader's scratch space stayed resident while the columns were parsed:
    a 1M-row accounts file peaked at 4.4x its size instead of 3.8x. Costs a few milliseconds."""
    pa.default_memory_pool().release_unused()


def read_layout(file: InputFile, layout: TextLayout, config: IngestConfig) -> RawTable:
    """``read_raw`` for a delimited file whose layout is already known, for ingest's own use:
    the text columns stay Arrow ``string`` (see ``ARROW_TEXT``)."""
    return _limit(_read_text(file, layout, arrow_text=True), config)


def read_typed(
    file: InputFile, layout: TextLayout, column_types: dict[str, pa.DataType], config: IngestConfig
) -> RawTable | None:
    """The fast path for big plain files: the named columns parsed by the CSV reader itself
    (numbers as float64, dates as timestamps; blank placeholders null), the rest as text.

    Returns None, for the caller to take ``read_layout``, whenever the careful path could
    differ: a cell that does not cast, a ragged row, a line break inside a value, a footer or
    subtotal row, or a non-finite number. The caller checks the columns it requires.
    """
    if layout.delimiter == ";" or layout.encoding not in ("utf-8", "utf-8-sig"):
        return None
    names = layout.names
    table = _arrow_csv(
        layout.body,
        layout.delimiter,
        names,
        newlines_in_values=False,
        column_types=column_types,
    )
    if table is None or table.num_rows != layout.one_line_rows or table.num_rows == 0:
        return None
    if _has_blank_rows(table):
        return None
    for name, kind in column_types.items():
        finite = pc.is_finite(table.column(name)) if pa.types.is_floating(kind) else None
        if finite is not None and pc.any(pc.invert(finite)).as_py():
            return None
    last = [_typed_cell(table.column(i)[-1]) for i in range(table.num_columns)]
    filled = [c for c in last if c.strip()]
    if (len(filled) <= 1 and table.num_columns > 1) or _FOOTER.match(
        last[0].strip() or " ".join(filled)
    ):
        return None
    if pa.types.is_string(table.column(0).type) and _may_say_total(table.column(0)):
        return None
    rows = table.num_rows
    columns = dict(zip(table.column_names, table.columns, strict=True))
    del table
    raw = RawTable(  # text stays Arrow ``string`` (no large_string copy there and back)
        frame=_one_chunk_each(columns).to_pandas(types_mapper=ARROW_TEXT.get, split_blocks=True),
        file=file.name,
        trimmed_top=layout.trimmed_top,
        encoding=layout.encoding,
        delimiter=layout.delimiter,
        lines=layout.first_line + np.arange(rows, dtype=np.int64),
    )
    return _limit(raw, config)


def _one_chunk_each(columns: dict[str, pa.ChunkedArray]) -> pa.Table:
    """The reader's blocks joined into one chunk per column. Parsing then works on whole
    columns without joining them again, and numbers reach pandas without a copy. ``columns``
    is emptied a column at a time, so each original is freed as soon as it is copied (the
    caller holds no other reference)."""
    joined = {}
    while columns:
        name, column = columns.popitem()
        joined[name] = whole(column)
        del column
    hand_back_memory()
    return pa.table(dict(reversed(joined.items())))


def sample_fits(layout: TextLayout, column: str, pattern: re.Pattern) -> bool:
    """Whether every sampled cell of ``column`` is blank or matches ``pattern`` (so a typed
    read is worth trying)."""
    index = layout.names.index(column)
    cells = [row[index].strip() for row in layout.sample if index < len(row)]
    return all(pattern.match(c) or c.lower() in BLANK_WORDS for c in cells)


def _has_blank_rows(table: pa.Table) -> bool:
    """Whether some row has no filled cell (the careful path drops those without a trace).
    Typed columns go first: one without nulls settles it at no cost."""
    typed = [c for c in table.columns if not pa.types.is_string(c.type)]
    if any(c.null_count == 0 for c in typed):
        return False
    candidates = np.ones(table.num_rows, bool)
    for column in typed + [c for c in table.columns if pa.types.is_string(c.type)]:
        if pa.types.is_string(column.type):
            candidates &= _filled(column) == 0
        else:
            candidates &= np.asarray(column.is_null().to_numpy(zero_copy_only=False), bool)
        if not candidates.any():
            return False
    return True


def _may_say_total(column: pa.ChunkedArray) -> bool:
    """Whether a cell reads as a subtotal label ("Total ...", "Grand total", "Subtotal"), which
    the careful path would drop. Only cells starting with one of those letters, a space or a
    non-ASCII byte are matched: ids and invoice numbers are ruled out from the offsets."""
    for chunk in column.chunks:
        first = first_bytes(chunk)
        index = np.flatnonzero(_SUBTOTAL_START[np.maximum(first, 0)] & (first >= 0))
        if len(index):
            cells = pc.utf8_trim_whitespace(chunk.take(pa.array(index)))
            if pc.any(pc.match_substring_regex(cells, _SUBTOTAL)).as_py():
                return True
    return False


_SUBTOTAL_START = np.zeros(256, bool)  # bytes a subtotal label may start with, before trimming
_SUBTOTAL_START[[*b"tTgGsS\t\n\v\f\r ", *range(128, 256)]] = True
_SUBTOTAL_START.flags.writeable = False


def _typed_cell(value: pa.Scalar) -> str:
    """A cell's text for the footer check: typed values (numbers, dates) can never be a footer
    label, so any non-blank stand-in does; nulls are blank."""
    if not value.is_valid:
        return ""
    return value.as_py() if pa.types.is_string(value.type) else "0"


class _BrokenCsv(Exception):
    """The slow parser's way of saying where the CSV stopped making sense."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line


def _parse_python(body: bytes, delimiter: str, names: list[str], first_line: int):
    """Slow but exact: every row keeps its line; rows wider than the header are rejected."""
    text = body.decode("utf-8", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = len(names)
    rows, lines, rejected = [], [], []
    start = 0
    while True:
        line = first_line + start
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # an unclosed quote swallowing the rest of the file
            raise _BrokenCsv(line, str(error)) from None
        start = reader.line_num
        if len(row) > width and any(c.strip() for c in row[width:]):
            reason = f"row has {len(row)} fields, the header has {width}"
            rejected.append((line, delimiter.join(row)[:500], reason))
            continue
        rows.append((row + [""] * width)[:width])
        lines.append(line)
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names, columns, strict=True)})
    return table, np.asarray(lines, np.int64), tuple(rejected)


def _unique_names(header: list) -> list[str]:
    names, seen = [], {}
    for i, cell in enumerate(header):
        name = str(cell).strip() if cell is not None else ""
        name = name or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        names.append(name)
    return names


# ---- trimming shared by every format --------------------------------------------------------


def _finish(
    file: InputFile,
    table: pa.Table,
    lines: np.ndarray,
    trimmed_top: list[str],
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheets: tuple[str, ...] = (),
    sheet: str | None = None,
    rejected: tuple = (),
    arrow_text: bool = False,
) -> RawTable:
    """Drop blank rows, trim footers from the bottom and subtotal rows anywhere.

    Works on Arrow columns (one cheap pass each); only the last rows are looked at in Python.
    """
    table = table.rename_columns(_unique_names(table.column_names))
    if table.num_columns == 0:
        raise InputFileError(file.name, "no columns were found.")
    counts = np.zeros(table.num_rows, np.int64)
    for column in table.columns:
        counts += _filled(column)
    keep = counts > 0
    if not keep.all():
        table, lines, counts = table.filter(pa.array(keep)), lines[keep], counts[keep]
    bottom = table.num_rows
    tail = table.slice(max(0, bottom - 50)).to_pylist()
    while bottom > 0 and table.num_rows - bottom < 50:
        cells = [
            "" if v is None else str(v)
            for v in tail[len(tail) - (table.num_rows - bottom) - 1].values()
        ]
        label = cells[0].strip()
        row_text = " ".join(v for v in cells if v.strip())
        if (counts[bottom - 1] <= 1 and table.num_columns > 1) or _FOOTER.match(label or row_text):
            bottom -= 1
        else:
            break
    trimmed_bottom = [_row_text(row) for row in tail[len(tail) - (table.num_rows - bottom) :]]
    if bottom < table.num_rows:
        table, lines = table.slice(0, bottom), lines[:bottom]
    subtotal = _subtotals(table) if table.num_columns > 1 else None
    subtotals: list[str] = []
    if subtotal is not None:
        subtotals = [_row_text(row) for row in table.filter(pa.array(subtotal)).to_pylist()]
        table, lines = table.filter(pa.array(~subtotal)), lines[~subtotal]
    if table.num_rows == 0:
        raise InputFileError(file.name, "the file has a header but no data rows.")
    return RawTable(
        frame=table.to_pandas(types_mapper=ARROW_TEXT.get if arrow_text else None),
        file=file.name,
        sheets=sheets,
        sheet=sheet,
        trimmed_top=trimmed_top,
        trimmed_bottom=trimmed_bottom,
        encoding=encoding,
        delimiter=delimiter,
        lines=np.asarray(lines, np.int64),
        rejected=tuple(rejected),
        subtotals=subtotals,
    )


def _filled(column: pa.ChunkedArray) -> np.ndarray:
    """Cells holding something other than whitespace, as 0/1."""
    filled = pc.and_not(pc.greater(pc.binary_length(column), 0), pc.utf8_is_space(column))
    return np.asarray(pc.fill_null(filled, False).to_numpy(zero_copy_only=False), np.int64)


def _subtotals(table: pa.Table) -> np.ndarray | None:
    """Rows labelled "Total X" (X another row's label) or plain "Total": None when there are
    none. Only columns whose first cell says total are looked at, so the check is cheap."""
    first = table.column(0).combine_chunks()
    if not pc.any(pc.match_substring(first, "total", ignore_case=True)).as_py():
        return None
    first = pc.utf8_trim_whitespace(first)
    subtotal = np.asarray(
        pc.fill_null(pc.match_substring_regex(first, _SUBTOTAL), False).to_numpy(
            zero_copy_only=False
        ),
        bool,
    )
    if not subtotal.any():
        return None
    lowered = pc.utf8_lower(first)
    labels = pc.unique(pc.filter(lowered, pa.array(~subtotal)))
    rest = pc.utf8_trim_whitespace(pc.replace_substring_regex(lowered, _SUBTOTAL, ""))
    names_other_row = np.asarray(
        pc.is_in(rest, value_set=labels).to_numpy(zero_copy_only=False), bool
    )
    empty = np.asarray(pc.equal(rest, "").to_numpy(zero_copy_only=False), bool)
    subtotal &= empty | names_other_row
    return subtotal if subtotal.any() else None


def _row_text(row: dict) -> str:
    return ",".join(str(v) for v in row.values() if v is not None and str(v).strip())


# ---- workbooks and Parquet ------------------------------------------------------------------


def _read_workbook(file: InputFile, wanted: str | None) -> RawTable:
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(file.data))
        names = tuple(book.sheet_names)
        grids = {}
        if wanted is not None and wanted not in names:
            raise InputFileError(
                file.name, f"there is no sheet '{wanted}'. Sheets: {', '.join(names)}."
            )
        for name in [wanted] if wanted else names:
            grids[name] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except PasswordError as exc:
        raise InputFileError(file.name, "the workbook is password-protected.") from exc
    except InputFileError:
        raise
    except (CalamineError, ValueError, OSError, TypeError, RuntimeError) as exc:
        raise InputFileError(
            file.name, f"the workbook could not be read ({type(exc).__name__})."
        ) from exc
    if not names:
        raise InputFileError(file.name, "the workbook has no sheets.")
    sheet = wanted or max(names, key=lambda n: _data_score(grids[n]))
    rows = [[_cell_text(c) for c in row] for row in grids[sheet]]
    header_at = find_header(rows)
    if header_at is None:
        raise InputFileError(file.name, f"sheet '{sheet}' has no table in it.")
    header = rows[header_at]
    width = _width(header)
    names_ = _unique_names(header[:width])
    body = [(r + [""] * width)[:width] for r in rows[header_at + 1 :]]
    cells = list(zip(*body, strict=True)) if body else [()] * width
    table = pa.table({n: pa.array(c, pa.string()) for n, c in zip(names_, cells, strict=True)})
    lines = np.arange(header_at + 2, header_at + 2 + len(body), dtype=np.int64)
    trimmed_top = [",".join(c for c in r if c) for r in rows[:header_at] if any(r)]
    return _finish(file, table, lines, trimmed_top, sheets=names, sheet=sheet)


def _data_score(grid: list[list]) -> int:
    return sum(1 for row in grid[:2000] if sum(1 for c in row if c not in ("", None)) >= 2)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def _read_parquet(file: InputFile) -> RawTable:
    try:
        table = pq.read_table(pa.BufferReader(file.data))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
        raise InputFileError(file.name, "the Parquet file is truncated or corrupt.") from exc
    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    if nested:
        raise InputFileError(
            file.name,
            f"columns {', '.join(nested)} hold lists or records; Rightfit needs one value a cell.",
            hint="Flatten them before exporting.",
        )
    columns = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        try:
            columns[name] = pc.cast(column, pa.string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InputFileError(
                file.name, "this column type cannot be read.", column=name
            ) from exc
    if not columns or table.num_rows == 0:
        raise InputFileError(file.name, "the Parquet file has no rows.")
    lines = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return _finish(file, pa.table(columns), lines, [])
