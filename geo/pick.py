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
    """The feature of ``frames`` (layer id -> GeoDataFrame in lon/lat) at ``lon``/``lat``.

    Distances are measured in the Gauss-Krüger zone of the click. Priority: nearest point or line
    within ``tolerance_m``; else the polygon containing the click with the smallest area.
    """
    crs: CRS = metric_crs_for_lon(lon)
    click = shapely.Point(*gpd.GeoSeries([shapely.Point(lon, lat)], crs=4326).to_crs(crs).iloc[0].coords[0])
    best: Pick | None = None
    containing: list[tuple[float, Pick]] = []
    for layer, gdf in frames.items():
        if gdf.empty:
            continue
        geoms = gdf.to_crs(crs).geometry
        dist = shapely.distance(geoms.values, click)
        poly = np.isin(shapely.get_type_id(geoms.values), (3, 6))
        for k in np.flatnonzero(poly & (dist == 0)):
            containing.append((float(shapely.area(geoms.values[k])), Pick(layer, gdf.index[k], 0.0)))
        d = np.where(poly, np.inf, dist)
        if d.size and np.isfinite(d.min()) and d.min() <= tolerance_m and (best is None or d.min() < best.distance_m):
            nearest = int(np.argmin(d))
            best = Pick(layer, gdf.index[nearest], float(d[nearest]))
    if best is not None:
        return best
    return min(containing, key=lambda t: t[0])[1] if containing else None
