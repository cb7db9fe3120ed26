"""Display copies of layers: WGS84, simplified, rounded, optionally shifted to GCJ-02.

Analysis always uses the stored geometry; these copies only feed the browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import WGS84, reproject, wgs84_to_gcj02
from geo.errors import CRSError


def display_frame(
    gdf: gpd.GeoDataFrame,
    *,
    keep: Sequence[str],
    tolerance_deg: float = 0.0,
    coverage: bool = False,
    precision_deg: float = 1e-5,
) -> gpd.GeoDataFrame:
    """A light copy of ``gdf`` for the browser.

    Parameters
    ----------
    keep : attribute columns to ship (everything else stays on the server).
    tolerance_deg : simplification tolerance in degrees (0 = none).
    coverage : simplify polygons as a coverage (shared edges stay shared, no gaps between
        neighbours) instead of one by one.
    precision_deg : coordinates snapped to this grid (1e-5 deg ~ 1 m).
    """
    if gdf.crs is None:
        raise CRSError("Cannot make a display copy of data without a CRS; set one first (e.g. EPSG:4490).")
    out = reproject(gdf[[c for c in keep if c in gdf.columns] + [gdf.geometry.name]], WGS84)
    geoms = out.geometry.values
    if tolerance_deg > 0 and len(out):
        polygonal = np.isin(shapely.get_type_id(geoms), (3, 6))
        if coverage and polygonal.all():
            geoms = shapely.coverage_simplify(geoms, tolerance_deg, simplify_boundary=True)
        else:
            geoms = shapely.simplify(geoms, tolerance_deg, preserve_topology=True)
    geoms = shapely.set_precision(geoms, precision_deg, mode="pointwise")
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index, crs=WGS84))


def shift_to_gcj02(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shift WGS84 geometries to GCJ-02 so they sit on AMap/Gaode tiles (display only)."""
    if gdf.crs is None or gdf.crs.to_epsg() not in (4326, 4490):
        raise CRSError(f"shift_to_gcj02 needs lon/lat in EPSG:4326 or 4490, got {gdf.crs}; reproject first.")

    def _shift(coords: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return gdf.set_geometry(shapely.transform(gdf.geometry.values, _shift))
