"""End to end at scale: `rightfit segment` on a 1,000,000-account export, step by step.

Run: `python bench/cli_bench.py [--rows 1000000]`. Writes a synthetic accounts export (the
sample's accounts resampled with jitter, new ids) into bench/out/, then runs the CLI's steps in
one process, printing the seconds each takes, the total, and the peak resident memory.
Targets (issue 5): at most 20 s end to end, peak memory under 3 GB.
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.economics import UnitCosts, compute_economics
from analysis.exports import write_table
from analysis.features import account_metrics
from analysis.ingest import load_paths
from analysis.pipeline import PipelineConfig, output_table
from analysis.sample import SAMPLE_FILES
from analysis.segmentation import segment_accounts
from analysis.similarity import score_similarity
from analysis.tiers import EXCEPTION_COST, assign_tiers, exception_cost_per_account

OUT = Path(__file__).resolve().parent / "out"
COUNTS = (
    "Orders",
    "Support Tickets",
    "Complaints",
    "Feature Requests",
    "Rush Orders",
    "Missed Meetings",
    "Unreturned Calls",
)
MONEY = ("Annual Revenue", "COGS", "Discounts & Concessions")


def synthetic_accounts(rows: int, seed: int = 0) -> Path:
    path = OUT / f"cli_accounts_{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(seed)
    base = pd.read_csv(SAMPLE_FILES["accounts"], dtype=str, keep_default_na=False)
    frame = base.iloc[rng.integers(0, len(base), rows)].reset_index(drop=True)
    scale = rng.lognormal(0, 0.1, rows)
    for column in MONEY:
        values = pd.to_numeric(frame[column], errors="coerce") * scale
        frame[column] = values.round(2).astype(str)
    for column in COUNTS:
        values = pd.to_numeric(frame[column], errors="coerce")
        frame[column] = np.round(values * rng.lognormal(0, 0.1, rows)).astype("Int64").astype(str)
    frame["Account ID"] = [f"B-{i:07d}" for i in range(rows)]
    frame.to_csv(path, index=False)
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    source = synthetic_accounts(args.rows)
    print(f"input: {source.name}, {source.stat().st_size / 1e6:.0f} MB")
    config = PipelineConfig()
    steps: list[tuple[str, float]] = []
    start = last = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal last
        now = time.perf_counter()
        steps.append((name, now - last))
        last = now

    portfolio = load_paths([source])
    lap("read, map, clean, validate")
    econ = compute_economics(portfolio.accounts, UnitCosts())
    lap("economics")
    metrics = account_metrics(econ, config.segments.features)  # as the pipeline: once for both
    seg = segment_accounts(econ, config.segments, metrics=metrics)
    lap(f"features + clustering (k={seg.k}) + naming + reasons")
    scored = score_similarity(
        seg.accounts, seg.features, config.best, config.similarity, metrics=metrics
    )
    lap("similarity")
    scored = assign_tiers(scored, config.tiers)
    scored[EXCEPTION_COST] = exception_cost_per_account(scored, config.tiers)
    lap("tiers and exceptions")
    write_table(output_table(scored), OUT / "scored.parquet")
    lap("write parquet")
    total = time.perf_counter() - start
    for name, seconds in steps:
        print(f"{name:<55} {seconds:6.2f} s")
    print(f"{'total (target ≤ 20 s)':<55} {total:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (target < 3 GB): {peak / 1024:.2f} GB; {len(scored):,} accounts")


if __name__ == "__main__":
    main()
