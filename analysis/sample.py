"""Where the bundled sample portfolio lives, so the app, CLI and tests load it without guessing.

The files are written by ``data/sample/generate.py`` (Northgate Supply, a fictional distributor);
``planted_truth.csv`` holds each account's planted segment for tests and benchmarks only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

SAMPLE_DIR: Path = Path(__file__).resolve().parent.parent / "data" / "sample"
SAMPLE_FILES: Mapping[str, Path] = MappingProxyType(
    {
        role: SAMPLE_DIR / f"{role}.csv"
        for role in ("accounts", "invoices", "tickets", "interactions")
    }
)
TRUTH_FILE: Path = SAMPLE_DIR / "planted_truth.csv"
