"""Similarity quality on the sample portfolio and speed at 1,000,000 accounts; prints its figures.

Run: .venv/bin/python bench/similarity_bench.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from synthetic import resample, sample_accounts  # bench/ is on sys.path when run as a script

from analysis import schema as s
from analysis.economics import UnitCosts, compute_economics
from analysis.features import build_features
from analysis.sample import TRUTH_FILE
from analysis.similarity import (
    BEST,
    SIMILARITY,
    BestDefinition,
    SimilarityConfig,
    SimilarityModel,
    score_similarity,
    validate,
)


def quality(econ: pd.DataFrame, feats: pd.DataFrame, right: pd.Series) -> None:
    print("quality on the sample (exemplars drawn from planted right accounts, 5 seeds)")
    for n in (3, 10, 20, 50):
        aucs, lifts = [], []
        for seed in range(5):
            ids = econ[s.ACCOUNT_ID][right].sample(n, random_state=seed).tolist()
            out = score_similarity(econ, feats, BestDefinition.from_exemplars(ids))
            held = ~out[BEST]
            sim, y = out[SIMILARITY][held], right[held]
            top = sim.rank(ascending=False, method="first") <= 0.1 * held.sum()
            aucs.append(roc_auc_score(y, sim))
            lifts.append(y[top].mean() / y.mean())
        print(
            f"  {n:>3} exemplars: AUC min {min(aucs):.3f} mean {np.mean(aucs):.3f}; "
            f"top-decile lift min {min(lifts):.2f}"
        )
    v = validate(feats, right, seed=0)
    print(
        f"  validate(best = planted right, {v.folds} folds): AUC {v.auc:.3f}, "
        f"top-decile lift {v.top_decile_lift:.2f}, captured by top 20% "
        f"{v.power_curve.loc[v.power_curve.top_share == 0.2, 'captured'].iloc[0]:.3f}"
    )


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"  {label}: {time.perf_counter() - start:.2f} s")
    return result


def speed(accounts: pd.DataFrame, right_ids: set[str], rows: int) -> None:
    print(f"speed at {rows:,} accounts")
    big = resample(accounts, rows)
    econ = timed("compute_economics", lambda: compute_economics(big, UnitCosts()))
    feats = timed("build_features", lambda: build_features(econ)[0])
    source = big[s.ACCOUNT_ID].str[1:].astype(int)
    is_right = accounts[s.ACCOUNT_ID].isin(right_ids).to_numpy()[source % len(accounts)]
    few = np.zeros(rows, dtype=bool)
    few[np.flatnonzero(is_right)[:50]] = True
    m50 = timed("fit, 50 exemplars", lambda: SimilarityModel().fit(feats, few))
    timed("score, 50 exemplars", lambda: m50.score(feats))
    m_all = timed(
        f"fit, best = right ({int(is_right.sum()):,}, condensed to 128 prototypes)",
        lambda: SimilarityModel().fit(feats, is_right),
    )
    timed("score, 128 prototypes", lambda: m_all.score(feats))
    econ[s.SEGMENT] = np.where(is_right, s.RIGHT, s.WRONG)
    right = BestDefinition.right_segment()
    timed(
        "score_similarity without reasons (fit + score)",
        lambda: score_similarity(econ, feats, right, SimilarityConfig(reasons=0)),
    )
    timed("score_similarity with 3 reasons", lambda: score_similarity(econ, feats, right))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    accounts = sample_accounts()
    truth = pd.read_csv(TRUTH_FILE, dtype={"account_id": str})
    econ = compute_economics(accounts, UnitCosts())
    feats, _ = build_features(econ)
    segment = econ[s.ACCOUNT_ID].map(truth.set_index("account_id")["segment"])
    quality(econ, feats, segment.eq(s.RIGHT))
    speed(accounts, set(truth.loc[truth["segment"] == s.RIGHT, "account_id"]), args.rows)


if __name__ == "__main__":
    main()
