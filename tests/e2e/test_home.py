"""The app opens in a real browser on the sample portfolio, with no exception box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def assert_no_error(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_text("Traceback")).to_have_count(0)


def test_home_renders_sample_portfolio(page, app_url: str) -> None:
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Your customer mix")).to_be_visible()
    expect(page.get_by_text("bundled sample portfolio")).to_be_visible()
    expect(page.get_by_role("heading", name="Right customers")).to_be_visible()
    assert_no_error(page)
