"""Best customers: definitions, the model by hand, reasons, lists, validation, targets."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.metrics import roc_auc_score

from analysis import schema as s
from analysis.economics import UnitCosts, compute_economics
from analysis.errors import ConfigError, MissingColumnsError
from analysis.features import FeatureConfig, build_features
from analysis.similarity import (
    BEST,
    SIMILARITY,
    SIMILARITY_REASONS,
    BestDefinition,
    Rule,
    SimilarityConfig,
    SimilarityModel,
    Target,
    best_accounts,
    best_profile,
    lookalikes,
    review_list,
    score_similarity,
    target_progress,
    validate,
)

# Three best accounts around (0, 0); three others far out on feature a.
HAND = pd.DataFrame(
    {"a": [0.0, 1.0, 0.0, 4.0, 4.0, 4.0], "b": [0.0, 0.0, 1.0, 0.0, 1.0, 0.0]},
    index=[f"A{i}" for i in range(6)],
)
HAND_BEST = np.array([True, True, True, False, False, False])


def hand_weights() -> tuple[float, float]:
    sd_a = np.sqrt(125) / 6  # population sd of 0, 1, 0, 4, 4, 4
    effect_a = (4 - 0) / sd_a  # rest median 4, best median 0; b: both medians 0
    wa, wb = effect_a + 0.25, 0.25
    return wa / (wa + wb), wb / (wa + wb)


def test_hand_computed_weights_bandwidth_and_scores():
    model = SimilarityModel().fit(HAND, HAND_BEST)
    wa, wb = hand_weights()
    np.testing.assert_allclose(model.weights_, [wa, wb])
    # rest rows (4, 0) are 3 units of a from exemplar (1, 0); h is half the median of those
    assert model.bandwidth_ == pytest.approx(np.sqrt(9 * wa) / 2)
    probe = pd.DataFrame({"a": [1.0, 2.5, 4.0], "b": [0.0, 0.0, 0.0]})
    # identical to an exemplar: 100; d = h: 50; d = 2h: 100 * 2^-4
    np.testing.assert_allclose(model.score(probe), [100.0, 50.0, 6.25])
    assert model.thin_support_ and model.warnings_[0].startswith("thin_support")


def test_far_account_scores_low_and_columns_checked():
    model = SimilarityModel().fit(HAND, HAND_BEST)
    assert model.score(pd.DataFrame({"a": [40.0], "b": [-30.0]}))[0] < 1e-6
    with pytest.raises(ValueError, match="columns"):
        model.score(HAND[["b", "a"]])


def test_fewer_than_three_best_is_refused():
    with pytest.raises(ConfigError, match="at least 3"):
        SimilarityModel().fit(HAND, [True, True, False, False, False, False])
    with pytest.raises(ConfigError, match="at least 3"):
        BestDefinition.from_exemplars(["A1", "A2", "A2"])


def scored_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            s.ACCOUNT_ID: ["A0", "A1", "A2", "A3", "A4"],
            s.REVENUE: [100.0, 500.0, 300.0, 200.0, 400.0],
            "profit": [10.0, 90.0, 50.0, -5.0, 70.0],
            s.PRODUCTS_USED: [1, 6, 2, 5, 4],
            s.SEGMENT: [s.WRONG, s.RIGHT, s.RIGHT, s.BAD, s.RIGHT],
        }
    )


@pytest.mark.parametrize(
    ("definition", "expected"),
    [
        (BestDefinition.right_segment(), [False, True, True, False, True]),
        (BestDefinition.from_exemplars(("A0", "A3", "A4")), [True, False, False, True, True]),
        (BestDefinition.from_rules(Rule("profit", "top_pct", 40)), [0, 1, 0, 0, 1]),
        (
            BestDefinition.from_rules(
                Rule("profit", "top_pct", 60), Rule(s.PRODUCTS_USED, ">=", 4)
            ),
            [0, 1, 0, 0, 1],
        ),
        (BestDefinition.from_rules(Rule(s.REVENUE, "bottom_pct", 40)), [1, 0, 0, 1, 0]),
    ],
    ids=["right", "exemplars", "top-40%-profit", "top-60%-and-4-products", "bottom-40%"],
)
def test_best_accounts(definition, expected):
    frame = scored_frame()
    got = best_accounts(frame, definition)
    assert got.tolist() == [bool(e) for e in expected]
    assert got.index.equals(frame.index)


def test_best_accounts_errors_name_what_is_wrong():
    with pytest.raises(ConfigError, match="A9"):
        best_accounts(scored_frame(), BestDefinition.from_exemplars(("A0", "A1", "A9")))
    with pytest.raises(MissingColumnsError, match="tenure"):
        best_accounts(scored_frame(), BestDefinition.from_rules(Rule("tenure", ">", 3)))
    with pytest.raises(ConfigError):
        Rule("profit", "top_pct", 0)


def small_book(n: int = 60, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A canonical table where A-00..A-09 are broad, clean accounts and the rest narrow, noisy."""
    rng = np.random.default_rng(seed)
    good = np.arange(n) < 10
    accounts = pd.DataFrame(
        {
            s.ACCOUNT_ID: [f"A-{i:02d}" for i in range(n)],
            s.REVENUE: np.where(good, 80_000, 20_000) * rng.uniform(0.8, 1.2, n),
            s.ORDERS: np.where(good, 12, 4),
            s.PRODUCTS_USED: np.where(good, 6, 2),
            s.COMPLAINTS: np.where(good, 0, rng.integers(2, 6, n)),
            s.SEGMENT: np.where(good, s.RIGHT, s.WRONG),
        }
    )
    econ = compute_economics(accounts, UnitCosts())
    config = FeatureConfig(features=("log_revenue", "products_used", "complaints_per_order"))
    return econ, build_features(econ, config)[0]


