"""Every page runs on the sample portfolio without an exception (Streamlit's AppTest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/data.py",
    "pages/economics.py",
    "pages/segments.py",
    "pages/best.py",
    "pages/prospects.py",
    "pages/tiers.py",
    "pages/review.py",
]


@pytest.fixture
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def test_home_shows_sample_banner_and_portfolio(app: AppTest) -> None:
    assert any("sample portfolio" in info.value for info in app.info)
    assert any("accounts" in text.value for text in app.sidebar.text)
    assert app.title[0].value == "Your customer mix"


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_page_runs_without_exception(app: AppTest, page: str) -> None:
    app.switch_page(page).run()
    assert not app.exception, app.exception
    assert not [e for e in app.error], [e.value for e in app.error]
