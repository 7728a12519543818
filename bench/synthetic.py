"""The sample portfolio through the real ingest, and bigger portfolios resampled from it.

Shared by the benchmarks (run them as scripts: bench/ is then on sys.path).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import schema as s
from analysis.features import FRICTION_DRIVERS
from analysis.ingest import load_paths
from analysis.sample import SAMPLE_FILES

COUNTS = (s.ORDERS, *FRICTION_DRIVERS)


def sample_accounts() -> pd.DataFrame:
    """The sample's accounts export as a canonical account table."""
    return load_paths([SAMPLE_FILES["accounts"]]).accounts


def resample(sample: pd.DataFrame, rows: int, seed: int = 0) -> pd.DataFrame:
    """Accounts drawn with replacement, new ids; money and counts scaled by one lognormal(0, 0.1)
    factor per account (so ratios keep their shape), days to pay jittered by 5%."""
    rng = np.random.default_rng(seed)
    big = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    factor = rng.lognormal(0.0, 0.1, rows)
    for col in (s.REVENUE, s.COGS, s.DISCOUNTS):
        big[col] = big[col].to_numpy() * factor
    for col in COUNTS:
        big[col] = np.rint(big[col].to_numpy() * factor)
    big[s.DAYS_TO_PAY] = big[s.DAYS_TO_PAY].to_numpy() * rng.lognormal(0.0, 0.05, rows)
    big[s.ACCOUNT_ID] = pd.array([f"S-{i:07d}" for i in range(rows)], dtype="str")
    return big
