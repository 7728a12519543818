"""Ingest speed and memory against the floors: pyarrow's CSV reader and DuckDB.

Generates (into bench/out/, gitignored) a messy 1M-row x 15-column accounts CSV and a 10M-row
invoice CSV (the sizes the targets name; ``--invoices 2000000`` for a quicker run), then prints
for each:
  time: in one process whose imports and one-time start-up are paid (a warm-up on the file's
  first rows), ours and the floor alternately, ``--rounds`` times; medians and their ratio.
  accounts: our load_portfolio vs pyarrow.csv.read_csv alone (target <= 3x)
  invoices: our load_portfolio (read + parse + aggregate) vs DuckDB read_csv + GROUP BY (target:
  no slower)
  memory: our peak resident memory above the imports, in a fresh process of its own, as a
  multiple of the file size (target for the accounts file <= 4x). It includes the file's bytes.
The machine is noisy: compare the ratios printed in one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parents[1]


def make_accounts(path: Path, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    ids = np.char.add("A-", np.arange(rows).astype(str))
    revenue = rng.lognormal(10, 1, rows)
    money = np.char.add("$", np.char.mod("%.2f", revenue))
    money[rng.random(rows) < 0.02] = ""
    days = rng.integers(0, 4000, rows).astype("timedelta64[D]") + np.datetime64("2014-01-01")
    columns = {
        "Account ID": ids,
        "Account Name": np.char.add("Company ", ids),
        "Industry": rng.choice(["Retail", "Food", "Health", ""], rows),
        "Region": rng.choice(["North", "South", "East", "West"], rows),
        "Account Owner": rng.choice(["Ann", "Bo", "Cy"], rows),
        "Annual Revenue": money,
        "COGS": np.char.mod("%.2f", revenue * 0.7),
        "Discounts & Concessions": np.char.mod("%.2f", revenue * 0.02),
        "Orders": rng.integers(1, 50, rows).astype(str),
        "Support Tickets": rng.integers(0, 20, rows).astype(str),
        "Complaints": rng.integers(0, 5, rows).astype(str),
        "Missed Meetings": rng.integers(0, 5, rows).astype(str),
        "Avg Days to Pay": np.char.mod("%.1f", rng.normal(40, 10, rows)),
        "Decision Maker Access": rng.choice(["Yes", "No", ""], rows),
        "First Order Date": days.astype(str),
    }
    pacsv.write_csv(pa.table({k: pa.array(v) for k, v in columns.items()}), path)


def make_invoices(path: Path, rows: int, accounts: int = 1_000_000, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    chunk = 2_000_000
    with pacsv.CSVWriter(path, _invoice_chunk(rng, 0, 1, accounts).schema) as writer:
        for start in range(0, rows, chunk):
            writer.write_table(_invoice_chunk(rng, start, min(chunk, rows - start), accounts))


def _invoice_chunk(rng, start: int, n: int, accounts: int) -> pa.Table:
    amount = np.round(rng.lognormal(5, 1, n), 2)
    amount[rng.random(n) < 0.02] *= -1
    days = rng.integers(0, 730, n).astype("timedelta64[D]") + np.datetime64("2024-01-01")
    return pa.table(
        {
            "Invoice No": pa.array(np.char.add("INV-", (start + np.arange(n)).astype(str))),
            "Account ID": pa.array(np.char.add("A-", rng.integers(0, accounts, n).astype(str))),
            "Invoice Date": pa.array(days.astype(str)),
            "Product": pa.array(rng.choice(["Paper", "Ink", "Toner", "Desk"], n)),
            "Quantity": pa.array(rng.integers(1, 40, n)),
            "Amount": pa.array(amount),
        }
    )


def child(step: str, path: str, rounds: int) -> None:
    """Run one measurement in this process and print it as JSON."""
    sys.path.insert(0, str(ROOT))
    import duckdb

    from analysis.ingest import IngestConfig, InputFile, load_portfolio

    config = IngestConfig(max_rows=50_000_000, max_bytes=2**40)

    def ours(file: str) -> None:
        data = Path(file).read_bytes()
        assert len(load_portfolio([InputFile(Path(file).name, data)], config).accounts)

    def arrow(file: str) -> None:
        pacsv.read_csv(file)

    def duck(file: str) -> None:
        con = duckdb.connect()
        con.sql(
            f'SELECT "Account ID", sum(Amount), count(DISTINCT "Invoice No"), '
            f"count(DISTINCT Product), min(\"Invoice Date\") FROM read_csv('{file}') GROUP BY 1"
        ).to_arrow_table()

    floor = duck if "invoices" in Path(path).name else arrow
    if step == "memory":
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ours(path)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"peak_mb": peak / 1024, "added_mb": (peak - before) / 1024}))
        return
    head = OUT / f"head_{Path(path).name}"
    with open(path, "rb") as source, open(head, "wb") as sink:
        sink.writelines(line for _, line in zip(range(20_000), source, strict=False))
    for run in (ours, floor):
        run(str(head))
    times: dict[str, list[float]] = {"ours": [], "floor": []}
    for _ in range(rounds):
        for label, run in (("floor", floor), ("ours", ours)):
            start = time.perf_counter()
            run(path)
            times[label].append(time.perf_counter() - start)
    print(json.dumps(times))


def measure(step: str, path: Path, rounds: int) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", step, str(path), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", nargs=2, metavar=("STEP", "PATH"))
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.rounds)
        return
    OUT.mkdir(parents=True, exist_ok=True)
    accounts = OUT / f"accounts_{args.accounts}.csv"
    invoices = OUT / f"invoices_{args.invoices}.csv"
    if not accounts.exists():
        make_accounts(accounts, args.accounts)
    if not invoices.exists():
        make_invoices(invoices, args.invoices)
    for label, path, floor in (("accounts", accounts, "pyarrow"), ("invoices", invoices, "duckdb")):
        size = path.stat().st_size / 2**20
        times = measure("time", path, args.rounds)
        ours, base = statistics.median(times["ours"]), statistics.median(times["floor"])
        memory = measure("memory", path, 1)
        print(
            f"{label}: {path.name} {size:,.0f} MB | median of {args.rounds}: ours {ours:.2f} s "
            f"(best {min(times['ours']):.2f}), {floor} {base:.2f} s "
            f"(best {min(times['floor']):.2f}), ratio {ours / base:.2f}x | our peak memory "
            f"{memory['added_mb']:,.0f} MB above the imports = {memory['added_mb'] / size:.1f}x "
            f"the file size ({memory['peak_mb']:,.0f} MB resident)"
        )


if __name__ == "__main__":
    main()
