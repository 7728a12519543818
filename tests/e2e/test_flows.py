"""Main flows in a real browser: upload and confirm files, visit every page, download exports."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from analysis.sample import SAMPLE_FILES
from tests.e2e.test_home import assert_no_error

pytestmark = pytest.mark.e2e

PAGES = {
    "economics": "Economics",
    "segments": "Segments",
    "best": "Best customers",
    "prospects": "Prospects",
    "tiers": "Service tiers",
    "review": "Quarterly review",
    "data": "Data",
}


def wait_idle(page) -> None:
    """Streamlit shows a running indicator while a script runs; wait for it to go."""
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=90_000)


def test_every_page_renders(page, app_url: str) -> None:
    for path, title in PAGES.items():
        page.goto(f"{app_url}/{path}")
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        wait_idle(page)
        assert_no_error(page)


def test_upload_confirm_and_download(page, app_url: str) -> None:
    page.goto(f"{app_url}/data")
    expect(page.get_by_role("heading", name="Data", exact=True)).to_be_visible()
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        str(SAMPLE_FILES["accounts"])
    )
    expect(page.get_by_text("Confirm what each file is")).to_be_visible()
    page.get_by_role("button", name="Use these files").click()
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Your files")).to_be_visible()
    assert_no_error(page)

    page.get_by_test_id("stSidebarNav").get_by_text("Economics").click()
    expect(page.get_by_role("heading", name="Economics", exact=True)).to_be_visible()
    wait_idle(page)
    expect(page.get_by_test_id("stSidebar").get_by_text("Your files")).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download CSV").first.click()
    download = info.value
    assert download.suggested_filename.startswith("rightfit-economics-")
    text = download.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3000
    assert {"account_id", "revenue", "cost_to_serve", "profit"} <= set(rows[0])
    assert_no_error(page)
