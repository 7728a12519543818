"""Main flows in a real browser: upload and confirm files, visit every page, download exports."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
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
    """Streamlit shows a running indicator while a script runs: give a rerun a moment to start
    (it may be slow to under load), then wait for the indicator to go."""
    status = page.get_by_test_id("stStatusWidget")
    with contextlib.suppress(PlaywrightTimeoutError):
        status.wait_for(state="visible", timeout=1500)
    expect(status).to_have_count(0, timeout=90_000)


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


def test_filter_segments_and_download_excel(page, app_url: str, tmp_path) -> None:
    """Change a control, then the download holds exactly what the page shows, as real Excel."""
    from openpyxl import load_workbook

    page.goto(f"{app_url}/segments")
    expect(page.get_by_role("heading", name="Segments", exact=True)).to_be_visible()
    wait_idle(page)
    filter_group = page.get_by_test_id("stButtonGroup").filter(has_text="wrong").last
    filter_group.get_by_role("button", name="right", exact=True).click()
    filter_group.get_by_role("button", name="bad", exact=True).click()
    wait_idle(page)
    buttons = page.get_by_role("button", name="Download Excel")
    # the drill-down's buttons come after the summary's and the profiles'
    with page.expect_download() as info:
        buttons.nth(2).click()
    download = info.value
    assert download.suggested_filename.startswith("rightfit-segmented-accounts-")
    saved = tmp_path / "segments.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    segments = {row[header.index("segment")] for row in body}
    assert segments == {"wrong"} and len(body) > 100
    assert_no_error(page)
