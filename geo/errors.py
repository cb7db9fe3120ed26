"""Error hierarchy: one root, subclasses that also inherit the matching built-in.

Every error that :mod:`geo` or :mod:`layers` raises on bad input is a :class:`GeoError`, so a page or
command catches that one class and shows ``str(err)``: messages name the file, field or value and say
how to fix it, and name an uploaded file by its name, never by a server path. ``assert`` and
built-in errors are left for programming mistakes only."""

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


class NotARasterError(SourceReadError):
    """A file is not a GeoTIFF raster that can be read."""


class RasterTooLargeError(GeoError, ValueError):
    """A raster needs more cells or memory to decode than the reader allows; carries the sizes (and the
    limits) so that a page can translate the message."""

    def __init__(self, name: str, width: int, height: int, bands: int, decoded_bytes: int, *,
                 limit: int, limit_bytes: int) -> None:
        self.name, self.width, self.height, self.bands, self.decoded_bytes = name, width, height, bands, decoded_bytes
        self.limit, self.limit_bytes = limit, limit_bytes
        super().__init__(
            f"{name} is {width} x {height} pixels ({bands} band(s), {decoded_bytes / 2**30:.1f} GiB to decode); "
            f"the limit is {limit:,} pixels and {limit_bytes / 2**30:.0f} GiB. Add overviews "
            f"(gdaladdo {name} 2 4 8 16) or make a smaller copy (gdal_translate -outsize 25% 25% {name} small.tif) and upload that."
        )


class OptionError(GeoError, ValueError):
    """An option or form value the function cannot use (an unknown choice, a number out of range,
    two options that exclude each other); the message names the option, the value and what is allowed."""


class GeometryError(GeoError, ValueError):
    """A geometry is empty or too small for the operation asked (no area to place points in, a line
    of one point); the message says which geometry and what it needs."""


class ConflictError(GeoError, RuntimeError):
    """A write started from an older revision than the store holds and overlaps a change made since;
    the message names that change (who, when, what). Nothing was written."""


class DatabaseError(GeoError, OSError):
    """The workspace database cannot be reached or used; the message names host, port and database
    (never the password) and says what to check."""


class NotPermittedError(GeoError, PermissionError):
    """The user (or the path asked for) may not be written; nothing was changed."""


class PermissionDeniedError(NotPermittedError):
    """A refusal by role: the acting account (or a missing, unknown or disabled one) may not make this change: the message
    names the account, its role and scope, what was asked (layer, kind, township) and how to get the
    right. Nothing was written."""


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