def test_reasons_compare_in_plain_units():
    econ, feats = small_book()
    out = score_similarity(econ, feats, BestDefinition.right_segment())
    row = out.set_index(s.ACCOUNT_ID).loc["A-20"]
    best_revenue = econ[s.REVENUE][:10].median()
    assert row[SIMILARITY_REASONS] == (
        f"revenue ${econ[s.REVENUE][20] / 1e3:.1f}k vs ${best_revenue / 1e3:.1f}k; "
        f"products 2 vs 6; complaints per order {econ[s.COMPLAINTS][20] / 4:.2f} vs 0.00"
    )
    assert (
        out.set_index(s.ACCOUNT_ID).loc["A-03", SIMILARITY_REASONS].startswith("products like best")
    )
    assert out[SIMILARITY][:10].min() > out[SIMILARITY][10:].max()


def test_score_similarity_keeps_input_and_is_row_order_free():
    econ, feats = small_book()
    before = econ.copy()
    config = SimilarityConfig(max_exemplars=4)  # condensed to k-means prototypes
    out = score_similarity(econ, feats, BestDefinition.right_segment(), config)
    pd.testing.assert_frame_equal(econ, before)
    perm = np.random.default_rng(0).permutation(len(econ))
    out_p = score_similarity(
        econ.iloc[perm], feats.iloc[perm], BestDefinition.right_segment(), config
    )
    pd.testing.assert_frame_equal(out_p.loc[out.index], out, check_exact=False, rtol=1e-9)
    assert out[BEST].sum() == 10 and out.attrs["similarity_warnings"] == ()


def test_lookalikes_and_review_list():
    frame = scored_frame().assign(
        **{BEST: [False, True, False, False, False], SIMILARITY: [30.0, 100.0, 80.0, 10.0, 80.0]}
    )
    assert lookalikes(frame, 3)[s.ACCOUNT_ID].tolist() == ["A2", "A4", "A0"]
    # top revenue quartile (≥ 400): A1 is best, so only A4 is left to review
    assert review_list(frame, 3)[s.ACCOUNT_ID].tolist() == ["A4"]


def test_best_profile_in_plain_units():
    econ, _ = small_book()
    profile = best_profile(econ, econ[s.SEGMENT].eq(s.RIGHT)).set_index("feature")
    assert profile.loc["products_used", ["median_best", "median_rest"]].tolist() == [6, 2]
    assert profile.loc["log_orders", "median_best"] == pytest.approx(12)
    assert profile.loc["products_used", "difference_sd"] > 0
    assert profile.loc["complaints_per_order", "difference_sd"] < 0
    assert profile["difference_sd"].abs().is_monotonic_decreasing


