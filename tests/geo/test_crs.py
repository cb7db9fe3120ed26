"""geo.crs: Gauss-Krüger zone numbers and EPSG codes, zone detection, GCJ-02 shift and inverse."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer

from geo.crs import (
    detect_gk3_crs,
    gcj02_to_wgs84,
    gk3_epsg,
    gk3_zone,
    metric_crs_for_lon,
    to_wgs84,
    wgs84_to_gcj02,
)
from geo.errors import CRSError

GEOD = Geod(ellps="WGS84")


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


# --- Gauss-Krüger zone numbers and EPSG codes ----------------------------------------------------
# zone = floor(lon / 3 + 0.5); plain code = 4534 + (zone - 25); prefixed code = 4513 + (zone - 25).
@pytest.mark.parametrize(
    ("lon", "zone", "plain", "prefixed"),
    [
        (107.4, 36, 4545, 4524),  # 107.4/3 = 35.8 -> +0.5 = 36.3 -> 36; 4534+11, 4513+11
        (108.0, 36, 4545, 4524),  # central meridian 108E itself
        (75.0, 25, 4534, 4513),  # first zone: 75/3 = 25
        (135.0, 45, 4554, 4533),  # last zone: 135/3 = 45; 4534+20, 4513+20
        (73.5, 25, 4534, 4513),  # west edge of zone 25: 24.5 + 0.5 = 25
    ],
)
def test_gk3_zone_and_epsg(lon: float, zone: int, plain: int, prefixed: int) -> None:
    assert gk3_zone(lon) == zone
    assert gk3_epsg(zone) == plain
    assert gk3_epsg(zone, prefixed=True) == prefixed


@pytest.mark.parametrize("code", [4513, 4524, 4533, 4534, 4545, 4554])
def test_epsg_codes_are_cgcs2000_gauss_kruger(code: int) -> None:
    # the hand-derived codes really are CGCS2000 3-degree Gauss-Krüger zones in the EPSG database
    crs = CRS.from_epsg(code)
    assert crs.name.startswith("CGCS2000 / 3-degree Gauss-Kruger")


def test_prefixed_code_has_zone_in_false_easting() -> None:
    # EPSG:4524 (zone 36) has false easting 36 500 000 m; EPSG:4545 has 500 000 m
    def false_easting(code: int) -> float:
        params = CRS.from_epsg(code).coordinate_operation.params
        return next(p.value for p in params if p.name == "False easting")

    assert false_easting(4524) == 36_500_000
    assert false_easting(4545) == 500_000


@pytest.mark.parametrize("lon", [2.35, 72.0, 136.6, -107.4])
def test_gk3_zone_outside_china_raises(lon: float) -> None:
    with pytest.raises(CRSError, match=r"outside China's 3-degree Gauss-Krüger zones"):
        gk3_zone(lon)


@pytest.mark.parametrize("zone", [24, 46, 0])
def test_gk3_epsg_unknown_zone_raises(zone: int) -> None:
    with pytest.raises(CRSError, match=rf"zone {zone} does not exist; valid zones are 25-45"):
        gk3_epsg(zone)


def test_metric_crs_for_lon_is_plain_zone() -> None:
    assert metric_crs_for_lon(107.4).to_epsg() == 4545


# --- projecting with pyproj ------------------------------------------------------------------------
def test_central_meridian_point_has_false_easting_exactly() -> None:
    # on the central meridian (108E) the Transverse Mercator x is 0, so easting = false easting
    fwd = Transformer.from_crs("EPSG:4490", "EPSG:4545", always_xy=True)
    x, y = fwd.transform(108.0, 30.0)
    assert x == pytest.approx(500_000.0, abs=1e-6)
    # northing of 30N on the CGCS2000 ellipsoid: meridian arc length, about 3.32 million metres
    assert 3_310_000 < y < 3_330_000
    x_pref, y_pref = Transformer.from_crs("EPSG:4490", "EPSG:4524", always_xy=True).transform(108.0, 30.0)
    assert x_pref == pytest.approx(36_500_000.0, abs=1e-6)
    assert y_pref == pytest.approx(y, abs=1e-6)


@pytest.mark.parametrize(("lon", "lat"), [(108.0, 30.0), (107.33, 30.33), (106.67, 29.03), (109.2, 31.4)])
def test_gk3_round_trip_below_one_millimetre(lon: float, lat: float) -> None:
    code = gk3_epsg(gk3_zone(lon))
    fwd = Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True)
    inv = Transformer.from_crs(f"EPSG:{code}", "EPSG:4490", always_xy=True)
    x, y = fwd.transform(lon, lat)
    lon2, lat2 = inv.transform(x, y)
    assert _metres(lon, lat, lon2, lat2) < 1e-3


# --- detecting the zone from coordinates -----------------------------------------------------------
def test_detect_prefixed_eastings() -> None:
    # 36 512 345 -> millions digit 36 -> zone 36 with prefix -> EPSG:4524
    crs = detect_gk3_crs([36_512_345.0, 36_498_000.5], [3_342_000.0, 3_350_123.0])
    assert crs.to_epsg() == 4524


def test_detect_unprefixed_eastings_is_ambiguous() -> None:
    with pytest.raises(CRSError, match="ambiguous"):
        detect_gk3_crs(np.array([512_345.0, 498_000.0]), np.array([3_342_000.0, 3_350_123.0]))


def test_detect_degrees_refused() -> None:
    with pytest.raises(CRSError, match="degrees"):
        detect_gk3_crs([107.4, 107.5], [30.3, 30.4])


def test_detect_mixed_zones_refused() -> None:
    with pytest.raises(CRSError, match=r"Easting prefixes \[35, 36\] are not one"):
        detect_gk3_crs([35_600_000.0, 36_400_000.0], [3_342_000.0, 3_342_000.0])


def test_detect_swapped_axes_refused() -> None:
    # y = 36 512 345 is no northing in China (0..6 000 000 m)
    with pytest.raises(CRSError, match="check that x and y are not swapped"):
        detect_gk3_crs([3_342_000.0], [36_512_345.0])


def test_detect_nothing_refused() -> None:
    with pytest.raises(CRSError, match="No coordinates given"):
        detect_gk3_crs([], [])


# --- GCJ-02 ---------------------------------------------------------------------------------------
def test_gcj02_golden_pair_tiananmen() -> None:
    # Standard GCJ-02 formula at lon 116.397428, lat 39.90923 (x = lon-105 = 11.397428,
    # y = lat-35 = 4.90923), worked through by hand in a scalar transcription of the reference code:
    #   transformLat(x, y) = 155.83807, transformLon(x, y) = 533.88153
    #   dlat = 155.83807*180 / (a(1-ee)/(magic*sqrt(magic)) * pi) = 0.00140351 deg
    #   dlon = 533.88153*180 / (a/sqrt(magic)*cos(lat)*pi)        = 0.00624363 deg
    # -> GCJ-02 (116.4036716, 39.9106335); the often quoted "about (116.403673, 39.910624)" is
    # within 1e-5 deg of it.
    glon, glat = wgs84_to_gcj02(116.397428, 39.90923)
    assert float(glon) == pytest.approx(116.4036716, abs=1e-7)
    assert float(glat) == pytest.approx(39.9106335, abs=1e-7)
    assert float(glon) == pytest.approx(116.403673, abs=1e-5)
    assert float(glat) == pytest.approx(39.910624, abs=1e-5)


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=74.0, max_value=134.0, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.0, allow_nan=False),
)
def test_gcj02_round_trip_below_one_metre(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    assert _metres(lon, lat, float(wlon), float(wlat)) < 1.0


def test_gcj02_round_trip_grid_vectorised() -> None:
    # a 1-degree grid across China, converted as arrays in one call
    lon, lat = np.meshgrid(np.arange(74.0, 135.0, 1.0), np.arange(18.0, 54.0, 1.0))
    glon, glat = wgs84_to_gcj02(lon.ravel(), lat.ravel())
    wlon, wlat = gcj02_to_wgs84(glon, glat)
    err = GEOD.inv(lon.ravel(), lat.ravel(), wlon, wlat)[2]
    assert np.max(err) < 1.0


@pytest.mark.parametrize(("lon", "lat"), [(106.55, 29.56), (107.33, 30.33), (106.67, 29.03)])
def test_gcj02_offset_in_chongqing_is_hundreds_of_metres(lon: float, lat: float) -> None:
    # the GCJ-02 shift is a few hundred metres everywhere in mainland China
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert 100.0 < _metres(lon, lat, float(glon), float(glat)) < 700.0


@pytest.mark.parametrize(("lon", "lat"), [(2.35, 48.85), (-74.0, 40.7), (139.7, 35.7)])
def test_gcj02_identity_outside_china(lon: float, lat: float) -> None:
    glon, glat = wgs84_to_gcj02(lon, lat)
    assert (float(glon), float(glat)) == (lon, lat)
    wlon, wlat = gcj02_to_wgs84(lon, lat)
    assert (float(wlon), float(wlat)) == (lon, lat)


@pytest.mark.parametrize("datum", ["wgs84", "cgcs2000"])
def test_to_wgs84_identity_datums(datum: str) -> None:
    lon, lat = to_wgs84([107.33], [30.33], datum=datum)  # type: ignore[arg-type]
    assert lon.tolist() == [107.33]
    assert lat.tolist() == [30.33]


def test_to_wgs84_gcj02_inverts_the_shift() -> None:
    glon, glat = wgs84_to_gcj02(107.33, 30.33)
    lon, lat = to_wgs84([float(glon)], [float(glat)], datum="gcj02")
    assert _metres(107.33, 30.33, float(lon[0]), float(lat[0])) < 0.01


def test_to_wgs84_unknown_datum_raises() -> None:
    with pytest.raises(CRSError, match=r"Unknown datum 'bd09'; use one of 'wgs84', 'gcj02', 'cgcs2000'"):
        to_wgs84([107.33], [30.33], datum="bd09")  # type: ignore[arg-type]
