"""Raster surfaces: KDE mass and peak, GeoTIFF metadata, zonal statistics across CRSs."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from pyproj import CRS
from shapely.geometry import Point, box

from geo.errors import CRSError
from geo.raster import NODATA, Grid, colorize, kernel_density, warp_to_wgs84, write_geotiff, zonal_stats

GK108 = CRS.from_epsg(4545)


def _pts(xy: list[tuple[float, float]], crs: CRS = GK108) -> gpd.GeoSeries:
    return gpd.GeoSeries([Point(x, y) for x, y in xy], crs=crs)


def test_kde_mass_integrates_to_number_of_points_and_peaks_at_the_cluster() -> None:
    cluster = [(510_000 + dx, 3_350_000 + dy) for dx in (-100, 0, 100) for dy in (-100, 0, 100)]  # 9 points
    lone = [(530_000, 3_370_000)]
    grid = kernel_density(_pts(cluster + lone), bounds=(490_000, 3_330_000, 550_000, 3_390_000), cell_m=200, bandwidth_m=1500)
    mass = grid.values.sum() * grid.cell_area / 1e6  # points/km² x km² per cell
    assert mass == pytest.approx(10, rel=0.01)  # 4 sigma from every edge: nothing spills out
    row, col = np.unravel_index(np.argmax(grid.values), grid.values.shape)
    x, y = grid.transform @ (col + 0.5, row + 0.5)
    assert abs(x - 510_000) <= 200 and abs(y - 3_350_000) <= 200
    # peak of 9 points under a Gaussian of sigma 1.5 km: 9 / (2 pi sigma²) = 0.637 per km² (cluster spread is negligible)
    assert grid.values.max() == pytest.approx(9 / (2 * np.pi * 1.5**2), rel=0.05)


def test_kde_refuses_degrees() -> None:
    with pytest.raises(CRSError, match="is in degrees"):
        kernel_density(_pts([(107.3, 30.3)], CRS.from_epsg(4490)), bounds=(107, 30, 108, 31), cell_m=0.01, bandwidth_m=0.05)


def test_geotiff_has_crs_and_nodata(tmp_path: Path) -> None:
    grid = Grid(np.arange(12, dtype=float).reshape(3, 4), Affine(100, 0, 500_000, 0, -100, 3_350_000), GK108)
    mask = np.ones((3, 4), dtype=bool)
    mask[0, 0] = False
    path = write_geotiff(tmp_path / "k.tif", grid, mask=mask)
    with rasterio.open(path) as src:
        assert src.crs.to_epsg() == 4545 and src.nodata == NODATA
        band = src.read(1)
    assert band[0, 0] == NODATA and band[2, 3] == 11


def test_zonal_mean_of_a_raster_in_another_crs_matches_hand_computation(tmp_path: Path) -> None:
    # a 4 x 4 raster in GK CM 108E, 1 km cells, values = column index (0..3)
    values = np.tile(np.arange(4, dtype=float), (4, 1))
    grid = Grid(values, Affine(1000, 0, 500_000, 0, -1000, 3_354_000), GK108)
    path = write_geotiff(tmp_path / "user.tif", grid)
    # zone covering the two left columns entirely (cells 0 and 1): mean 0.5, given in EPSG:4490 lon/lat
    zone_m = gpd.GeoSeries([box(500_000, 3_350_000, 502_000, 3_354_000).buffer(-10)], crs=GK108)
    zones = gpd.GeoDataFrame(geometry=zone_m.to_crs(4490))
    stats = zonal_stats(path, zones)
    assert stats.loc[0, "mean"] == pytest.approx(0.5) and stats.loc[0, "cells"] == 8 and stats.loc[0, "max"] == 1


def test_warp_to_wgs84_and_colorize(tmp_path: Path) -> None:
    grid = Grid(np.ones((5, 5)), Affine(1000, 0, 500_000, 0, -1000, 3_355_000), GK108)
    values, (minx, miny, maxx, maxy) = warp_to_wgs84(write_geotiff(tmp_path / "one.tif", grid))
    assert 107.9 < minx < maxx < 108.1 and 30.2 < miny < maxy < 30.4
    rgba = colorize(values)
    assert rgba.shape[-1] == 4 and rgba[..., 3].max() > 0
