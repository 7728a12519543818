"""Segmentation quality on the sample's planted truth, and speed at a million accounts.

Run: `python bench/segmentation_bench.py [--rows 1000000]`. Prints macro-F1 (right/wrong/bad)
and easy-F1 against data/sample/planted_truth.csv, the stability checks, then the time of each
step (economics, features, segmentation) on a synthetic portfolio resampled from the sample with
jitter, and the peak resident memory. The truth file is only measured against, never fitted.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score
from synthetic import resample, sample_accounts  # bench/ is on sys.path when run as a script

from analysis import schema as s
from analysis.economics import UnitCosts, compute_economics
from analysis.features import build_features
from analysis.sample import TRUTH_FILE
from analysis.segmentation import SegmentConfig, segment_accounts


def quality(sample: pd.DataFrame, config: SegmentConfig) -> None:
    truth = pd.read_csv(TRUTH_FILE, dtype={"account_id": str})
    econ = compute_economics(sample, UnitCosts())
    seg = segment_accounts(econ, config)
    scored = seg.accounts.merge(truth, on=s.ACCOUNT_ID, suffixes=("", "_true"))
    macro = f1_score(scored["segment_true"], scored[s.SEGMENT], average="macro")
    easy = f1_score(scored["easy_true"].astype(str).str.lower() == "true", scored[s.EASY])
    print(
        f"sample: {len(scored)} accounts, k={seg.k}, macro-F1 right/wrong/bad {macro:.3f}, "
        f"easy F1 {easy:.3f}"
    )
    print(pd.crosstab(scored["kind"], scored[s.SEGMENT]).to_string())

    def labels(frame: pd.DataFrame) -> pd.Series:
        return segment_accounts(frame, config).accounts.set_index(s.ACCOUNT_ID)[s.SEGMENT]

    base = seg.accounts.set_index(s.ACCOUNT_ID)[s.SEGMENT]
    again = labels(econ).reindex(base.index)
    shuffled = labels(econ.sample(frac=1, random_state=11)).reindex(base.index)
    noise = econ.assign(noise=np.random.default_rng(5).normal(size=len(econ)))
    noisy = labels(noise).reindex(base.index)
    print(
        f"same seed identical: {again.equals(base)}; shuffled identical: {shuffled.equals(base)}; "
        f"noise column changes {(noisy != base).mean():.2%} of labels"
    )


def speed(sample: pd.DataFrame, rows: int, config: SegmentConfig) -> None:
    accounts = resample(sample, rows)
    timings = {}
    start = time.perf_counter()
    econ = compute_economics(accounts, UnitCosts())
    timings["economics"] = time.perf_counter() - start
    start = time.perf_counter()
    build_features(econ, config.features)
    timings["features (alone, also inside segmentation)"] = time.perf_counter() - start
    start = time.perf_counter()
    seg = segment_accounts(econ, config)
    timings["segmentation (features, k choice, fit, rules, reasons)"] = time.perf_counter() - start
    print(f"\n{rows:,} synthetic accounts, k={seg.k}")
    for step, seconds in timings.items():
        print(f"  {step:<58} {seconds:6.2f} s")
    own = timings["economics"] + timings["segmentation (features, k choice, fit, rules, reasons)"]
    print(f"  {'economics + segmentation (the pipeline path)':<58} {own:6.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"  peak resident memory {peak:,.0f} MB; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} cores (figures grow when other jobs share the machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    config = SegmentConfig()
    sample = sample_accounts()
    quality(sample, config)
    speed(sample, args.rows, config)


if __name__ == "__main__":
    main()
