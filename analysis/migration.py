"""How accounts moved between segments from one snapshot to the next.

Every account of either snapshot is one unit of flow: from its segment before (or "new" when it
only appears after) to its segment after (or "lost" when it only appears before), so the flows add
up to the accounts in both plus the new plus the lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analysis import schema as s
from analysis.errors import RightfitError

NEW, LOST = "new", "lost"
FROM_STATES: tuple[str, ...] = (*s.SEGMENTS, NEW)
TO_STATES: tuple[str, ...] = (*s.SEGMENTS, LOST)
LINK_COLUMNS = ("from", "to", "accounts", "revenue")
CHANGED_COLUMNS = (
    s.ACCOUNT_ID,
    s.ACCOUNT_NAME,
    "before",
    "after",
    "revenue_before",
    "revenue_after",
    "reasons_before",
    "reasons_after",
)
REASONS = "reasons"


class MigrationError(RightfitError):
    """Snapshots that cannot be compared (missing columns, duplicate ids, unknown segments)."""


@dataclass(frozen=True)
class Migration:
    """links: one row per (from, to) pair that holds accounts, in state order; `revenue` is the
    revenue after (before, for lost accounts). changed: accounts whose state changed, by id."""

    links: pd.DataFrame
    changed: pd.DataFrame


def _prepare(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    missing = [c for c in (s.ACCOUNT_ID, s.SEGMENT) if c not in frame.columns]
    if missing:
        raise MigrationError(f"The {which} snapshot has no {', '.join(missing)} column.")
    ids = frame[s.ACCOUNT_ID].astype(str)
    dupes = ids[ids.duplicated()].unique().tolist()
    if dupes:
        raise MigrationError(f"The {which} snapshot lists account {dupes[0]} more than once.")
    segment = frame[s.SEGMENT].astype(object)
    unknown = sorted(set(segment.dropna().astype(str)) - set(s.SEGMENTS)) + (
        ["(blank)"] if segment.isna().any() else []
    )
    if unknown:
        raise MigrationError(f"The {which} snapshot has unknown segments: {', '.join(unknown)}.")

    def column(name: str, default: object) -> pd.Series:
        if name not in frame.columns:
            return pd.Series(default, index=frame.index, dtype=object)
        return frame[name].astype(object)

    return pd.DataFrame(
        {
            "segment": segment.astype(str).to_numpy(),
            "name": column(s.ACCOUNT_NAME, "").to_numpy(),
            "revenue": pd.to_numeric(column(s.REVENUE, 0.0), errors="coerce").to_numpy(),
            "reasons": column(REASONS, "").to_numpy(),
        },
        index=pd.Index(ids.to_numpy(), name=s.ACCOUNT_ID),
    )


def compare_snapshots(before: pd.DataFrame, after: pd.DataFrame) -> Migration:
    """Two scored account frames (account_id, segment; optionally account_name, revenue,
    reasons) in, the flows between states and the accounts that changed out. Row order of the
    inputs does not matter; inputs are not modified."""
    b, a = _prepare(before, "before"), _prepare(after, "after")
    joined = b.add_suffix("_b").join(a.add_suffix("_a"), how="outer", sort=True)
    in_before = joined["segment_b"].notna()  # segments are never blank (checked above)
    in_after = joined["segment_a"].notna()
    frm = joined["segment_b"].where(in_before, NEW)
    to = joined["segment_a"].where(in_after, LOST)
    revenue = joined["revenue_a"].where(in_after, joined["revenue_b"]).astype("float64")
    flows = pd.DataFrame({"from": frm, "to": to, "revenue": revenue.fillna(0.0)})
    links = (
        flows.groupby(["from", "to"], sort=False)
        .agg(accounts=("revenue", "size"), revenue=("revenue", "sum"))
        .reset_index()
    )
    links["from"] = pd.Categorical(links["from"], categories=list(FROM_STATES))
    links["to"] = pd.Categorical(links["to"], categories=list(TO_STATES))
    links = links.sort_values(["from", "to"]).reset_index(drop=True)
    links = links.astype({"from": str, "to": str, "accounts": "int64", "revenue": "float64"})

    moved = (frm != to).to_numpy()
    pick = joined[moved]
    name = pick["name_a"].where(in_after[moved], pick["name_b"])
    changed = pd.DataFrame(
        {
            s.ACCOUNT_ID: pick.index.astype(str),
            s.ACCOUNT_NAME: name.to_numpy(),
            "before": frm[moved].to_numpy(),
            "after": to[moved].to_numpy(),
            "revenue_before": pick["revenue_b"].astype("float64").to_numpy(),
            "revenue_after": pick["revenue_a"].astype("float64").to_numpy(),
            "reasons_before": pick["reasons_b"].fillna("").to_numpy(),
            "reasons_after": pick["reasons_a"].fillna("").to_numpy(),
        },
        columns=list(CHANGED_COLUMNS),
    )
    return Migration(links=links[list(LINK_COLUMNS)], changed=changed)


def sankey_data(
    migration: Migration, *, value: str = "accounts"
) -> tuple[list[str], list[int], list[int], list[float]]:
    """Plotly Sankey inputs: node labels (states before, then states after), link sources and
    targets as node indices, and link values (`accounts` or `revenue`)."""
    if value not in ("accounts", "revenue"):
        raise ValueError("value must be 'accounts' or 'revenue'")
    labels = [x if x == NEW else f"{x} (before)" for x in FROM_STATES] + [
        x if x == LOST else f"{x} (after)" for x in TO_STATES
    ]
    offset = len(FROM_STATES)
    links = migration.links
    sources = [FROM_STATES.index(x) for x in links["from"]]
    targets = [offset + TO_STATES.index(x) for x in links["to"]]
    return labels, sources, targets, [float(v) for v in links[value]]
