"""What the app tests share: the entry script, its pages, and a fresh session of the app."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGES = (
    "pages/overview.py",
    "pages/data.py",
    "pages/economics.py",
    "pages/segments.py",
    "pages/best.py",
    "pages/prospects.py",
    "pages/tiers.py",
    "pages/review.py",
)


def new_session() -> AppTest:
    """A new browser session of the app, not run yet (AppTest's default 3 s is too short)."""
    return AppTest.from_file(APP, default_timeout=120)


def ok(at: AppTest) -> AppTest:
    """The session, after checking its last run raised nothing."""
    assert not at.exception, at.exception
    return at
