"""Coverage maths on hand-built fixtures with known answers."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box

from geo.coverage import area_covered_share, greedy_max_cover, grid_candidates, naive_nearest, nearest
from geo.crs import gcj02_to_wgs84, wgs84_to_gcj02
from geo.errors import CRSError

GK = 4545


def _pts(xy, crs=GK) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(x, y) for x, y in xy], crs=crs)


def test_999_m_is_covered_and_1001_m_is_not() -> None:
    fac = _pts([(500_000, 3_350_000)])
    dem = _pts([(500_999, 3_350_000), (500_000, 3_351_001)])
    dist, idx = nearest(dem, fac)
    assert dist.tolist() == pytest.approx([999.0, 1001.0])
    assert (dist <= 1000).tolist() == [True, False] and idx.tolist() == [0, 0]


def test_square_forest_covered_by_one_circle_analytically() -> None:
    # a 4 km x 4 km square with a 1 km circle at its centre: share = pi * 1² / 16 = 0.19635
    forest = gpd.GeoSeries([box(0, 0, 4000, 4000)], crs=GK)
    share = area_covered_share(forest, _pts([(2000, 2000)]), 1000)
    assert share[0] == pytest.approx(math.pi / 16, rel=1e-3)
    # circle at a corner covers a quarter disc: pi / 4 / 16
    assert area_covered_share(forest, _pts([(0, 0)]), 1000)[0] == pytest.approx(math.pi / 64, rel=1e-3)


def test_greedy_max_cover_finds_the_known_optimum() -> None:
    # demand: 5 points in cluster A (x=0), 3 in cluster B (x=10 km), 1 alone (x=20 km)
    dem = _pts([(0, i * 10) for i in range(5)] + [(10_000, i * 10) for i in range(3)] + [(20_000, 0)])
    cand = _pts([(0, 0), (10_000, 0), (20_000, 0), (5_000, 0)])
    best = greedy_max_cover(dem, cand, 500, 2)
    assert best.chosen == [0, 1] and best.gains == [5.0, 3.0] and best.covered == 8.0
    assert best.upper_bound == 8.0 and best.gap == 0.0  # optimal: the top-2 single covers are disjoint


def test_greedy_stops_when_nothing_more_to_cover() -> None:
    best = greedy_max_cover(_pts([(0, 0)]), _pts([(0, 0), (10, 0)]), 100, 5)
    assert best.chosen == [0] and best.covered == 1.0


def test_nearest_matches_the_naive_all_pairs_baseline() -> None:
    rng = np.random.default_rng(3)
    dem = _pts(rng.uniform(0, 50_000, (500, 2)))
    fac = _pts(rng.uniform(0, 50_000, (60, 2)))
    assert nearest(dem, fac)[0] == pytest.approx(naive_nearest(dem, fac))


def test_same_answer_in_cgcs2000_degrees_gk_zone_and_from_gcj02() -> None:
    """Inputs in EPSG:4490, a GK zone, or GCJ-02 converted back give the same coverage."""
    lon0, lat0 = 107.35, 30.33
    ll = gpd.GeoSeries([Point(lon0, lat0), Point(lon0 + 0.0102, lat0), Point(lon0, lat0 + 0.0095)], crs=4490)
    fac_ll, dem_ll = ll.iloc[:1], ll.iloc[1:]
    a = nearest(dem_ll.to_crs(GK), fac_ll.to_crs(GK))[0]
    b = nearest(dem_ll.to_crs(4524).to_crs(GK), fac_ll.to_crs(4524).to_crs(GK))[0]  # via the prefixed zone 36
    gx, gy = wgs84_to_gcj02(ll.x.to_numpy(), ll.y.to_numpy())  # as an AMap user would deliver them
    wx, wy = gcj02_to_wgs84(gx, gy)
    back = gpd.GeoSeries(shapely.points(wx, wy), crs=4490).to_crs(GK)
    c = nearest(back.iloc[1:], back.iloc[:1])[0]
    assert a == pytest.approx(b, abs=1e-3) and a == pytest.approx(c, abs=0.05)
    with pytest.raises(CRSError, match="in degrees"):
        nearest(dem_ll, fac_ll)
    with pytest.raises(CRSError, match="different CRSs"):
        nearest(dem_ll.to_crs(GK), fac_ll.to_crs(4524))


def test_grid_candidates_inside_area() -> None:
    pts = grid_candidates(box(0, 0, 4000, 2000), 1000)
    assert len(pts) == 8  # 4 x 2 cell centres
