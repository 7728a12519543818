"""A one-page printable brief for one prospect, to take into the pre-sale conversation.

It restates what `prospects.screen_prospects` found in plain words: how much the prospect looks
like our best and our bad accounts, the accounts it most resembles, and what it expects beyond
what we offer, priced. The wording invites a discussion; nothing in it turns a prospect away.
Every value is HTML-escaped, and the page loads nothing (no scripts, a CSP forbids fetches).
"""

from __future__ import annotations

import html
import re
from datetime import date

import pandas as pd

from analysis import schema as s
from analysis.prospect_input import PROSPECT_FIELDS
from analysis.prospects import FIT, NEAREST, RECOMMENDATION, RISK

NEAREST_COLUMNS = (s.ACCOUNT_ID, s.SEGMENT, "profit")
_NEAR = re.compile(r"^(?P<id>.*) \((?P<segment>[^,()]+), (?P<profit>[^()]*)\)$")
CSP = "default-src 'none'; style-src 'unsafe-inline'"
STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:760px;color:#222}
table{border-collapse:collapse;margin:.4rem 0 1.2rem;font-size:.9rem;width:100%}
th,td{border:1px solid #ccc;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3;width:45%}
.muted{color:#666}
@media print{body{margin:0}}
"""


def nearest_table(text: str) -> pd.DataFrame:
    """`nearest` as screen_prospects writes it ("B01 (right, $20.0k); ...") in; one row per
    account (account_id, segment, profit as shown) out, closest first."""
    rows = []
    for item in filter(None, str(text or "").split("; ")):
        match = _NEAR.match(item)
        rows.append((match["id"], match["segment"], match["profit"]) if match else (item, "", ""))
    return pd.DataFrame(rows, columns=list(NEAREST_COLUMNS))


def _rows(pairs: list[tuple[str, object]]) -> str:
    return "".join(
        f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(_text(v))}</td></tr>" for k, v in pairs
    )


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _grid(frame: pd.DataFrame) -> str:
    if frame.empty:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(_text(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False, name=None)
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def prospect_brief(
    prospect: pd.Series, mismatches: pd.DataFrame, *, generated_on: date | None = None
) -> str:
    """One row of `screen_prospects` output and its rows of `prospect_mismatches` (expectation,
    expected, offered, cost) in; a self-contained printable HTML page out."""
    name = _text(prospect.get(s.ACCOUNT_ID))
    given = [(f.label, prospect.get(f.name)) for f in PROSPECT_FIELDS if f.name in prospect]
    scores = [
        ("Looks like our best customers (fit, 0-100)", round(float(prospect[FIT]))),
        ("Looks like accounts we class as bad (risk, 0-100)", round(float(prospect[RISK]))),
        ("To discuss", prospect.get(RECOMMENDATION, "")),
    ]
    gaps = mismatches[["expectation", "expected", "offered", "cost"]].assign(
        cost=lambda f: f["cost"].map(lambda c: f"${c:,.0f} a year")
    )
    made = f" · {generated_on.isoformat()}" if generated_on else ""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            f"<title>Prospect brief: {html.escape(name)}</title><style>{STYLE}</style></head>",
            f"<body><h1>Prospect brief: {html.escape(name)}</h1>",
            f'<p class="muted">Rightfit pre-sale screen{html.escape(made)}. A starting point for '
            "the conversation, not a verdict.</p>",
            f"<h2>How it looks</h2><table>{_rows(scores)}</table>",
            "<h2>The accounts it most resembles</h2>",
            _grid(nearest_table(prospect.get(NEAREST, ""))),
            "<h2>Expectations to discuss, with the yearly cost of meeting them</h2>",
            _grid(gaps),
            f"<h2>What we know so far</h2><table>{_rows(given)}</table>",
            "</body></html>",
        ]
    )
