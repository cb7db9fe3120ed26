"""Coordinate reference systems used in China: CGCS2000, its Gauss-Krüger zones, GCJ-02 and BD-09.

CGCS2000 geographic coordinates (EPSG:4490) agree with WGS84 (EPSG:4326) to a few centimetres,
far below the accuracy of any dataset here, so the two are treated as interchangeable for display.
Gauss-Krüger 3-degree zones: EPSG:4513-4533 carry the zone number as a false-easting prefix
(x = zone * 1e6 + 500000 + dx); EPSG:4534-4554 have the same projections without the prefix.
Gauss-Krüger 6-degree zones 13-23 (central meridian 6 * zone - 3): EPSG:4491-4501 with the prefix,
EPSG:4502-4512 without. The prefix tells the zone width: 13-23 are 6-degree zones, 25-45 3-degree zones.
GCJ-02 is the obfuscated datum of AMap/Gaode and of phone map apps; BD-09 is Baidu's further shift of
GCJ-02. Neither has an EPSG code; they are handled by :func:`wgs84_to_gcj02` / :func:`gcj02_to_wgs84`
and :func:`gcj02_to_bd09` / :func:`bd09_to_gcj02`, and :func:`to_wgs84` undoes any of them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeVar

import numpy as np
import numpy.typing as npt
from pyproj import CRS

from geo.errors import CRSError

CGCS2000 = "EPSG:4490"
WGS84 = "EPSG:4326"
GK3_FIRST_ZONE = 25  # central meridian 75E
GK3_LAST_ZONE = 45  # central meridian 135E
_GK3_PREFIXED_BASE = 4513  # zone 25 with prefix
_GK3_PLAIN_BASE = 4534  # zone 25 (CM 75E) without prefix

GK6_FIRST_ZONE = 13  # central meridian 75E
GK6_LAST_ZONE = 23  # central meridian 135E
_GK6_PREFIXED_BASE = 4491  # zone 13 with prefix
_GK6_PLAIN_BASE = 4502  # zone 13 (CM 75E) without prefix

Datum = Literal["wgs84", "gcj02", "cgcs2000", "bd09"]
DATUMS: tuple[Datum, ...] = ("wgs84", "cgcs2000", "gcj02", "bd09")
FloatArray = npt.NDArray[np.float64]


Geo = TypeVar("Geo")  # a GeoDataFrame or GeoSeries


@lru_cache(maxsize=64)
def _lonlat_epsg(crs: CRS) -> int | None:
    """4490 or 4326 when ``crs`` is CGCS2000 or WGS84 geographic (lon/lat), else None."""
    for code in (4490, 4326):
        if crs.equals(CRS.from_epsg(code)):
            return code
    return None


def reproject(obj: Geo, crs: str | int | CRS) -> Geo:
    """``obj`` (a GeoDataFrame or GeoSeries with a CRS) in ``crs``. Between CGCS2000 and WGS84 PROJ's
    transformation is a null "ballpark" offset (the numbers do not change), yet building it takes
    ~60 ms and is done again in every new thread (every page run is one): only the label changes
    then. Any other pair is transformed by PROJ."""
    target = CRS.from_user_input(crs)
    src = obj.crs  # type: ignore[attr-defined]
    if src is not None and _lonlat_epsg(CRS.from_user_input(src)) is not None and _lonlat_epsg(target) is not None:
        return obj.set_crs(target, allow_override=True)  # type: ignore[attr-defined, no-any-return]
    return obj.to_crs(target)  # type: ignore[attr-defined, no-any-return]


def gk3_zone(lon: float) -> int:
    """Return the 3-degree Gauss-Krüger zone number whose central meridian is nearest ``lon``."""
    zone = int(math.floor(lon / 3.0 + 0.5))
    if not GK3_FIRST_ZONE <= zone <= GK3_LAST_ZONE:
        raise CRSError(
            f"Longitude {lon} is outside China's 3-degree Gauss-Krüger zones "
            f"{GK3_FIRST_ZONE}-{GK3_LAST_ZONE} (73.5E-136.5E); check that x/y are not swapped."
        )
    return zone


def gk3_epsg(zone: int, *, prefixed: bool = False) -> int:
    """EPSG code of CGCS2000 3-degree Gauss-Krüger ``zone`` (with or without false-easting prefix)."""
    if not GK3_FIRST_ZONE <= zone <= GK3_LAST_ZONE:
        raise CRSError(f"Gauss-Krüger 3-degree zone {zone} does not exist; valid zones are 25-45.")
    base = _GK3_PREFIXED_BASE if prefixed else _GK3_PLAIN_BASE
    return base + zone - GK3_FIRST_ZONE


def gk6_zone(lon: float) -> int:
    """Return the 6-degree Gauss-Krüger zone number containing ``lon`` (zone 18 spans 102E-108E)."""
    zone = int(math.floor(lon / 6.0)) + 1
    if not GK6_FIRST_ZONE <= zone <= GK6_LAST_ZONE:
        raise CRSError(
            f"Longitude {lon} is outside China's 6-degree Gauss-Krüger zones "
            f"{GK6_FIRST_ZONE}-{GK6_LAST_ZONE} (72E-138E); check that x/y are not swapped."
        )
    return zone


def gk6_epsg(zone: int, *, prefixed: bool = False) -> int:
    """EPSG code of CGCS2000 6-degree Gauss-Krüger ``zone`` (with or without false-easting prefix)."""
    if not GK6_FIRST_ZONE <= zone <= GK6_LAST_ZONE:
        raise CRSError(f"Gauss-Krüger 6-degree zone {zone} does not exist; valid zones are 13-23.")
    base = _GK6_PREFIXED_BASE if prefixed else _GK6_PLAIN_BASE
    return base + zone - GK6_FIRST_ZONE


def metric_crs_for_lon(lon: float) -> CRS:
    """Metric CRS for measuring near ``lon``: the CGCS2000 3-degree GK zone (no prefix)."""
    return CRS.from_epsg(gk3_epsg(gk3_zone(lon)))


def detect_gk3_crs(x: FloatArray | list[float], y: FloatArray | list[float]) -> CRS:
    """Infer the CGCS2000 3-degree GK CRS of projected coordinates from their false-easting prefix.

    Eastings such as ``36 512 345.6`` carry the zone (36) in their millions digit; such data is
    EPSG:4513-4533. Eastings without a prefix (100 000 - 900 000 m) are ambiguous: the zone
    cannot be told from the numbers, so a :class:`CRSError` asks for the zone or EPSG code.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    if xs.size == 0:
        raise CRSError("No coordinates given: cannot detect a Gauss-Krüger zone from nothing.")
    if np.all(np.abs(xs) <= 180) and np.all(np.abs(ys) <= 90):
        raise CRSError(
            "Coordinates look like degrees (|x|<=180, |y|<=90), not Gauss-Krüger metres; "
            "declare them as EPSG:4490 instead."
        )
    if not np.all((ys > 0) & (ys < 6_000_000)):
        raise CRSError(
            f"Northings {ys.min():.0f}..{ys.max():.0f} are outside China (0-6,000,000 m); "
            "check that x and y are not swapped."
        )
    zones = np.unique(np.floor(xs / 1_000_000).astype(int))
    if zones.size == 1 and GK3_FIRST_ZONE <= zones[0] <= GK3_LAST_ZONE:
        return CRS.from_epsg(gk3_epsg(int(zones[0]), prefixed=True))
    if np.all((xs > 100_000) & (xs < 900_000)):
        raise CRSError(
            "Eastings have no zone prefix (100,000-900,000 m), so the Gauss-Krüger zone is "
            "ambiguous; pass the EPSG code, e.g. EPSG:4545 for the 108E central meridian."
        )
    raise CRSError(
        f"Easting prefixes {zones.tolist()} are not one CGCS2000 3-degree zone (25-45); "
        "the file mixes zones or is not Gauss-Krüger: pass its EPSG code."
    )


