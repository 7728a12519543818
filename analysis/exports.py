"""Downloads and CLI outputs: CSV, Excel and Parquet that are safe to open and never truncated.

Text cells that a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM(...)``, ``+1``)
are prefixed with ``'`` (OWASP CSV-injection advice); numbers stay numbers. Excel limits are
enforced here, so a user never gets a silently cut sheet.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from analysis.errors import RightfitError

EXCEL_MAX_ROWS = 1_048_575  # data rows below the header row
EXCEL_MAX_CELL = 32_767
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class ExportError(RightfitError):
    """An export that cannot be written without losing data."""


def neutralise_text(values: pd.Series) -> pd.Series:
    """Prefix text that a spreadsheet would evaluate; leave numbers and blanks alone."""
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return values
    text = values.astype("string")
    risky = text.str.startswith(_FORMULA_START).fillna(False) & values.map(
        lambda v: isinstance(v, str)
    ).astype(bool)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    out[risky] = "'" + text[risky]
    return out


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text column neutralised."""
    return frame.apply(neutralise_text)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a BOM so Excel opens accents correctly."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def _check_cells(name: str, frame: pd.DataFrame) -> None:
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values):
            lengths = values.astype("string").str.len()
            if (lengths > EXCEL_MAX_CELL).any():
                row = int(lengths.fillna(0).to_numpy().argmax()) + 2
                raise ExportError(
                    f"Sheet '{name}', row {row}, column '{column}': a cell holds "
                    f"{int(lengths.max()):,} characters, more than Excel's {EXCEL_MAX_CELL:,}. "
                    "Download CSV or Parquet instead."
                )


def to_xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """One workbook, a sheet per frame; sheets past Excel's row limit continue on '<name> (2)'."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter") as writer:
        for name, frame in sheets.items():
            _check_cells(name, frame)
            safe = safe_frame(frame)
            parts = max(1, -(-len(safe) // EXCEL_MAX_ROWS))
            for part in range(parts):
                chunk = safe.iloc[part * EXCEL_MAX_ROWS : (part + 1) * EXCEL_MAX_ROWS]
                sheet = name[:31] if part == 0 else f"{name[:26]} ({part + 1})"
                chunk.to_excel(writer, sheet_name=sheet, index=False)
    return buffer.getvalue()


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def write_table(frame: pd.DataFrame, path: str | Path, *, sheet: str = "accounts") -> None:
    """Write by extension: .csv, .xlsx or .parquet."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = to_csv_bytes(frame)
    elif suffix == ".xlsx":
        data = to_xlsx_bytes({sheet: frame})
    elif suffix == ".parquet":
        data = to_parquet_bytes(frame)
    else:
        raise ExportError(
            f"{path.name}: unknown output type '{suffix}'. Use .csv, .xlsx or .parquet."
        )
    path.write_bytes(data)
