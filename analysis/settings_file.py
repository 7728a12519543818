"""Settings files named on the command line (unit costs, the tier policy): CSV or JSON text."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TypeVar

from analysis.errors import ConfigError

T = TypeVar("T")


def read_settings(path: str | Path, what: str, readers: Mapping[str, Callable[[str, str], T]]) -> T:
    """The file's text (a BOM is fine) parsed by the reader for its extension, which gets the
    text and the file name to cite; an unreadable file or another extension is a ConfigError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path.name}: cannot read the {what} file ({exc}).") from None
    reader = readers.get(path.suffix.lower())
    if reader is None:
        kinds = " or ".join(sorted(readers))
        raise ConfigError(f"{path.name}: {what} must be a {kinds} file.")
    return reader(text, path.name)
