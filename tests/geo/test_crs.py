"""geo.crs: Gauss-Krüger zone numbers and EPSG codes (3- and 6-degree), zone detection and candidate
readings of projected x/y, GCJ-02 and BD-09 shifts and inverses."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Geod, Transformer

from geo.crs import (
    bd09_to_gcj02,
    detect_gk3_crs,
    from_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    gk3_epsg,
    gk3_zone,
    gk6_epsg,
    gk6_zone,
    gk_candidates,
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
    with pytest.raises(CRSError, match=r"Unknown datum 'nad27'; use one of 'wgs84', 'cgcs2000', 'gcj02', 'bd09'"):
        to_wgs84([107.33], [30.33], datum="nad27")  # type: ignore[arg-type]


# --- 6-degree zones ---------------------------------------------------------------------------------
# zone = floor(lon / 6) + 1, central meridian 6 * zone - 3; plain code 4502 + (zone - 13), prefixed 4491 + (zone - 13)
@pytest.mark.parametrize(
    ("lon", "zone", "plain", "prefixed"),
    [
        (107.35, 18, 4507, 4496),  # 107.35/6 = 17.9 -> 17 + 1 = 18, CM 105E; 4502+5, 4491+5
        (102.0, 18, 4507, 4496),  # west edge of zone 18
        (108.0, 19, 4508, 4497),  # 108E is the east edge of zone 18 = west edge of 19
        (75.0, 13, 4502, 4491),
        (134.9, 23, 4512, 4501),
    ],
)
def test_gk6_zone_and_epsg(lon: float, zone: int, plain: int, prefixed: int) -> None:
    assert gk6_zone(lon) == zone
    assert gk6_epsg(zone) == plain
    assert gk6_epsg(zone, prefixed=True) == prefixed


@pytest.mark.parametrize(("code", "name", "cm", "fe"), [(4496, "Gauss-Kruger zone 18", 105.0, 18_500_000), (4507, "Gauss-Kruger CM 105E", 105.0, 500_000)])
def test_gk6_codes_in_the_epsg_database(code: int, name: str, cm: float, fe: float) -> None:
    crs = CRS.from_epsg(code)
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    assert crs.name == f"CGCS2000 / {name}"
    assert (params["Longitude of natural origin"], params["False easting"]) == (cm, fe)


@pytest.mark.parametrize("lon", [71.9, 138.1, -107.35])
def test_gk6_zone_outside_china_raises(lon: float) -> None:
    with pytest.raises(CRSError, match=r"outside China's 6-degree Gauss-Krüger zones 13-23"):
        gk6_zone(lon)


def test_gk6_epsg_unknown_zone_raises() -> None:
    with pytest.raises(CRSError, match=r"6-degree zone 24 does not exist; valid zones are 13-23"):
        gk6_epsg(24)


# --- a hand-checked point: the seat of 垫江县 (107.35E, 30.33N) ---------------------------------------
SEAT = (107.35, 30.33)


def _tm_series(lon: float, lat: float, lon0: float) -> tuple[float, float]:
    """Transverse Mercator by Snyder's series (USGS PP 1395, eqs. 8-9/8-10, k0 = 1) on the CGCS2000
    ellipsoid: a second method, independent of PROJ, good to well under a millimetre within 3 degrees."""
    a, f = 6378137.0, 1 / 298.257222101
    e2 = 2 * f - f * f
    ep2 = e2 / (1 - e2)
    p, dl = np.radians(lat), np.radians(lon - lon0)
    n = a / np.sqrt(1 - e2 * np.sin(p) ** 2)
    t, c, aa = np.tan(p) ** 2, ep2 * np.cos(p) ** 2, dl * np.cos(p)
    m = a * (
        (1 - e2 / 4 - 3 * e2**2 / 64 - 5 * e2**3 / 256) * p
        - (3 * e2 / 8 + 3 * e2**2 / 32 + 45 * e2**3 / 1024) * np.sin(2 * p)
        + (15 * e2**2 / 256 + 45 * e2**3 / 1024) * np.sin(4 * p)
        - (35 * e2**3 / 3072) * np.sin(6 * p)
    )
    x = n * (aa + (1 - t + c) * aa**3 / 6 + (5 - 18 * t + t * t + 72 * c - 58 * ep2) * aa**5 / 120)
    y = m + n * np.tan(p) * (aa**2 / 2 + (5 - t + 9 * c + 4 * c * c) * aa**4 / 24 + (61 - 58 * t + t * t + 600 * c - 330 * ep2) * aa**6 / 720)
    return float(x) + 500_000.0, float(y)


# Hard-coded from the series above and checked against PROJ (they agree to 0.1 mm). By hand: the seat is
# 0.65 deg west of 108E, 0.65 * 111.32 km * cos(30.33) = 62.5 km -> easting 500 000 - 62 508 = 437 492;
# and 2.35 deg east of 105E -> 2.35 * 96.1 km = 225.9 km (+ the series' growth) -> 726 020.
SEAT_GK = {
    4524: (36_437_491.796, 3_356_874.677),  # 3-degree zone 36 with prefix
    4545: (437_491.796, 3_356_874.677),  # 3-degree CM 108E, no prefix
    4496: (18_726_020.087, 3_359_037.098),  # 6-degree zone 18 with prefix
    4507: (726_020.087, 3_359_037.098),  # 6-degree CM 105E, no prefix
}


@pytest.mark.parametrize(("code", "cm", "prefix"), [(4524, 108.0, 36e6), (4545, 108.0, 0.0), (4496, 105.0, 18e6), (4507, 105.0, 0.0)])
def test_seat_in_gauss_kruger_three_ways(code: int, cm: float, prefix: float) -> None:
    x, y = Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True).transform(*SEAT)
    sx, sy = _tm_series(*SEAT, cm)
    assert (x, y) == pytest.approx(SEAT_GK[code], abs=1e-3)
    assert (sx + prefix, sy) == pytest.approx(SEAT_GK[code], abs=1e-3)


# GCJ-02 of the seat (this module's formula, see the Tiananmen pair above) and BD-09 of that, worked
# in a scalar transcription of Baidu's formula with the math module:
#   z = hypot(107.3546027, 30.3275054) + 2e-5 * sin(30.3275054 * x_pi), theta = atan2(...) + 3e-6 * cos(107.3546027 * x_pi)
#   -> (z cos(theta) + 0.0065, z sin(theta) + 0.006) = (107.3611492, 30.3332676)
SEAT_GCJ = (107.3546027, 30.3275054)
SEAT_BD = (107.3611492, 30.3332676)


def test_seat_gcj02_and_bd09_golden() -> None:
    glon, glat = wgs84_to_gcj02(*SEAT)
    assert (float(glon), float(glat)) == pytest.approx(SEAT_GCJ, abs=1e-7)
    blon, blat = gcj02_to_bd09(*SEAT_GCJ)
    assert (float(blon), float(blat)) == pytest.approx(SEAT_BD, abs=1e-7)
    blon, blat = from_wgs84(*SEAT, datum="bd09")
    assert _metres(float(blon), float(blat), *SEAT_BD) < 0.05


@pytest.mark.parametrize(("datum", "given"), [("gcj02", SEAT_GCJ), ("bd09", SEAT_BD)])
def test_seat_back_to_wgs84_within_one_metre(datum: str, given: tuple[float, float]) -> None:
    lon, lat = to_wgs84([given[0]], [given[1]], datum=datum)  # type: ignore[arg-type]
    assert _metres(*SEAT, float(lon[0]), float(lat[0])) < 1.0


def test_bd09_shift_is_about_a_kilometre_from_gcj02() -> None:
    # BD-09 adds about (0.0065, 0.006) deg to GCJ-02: ~ 625 m east and ~ 665 m north at 30N
    assert 700.0 < _metres(*SEAT_GCJ, *SEAT_BD) < 1100.0


@settings(max_examples=200, deadline=None)
@given(
    lon=st.floats(min_value=74.0, max_value=134.0, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.0, allow_nan=False),
)
def test_bd09_round_trip_below_one_centimetre(lon: float, lat: float) -> None:
    blon, blat = from_wgs84(lon, lat, datum="bd09")
    wlon, wlat = to_wgs84(blon, blat, datum="bd09")
    assert _metres(lon, lat, float(wlon), float(wlat)) < 0.01
    glon, glat = bd09_to_gcj02(*gcj02_to_bd09(lon, lat))
    assert _metres(lon, lat, float(glon), float(glat)) < 0.01


# --- candidate readings of projected x/y -----------------------------------------------------------
DIANJIANG_EXTENT = (107.22, 107.67)


def _codes(a: list[float], b: list[float], extent: tuple[float, float] = DIANJIANG_EXTENT) -> list[tuple[int, bool]]:
    return [(c.epsg, c.swapped) for c in gk_candidates(a, b, lon_extent=extent)]


@pytest.mark.parametrize(
    ("code", "swapped", "want"),
    [
        (4524, False, [(4524, False)]),  # prefix 36 -> 3-degree zone 36 only
        (4524, True, [(4524, True)]),  # the surveyors' X (northing) first
        (4496, False, [(4496, False)]),  # prefix 18 -> 6-degree zone 18 only
        (4496, True, [(4496, True)]),
        (4545, False, [(4545, False), (4507, False)]),  # no prefix: 3- and 6-degree zones of the extent
        (4545, True, [(4545, True), (4507, True)]),
    ],
)
def test_gk_candidates_of_the_seat(code: int, swapped: bool, want: list[tuple[int, bool]]) -> None:
    e, n = SEAT_GK[code]
    a, b = ([n], [e]) if swapped else ([e], [n])
    assert _codes(a, b) == want


@settings(max_examples=100, deadline=None)
@given(
    lon=st.floats(min_value=73.6, max_value=134.9, allow_nan=False),
    lat=st.floats(min_value=18.0, max_value=53.0, allow_nan=False),
    swapped=st.booleans(),
    six=st.booleans(),
)
def test_gk_candidates_prefixed_zone_is_the_only_reading(lon: float, lat: float, swapped: bool, six: bool) -> None:
    code = gk6_epsg(gk6_zone(lon), prefixed=True) if six else gk3_epsg(gk3_zone(lon), prefixed=True)
    e, n = Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True).transform(lon, lat)
    a, b = (n, e) if swapped else (e, n)
    assert [(c.epsg, c.swapped) for c in gk_candidates([a], [b], lon_extent=(lon, lon))] == [(code, swapped)]


def test_datum_inverses_pass_nan_rows_through() -> None:
    lon, lat = to_wgs84([SEAT_GCJ[0], np.nan], [SEAT_GCJ[1], np.nan], datum="bd09")
    assert np.isnan(lon[1]) and np.isnan(lat[1]) and np.isfinite(lon[0])


def test_gk_candidates_describe_the_zone() -> None:
    (c,) = gk_candidates([SEAT_GK[4496][0]], [SEAT_GK[4496][1]], lon_extent=DIANJIANG_EXTENT)
    assert (c.width, c.zone, c.central_meridian, c.prefixed, c.crs) == (6, 18, 105.0, True, "EPSG:4496")


def test_gk_candidates_extent_across_a_zone_edge_offers_both_zones() -> None:
    # 106.5E is the edge of 3-degree zones 35 (CM 105E) and 36 (CM 108E); 6-degree zone 18 holds both
    assert _codes([437_000.0], [3_356_000.0], (106.3, 106.8)) == [(4544, False), (4545, False), (4507, False)]


def test_gk_candidates_tolerate_a_few_bad_rows() -> None:
    e, n = SEAT_GK[4524]
    assert _codes([e, e + 10, e - 10, 107.35], [n, n, n, 30.33]) == [(4524, False)]


@pytest.mark.parametrize(("a", "b"), [([107.35], [30.33]), ([36_437_491.8], [36_437_491.8]), ([99_000_000.0], [3_356_874.7])])
def test_gk_candidates_none_for_what_is_no_gauss_kruger(a: list[float], b: list[float]) -> None:
    assert _codes(a, b) == []


def test_gk_candidates_nothing_refused() -> None:
    with pytest.raises(CRSError, match="No finite coordinates given"):
        gk_candidates([float("nan")], [1.0], lon_extent=DIANJIANG_EXTENT)


def test_reprojecting_between_cgcs2000_and_wgs84_changes_the_label_not_the_numbers() -> None:
    """PROJ's CGCS2000 <-> WGS84 step is a null ("ballpark") offset, built again in every new thread
    (~60 ms; every page run is one): ``reproject`` relabels instead, byte-equal to what PROJ gives."""
    import geopandas as gpd
    from shapely.geometry import LineString, Point

    from geo.crs import CGCS2000, WGS84, reproject

    g = gpd.GeoDataFrame({"v": [1, 2]}, geometry=[Point(107.3, 30.3), LineString([(106.1, 29.2), (107.9, 31.0)])], crs=CGCS2000)
    out = reproject(g, WGS84)
    assert out.crs.to_epsg() == 4326 and out.geometry.to_wkb().tolist() == g.to_crs(WGS84).geometry.to_wkb().tolist()
    assert g.crs.to_epsg() == 4490  # the input keeps its label
    back = reproject(gpd.GeoSeries([Point(107.3, 30.3)], crs=WGS84), CGCS2000)
    assert back.crs.to_epsg() == 4490 and back.iloc[0].equals_exact(Point(107.3, 30.3), 0)
    metric = reproject(g, "EPSG:4524")  # anything else is a real transformation
    assert metric.geometry.to_wkb().tolist() == g.to_crs("EPSG:4524").geometry.to_wkb().tolist()
