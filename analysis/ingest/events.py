"""Event exports (invoices, tickets, interactions) to per-account and per-quarter counts.

Each ``parse_*`` turns one raw file into a typed Arrow table of events (bad rows quarantined);
``aggregate_*`` groups the events of every file of that role in DuckDB, which handles 10M-row
invoice files in a few seconds. Orders are distinct non-credit invoice numbers (rows when there is
no invoice number); credit notes (flagged or negative) are netted into revenue and counted.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from types import MappingProxyType

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis import schema as s
from analysis.errors import MissingColumnsError
from analysis.ingest import headers as h
from analysis.ingest.columns import ColumnParser
from analysis.ingest.models import RawTable, TicketRules
from analysis.ingest.values import ascending, whole

CREDIT_NOTES = "credit_notes"
# Up to this many distinct products, products per account are counted as a bit set folded with
# the invoices (no separate distinct-count pass over every line). The set is a signed BIGINT,
# whose shifts DuckDB runs a sixth faster than unsigned ones: 63 bits below the sign.
_PRODUCT_BITS = 63
_PRODUCT_CODE = "product_code"
# Invoices are aggregated in account-id ranges of at least this many lines, up to two per DuckDB
# thread (``_account_ranges``), cut at quantiles of this many sampled ids per range.
_LINES_PER_RANGE = 1_000_000
_RANGES_PER_THREAD = 2
_SAMPLE_PER_RANGE = 1_000
_MISSED = r"no.?show|cancel\w*\s+late|late\s+cancel|missed|did not attend|no attend"
_UNRETURNED = r"unreturned|not returned|no answer|no response|voicemail|no call ?back|no reply"
_HELD = r"held|complete|attended|done|occurred|took place|met\b|happened"


def _require(raw: RawTable, by_field: dict[str, str], fields: list[str]) -> None:
    missing = [f for f in fields if f not in by_field]
    if missing:
        raise MissingColumnsError(missing, found=list(raw.frame.columns), file=raw.file)


def _by_field(raw: RawTable, mapping: dict[str, str]) -> dict[str, str]:
    return {f: src for src, f in mapping.items() if src in raw.frame.columns}


def _nullable(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), from_pandas=True)


def _kept(table: pa.Table, bad: np.ndarray) -> pa.Table:
    """The rows not quarantined; no copy when every row is kept."""
    return table.filter(pa.array(~bad)) if bad.any() else table


def parse_invoices(raw: RawTable, mapping: dict[str, str], date_order: str = "auto"):
    """Invoice lines as an Arrow table; returns (events, parser, revenue_in).

    Requires an account and an amount (or quantity and unit price); rows whose account is blank
    or whose amount is not a number are quarantined.
    """
    by_field = _by_field(raw, mapping)
    if h.AMOUNT not in by_field and not {h.QUANTITY, h.UNIT_PRICE} <= by_field.keys():
        _require(raw, by_field, [s.ACCOUNT_ID, h.AMOUNT])
    _require(raw, by_field, [s.ACCOUNT_ID])
    parser = ColumnParser(raw, date_order=date_order)
    ahead = [(kind, by_field[f]) for f, kind in _INVOICE_KINDS.items() if f in by_field]
    with parser.parsing_ahead(ahead):
        columns, bad, revenue_in = _invoice_columns(raw, parser, by_field)
    events = _kept(pa.table(columns), bad)
    return events, parser, revenue_in


# The parser for each invoice field but the account id. ``parsing_ahead`` hands them out in
# this order, each to the thread with less work so far: products (a dictionary encoding, the
# dearest) before invoice numbers, so the two go to different threads.
_INVOICE_KINDS = MappingProxyType(
    {
        h.QUANTITY: "number",
        h.AMOUNT: "number",
        h.UNIT_PRICE: "number",
        h.CREDIT_NOTE: "bool",
        h.COST: "number",
        h.DISCOUNT: "number",
        s.FREIGHT: "number",
        h.LINE_PROFIT: "number",
        h.DATE: "date",
        h.PAID_DATE: "date",
        h.PRODUCT: "category",
        h.INVOICE_NO: "text",
        s.ACCOUNT_NAME: "text",
    }
)


def _invoice_columns(raw: RawTable, parser: ColumnParser, by_field: dict[str, str]):
    """The parsed invoice columns, the rows to quarantine, and the revenue read."""
    ids, bad = parser.ids(by_field[s.ACCOUNT_ID])
    columns: dict[str, pa.Array] = {s.ACCOUNT_ID: ids}
    counted = parser.number(by_field[h.QUANTITY]) if h.QUANTITY in by_field else None
    quantity = None if counted is None else counted[0]
    if h.AMOUNT in by_field:
        amount, parsed = parser.number(by_field[h.AMOUNT], required=True)
        source, column = by_field[h.AMOUNT], parsed.values  # blanks already null
    else:
        price, parsed = parser.number(by_field[h.UNIT_PRICE], required=True)
        amount = price * np.nan_to_num(quantity, nan=1.0)
        source, column = by_field[h.UNIT_PRICE], _nullable(amount)
    parser.record(source, parsed.failed, "amount is not a number")
    parser.record(source, parsed.blank & ~bad, "amount is blank")
    revenue_in = float(np.nansum(amount))
    bad = bad | parsed.failed | parsed.blank
    columns[h.AMOUNT] = column
    credit = np.nan_to_num(amount, nan=0.0) < 0
    if h.CREDIT_NOTE in by_field:
        flag = parser.boolean(by_field[h.CREDIT_NOTE])
        credit |= np.asarray(pc.fill_null(flag, False).to_numpy(zero_copy_only=False), bool)
    columns["credit"] = pa.array(credit)
    for field in (h.COST, h.DISCOUNT, s.FREIGHT):
        if field in by_field:
            columns[field] = _nullable(parser.number(by_field[field])[0])
    if h.DISCOUNT in by_field and _holds_rates(columns[h.DISCOUNT], amount):
        del columns[h.DISCOUNT]
        parser.warnings.append(
            f"Discount in {raw.file}, column '{by_field[h.DISCOUNT]}', holds rates, not money: "
            "amounts are taken as after discount, so discounts are not counted again as a cost."
        )
    if h.COST not in by_field and h.LINE_PROFIT in by_field:
        columns[h.COST] = _nullable(amount - parser.number(by_field[h.LINE_PROFIT])[0])
    if counted is not None:
        columns[h.QUANTITY] = counted[1].values  # blanks already null
    for field in (h.DATE, h.PAID_DATE):
        if field in by_field:
            columns[field] = parser.date(by_field[field])
    for field in (h.INVOICE_NO, h.PRODUCT, s.ACCOUNT_NAME):
        if field in by_field:
            parse = parser.category if field == h.PRODUCT else parser.text
            columns[field] = parse(by_field[field])
    return columns, bad, revenue_in


def _holds_rates(discount: pa.Array, amount: np.ndarray) -> bool:
    """A discount column of rates (every value in [0, 1) beside amounts in whole currency), as
    Superstore's export has it: there the amounts are already net of the discount."""
    known = discount.drop_null().to_numpy(zero_copy_only=False)
    known = known[np.isfinite(known)]
    typical = np.nanmedian(np.abs(amount)) if np.isfinite(amount).any() else 0.0
    return bool(len(known)) and known.min() >= 0 and known.max() < 1 and typical >= 10


