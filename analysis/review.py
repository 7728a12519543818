"""Small helpers behind the quarterly review: the team's names as typed, and which snapshot stands
for which quarter when progress is measured against targets."""

from __future__ import annotations

import re

import pandas as pd

_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
QUARTER_KEY = "quarter"  # snapshot meta key that names the quarter the snapshot stands for


def split_names(text: str) -> tuple[str, ...]:
    """Comma-separated names as typed ("Ana, Bo,") in, the non-blank names trimmed out."""
    return tuple(name.strip() for name in text.split(",") if name.strip())


def quarter_snapshots(listing: pd.DataFrame) -> dict[str, str]:
    """`Workspace.list_snapshots()` in; quarter -> snapshot name out. A snapshot stands for the
    quarter in its meta, else the quarter its name spells; the newest snapshot of a quarter wins,
    and snapshots naming no quarter are left out."""
    chosen: dict[str, str] = {}
    for row in listing.sort_values("created_at", kind="stable").itertuples(index=False):
        meta = row.meta if isinstance(row.meta, dict) else {}
        quarter = str(meta.get(QUARTER_KEY) or row.name)
        if _QUARTER.match(quarter):
            chosen[quarter] = row.name
    return dict(sorted(chosen.items()))
