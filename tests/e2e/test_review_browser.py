"""Quarterly review in a real browser: save a snapshot, see it listed, download the HTML pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_home import assert_no_error

pytestmark = pytest.mark.e2e


def wait_idle(page) -> None:
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def test_save_snapshot_and_download_report(page, app_url: str) -> None:
    page.goto(f"{app_url}/review")
    expect(page.get_by_role("heading", name="Quarterly review", exact=True)).to_be_visible()
    wait_idle(page)
    expect(page.get_by_text("runs locally without login")).to_be_visible()

    name = page.get_by_label("Save the current analysis as")
    name.fill("E2E 2026-Q2")
    page.get_by_role("button", name="Save snapshot").click()
    wait_idle(page)
    expect(page.get_by_text("Saved 3,000 accounts as 'E2E 2026-Q2'.")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    expect(page.get_by_role("combobox", name="Open a snapshot")).to_have_value("E2E 2026-Q2")
    assert_no_error(page)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download report (HTML)").click()
    download = info.value
    text = Path(download.path()).read_text(encoding="utf-8")
    assert "<html" in text
    assert '<script src="http' not in text
    assert_no_error(page)