def parse_tickets(
    raw: RawTable, mapping: dict[str, str], rules: TicketRules, date_order: str = "auto"
):
    """Tickets classified as support, complaint, enhancement or rush: type first, then text."""
    by_field = _by_field(raw, mapping)
    _require(raw, by_field, [s.ACCOUNT_ID])
    parser = ColumnParser(raw, date_order=date_order)
    ids, bad = parser.ids(by_field[s.ACCOUNT_ID])
    kind = _lower_text(parser, by_field, h.TICKET_TYPE, len(ids))
    words = [parser.text(by_field[f]) for f in (h.SUBJECT, h.TAGS) if f in by_field]
    text = (
        pc.utf8_lower(pc.binary_join_element_wise(*[pc.fill_null(w, "") for w in words], " "))
        if words
        else pa.array([""] * len(ids), pa.string())
    )
    category = classify_tickets(kind, text, rules)
    columns = {s.ACCOUNT_ID: ids, "category": category}
    if h.DATE in by_field:
        columns[h.DATE] = parser.date(by_field[h.DATE])
    return _kept(pa.table(columns), bad), parser


def _lower_text(parser: ColumnParser, by_field: dict, field: str, rows: int) -> pa.Array:
    """A text column lower-cased with blanks as "", or all "" when the file lacks the field."""
    if field not in by_field:
        return pa.array([""] * rows, pa.string())
    return pc.utf8_lower(pc.fill_null(parser.text(by_field[field]), ""))


