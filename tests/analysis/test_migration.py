"""Segment migration: every account is one flow; flows add up; the changed list is exact."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import schema as s
from analysis.migration import (
    CHANGED_COLUMNS,
    MigrationError,
    compare_snapshots,
    sankey_data,
)

BEFORE = pd.DataFrame(
    {
        s.ACCOUNT_ID: ["1", "2", "3", "4"],
        s.ACCOUNT_NAME: ["Ann", "Bo", "Cy", "Di"],
        s.SEGMENT: ["right", "wrong", "bad", "wrong"],
        s.REVENUE: [10.0, 20.0, 30.0, 40.0],
        "reasons": ["broad use", "small", "complaints", "small"],
    }
)
AFTER = pd.DataFrame(
    {
        s.ACCOUNT_ID: ["5", "4", "3", "2"],
        s.ACCOUNT_NAME: ["Ed", "Di", "Cy Ltd", "Bo"],
        s.SEGMENT: ["wrong", "bad", "bad", "right"],
        s.REVENUE: [51.0, 41.0, 31.0, 21.0],
        "reasons": ["small", "rush demands", "complaints", "grew"],
    }
)


def test_hand_computed_links_and_changes() -> None:
    before, after = BEFORE.copy(), AFTER.copy()
    m = compare_snapshots(before, after)
    expected = pd.DataFrame(
        {
            "from": ["right", "wrong", "wrong", "bad", "new"],
            "to": ["lost", "right", "bad", "bad", "wrong"],
            "accounts": [1, 1, 1, 1, 1],
            "revenue": [10.0, 21.0, 41.0, 31.0, 51.0],
        }
    ).astype({"from": str, "to": str})
    pd.testing.assert_frame_equal(m.links, expected)
    assert m.changed.columns.tolist() == list(CHANGED_COLUMNS)
    assert m.changed[s.ACCOUNT_ID].tolist() == ["1", "2", "4", "5"]
    assert m.changed["before"].tolist() == ["right", "wrong", "wrong", "new"]
    assert m.changed["after"].tolist() == ["lost", "right", "bad", "wrong"]
    assert m.changed[s.ACCOUNT_NAME].tolist() == ["Ann", "Bo", "Di", "Ed"]
    assert m.changed["reasons_after"].tolist() == ["", "grew", "rush demands", "small"]
    assert m.changed["revenue_before"].isna().tolist() == [False, False, False, True]
    pd.testing.assert_frame_equal(before, BEFORE)  # inputs not mutated
    pd.testing.assert_frame_equal(after, AFTER)


def test_sankey_data_indexes_nodes() -> None:
    labels, sources, targets, values = sankey_data(compare_snapshots(BEFORE, AFTER))
    assert labels[:4] == ["right (before)", "wrong (before)", "bad (before)", "new"]
    assert labels[4:] == ["right (after)", "wrong (after)", "bad (after)", "lost"]
    pairs = [(labels[a], labels[b]) for a, b in zip(sources, targets, strict=True)]
    assert pairs[:2] == [("right (before)", "lost"), ("wrong (before)", "right (after)")]
    assert values == [1.0] * 5
    assert sankey_data(compare_snapshots(BEFORE, AFTER), value="revenue")[3][0] == 10.0


def test_minimal_columns_suffice() -> None:
    m = compare_snapshots(BEFORE[[s.ACCOUNT_ID, s.SEGMENT]], AFTER[[s.ACCOUNT_ID, s.SEGMENT]])
    assert m.links["accounts"].sum() == 5
    assert m.links["revenue"].sum() == 0.0


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (BEFORE.drop(columns=[s.SEGMENT]), "no segment"),
        (pd.concat([BEFORE, BEFORE.head(1)]), "account 1 more than once"),
        (BEFORE.assign(segment=["right", "great", "bad", None]), "great, \\(blank\\)"),
    ],
    ids=["no-segment", "duplicate", "unknown"],
)
def test_bad_snapshots_are_refused(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(MigrationError, match=message):
        compare_snapshots(frame, AFTER)


def snapshots() -> st.SearchStrategy[pd.DataFrame]:
    ids = st.lists(st.integers(0, 30), unique=True, max_size=25)
    return ids.flatmap(
        lambda keys: st.lists(
            st.tuples(st.sampled_from(s.SEGMENTS), st.floats(-1e6, 1e6)),
            min_size=len(keys),
            max_size=len(keys),
        ).map(
            lambda rows, keys=keys: pd.DataFrame(
                {
                    s.ACCOUNT_ID: [str(k) for k in keys],
                    s.SEGMENT: [r[0] for r in rows],
                    s.REVENUE: [r[1] for r in rows],
                }
            )
        )
    )


@settings(max_examples=60, deadline=None)
@given(before=snapshots(), after=snapshots(), seed=st.integers(0, 2**16))
def test_flows_add_up_and_order_does_not_matter(
    before: pd.DataFrame, after: pd.DataFrame, seed: int
) -> None:
    m = compare_snapshots(before, after)
    b, a = set(before[s.ACCOUNT_ID]), set(after[s.ACCOUNT_ID])
    assert m.links["accounts"].sum() == len(b & a) + len(a - b) + len(b - a)
    assert m.links.loc[m.links["from"] == "new", "accounts"].sum() == len(a - b)
    assert m.links.loc[m.links["to"] == "lost", "accounts"].sum() == len(b - a)
    assert (m.links["accounts"] > 0).all()
    stayed = m.links[m.links["from"] == m.links["to"]]["accounts"].sum()
    assert len(m.changed) == m.links["accounts"].sum() - stayed
    shuffled = compare_snapshots(
        before.sample(frac=1, random_state=seed), after.sample(frac=1, random_state=seed)
    )
    pd.testing.assert_frame_equal(shuffled.links, m.links)
    pd.testing.assert_frame_equal(shuffled.changed, m.changed)
