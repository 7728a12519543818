"""Quarterly review back end at portfolio scale: prints seconds per step (no assertions).

Run: .venv/bin/python bench/review_bench.py [accounts]   (default 100,000)
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis import schema as s
from analysis.migration import compare_snapshots
from analysis.report import ReportContext, excel_workbook, html_report
from analysis.workspace import Workspace

T = TypeVar("T")


def scored(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    revenue = rng.lognormal(9, 1.2, n)
    cts = revenue * rng.uniform(0.05, 0.6, n)
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: [f"A{i:07d}" for i in rng.permutation(int(n * 1.1))[:n]],
            s.ACCOUNT_NAME: [f"Customer {i}" for i in range(n)],
            s.REVENUE: revenue,
            "cost_to_serve": cts,
            "profit": revenue * 0.35 - cts,
            s.SEGMENT: rng.choice(s.SEGMENTS, n, p=[0.3, 0.5, 0.2]),
            s.EASY: rng.random(n) < 0.3,
            "confidence": rng.random(n),
            "reasons": rng.choice(["broad use", "small; transactional", "complaints 3x norm"], n),
        }
    )


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = fn()
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s")
    return result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    before, after = scored(n, 1), scored(n, 2)
    print(f"{n:,} accounts per snapshot")
    with tempfile.TemporaryDirectory() as root:
        ws = Workspace(Path(root))
        timed("save_snapshot", lambda: ws.save_snapshot("Q3", after, {"period": "Q3"}))
        timed("load_snapshot (new Workspace)", lambda: Workspace(Path(root)).load_snapshot("Q3"))
        size = sum(p.stat().st_size for p in ws.tables_dir.iterdir())
        print(f"{'snapshot file size':<34} {size / 1e6:7.2f} MB")
    timed("compare_snapshots", lambda: compare_snapshots(before, after))
    ctx = ReportContext(scored=after, previous=before, period="Q3", previous_period="Q2")
    page = timed("html_report", lambda: html_report(ctx))
    print(f"{'html size':<34} {len(page.encode()) / 1e6:7.2f} MB")
    book = timed("excel_workbook", lambda: excel_workbook(ctx))
    print(f"{'workbook size':<34} {len(book) / 1e6:7.2f} MB")


if __name__ == "__main__":
    main()