def classify_tickets(kind: pa.Array, text: pa.Array, rules: TicketRules) -> pa.Array:
    """The ticket's count field: the first rule matching the type, else the subject and tags."""
    table = (
        (s.COMPLAINTS, rules.complaint),
        (s.ENHANCEMENT_REQUESTS, rules.enhancement),
        (s.RUSH_ORDERS, rules.rush),
    )
    result = pa.nulls(len(kind), pa.string())
    for source in (kind, text):
        for field, keywords in table:
            if not keywords:
                continue
            pattern = "|".join(re.escape(k.lower()) for k in keywords)
            hit = pc.and_(pc.is_null(result), pc.match_substring_regex(source, pattern))
            result = pc.if_else(hit, pa.scalar(field), result)
    return pc.fill_null(result, s.SUPPORT_TICKETS)


def parse_interactions(raw: RawTable, mapping: dict[str, str], date_order: str = "auto"):
    """Meetings and calls: held, missed (no-show, late cancellation), unreturned calls."""
    by_field = _by_field(raw, mapping)
    _require(raw, by_field, [s.ACCOUNT_ID])
    parser = ColumnParser(raw, date_order=date_order)
    ids, bad = parser.ids(by_field[s.ACCOUNT_ID])
    kind = _lower_text(parser, by_field, h.KIND, len(ids))
    outcome = _lower_text(parser, by_field, h.OUTCOME, len(ids))
    is_call = pc.match_substring_regex(kind, r"call|phone")
    missed = pc.match_substring_regex(outcome, _MISSED)
    unreturned = pc.match_substring_regex(outcome, _UNRETURNED)
    held = pc.and_(pc.match_substring_regex(outcome, _HELD), pc.invert(pc.or_(missed, unreturned)))
    columns = {
        s.ACCOUNT_ID: ids,
        "held": pc.and_(held, pc.invert(is_call)),
        "missed": pc.and_(missed, pc.invert(is_call)),
        "unreturned": pc.or_(unreturned, pc.and_(is_call, missed)),
    }
    if h.CONTACT in by_field:
        columns[h.CONTACT] = parser.text(by_field[h.CONTACT])
    if h.DECISION_MAKER in by_field:
        columns[h.DECISION_MAKER] = parser.boolean(by_field[h.DECISION_MAKER])
    if h.DATE in by_field:
        columns[h.DATE] = parser.date(by_field[h.DATE])
    return _kept(pa.table(columns), bad), parser


def _quarter_sql(column: str) -> str:
    """The quarter as a number (year * 4 + quarter - 1): grouping and sorting on it is about
    twice as fast as on "2026-Q3" text, which ``_quarter_labels`` makes from the few distinct
    numbers afterwards."""
    return f"year({column}) * 4 + quarter({column}) - 1"