# --- reading projected x/y as one of the Gauss-Krüger zones ------------------------------------------
NORTHING_RANGE = (0.0, 6_000_000.0)  # China's northings in metres (the equator to 54N)
PLAIN_EASTING_RANGE = (100_000.0, 900_000.0)  # eastings without a zone prefix


@dataclass(frozen=True)
class GKCandidate:
    """One reading of projected coordinates as a CGCS2000 Gauss-Krüger zone.

    ``swapped`` is True when the first coordinate is the northing (the surveyors' X) and the second
    the easting (their Y); ``central_meridian`` is in degrees east."""

    epsg: int
    width: Literal[3, 6]
    zone: int
    central_meridian: float
    prefixed: bool
    swapped: bool

    @property
    def crs(self) -> str:
        """``"EPSG:N"``."""
        return f"EPSG:{self.epsg}"


def gk_candidates(
    a: npt.ArrayLike, b: npt.ArrayLike, *, lon_extent: tuple[float, float]
) -> list[GKCandidate]:
    """Every CGCS2000 Gauss-Krüger reading of projected coordinates ``a``, ``b`` that their size allows.

    Both axis orders are tried: (easting, northing) and the surveyors' (X = northing, Y = easting),
    reported with ``swapped=True``. An easting with a prefix names its zone and width (13-23: 6-degree,
    25-45: 3-degree). Without a prefix the zone cannot be read from the numbers, so the 3-degree and
    6-degree zones that cover ``lon_extent`` (the jurisdiction's west and east longitude) are offered.
    An order or prefix is offered when at least half of the finite points fit it, so a few bad rows
    do not hide the right reading; which reading is right is for the caller to score.

    Parameters
    ----------
    a, b
        The two coordinate columns as the file gives them, in metres.
    lon_extent
        West and east longitude (degrees) of the area the data should cover.
    """
    a_, b_ = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ok = np.isfinite(a_) & np.isfinite(b_)
    if not ok.any():
        raise CRSError("No finite coordinates given: cannot read a Gauss-Krüger zone from nothing.")
    out: list[GKCandidate] = []
    for swapped, east, north in ((False, a_[ok], b_[ok]), (True, b_[ok], a_[ok])):
        if _share(north, NORTHING_RANGE) >= 0.5:
            out += _prefixed_zones(east, swapped=swapped) or _plain_zones(east, lon_extent, swapped=swapped)
    return out


