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

from geo.errors import CRSError, NotARasterError, RasterTooLargeError
from geo.raster import (
    MAX_PIXELS,
    MAX_SIDE,
    NODATA,
    Grid,
    colorize,
    kernel_density,
    read_geotiff,
    warp_to_wgs84,
    write_geotiff,
    zonal_stats,
)

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


def _big_sparse_tiff(path: Path, width: int, height: int, *, block: tuple[int, int, float] | None = None) -> Path:
    """A tiled, deflate-compressed GeoTIFF of ``width`` x ``height`` cells (1 m, GK CM 108E) whose tiles are
    absent (nodata, a few KB on disk) except an optional 512 x 512 ``block`` (row, col, value)."""
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 1, "dtype": "float32", "crs": GK108.to_wkt(),
               "transform": Affine(1, 0, 500_000, 0, -1, 3_360_000), "nodata": NODATA, "tiled": True,
               "blockxsize": 512, "blockysize": 512, "compress": "deflate", "sparse_ok": True}
    with rasterio.open(path, "w", **profile) as dst:
        if block is not None:
            r, c, v = block
            dst.write(np.full((512, 512), v, dtype="float32"), 1, window=rasterio.windows.Window(c, r, 512, 512))
    return path


def test_a_20000_pixel_square_raster_is_refused_before_reading(tmp_path: Path) -> None:
    path = _big_sparse_tiff(tmp_path / "huge.tif", 20_000, 20_000)
    assert path.stat().st_size < 5_000_000  # small on disk, 400 million cells
    with pytest.raises(RasterTooLargeError, match=r"huge\.tif is 20000 x 20000 pixels .*limit is 100,000,000 pixels.*gdal_translate") as err:
        warp_to_wgs84(path)
    assert str(tmp_path) not in str(err.value)  # the file's name, never the server path
    assert (err.value.width, err.value.height, err.value.limit) == (20_000, 20_000, MAX_PIXELS)
    with pytest.raises(RasterTooLargeError, match="20000 x 20000"):
        zonal_stats(path, gpd.GeoDataFrame(geometry=[box(500_000, 3_340_000, 510_000, 3_350_000)], crs=GK108))


def test_a_large_raster_is_read_decimated_to_the_screen(tmp_path: Path) -> None:
    # 8192 x 6144 cells, a block of 7s at rows 1024..1535, cols 2048..2559: read at most 2048 px on the long side
    path = _big_sparse_tiff(tmp_path / "big.tif", 8192, 6144, block=(1024, 2048, 7.0))
    data, transform, _, _ = read_geotiff(path, max_side=MAX_SIDE)
    assert MAX_SIDE == 2048 and data.shape == (1536, 2048)  # 4x fewer cells per side
    assert transform.a == pytest.approx(4.0) and transform.e == pytest.approx(-4.0)
    assert np.nanmax(data) == 7.0 and np.isnan(data[0, 0])
    rows, cols = np.nonzero(data == 7.0)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (256, 383, 512, 639)  # the block, divided by 4
    values, _ = warp_to_wgs84(path)
    assert max(values.shape) <= 2 * MAX_SIDE  # the overlay is never built from the full-resolution cells


def test_rasters_are_read_from_memory_and_non_tiffs_refused(tmp_path: Path) -> None:
    grid = Grid(np.ones((5, 5)), Affine(1000, 0, 500_000, 0, -1000, 3_355_000), GK108)
    data = write_geotiff(tmp_path / "one.tif", grid).read_bytes()
    values, _ = warp_to_wgs84(data, name="upload.tif")
    assert np.nanmax(values) == pytest.approx(1.0)
    with pytest.raises(NotARasterError, match=r"notes\.txt is not a GeoTIFF"):
        warp_to_wgs84(b"plain text, not an image", name="notes.txt")



def _tiny_tiff(path: Path, crs: str | None) -> bytes:
    with rasterio.open(path, "w", driver="GTiff", width=5, height=5, count=1, dtype="float32", crs=crs,
                       transform=Affine(1, 0, 0, 0, -1, 5)) as dst:
        dst.write(np.ones((1, 5, 5), dtype="float32"))
    return path.read_bytes()


def test_a_raster_without_a_crs_on_the_earth_is_refused_with_the_fix(tmp_path: Path) -> None:
    local = _tiny_tiff(tmp_path / "local.tif", 'LOCAL_CS["arbitrary",UNIT["metre",1]]')
    with pytest.raises(CRSError, match=r"^local\.tif: the raster's CRS 'arbitrary' is a local one .*gdal_edit\.py -a_srs EPSG:4545 local\.tif"):
        warp_to_wgs84(local, name="local.tif")
    with pytest.raises(CRSError, match=r"^up\.tif: the raster has no CRS; assign one .*EPSG:4545 up\.tif"):
        read_geotiff(_tiny_tiff(tmp_path / "none.tif", None), name="up.tif")