def _quarter_labels(table: pa.Table) -> pa.Table:
    key = table.column(s.QUARTER).combine_chunks()
    if len(key) == 0:
        return table.set_column(
            table.column_names.index(s.QUARTER), s.QUARTER, pa.array([], pa.string())
        )
    low, high = pc.min_max(key).values()
    low, high = low.as_py(), high.as_py()
    labels = pa.array([f"{q // 4:04d}-Q{q % 4 + 1}" for q in range(low, high + 1)], pa.string())
    index = table.column_names.index(s.QUARTER)
    return table.set_column(index, s.QUARTER, labels.take(pc.subtract(key, low)))


def aggregate_invoices(events: pa.Table) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """One row per account (revenue, orders, credit notes, costs, products, days to pay, first
    order) and, when dated, one row per account and quarter (revenue, orders).

    The lines are first folded into one row per invoice (account, invoice number, credit flag):
    the only pass over every line that needs a wide hash key, after which orders are plain
    counts instead of distinct counts. An invoice counts in the quarter of its first date.
    The invoices are grouped once, by account and quarter (undated ones in a null quarter),
    into partial measures that the accounts then sum up: one pass over the invoices instead of
    one per table. Big files are split into account-id ranges aggregated side by side.
    """
    names = set(events.column_names)
    dated = h.DATE in names
    sums = {h.COST: s.COGS, h.DISCOUNT: s.DISCOUNTS, s.FREIGHT: s.FREIGHT}
    sums = {src: dst for src, dst in sums.items() if src in names}
    line = [f"sum({h.AMOUNT}) AS amount"] + [f"sum({src}) AS {src}" for src in sums]
    # Measures per account and quarter (``partial``), summed up per account (``total``).
    partial = [f"sum(amount) AS {s.REVENUE}"] + [f"sum({src}) AS {d}" for src, d in sums.items()]
    total = [f"sum({d}) AS {d}" for d in (s.REVENUE, *sums.values())]
    partial.append(f"count(*) FILTER (WHERE NOT credit) AS {s.ORDERS}")
    total.append(f"CAST(sum({s.ORDERS}) AS BIGINT) AS {s.ORDERS}")
    few_products = False
    if h.PRODUCT in names:
        products = whole(events.column(h.PRODUCT))  # codes from parse_invoices
        if not pa.types.is_dictionary(products.type):
            products = pc.dictionary_encode(products)
        few_products = len(products.dictionary) <= _PRODUCT_BITS
    if few_products:  # distinct products as a bit set per invoice, then per account
        events = events.append_column(_PRODUCT_CODE, products.indices)
        line.append(f"bit_or(1::BIGINT << {_PRODUCT_CODE}) AS product_bits")
        partial.append("bit_or(product_bits) AS product_bits")
        total.append(
            f"CAST(coalesce(bit_count(bit_or(product_bits)), 0) AS BIGINT) AS {s.PRODUCTS_USED}"
        )
    partial.append("count(*) AS invoices")  # credit notes are the invoices that are not orders
    total.append(f"CAST(sum(invoices) - sum({s.ORDERS}) AS BIGINT) AS {CREDIT_NOTES}")
    if dated:
        line.append(f"min({h.DATE}) AS {h.DATE}")
        partial.append(f"min({h.DATE}) FILTER (WHERE NOT credit) AS {s.FIRST_ORDER}")
        total.append(f"min({s.FIRST_ORDER}) AS {s.FIRST_ORDER}")
        if h.PAID_DATE in names:
            pay = f"date_diff('day', {h.DATE}, {h.PAID_DATE})"
            line += [f"sum({pay}) AS pay_days", f"count({pay}) AS pay_n"]
            partial += ["sum(pay_days) AS pay_days", "sum(pay_n) AS pay_n"]
            total.append(f"sum(pay_days) / nullif(sum(pay_n), 0) AS {s.DAYS_TO_PAY}")
    if s.ACCOUNT_NAME in names:
        line.append(f"min({s.ACCOUNT_NAME}) AS {s.ACCOUNT_NAME}")
        partial.append(f"min({s.ACCOUNT_NAME}) AS {s.ACCOUNT_NAME}")
        total.append(f"min({s.ACCOUNT_NAME}) AS {s.ACCOUNT_NAME}")
    quarter = _quarter_sql(h.DATE) if dated else "NULL"
    # Invoice numbers that ascend are all distinct: every line is its own invoice, the fold
    # would change nothing (anything else is folded: a distinct count costs as much).
    folded = h.INVOICE_NO in names and not ascending(whole(events.column(h.INVOICE_NO)))

    def aggregate(connection: duckdb.DuckDBPyConnection, bounds: tuple[str | None, str | None]):
        try:
            connection.register("events", events)
            where = _range_filter(connection, *bounds)
            if folded:
                connection.execute(
                    f"CREATE TEMP TABLE inv AS SELECT {s.ACCOUNT_ID}, credit, {', '.join(line)} "
                    f"FROM events WHERE {where} GROUP BY {s.ACCOUNT_ID}, {h.INVOICE_NO}, credit"
                )
            else:  # a view: the lines are read straight from Arrow
                select = ", ".join([s.ACCOUNT_ID, "credit", *(_as_line(p) for p in line)])
                connection.execute(
                    f"CREATE TEMP VIEW inv AS SELECT {select} FROM events WHERE {where}"
                )
            connection.execute(
                f"CREATE TEMP TABLE part AS SELECT {s.ACCOUNT_ID}, {quarter} AS {s.QUARTER}, "
                f"{', '.join(partial)} FROM inv GROUP BY 1, 2"
            )
            sql = f"SELECT {s.ACCOUNT_ID}, {', '.join(total)} FROM part GROUP BY 1 ORDER BY 1"
            accounts = connection.sql(sql).to_arrow_table()
            if h.PRODUCT in names and not few_products:
                sql = (
                    f"SELECT {s.ACCOUNT_ID}, count(DISTINCT {h.PRODUCT}) AS {s.PRODUCTS_USED} "
                    f"FROM events WHERE {where} GROUP BY 1 ORDER BY 1"
                )
                products = connection.sql(sql).to_arrow_table().column(s.PRODUCTS_USED)
                index = accounts.column_names.index(s.ORDERS) + 1
                accounts = accounts.add_column(index, s.PRODUCTS_USED, products)
            sql = (
                f"SELECT {s.ACCOUNT_ID}, {s.QUARTER}, {s.REVENUE}, {s.ORDERS} FROM part "
                f"WHERE {s.QUARTER} IS NOT NULL ORDER BY 1, 2"
            )
            quarters = _quarter_labels(connection.sql(sql).to_arrow_table()) if dated else None
        finally:
            connection.close()
        return accounts, quarters

    with duckdb.connect() as database:
        cores = database.execute("SELECT current_setting('threads')").fetchone()[0]
        ranges = _account_ranges(events.column(s.ACCOUNT_ID), cores)
        workers = min(cores, len(ranges))
        # Each worker runs its queries itself, helped by DuckDB's threads beyond the first.
        database.execute(f"SET threads = {cores - workers + 1}")
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(lambda b: aggregate(database.cursor(), b), ranges))
    accounts = _frame(pa.concat_tables([a for a, _ in parts]))
    quarters = None
    if dated:
        quarters = _frame(pa.concat_tables([q for _, q in parts]))
    return accounts, quarters