def _share(v: FloatArray, bounds: tuple[float, float]) -> float:
    return float(np.mean((v > bounds[0]) & (v < bounds[1])))


def _prefixed_zones(east: FloatArray, *, swapped: bool) -> list[GKCandidate]:
    prefixes, counts = np.unique(np.floor(east / 1_000_000).astype(int), return_counts=True)
    out = []
    for prefix, count in sorted(zip(prefixes.tolist(), counts.tolist(), strict=True), key=lambda pc: -pc[1]):
        if count < 0.5 * east.size:
            continue
        if GK3_FIRST_ZONE <= prefix <= GK3_LAST_ZONE:
            out.append(GKCandidate(gk3_epsg(prefix, prefixed=True), 3, prefix, 3.0 * prefix, True, swapped))
        elif GK6_FIRST_ZONE <= prefix <= GK6_LAST_ZONE:
            out.append(GKCandidate(gk6_epsg(prefix, prefixed=True), 6, prefix, 6.0 * prefix - 3, True, swapped))
    return out


def _plain_zones(east: FloatArray, lon_extent: tuple[float, float], *, swapped: bool) -> list[GKCandidate]:
    if _share(east, PLAIN_EASTING_RANGE) < 0.5:
        return []
    west, east_lon = lon_extent
    lons = (west, (west + east_lon) / 2.0, east_lon)
    zones3 = sorted({gk3_zone(lon) for lon in lons})
    zones6 = sorted({gk6_zone(lon) for lon in lons})
    return [GKCandidate(gk3_epsg(z), 3, z, 3.0 * z, False, swapped) for z in zones3] + [
        GKCandidate(gk6_epsg(z), 6, z, 6.0 * z - 3, False, swapped) for z in zones6
    ]


