"""The allow-list that decides who gets in when login is configured."""

from __future__ import annotations

import pytest

from ui.auth import allowed


@pytest.mark.parametrize(
    ("email", "allow_list", "expected"),
    [
        ("ann@acme.com", "", True),
        ("ann@acme.com", "ann@acme.com", True),
        ("ANN@Acme.com", "ann@acme.com", True),
        ("bob@acme.com", "@acme.com", True),
        ("bob@acme.com.evil.io", "@acme.com", False),
        ("eve@evil.io", "ann@acme.com, @acme.com", False),
        (None, "@acme.com", False),
        ("no-at-sign", "@acme.com", False),
    ],
    ids=["open", "address", "case", "domain", "lookalike-domain", "other", "none", "malformed"],
)
def test_allowed(email, allow_list: str, expected: bool) -> None:
    assert allowed(email, allow_list) is expected