def _account_ranges(ids: pa.ChunkedArray, threads: int) -> list[tuple[str | None, str | None]]:
    """Account-id ranges [low, high) (None: unbounded) with about equal numbers of lines, cut at
    quantiles of a sample of the ids.

    The ranges are aggregated side by side, each by one thread of its own: with two cores, on
    10M lines, this takes about a quarter less time than one query on both threads, whose
    per-thread hash tables of millions of (account, quarter) groups must then be merged; four
    ranges rather than two keep the hash tables smaller, a little faster again. Each range's
    results are sorted, so concatenated in range order they are sorted too.
    """
    parts = min(_RANGES_PER_THREAD * threads, len(ids) // _LINES_PER_RANGE)
    if parts < 2:
        return [(None, None)]
    picks = np.linspace(0, len(ids) - 1, _SAMPLE_PER_RANGE * parts).astype(np.int64)
    sample = sorted(ids.take(picks).to_pylist())
    cuts = sorted({sample[len(sample) * i // parts] for i in range(1, parts)})
    return list(pairwise([None, *cuts, None]))


def _range_filter(connection: duckdb.DuckDBPyConnection, low: str | None, high: str | None) -> str:
    """The SQL condition for account ids in [low, high), the bounds passed as variables (no
    quoting of arbitrary text). Ids are never null: lines with a blank id are quarantined."""
    conditions = ["true"]
    if low is not None:
        connection.execute("SET VARIABLE low = ?", [low])
        conditions.append(f"{s.ACCOUNT_ID} >= getvariable('low')")
    if high is not None:
        connection.execute("SET VARIABLE high = ?", [high])
        conditions.append(f"{s.ACCOUNT_ID} < getvariable('high')")
    return " AND ".join(conditions)


def _as_line(aggregate: str) -> str:
    """A per-invoice aggregate rewritten for one line per row: sum(x)/min(x) -> x, count -> 0/1."""
    expression, alias = aggregate.rsplit(" AS ", 1)
    function, argument = expression.split("(", 1)
    argument = argument[:-1]
    if function == "count":
        return f"CAST({argument} IS NOT NULL AS BIGINT) AS {alias}"
    return f"{argument} AS {alias}"


def aggregate_tickets(events: pa.Table) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Counts of support tickets, complaints, enhancement requests and rush demands."""
    fields = (s.SUPPORT_TICKETS, s.COMPLAINTS, s.ENHANCEMENT_REQUESTS, s.RUSH_ORDERS)
    counts = ", ".join(f"count(*) FILTER (WHERE category = '{f}') AS {f}" for f in fields)
    return _grouped(events, counts)


def aggregate_interactions(events: pa.Table) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Meetings held and missed, unreturned calls, distinct contacts, decision-maker access."""
    counts = (
        f"count(*) FILTER (WHERE held) AS {s.MEETINGS_HELD}, "
        f"count(*) FILTER (WHERE missed) AS {s.MEETINGS_MISSED}, "
        f"count(*) FILTER (WHERE unreturned) AS {s.CALLS_UNRETURNED}"
    )
    extra = []
    if h.CONTACT in events.column_names:
        extra.append(f"count(DISTINCT {h.CONTACT}) AS {s.CONTACTS}")
    if h.DECISION_MAKER in events.column_names:
        extra.append(f"coalesce(bool_or({h.DECISION_MAKER}), false) AS {s.DECISION_MAKER_ACCESS}")
    return _grouped(events, counts, extra)


def _grouped(events: pa.Table, counts: str, extra: list[str] | None = None):
    connection = duckdb.connect()
    try:
        connection.register("events", events)
        columns = ", ".join([counts, *(extra or [])])
        sql = f"SELECT {s.ACCOUNT_ID}, {columns} FROM events GROUP BY 1 ORDER BY 1"
        accounts = _frame(connection.sql(sql).to_arrow_table())
        quarters = None
        if h.DATE in events.column_names:
            q = _quarter_sql(h.DATE)
            sql = (
                f"SELECT {s.ACCOUNT_ID}, {q} AS {s.QUARTER}, {counts} FROM events "
                f"WHERE {h.DATE} IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2"
            )
            quarters = _frame(_quarter_labels(connection.sql(sql).to_arrow_table()))
    finally:
        connection.close()
    return accounts, quarters


def _frame(table: pa.Table) -> pd.DataFrame:
    frame = table.to_pandas()
    for column in frame.columns:
        if column == s.FIRST_ORDER:
            frame[column] = pd.to_datetime(frame[column]).astype("datetime64[s]")
        elif column in (s.ACCOUNT_ID, s.QUARTER, s.ACCOUNT_NAME):
            frame[column] = frame[column].astype("str")
        elif pd.api.types.is_integer_dtype(frame[column]):
            frame[column] = frame[column].astype("int64")
    return frame
