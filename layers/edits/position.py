"""A position as people type or copy it: decimal or 度分秒 lon/lat in WGS84/CGCS2000, GCJ-02 (copied
from a phone map app), BD-09, or Gauss-Krüger X/Y (zone detected from the prefix or the county, X as
northing when it has 7 digits), turned into a point in EPSG:4490 with the reading in words."""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry


@dataclass(frozen=True)
class Position:
    """A typed position read: the point (EPSG:4490), how it was read (``"中文 / English"``), the CRS label."""

    point: Point
    reading: str
    crs: str


def parse_position(first: str | float, second: str | float, *, datum: str = "wgs84", crs: str | None = None,
                   area: BaseGeometry | None = None) -> Position:
    """Read a position from two cells as typed: lon/lat (``datum`` wgs84|cgcs2000|gcj02|bd09) or, with
    ``crs="EPSG:N"`` or ``crs="auto"``, GK X/Y (``area``, the county, settles the zone and the order).
    Raises CoordinateError / CRSError naming the value and the fix."""
    raise NotImplementedError
