"""Coordinate reference systems used in China: CGCS2000, its Gauss-Krüger zones, and GCJ-02.

CGCS2000 geographic coordinates (EPSG:4490) agree with WGS84 (EPSG:4326) to a few centimetres,
far below the accuracy of any dataset here, so the two are treated as interchangeable for display.
Gauss-Krüger 3-degree zones: EPSG:4513-4533 carry the zone number as a false-easting prefix
(x = zone * 1e6 + 500000 + dx); EPSG:4534-4554 have the same projections without the prefix.
GCJ-02 is the obfuscated datum of AMap/Gaode; it has no EPSG code and is handled by
:func:`wgs84_to_gcj02` / :func:`gcj02_to_wgs84`.
"""

from __future__ import annotations

import math
from typing import Literal

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

Datum = Literal["wgs84", "gcj02", "cgcs2000"]
FloatArray = npt.NDArray[np.float64]


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
    wlo, wla = glo.copy(), gla.copy()
    for _ in range(max_iter):
        flo, fla = wgs84_to_gcj02(wlo, wla)
        elo, ela = flo - glo, fla - gla
        wlo, wla = wlo - elo, wla - ela
        if max(np.max(np.abs(elo), initial=0.0), np.max(np.abs(ela), initial=0.0)) < tol_deg:
            break
    return wlo, wla


def to_wgs84(lon: npt.ArrayLike, lat: npt.ArrayLike, *, datum: Datum) -> tuple[FloatArray, FloatArray]:
    """Bring lon/lat from ``datum`` (wgs84, cgcs2000 or gcj02) to WGS84/CGCS2000."""
    if datum in ("wgs84", "cgcs2000"):
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    raise CRSError(f"Unknown datum {datum!r}; use one of 'wgs84', 'gcj02', 'cgcs2000'.")
