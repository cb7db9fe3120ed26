"""Raster surfaces with rasterio: kernel density, GeoTIFF I/O, zonal statistics, display warping.

Rasters handed in by users are read defensively. What this module will not do: read a raster whose
decoding would cost more than ``MAX_PIXELS`` cells or ``MAX_DECODED_BYTES`` (width x height x bands x
bytes per cell, at the overview level GDAL would use), or hold more than ``MAX_SIDE`` cells on the long
side in memory: larger rasters are read decimated (averaged), which is all a screen overlay or a
township mean needs. A 20000 x 20000 GeoTIFF without overviews is refused with the fix (add overviews
with ``gdaladdo`` or make a smaller copy with ``gdal_translate -outsize``). Uploads are read from
memory (``bytes``), never from a temporary file that another session could find by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
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
from rasterio.io import DatasetReader, MemoryFile
from rasterio.warp import Resampling, calculate_default_transform, reproject
from scipy.ndimage import gaussian_filter

from geo.errors import CRSError, NotARasterError, RasterTooLargeError

NODATA = -9999.0
MAX_SIDE = 2048  # cells kept on the long side: about a screen's width
MAX_PIXELS = 100_000_000  # cells decoded per read (10000 x 10000)
MAX_DECODED_BYTES = 1 << 30  # width x height x bands x bytes per cell decoded per read (1 GiB)
READ_CACHE_MB = 64  # GDAL block cache while decimating (its default, 5 % of RAM, would keep every block read)
RasterSource = str | Path | bytes  # a path, or the bytes of an upload (read in memory)


def _name(src: RasterSource, name: str | None) -> str:
    return name or ("raster" if isinstance(src, bytes) else Path(src).name)


@contextmanager
def open_raster(src: RasterSource, *, name: str | None = None) -> Iterator[DatasetReader]:
    """Open a GeoTIFF from a path or from bytes (in memory); errors name the file, never a server path."""
    label = _name(src, name)
    with ExitStack() as stack:
        try:
            mem = stack.enter_context(MemoryFile(src)) if isinstance(src, bytes) else None
            ds = stack.enter_context(mem.open() if mem is not None else rasterio.open(src))
        except RasterioIOError as err:
            raise NotARasterError(f"{label} is not a GeoTIFF that can be read; upload a .tif file.") from err
        if ds.driver != "GTiff":
            raise NotARasterError(f"{label} is not a GeoTIFF (it reads as {ds.driver}); upload a .tif file.")
        yield ds


def _decimation(ds: DatasetReader, max_side: int | None) -> tuple[int, int]:
    """(rows, cols) to read: the full size, or at most ``max_side`` on the long side."""
    w, h = ds.width, ds.height
    if max_side is None or max(w, h) <= max_side:
        return h, w
    f = max(w, h) / max_side
    return max(1, round(h / f)), max(1, round(w / f))


def check_size(ds: DatasetReader, out_shape: tuple[int, int], name: str) -> None:
    """Refuse (``RasterTooLargeError``) a read whose decoding exceeds ``MAX_PIXELS``/``MAX_DECODED_BYTES``.

    GDAL decodes the finest overview that is still at least ``out_shape``, or the full raster."""
    w, h = ds.width, ds.height
    factors = [f for f in ds.overviews(1) if -(-w // f) >= out_shape[1] and -(-h // f) >= out_shape[0]]
    f = max([1, *factors])
    pixels = -(-w // f) * -(-h // f)
    decoded = pixels * ds.count * np.dtype(ds.dtypes[0]).itemsize
    if pixels > MAX_PIXELS or decoded > MAX_DECODED_BYTES:
        raise RasterTooLargeError(name, w, h, ds.count, decoded, limit=MAX_PIXELS, limit_bytes=MAX_DECODED_BYTES)


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


def write_geotiff(path: str | Path, grid: Grid, *, mask: npt.NDArray[np.bool_] | None = None,
                  tags: Mapping[str, str] | None = None) -> Path:
    """Write ``grid`` as a single-band float32 GeoTIFF with CRS and nodata (cells where ``mask`` is False)
    and the metadata ``tags`` (GDAL metadata items, shown by ``gdalinfo``)."""
    values = grid.values.astype("float32")
    if mask is not None:
        values = np.where(mask, values, NODATA).astype("float32")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(p, "w", driver="GTiff", height=values.shape[0], width=values.shape[1], count=1,
                       dtype="float32", crs=grid.crs.to_wkt(), transform=grid.transform, nodata=NODATA,
                       compress="deflate") as dst:
        dst.write(values, 1)
        if tags:
            dst.update_tags(**tags)
    return p


def read_tags(path: str | Path) -> dict[str, str]:
    """The metadata items of a GeoTIFF (empty when it has none)."""
    with rasterio.open(path) as ds:
        return dict(ds.tags())


def _earth_crs(ds: DatasetReader, label: str) -> CRS:
    """The raster's CRS, refused (``CRSError``) when missing or not tied to the earth (a local engineering CRS)."""
    if ds.crs is None:
        raise CRSError(f"{label}: the raster has no CRS; assign one (e.g. gdal_edit.py -a_srs EPSG:4545 {label}).")
    crs = CRS.from_user_input(ds.crs.to_wkt())
    if not (crs.is_geographic or crs.is_projected):
        raise CRSError(f"{label}: the raster's CRS {crs.name!r} is a local one that cannot be placed on the earth; "
                       f"assign a real CRS (e.g. gdal_edit.py -a_srs EPSG:4545 {label}).")
    return crs


