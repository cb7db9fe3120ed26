"""Raster surfaces with rasterio: kernel density, GeoTIFF I/O, zonal statistics, display warping."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import rasterio
from affine import Affine
from pyproj import CRS
from rasterio.errors import RasterioIOError
from rasterio.features import rasterize
from rasterio.warp import Resampling, calculate_default_transform, reproject
from scipy.ndimage import gaussian_filter

from geo.errors import CRSError, SourceReadError

NODATA = -9999.0


@dataclass(frozen=True)
class Grid:
    """A raster: values, affine transform and CRS (north-up)."""

    values: npt.NDArray[np.float64]
    transform: Affine
    crs: CRS

    @property
    def cell_area(self) -> float:
        return abs(self.transform.a * self.transform.e)


def _require_metric(crs: CRS | None, what: str) -> CRS:
    if crs is None:
        raise CRSError(f"{what} has no CRS; set one before measuring.")
    if not crs.is_projected:
        raise CRSError(f"{what} is in degrees ({crs.name}); reproject to a metric CRS such as a CGCS2000 Gauss-Krüger zone first.")
    return crs


def kernel_density(points: gpd.GeoSeries, *, bounds: tuple[float, float, float, float], cell_m: float,
                   bandwidth_m: float, weights: npt.ArrayLike | None = None) -> Grid:
    """Gaussian kernel density of ``points`` (metric CRS), in points per km².

    The surface integrates to the (weighted) number of points, less the mass that spills past
    ``bounds``: sum(values) * cell_area / 1e6 ~= n.
    """
    crs = _require_metric(points.crs, "the points")
    minx, miny, maxx, maxy = bounds
    ncol = max(1, int(np.ceil((maxx - minx) / cell_m)))
    nrow = max(1, int(np.ceil((maxy - miny) / cell_m)))
    transform = Affine(cell_m, 0.0, minx, 0.0, -cell_m, miny + nrow * cell_m)
    counts = np.zeros((nrow, ncol), dtype=float)
    if len(points):
        cols = ((points.x.to_numpy() - minx) / cell_m).astype(int)
        rows = ((miny + nrow * cell_m - points.y.to_numpy()) / cell_m).astype(int)
        w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
        ok = (rows >= 0) & (rows < nrow) & (cols >= 0) & (cols < ncol)
        np.add.at(counts, (rows[ok], cols[ok]), w[ok])
    smooth = gaussian_filter(counts, sigma=bandwidth_m / cell_m, mode="constant", truncate=4.0)
    return Grid(smooth / (cell_m * cell_m) * 1e6, transform, crs)


def write_geotiff(path: str | Path, grid: Grid, *, mask: npt.NDArray[np.bool_] | None = None) -> Path:
    """Write ``grid`` as a single-band float32 GeoTIFF with CRS and nodata (cells where ``mask`` is False)."""
    values = grid.values.astype("float32")
    if mask is not None:
        values = np.where(mask, values, NODATA).astype("float32")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(p, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
                       dtype="float32", crs=grid.crs.to_wkt(), transform=grid.transform, nodata=NODATA,
                       compress="deflate") as dst:
        dst.write(values, 1)
    return p


def read_geotiff(path: str | Path) -> tuple[npt.NDArray[np.float64], Affine, CRS, float | None]:
    """Band 1 as float with nodata as NaN, plus transform, CRS and the nodata value."""
    try:
        with rasterio.open(path) as src:
            if src.crs is None:
                raise CRSError(f"{path}: the raster has no CRS; assign one (e.g. gdal_edit.py -a_srs EPSG:4545).")
            data = src.read(1).astype(float)
            nodata = src.nodata
            if nodata is not None:
                data[data == nodata] = np.nan
            return data, src.transform, CRS.from_user_input(src.crs.to_wkt()), nodata
    except RasterioIOError as err:
        raise SourceReadError(f"{path}: cannot read as a raster ({err}).") from err


def area_mask(area: gpd.GeoSeries, grid: Grid) -> npt.NDArray[np.bool_]:
    """True for cells whose centre lies inside ``area`` (reprojected to the grid CRS)."""
    shapes = [(g, 1) for g in area.to_crs(grid.crs) if g is not None and not g.is_empty]
    burned = rasterize(shapes, out_shape=grid.values.shape, transform=grid.transform, fill=0, dtype="uint8")
    return burned.astype(bool)


def zonal_stats(path: str | Path, zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Mean, max and count of valid cells of a raster per zone (zones reprojected to the raster CRS).

    Cells are assigned to a zone by their centre. Returns a frame on ``zones.index`` with columns
    ``mean``, ``max``, ``cells``.
    """
    data, transform, crs, _ = read_geotiff(path)
    if zones.crs is None:
        raise CRSError("The zones have no CRS; set one before computing zonal statistics.")
    z = zones.to_crs(crs)
    labels = rasterize([(g, i + 1) for i, g in enumerate(z.geometry)], out_shape=data.shape, transform=transform,
                       fill=0, dtype="int32")
    out = []
    for i in range(len(z)):
        vals = data[(labels == i + 1) & np.isfinite(data)]
        out.append({"mean": float(vals.mean()) if vals.size else np.nan,
                    "max": float(vals.max()) if vals.size else np.nan, "cells": int(vals.size)})
    return gpd.GeoDataFrame(out, index=zones.index)


def warp_to_wgs84(path: str | Path) -> tuple[npt.NDArray[np.float64], tuple[float, float, float, float]]:
    """Reproject a raster to EPSG:4326 for display; returns values (NaN = nodata) and
    (minx, miny, maxx, maxy) in lon/lat."""
    data, transform, crs, _ = read_geotiff(path)
    h, w = data.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    dst_t, dw, dh = calculate_default_transform(crs, "EPSG:4326", w, h, left=left, bottom=bottom, right=right, top=top)
    out = np.full((dh, dw), np.nan)
    reproject(data, out, src_transform=transform, src_crs=crs, dst_transform=dst_t, dst_crs="EPSG:4326",
              resampling=Resampling.bilinear, src_nodata=np.nan, dst_nodata=np.nan)
    minx, maxy = dst_t @ (0, 0)
    maxx, miny = dst_t @ (dw, dh)
    return out, (minx, miny, maxx, maxy)


def colorize(values: npt.NDArray[np.float64], *, cmap: str = "YlOrRd", alpha: float = 0.7) -> npt.NDArray[np.uint8]:
    """RGBA image of ``values`` scaled 0..max with a matplotlib colormap; NaN and zero are transparent."""
    from matplotlib import colormaps

    finite = np.isfinite(values)
    vmax = float(np.nanmax(values)) if finite.any() else 1.0
    scaled = np.where(finite, values / (vmax or 1.0), 0.0)
    rgba = (colormaps[cmap](scaled) * 255).astype(np.uint8)
    rgba[..., 3] = np.where(finite & (scaled > 0.02), int(alpha * 255), 0)
    return rgba
