"""Hostile account names (tests/data/hostile_names.csv, from the Big List of Naughty Strings plus
formula, markdown, HTML, RTL, zero-width and 40,000-character names) are shown as text only.

Every page runs on that upload without an exception, and no element that Streamlit renders as
markdown (text, headings, alerts, captions, metric and widget labels, radio options) contains a
user's name: names belong in dataframes, `st.text` and `st.code`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from apptest import PAGES, new_session
from streamlit.testing.v1 import AppTest

from analysis.ingest import IngestConfig, InputFile, load_portfolio
from analysis.schema import ACCOUNT_ID, ACCOUNT_NAME
from ui.state import FILES, INGEST_CONFIG, LoadedFiles

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "data" / "hostile_names.csv"
MARKDOWN_ELEMENTS = (
    "markdown",
    "caption",
    "title",
    "header",
    "subheader",
    "info",
    "warning",
    "error",
    "success",
    "toast",
)
SHORTEST_CHECKED = 6  # shorter names ("+1", "$HOME") could appear in ordinary text by chance


@pytest.fixture(scope="module")
def upload() -> LoadedFiles:
    return LoadedFiles((InputFile(HOSTILE.name, HOSTILE.read_bytes()),), "upload")


@pytest.fixture(scope="module")
def user_strings(upload: LoadedFiles) -> list[str]:
    """The names and ids as ingest keeps them: those are what a page could show."""
    accounts = load_portfolio(upload.files, IngestConfig()).accounts
    values = [*accounts[ACCOUNT_NAME].dropna(), *accounts[ACCOUNT_ID].dropna()]
    return sorted({v.strip() for v in values if len(v.strip()) >= SHORTEST_CHECKED})


def markdown_texts(at: AppTest) -> list[str]:
    """Every string on the page that Streamlit renders as markdown."""
    texts = [e.value for name in MARKDOWN_ELEMENTS for e in getattr(at, name)]
    texts += [m.label for m in at.metric]
    texts += [e.label for e in at.expander] + [t.label for t in at.tabs]
    for widget in (
        *at.button,
        *at.checkbox,
        *at.toggle,
        *at.selectbox,
        *at.multiselect,
        *at.number_input,
        *at.slider,
        *at.text_input,
        *at.text_area,
    ):
        texts.append(widget.label)
    for radio in at.radio:
        texts += [radio.label, *map(str, radio.options)]
    return [str(t) for t in texts if t]


def test_fixture_holds_the_nastiest_names(user_strings: list[str]) -> None:
    assert "<img src=x onerror=alert(1)>" in user_strings
    assert "[x](javascript:alert(1))" in user_strings
    assert '=HYPERLINK("http://x","y")' in user_strings
    assert any(len(s) == 40_000 for s in user_strings)


@pytest.mark.parametrize("page", PAGES, ids=[p.split("/")[1][:-3] for p in PAGES])
def test_page_shows_hostile_names_only_as_text(
    upload: LoadedFiles, user_strings: list[str], page: str
) -> None:
    at = new_session()
    at.session_state[FILES] = upload
    at.session_state[INGEST_CONFIG] = IngestConfig()
    at.run()
    assert any(HOSTILE.name in t.value for t in at.sidebar.text), "the upload is not in use"
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    leaks = [
        (name[:60], text[:120])
        for text in markdown_texts(at)
        for name in user_strings
        if name in text
    ]
    assert not leaks, leaks
