"""Map a clicked coordinate back to the feature the user clicked (streamlit-folium only returns
the coordinate): points and lines within a tolerance first, then the smallest polygon containing it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS

from geo.crs import metric_crs_for_lon


@dataclass(frozen=True)
class Pick:
    layer: str
    index: object
    distance_m: float


def pick_feature(
    frames: Mapping[str, gpd.GeoDataFrame], lon: float, lat: float, *, tolerance_m: float
) -> Pick | None:
    """The feature of ``frames`` (layer id -> GeoDataFrame in lon/lat, in draw order) at ``lon``/``lat``.

    As a canvas map decides it: the topmost layer under the click wins, i.e. the last layer of
    ``frames`` with a hit. In a layer, a hit is the nearest point or line within ``tolerance_m``
    (the last drawn of equally near ones), else the smallest polygon containing the click. Distances
    are measured in the Gauss-Krüger zone of the click.
    """
    crs: CRS = metric_crs_for_lon(lon)
    click = shapely.Point(*gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(crs).iloc[0].coords[0])
    best: Pick | None = None
    for layer, gdf in frames.items():
        hit = _layer_hit(layer, gdf, crs, click, tolerance_m)
        best = hit or best
    return best


def _layer_hit(layer: str, gdf: gpd.GeoDataFrame, crs: CRS, click: shapely.Point, tolerance_m: float) -> Pick | None:
    if gdf.empty:
        return None
    geoms = gdf.to_crs(crs).geometry.values
    dist = shapely.distance(geoms, click)
    poly = np.isin(shapely.get_type_id(geoms), (3, 6))
    d = np.where(poly, np.inf, dist)
    if d.size and d.min() <= tolerance_m:
        k = len(d) - 1 - int(np.argmin(d[::-1]))  # the last drawn of the nearest
        return Pick(layer, gdf.index[k], float(d[k]))
    inside = np.flatnonzero(poly & (dist == 0))
    if inside.size:
        k = int(inside[np.argmin(shapely.area(geoms[inside]))])
        return Pick(layer, gdf.index[k], 0.0)
    return None