def test_validate_separable_book():
    econ, feats = small_book(n=120)
    is_best = econ[s.SEGMENT].eq(s.RIGHT)
    result = validate(feats, is_best, seed=1)
    assert result.folds == 3 and result.n_best == 10
    assert result.auc == 1.0 and result.top_decile_lift == pytest.approx(10.0)
    assert result.power_curve["captured"].is_monotonic_increasing
    assert result.power_curve["captured"].iloc[-1] == 1.0
    again = validate(feats, is_best, seed=1)
    pd.testing.assert_frame_equal(result.power_curve, again.power_curve)
    with pytest.raises(ConfigError, match="at least 6"):
        validate(feats, np.arange(len(feats)) < 5, seed=1)


def test_target_progress_counts_by_quarter():
    targets = [
        Target(70, 3, "2026-Q4", date(2026, 7, 1)),
        Target(50, 2, "2026-Q3", date(2026, 7, 1)),
        Target(50, 2, "2027-Q1", date(2026, 7, 1)),
    ]
    snaps = {
        "2026-Q3": pd.DataFrame({SIMILARITY: [49.9, 50.0, 88.0]}),
        "2026-Q4": pd.DataFrame({SIMILARITY: [71.0, 69.0, 90.0]}),
    }
    got = target_progress(targets, snaps)
    assert got[s.QUARTER].tolist() == ["2026-Q3", "2026-Q4", "2027-Q1"]
    assert got["actual"].tolist() == [2, 2, pd.NA]
    assert got["gap"].tolist() == [0, 1, pd.NA]
    assert got["met"].tolist() == [True, False, pd.NA]
    with pytest.raises(ConfigError, match="2026-Q4"):
        Target(70, 3, "Q4 2026", date(2026, 7, 1))


feature_frames = arrays(
    np.float64,
    st.tuples(st.integers(6, 25), st.integers(1, 4)),
    elements=st.floats(-5, 5, allow_nan=False, width=32),
)


@settings(max_examples=60, deadline=None)
@given(values=feature_frames, data=st.data())
def test_property_scores_bounded_and_new_identical_exemplar_never_hurts(values, data):
    n = len(values)
    feats = pd.DataFrame(values, columns=[f"f{j}" for j in range(values.shape[1])])
    best = np.zeros(n, dtype=bool)
    best[data.draw(st.lists(st.integers(0, n - 1), min_size=3, max_size=n - 1, unique=True))] = True
    scores = SimilarityModel().fit(feats, best).score(feats)
    assert np.all((scores >= 0) & (scores <= 100))
    assert np.all(scores[best] >= 100 - 1e-9)
    target = data.draw(st.integers(0, n - 1))
    more = pd.concat([feats, feats.iloc[[target]]], ignore_index=True)
    after = SimilarityModel().fit(more, np.r_[best, True]).score(more)
    assert after[target] >= scores[target] - 1e-9


def test_sample_quality_from_seeded_right_exemplars(sample_accounts, planted_truth):
    econ = compute_economics(sample_accounts, UnitCosts())
    feats, _ = build_features(econ)
    right = econ[s.ACCOUNT_ID].map(planted_truth.set_index("account_id")["segment"]).eq(s.RIGHT)
    rng = np.random.default_rng(20261124)
    ids = econ[s.ACCOUNT_ID][right].sample(20, random_state=rng).tolist()
    out = score_similarity(econ, feats, BestDefinition.from_exemplars(ids))
    held = ~out[BEST]
    sim, y = out[SIMILARITY][held], right[held]
    top = sim.rank(ascending=False, method="first") <= 0.1 * held.sum()
    assert roc_auc_score(y, sim) >= 0.90
    assert y[top].mean() / y.mean() >= 2.0


@pytest.mark.parametrize(
    "definition",
    [
        BestDefinition.right_segment(),
        BestDefinition.from_exemplars(["A1", "A2", "A3"]),
        BestDefinition.from_rules(Rule("profit", "top_pct", 15.0), Rule("products_used", ">=", 4)),
    ],
    ids=["right", "exemplars", "rules"],
)
def test_definition_round_trips_through_json(definition) -> None:
    from analysis.similarity import definition_from_json, definition_to_json

    assert definition_from_json(definition_to_json(definition)) == definition


def test_targets_round_trip_and_bad_json_is_a_config_error() -> None:
    from analysis.similarity import targets_from_json, targets_to_json

    targets = [Target(70.0, 120, "2026-Q4", date(2026, 11, 1))]
    assert targets_from_json(targets_to_json(targets)) == targets
    with pytest.raises(ConfigError, match="unreadable"):
        targets_from_json("{not json")
