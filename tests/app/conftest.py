"""Every app test gets its own empty workspace folder, never the developer's ./workspace."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _workspace(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RIGHTFIT_WORKSPACE", str(tmp_path / "workspace"))
