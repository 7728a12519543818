"""Errors a user can act on: each names the file and, where known, the row and column."""

from __future__ import annotations


class RightfitError(Exception):
    """Base class: its message is safe and meant to be shown to the user as it is."""


class InputFileError(RightfitError):
    """A file that cannot be read or used at all (empty, encrypted, corrupt, too large, ...)."""

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        row: int | None = None,
        column: str | None = None,
        hint: str = "",
    ) -> None:
        self.file, self.problem, self.row, self.column, self.hint = file, problem, row, column, hint
        where = f"{file}"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}" + (f" {hint}" if hint else ""))


class MissingColumnsError(RightfitError):
    """Required fields could not be found; lists what was found so the user can map it."""

    def __init__(self, missing: list[str], *, found: list[str], file: str = "") -> None:
        self.missing, self.found, self.file = missing, found, file
        prefix = f"{file}: " if file else ""
        shown = ", ".join(found[:30]) + (" ..." if len(found) > 30 else "")
        super().__init__(
            f"{prefix}no column for {', '.join(missing)}. Headers found: {shown or '(none)'}. "
            "Map a column to each required field."
        )


class ConfigError(RightfitError):
    """A settings file (unit costs, tiers, rules) that cannot be used."""