def read_geotiff(src: RasterSource, *, max_side: int | None = MAX_SIDE,
                 name: str | None = None) -> tuple[npt.NDArray[np.float64], Affine, CRS, float | None]:
    """Band 1 as float with nodata as NaN, plus transform, CRS and the nodata value.

    ``src`` is a path or the bytes of a file; the size is checked before any cell is read
    (``RasterTooLargeError``) and rasters longer than ``max_side`` cells are read averaged down to it."""
    label = _name(src, name)
    with rasterio.Env(GDAL_CACHEMAX=READ_CACHE_MB), open_raster(src, name=label) as ds:
        crs = _earth_crs(ds, label)
        rows, cols = _decimation(ds, max_side)
        check_size(ds, (rows, cols), label)
        band = ds.read(1, out_shape=(rows, cols), masked=True, resampling=Resampling.average)
        data = np.ma.filled(band.astype(float), np.nan)
        transform = ds.transform * Affine.scale(ds.width / cols, ds.height / rows)
        return data, transform, crs, ds.nodata


def area_mask(area: gpd.GeoSeries, grid: Grid) -> npt.NDArray[np.bool_]:
    """True for cells whose centre lies inside ``area`` (reprojected to the grid CRS)."""
    shapes = [(g, 1) for g in area.to_crs(grid.crs) if g is not None and not g.is_empty]
    burned = rasterize(shapes, out_shape=grid.values.shape, transform=grid.transform, fill=0, dtype="uint8")
    return burned.astype(bool)


def zonal_stats(src: RasterSource, zones: gpd.GeoDataFrame, *, name: str | None = None) -> gpd.GeoDataFrame:
    """Mean, max and count of valid cells of a raster per zone (zones reprojected to the raster CRS).

    Cells are assigned to a zone by their centre; rasters over ``MAX_SIDE`` cells are averaged down
    first (``cells`` counts the cells read). Returns a frame on ``zones.index`` with columns
    ``mean``, ``max``, ``cells``.
    """
    data, transform, crs, _ = read_geotiff(src, name=name)
    if zones.crs is None:
        raise CRSError("The zones have no CRS; set one before computing zonal statistics.")
    z = zones.to_crs(crs)
    labels = rasterize([(g, i + 1) for i, g in enumerate(z.geometry)], out_shape=data.shape, transform=transform,
                       fill=0, dtype="int32")
    n = len(z)
    idx, vals = labels.ravel(), np.asarray(data, dtype=float).ravel()
    ok = (idx > 0) & np.isfinite(vals)
    cells = np.bincount(idx[ok], minlength=n + 1)[1:]  # one pass over the grid, not one per zone
    sums = np.bincount(idx[ok], weights=vals[ok], minlength=n + 1)[1:]
    top = np.full(n + 1, -np.inf)
    np.maximum.at(top, idx[ok], vals[ok])
    has = cells > 0
    return gpd.GeoDataFrame({"mean": np.where(has, sums / np.maximum(cells, 1), np.nan), "max": np.where(has, top[1:], np.nan),
                             "cells": cells.astype(int)}, index=zones.index)


def warp_to_wgs84(src: RasterSource, *, name: str | None = None) -> tuple[npt.NDArray[np.float64], tuple[float, float, float, float]]:
    """Reproject a raster (read at most ``MAX_SIDE`` cells wide) to EPSG:4326 for display; returns
    values (NaN = nodata) and (minx, miny, maxx, maxy) in lon/lat."""
    data, transform, crs, _ = read_geotiff(src, name=name)
    return warp_grid_to_wgs84(Grid(data, transform, crs))


def warp_grid_to_wgs84(grid: Grid) -> tuple[npt.NDArray[np.float64], tuple[float, float, float, float]]:
    """Reproject an in-memory grid (NaN = nodata) to EPSG:4326; returns values and lon/lat bounds."""
    data, transform = grid.values, grid.transform
    h, w = data.shape
    left, top = transform @ (0, 0)
    right, bottom = transform @ (w, h)
    dst_t, dw, dh = calculate_default_transform(grid.crs, "EPSG:4326", w, h, left=left, bottom=bottom, right=right, top=top)
    out = np.full((dh, dw), np.nan)
    reproject(data, out, src_transform=transform, src_crs=grid.crs, dst_transform=dst_t, dst_crs="EPSG:4326",
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