# --- GCJ-02 ------------------------------------------------------------------------------------
_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lon: FloatArray, lat: FloatArray) -> npt.NDArray[np.bool_]:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    x, y = lon - 105.0, lat - 35.0
    sq = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sq + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sq + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    out = _out_of_china(lon, lat)
    return np.where(out, 0.0, dlon), np.where(out, 0.0, dlat)


def wgs84_to_gcj02(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift WGS84/CGCS2000 lon/lat to GCJ-02 (identity outside China)."""
    lo, la = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lo, la)
    return lo + dlon, la + dlat


def gcj02_to_wgs84(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tol_deg: float = 1e-9, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Invert :func:`wgs84_to_gcj02` by fixed-point iteration (error well under 1 cm)."""
    glo, gla = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    return _invert(wgs84_to_gcj02, glo, gla, glo.copy(), gla.copy(), tol_deg=tol_deg, max_iter=max_iter)


def _invert(
    forward: Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
    lon: FloatArray, lat: FloatArray, wlo: FloatArray, wla: FloatArray, *, tol_deg: float, max_iter: int,
) -> tuple[FloatArray, FloatArray]:
    """Solve ``forward(w) == (lon, lat)`` for ``w`` by fixed-point iteration from the first guess ``wlo, wla``."""
    for _ in range(max_iter):
        flo, fla = forward(wlo, wla)
        elo, ela = flo - lon, fla - lat
        wlo, wla = wlo - elo, wla - ela
        if not (np.any(np.abs(elo) >= tol_deg) or np.any(np.abs(ela) >= tol_deg)):  # NaN rows count as done
            break
    return wlo, wla


# --- BD-09 ------------------------------------------------------------------------------------
_X_PI = math.pi * 3000.0 / 180.0


def gcj02_to_bd09(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Shift GCJ-02 lon/lat to Baidu's BD-09 (Baidu's published formula; applied everywhere)."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(
    lon: npt.ArrayLike, lat: npt.ArrayLike, *, tol_deg: float = 1e-9, max_iter: int = 30
) -> tuple[FloatArray, FloatArray]:
    """Invert :func:`gcj02_to_bd09`: the usual closed-form approximation (off by up to a few
    decimetres), refined by fixed-point iteration to well under 1 cm."""
    blo, bla = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    x, y = blo - 0.0065, bla - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return _invert(gcj02_to_bd09, blo, bla, z * np.cos(theta), z * np.sin(theta), tol_deg=tol_deg, max_iter=max_iter)


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, *, datum: Datum) -> tuple[FloatArray, FloatArray]:
    """Bring lon/lat from ``datum`` (wgs84, cgcs2000, gcj02 or bd09) to WGS84/CGCS2000."""
    if datum in ("wgs84", "cgcs2000"):
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise CRSError(f"Unknown datum {datum!r}; use one of 'wgs84', 'cgcs2000', 'gcj02', 'bd09'.")


def from_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, *, datum: Datum) -> tuple[FloatArray, FloatArray]:
    """Bring WGS84/CGCS2000 lon/lat into ``datum`` (the inverse of :func:`to_wgs84`)."""
    if datum in ("wgs84", "cgcs2000"):
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if datum == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise CRSError(f"Unknown datum {datum!r}; use one of 'wgs84', 'cgcs2000', 'gcj02', 'bd09'.")
