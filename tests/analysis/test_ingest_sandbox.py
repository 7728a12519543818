"""The isolated loader: same portfolio as in-process, plain messages when a budget runs out."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.errors import InputFileError, MissingColumnsError
from analysis.ingest import (
    IngestConfig,
    InputFile,
    load_portfolio,
    load_portfolio_isolated,
    preview_raw_isolated,
    read_raw,
)
from analysis.sample import SAMPLE_FILES

NAMES = "accounts.csv, invoices.csv, tickets.csv, interactions.csv"


@pytest.fixture(scope="module")
def sample_files() -> tuple[InputFile, ...]:
    return tuple(
        InputFile(name=path.name, data=path.read_bytes(), role=role)
        for role, path in SAMPLE_FILES.items()
    )


def test_sample_loads_identically_isolated_and_in_process(sample_files) -> None:
    expected = load_portfolio(sample_files, IngestConfig())
    actual = load_portfolio_isolated(sample_files, IngestConfig())
    pd.testing.assert_frame_equal(actual.accounts, expected.accounts)
    pd.testing.assert_frame_equal(actual.account_quarters, expected.account_quarters)
    pd.testing.assert_frame_equal(actual.quarantine, expected.quarantine)
    pd.testing.assert_frame_equal(actual.reconciliation, expected.reconciliation)
    assert actual.files == expected.files
    assert (actual.missing, actual.warnings) == (expected.missing, expected.warnings)


def test_tiny_memory_budget_names_the_files_and_the_budget(sample_files) -> None:
    with pytest.raises(InputFileError) as caught:
        load_portfolio_isolated(sample_files, IngestConfig(), memory_bytes=20 * 2**20)
    assert str(caught.value) == f"{NAMES}: needs more memory than one upload may use (20 MB)."
    assert caught.value.file == NAMES


def test_tiny_time_budget_stops_the_child(sample_files) -> None:
    with pytest.raises(InputFileError) as caught:
        load_portfolio_isolated(sample_files, IngestConfig(), seconds=0.05)
    assert str(caught.value) == f"{NAMES}: took longer than 0.05 s to read; stopped."


@pytest.mark.parametrize(
    ("file", "kind"),
    [
        (InputFile("empty.csv", b""), InputFileError),
        (
            InputFile("no_revenue.csv", b"account_id,name\nA1,Acme\n", role="accounts"),
            MissingColumnsError,
        ),
    ],
    ids=["input-file-error", "missing-columns-error"],
)
def test_rightfit_error_passes_through_with_its_message(file, kind) -> None:
    with pytest.raises(kind) as in_process:
        load_portfolio([file], IngestConfig())
    with pytest.raises(kind) as isolated:
        load_portfolio_isolated([file], IngestConfig())
    assert type(isolated.value) is kind
    assert str(isolated.value) == str(in_process.value)
    assert vars(isolated.value) == vars(in_process.value)


def test_preview_read_is_isolated_too_and_brings_back_only_the_first_rows() -> None:
    file = InputFile("accounts.csv", SAMPLE_FILES["accounts"].read_bytes())
    preview = preview_raw_isolated(file, IngestConfig())
    whole = read_raw(file, IngestConfig())
    pd.testing.assert_frame_equal(preview.frame, whole.frame.head(200))
    assert preview.rows == len(whole.frame) == 3000 and whole.rows == 3000
    with pytest.raises(InputFileError, match="needs more memory than one upload may use"):
        preview_raw_isolated(file, IngestConfig(), memory_bytes=2**20)
