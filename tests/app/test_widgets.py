"""Alert text built from file names or ids is escaped before Streamlit renders it as Markdown."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ui.widgets import plain

NASTY = ["[x](javascript:alert(1))", "<img src=x onerror=alert(1)>", "**bold** $5 and $6", "# h"]


@pytest.mark.parametrize("text", NASTY, ids=["link", "html", "emphasis-latex", "heading"])
def test_alerts_carry_the_escaped_text(text: str) -> None:
    def page(text: str) -> None:
        import streamlit as st

        from ui.widgets import plain

        st.error(plain(text))

    at = AppTest.from_function(page, args=(text,)).run()
    shown = at.error[0].proto.body
    assert shown == plain(text)
    assert "\\" in shown and all(c in shown for c in "[<*#" if c in text)


def test_plain_keeps_ordinary_words() -> None:
    assert plain("accounts.csv has 3 rows") == "accounts\\.csv has 3 rows"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(78_013_450_000, "$78.01B"), (232_640_000, "$232.64M"), (20_840, "$21k"), (-950, "-$950")],
)
def test_money_fits_a_kpi_tile(value: float, shown: str) -> None:
    from ui.widgets import money

    assert money(value) == shown
