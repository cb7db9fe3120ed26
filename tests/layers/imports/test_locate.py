"""layers.imports.locate: reading a file's coordinates in the right CRS and datum, scored against the
county of 垫江县 (500231), with the seat (107.35E, 30.33N) as the hand-checked point."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import CRS, Geod, Transformer
from shapely import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import from_wgs84
from geo.errors import CoordinateError, CRSError, OptionError
from layers.catalog.jurisdiction import Jurisdiction
from layers.imports.locate import Candidate, infer_crs
from tests.places import ESRI_CM108, SEAT, SEAT_4496, SEAT_4524, SEAT_4545, SEAT_BD, SEAT_GCJ

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def county() -> BaseGeometry:
    return Jurisdiction.load("500231").boundary.geometry.iloc[0]


@pytest.fixture(scope="module")
def points(county: BaseGeometry) -> tuple[np.ndarray, np.ndarray]:
    """The seat and 39 seeded points at least ~2 km inside the boundary (WGS84/CGCS2000)."""
    rng = np.random.default_rng(14)
    inner = county.buffer(-0.02)
    pts = [SEAT]
    while len(pts) < 40:
        x, y = rng.uniform(*county.bounds[0::2]), rng.uniform(*county.bounds[1::2])
        if inner.contains(Point(x, y)):
            pts.append((x, y))
    lon, lat = np.array(pts).T
    return lon, lat


def _max_metres(c: Candidate, lon: np.ndarray, lat: np.ndarray) -> float:
    return float(np.max(GEOD.inv(c.lon, c.lat, lon, lat)[2]))


def _project(code: int, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return Transformer.from_crs("EPSG:4490", f"EPSG:{code}", always_xy=True).transform(lon, lat)


# --- the seat alone, as the hand-checked numbers ------------------------------------------------------
@pytest.mark.parametrize(
    ("a", "b", "label", "swapped"),
    [
        (SEAT_4524[0], SEAT_4524[1], "EPSG:4524", False),
        (SEAT_4524[1], SEAT_4524[0], "EPSG:4524", True),  # surveyors' X (northing) first
        (SEAT_4545[0], SEAT_4545[1], "EPSG:4545", False),
        (SEAT_4545[1], SEAT_4545[0], "EPSG:4545", True),
        (SEAT_4496[0], SEAT_4496[1], "EPSG:4496", False),
        (SEAT[0], SEAT[1], "EPSG:4490", False),
        (SEAT[1], SEAT[0], "EPSG:4490", True),  # lat, lon
    ],
)
def test_seat_hand_checked_numbers_land_on_the_seat(county: BaseGeometry, a: float, b: float, label: str, swapped: bool) -> None:
    best = infer_crs([a], [b], area=county)[0]
    assert (best.label, best.swapped, best.score) == (label, swapped, 1.0)
    assert GEOD.inv(float(best.lon[0]), float(best.lat[0]), *SEAT)[2] < 1.0


@pytest.mark.parametrize(("given", "hint"), [(SEAT_GCJ, "gcj02"), (SEAT_BD, "bd09")])
def test_seat_in_gcj02_and_bd09_with_the_datum_given(county: BaseGeometry, given: tuple[float, float], hint: str) -> None:
    best = infer_crs([given[0]], [given[1]], area=county, hint=hint)[0]
    assert best.label == {"gcj02": "GCJ-02", "bd09": "BD-09"}[hint]
    assert GEOD.inv(float(best.lon[0]), float(best.lat[0]), *SEAT)[2] < 1.0


# --- many points ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("code", "swapped"), [(4524, False), (4524, True), (4545, False), (4545, True), (4496, False), (4507, False), (4507, True)])
def test_gauss_kruger_zone_and_axis_order_found(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray], code: int, swapped: bool) -> None:
    e, n = _project(code, *points)
    found = infer_crs(n, e, area=county) if swapped else infer_crs(e, n, area=county)
    best = found[0]
    assert (best.label, best.crs, best.datum, best.swapped, best.score) == (f"EPSG:{code}", f"EPSG:{code}", "cgcs2000", swapped, 1.0)
    assert _max_metres(best, *points) < 1.0
    assert all(c.score == 0.0 for c in found[1:])  # the other zone of an unprefixed easting is ~100 km off


def test_unprefixed_reason_says_the_meridian_comes_from_the_county(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    best = infer_crs(*_project(4545, *points), area=county)[0]
    assert "central meridian 108E" in best.reason and "from the county's extent (107.22E-107.67E)" in best.reason


def test_lonlat_keeps_wgs84_first_and_says_why(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    found = infer_crs(*points, area=county)
    assert [c.label for c in found] == ["EPSG:4490", "GCJ-02", "BD-09"]
    assert [c.score for c in found] == [1.0, 1.0, 1.0]  # a ~500 m shift moves no point out of the county
    assert _max_metres(found[0], *points) == 0.0
    for c in found:
        assert "cannot be told apart from WGS84/CGCS2000 without reference points" in c.reason


def _noisy_reference(lon: np.ndarray, lat: np.ndarray, rows: range, metres: float = 40.0) -> dict[int, tuple[float, float]]:
    """Known positions of some features, each off by up to ``metres`` (as positions from a plan are)."""
    rng = np.random.default_rng(7)
    d = rng.uniform(-metres, metres, size=(len(rows), 2)) / 111_000.0
    return {i: (float(lon[i] + d[k, 0]), float(lat[i] + d[k, 1])) for k, i in enumerate(rows)}


@pytest.mark.parametrize(("datum", "label"), [("gcj02", "GCJ-02"), ("bd09", "BD-09"), ("cgcs2000", "EPSG:4490")])
def test_datum_decided_by_reference_points(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray], datum: str, label: str) -> None:
    given = from_wgs84(*points, datum=datum)  # type: ignore[arg-type]
    found = infer_crs(*given, area=county, reference=_noisy_reference(*points, range(0, 40, 8)))
    best = found[0]
    assert best.label == label
    assert _max_metres(best, *points) < 1.0
    assert "closest to the reference points" in best.reason
    assert "consistent offset to 5 reference point(s)" in best.reason


def test_reference_to_a_missing_row_refused(county: BaseGeometry) -> None:
    with pytest.raises(OptionError, match=r"Reference points name rows \[5\], but there are only 1 rows"):
        infer_crs([107.35], [30.33], area=county, reference={5: SEAT})


def test_too_few_reference_points_decide_nothing(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    found = infer_crs(*from_wgs84(*points, datum="gcj02"), area=county, reference=_noisy_reference(*points, range(2)))
    assert found[0].label == "EPSG:4490"
    assert "too few reference points to decide the datum (need 3)" in found[0].reason


def test_lat_lon_swapped_found(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    lon, lat = points
    best = infer_crs(lat, lon, area=county)[0]
    assert (best.label, best.swapped, best.score) == ("EPSG:4490", True, 1.0)
    assert "lat/lon swapped" in best.reason
    assert _max_metres(best, lon, lat) == 0.0


def test_points_mostly_outside_score_low(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    lon, lat = points
    # 10 points in the county, 30 around the centre of Chongqing (106.55E, 29.56N), ~100 km away
    lon = np.concatenate([lon[:10], np.full(30, 106.55)])
    lat = np.concatenate([lat[:10], np.linspace(29.50, 29.60, 30)])
    best = infer_crs(lon, lat, area=county)[0]
    assert best.score == 0.25
    assert "10 of 40 points inside the county" in best.reason and "probably wrong" in best.reason


def test_rows_without_coordinates_are_left_out_of_the_score(county: BaseGeometry) -> None:
    best = infer_crs([SEAT[0], np.nan], [SEAT[1], np.nan], area=county)[0]
    assert best.score == 1.0 and "1 of 1 points" in best.reason
    assert np.isnan(best.lon[1])


# --- what the file declares, what the user names --------------------------------------------------------
def test_declared_esri_prj_gets_a_bonus_and_says_so(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    best = infer_crs(*_project(4545, *points), area=county, declared=CRS.from_wkt(ESRI_CM108))[0]
    assert best.label == "EPSG:4545"
    assert "the file declares EPSG:4545" in best.reason and "ranked +0.10" in best.reason


def test_declared_web_mercator_is_read(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = Transformer.from_crs("EPSG:4490", "EPSG:3857", always_xy=True).transform(*points)
    best = infer_crs(x, y, area=county, declared=CRS.from_epsg(3857))[0]
    assert (best.label, best.score) == ("EPSG:3857", 1.0)
    assert "the file declares EPSG:3857" in best.reason
    assert _max_metres(best, *points) < 1.0


def test_declared_geographic_crs_backs_the_wgs84_reading(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    found = infer_crs(*points, area=county, declared=CRS.from_epsg(4326))
    assert found[0].label == "EPSG:4490" and "the file declares EPSG:4326" in found[0].reason
    assert "declares" not in found[1].reason


def test_declared_lonlat_over_metres_scores_nothing(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    # a .prj saying CGCS2000 degrees over Gauss-Krüger metres: the declared reading is kept, but last
    found = infer_crs(*_project(4524, *points), area=county, declared=CRS.from_epsg(4490))
    assert [(c.label, c.score) for c in found] == [("EPSG:4524", 1.0), ("EPSG:4490", 0.0)]
    assert "the file declares EPSG:4490" in found[1].reason and "declares" not in found[0].reason


def test_declared_crs_loses_to_a_much_better_reading(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    # a .prj that says CM 105E over data in CM 108E: the bonus does not outweigh a score of 0
    found = infer_crs(*_project(4545, *points), area=county, declared=CRS.from_epsg(4507))
    assert [(c.label, c.score) for c in found[:2]] == [("EPSG:4545", 1.0), ("EPSG:4507", 0.0)]


def test_hint_epsg_used_as_given_and_low_score_reported(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    # the user says 4545, but the eastings carry the zone prefix 36
    found = infer_crs(*_project(4524, *points), area=county, hint="EPSG:4545")
    assert {c.label for c in found} == {"EPSG:4545"}
    assert found[0].score == 0.0
    assert "EPSG:4545 as given" in found[0].reason and "probably wrong" in found[0].reason


def test_hint_epsg_still_finds_the_axis_order(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray]) -> None:
    e, n = _project(4524, *points)
    best = infer_crs(n, e, area=county, hint="epsg:4524")[0]
    assert (best.label, best.swapped, best.score) == ("EPSG:4524", True, 1.0)
    assert _max_metres(best, *points) < 1.0


@pytest.mark.parametrize(("hint", "label"), [("gcj02", "GCJ-02"), ("bd09", "BD-09"), ("wgs84", "EPSG:4326"), ("cgcs2000", "EPSG:4490")])
def test_hint_datum_comes_first(county: BaseGeometry, points: tuple[np.ndarray, np.ndarray], hint: str, label: str) -> None:
    best = infer_crs(*points, area=county, hint=hint)[0]
    assert best.label == label and "as given" in best.reason


# --- refusals -------------------------------------------------------------------------------------------
def test_unknown_hint_refused(county: BaseGeometry) -> None:
    with pytest.raises(OptionError, match=r"Unknown CRS hint 'gauss'; use one of auto, EPSG:N, wgs84, cgcs2000, gcj02, bd09"):
        infer_crs([107.35], [30.33], area=county, hint="gauss")


def test_unknown_epsg_refused(county: BaseGeometry) -> None:
    with pytest.raises(CRSError, match=r"Unknown CRS 'EPSG:99999'; name an EPSG code such as EPSG:4545"):
        infer_crs([107.35], [30.33], area=county, hint="EPSG:99999")


def test_datum_hint_on_metres_refused(county: BaseGeometry) -> None:
    with pytest.raises(CRSError, match=r"coordinates are metres .* but the datum gcj02 is one of lon/lat degrees"):
        infer_crs([SEAT_4524[0]], [SEAT_4524[1]], area=county, hint="gcj02")


def test_numbers_that_are_no_coordinates_refused(county: BaseGeometry) -> None:
    with pytest.raises(CRSError, match=r"neither lon/lat degrees nor Gauss-Krüger metres"):
        infer_crs([99_000_000.0], [99_000_000.0], area=county)


@pytest.mark.parametrize(
    ("a", "b", "message"), [([np.nan], [30.0], "None of the 1 rows has two numeric coordinates"), ([1.0, 2.0], [1.0], "have 2 and 1 values")]
)
def test_bad_columns_refused(county: BaseGeometry, a: list[float], b: list[float], message: str) -> None:
    with pytest.raises(CoordinateError, match=message):
        infer_crs(a, b, area=county)
