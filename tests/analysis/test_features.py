"""Features: readable metrics by hand, robust scaling, coarse data, no mutation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import schema as s
from analysis.economics import UnitCosts, compute_economics
from analysis.features import FeatureConfig, account_metrics, build_features, robust_scale


def econ_of(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    accounts = pd.DataFrame({s.ACCOUNT_ID: [f"A{i}" for i in range(n)], **columns})
    return compute_economics(accounts, UnitCosts())


def test_metrics_by_hand():
    econ = econ_of(
        revenue=[10_000.0, 20_000.0, 40_000.0],
        cogs=[6_000.0, 12_000.0, 30_000.0],
        orders=[4, 10, 0],
        complaints=[2, 0, 1],
        discounts=[1_000.0, 0.0, 400.0],
        days_to_pay=[45.0, 20.0, None],
        products_used=[1, 3, 6],
    )
    m = account_metrics(econ)
    assert m["revenue_vs_median"].tolist() == pytest.approx([0.5, 1.0, 2.0])
    assert m["discount_pct"].tolist() == pytest.approx([0.1, 0.0, 0.01])
    assert m["gross_margin_pct"].tolist() == pytest.approx([0.4, 0.4, 0.25])
    assert m["friction_pct"].tolist() == pytest.approx([240 / 10_000, 0.0, 120 / 40_000])
    assert m["complaints_per_order"].iloc[0] == 0.5 and np.isnan(m["complaints_per_order"].iloc[2])
    assert m["days_late"].iloc[:2].tolist() == [15.0, 0.0] and np.isnan(m["days_late"].iloc[2])
    assert m["log_revenue_per_order"].iloc[0] == pytest.approx(np.log1p(2_500))
    # profit: 4000 − (100 + 240 + 1000 + late 10000·0.1·15/365) on the first account
    late = 10_000 * 0.1 * 15 / 365
    assert m["profit_margin"].iloc[0] == pytest.approx((4_000 - 100 - 240 - 1_000 - late) / 10_000)
    # the friction norm for a portfolio this small is its median (one size band)
    assert m["friction_vs_norm"].tolist() == pytest.approx([240 / 10_000 / 0.003, 0.0, 1.0])


def test_robust_scale_by_hand():
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 100.0], "b": [5.0] * 5})
    scaled = robust_scale(frame, clip=5.0)
    assert scaled["a"].tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 5.0])  # IQR 2, clipped
    assert scaled["b"].tolist() == [0.0] * 5


def test_coarse_data_revenue_and_orders_only():
    econ = econ_of(revenue=[100.0, 5_000.0, 80_000.0, 1_200.0], orders=[1, 4, 30, 2])
    features, absent = build_features(econ, FeatureConfig())
    assert list(features.columns) == [
        "log_revenue",
        "log_revenue_per_order",
        "log_orders",
        "profit_margin",
    ]
    assert {"discount_pct", "products_used", "gross_margin_pct", "days_late"} <= set(absent)
    assert np.isfinite(features.to_numpy()).all() and features.index.equals(econ.index)


def test_input_not_mutated_and_unknown_feature_refused():
    econ = econ_of(revenue=[1.0, 2.0], orders=[1, 1])
    before = econ.copy()
    build_features(econ)
    pd.testing.assert_frame_equal(econ, before)
    with pytest.raises(ValueError, match="unknown features"):
        build_features(econ, FeatureConfig(features=("shoe_size",)))
