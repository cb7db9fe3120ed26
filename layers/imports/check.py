"""Validate a user's file against a layer spec (``python -m layers check FILE --layer ID``)."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd

from geo.crs import CGCS2000, Datum, reproject
from geo.io import read_vector
from geo.validate import MarkupWarning, check_markup, validate_frame
from layers.catalog.jurisdiction import Jurisdiction
from layers.catalog.specs import get_spec


def check_file(
    path: str | Path, *, layer: str, adcode: str | None = None, crs: str | None = None, datum: Datum = "wgs84"
) -> gpd.GeoDataFrame:
    """Read ``path`` and validate it as layer ``layer``; returns the data in EPSG:4490.

    With ``adcode``, every feature must also lie inside that jurisdiction. Raises one
    ``ValidationError`` naming the file, row and field of every problem; warns (``MarkupWarning``)
    about text that contains markup, which is accepted, stored as written and shown as text.
    """
    spec = get_spec(layer)
    gdf = read_vector(path, crs=crs, datum=datum)
    extent = None
    if adcode is not None:
        j = Jurisdiction.load(adcode)
        extent = j.boundary.to_crs(j.metric_crs).buffer(50.0).to_crs(gdf.crs).iloc[0]
    validate_frame(gdf, source=str(path), rules=spec.rules, geom_types=spec.geom_types,
                   id_field=spec.id_field, extent=extent)
    for problem in check_markup(gdf, [f.name for f in spec.rules if f.dtype == "str"]):
        warnings.warn(problem.format(str(path)), MarkupWarning, stacklevel=2)
    return reproject(gdf, CGCS2000)
