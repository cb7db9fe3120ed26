"""Error hierarchy: one root, subclasses that also inherit the matching built-in."""

from __future__ import annotations

from dataclasses import dataclass


class GeoError(Exception):
    """Root of every error raised by :mod:`geo` and :mod:`layers`."""


class CRSError(GeoError, ValueError):
    """A coordinate reference system is missing, unknown or cannot be inferred."""


class CoordinateError(GeoError, ValueError):
    """A coordinate value cannot be parsed or lies outside its valid range."""


class SourceReadError(GeoError, OSError):
    """A source file is missing or cannot be read."""


class ConflictError(GeoError, RuntimeError):
    """A write started from an older revision than the store holds and overlaps a change made since;
    the message names that change (who, when, what). Nothing was written."""


class NotPermittedError(GeoError, PermissionError):
    """The user (or the path asked for) may not be written; nothing was changed."""


class UnknownNameError(GeoError, KeyError):
    """A name (layer, workspace, dataset) is not known; the message lists known names."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where it is and how to fix it."""

    row: int | None
    field: str | None
    message: str

    def format(self, source: str) -> str:
        where = [source]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field is not None:
            where.append(f"field '{self.field}'")
        return f"{', '.join(where)}: {self.message}"


class ValidationError(GeoError, ValueError):
    """A dataset failed validation; carries every problem found, not only the first."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [p.format(source) for p in self.problems]
        head = f"{len(lines)} problem(s) in {source}:"
        super().__init__("\n".join([head, *lines]))
