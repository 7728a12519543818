"""Screening a prospect in a real browser: the form filled from the keyboard, results shown, and
the printable brief downloaded."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.test_flows import wait_idle
from tests.e2e.test_home import assert_no_error

pytestmark = pytest.mark.e2e


def test_prospect_form_by_keyboard_and_brief(page, app_url: str) -> None:
    page.goto(f"{app_url}/prospects")
    expect(page.get_by_role("heading", name="Prospects", exact=True)).to_be_visible()
    wait_idle(page)
    name = page.get_by_label("Prospect", exact=True)
    name.fill("Bread & Water Bistro")
    page.get_by_label("Expected annual revenue ($)").fill("1500")
    page.get_by_label("Discount asked (%)").fill("30")
    page.get_by_label("Payment terms asked (days)").fill("90")
    page.get_by_label("Payment terms asked (days)").press("Enter")  # submits the form
    wait_idle(page)
    expect(page.get_by_role("heading", name="Results")).to_be_visible()
    expect(page.get_by_text("To discuss:")).to_be_visible()
    assert_no_error(page)

    with page.expect_download() as info:
        page.get_by_role("button", name="Download a printable brief (HTML)").click()
    download = info.value
    assert download.suggested_filename == "rightfit-prospect-brief.html"
    html = download.path().read_text(encoding="utf-8")
    assert "Bread &amp; Water Bistro" in html and "<script" not in html.lower()
    assert_no_error(page)
