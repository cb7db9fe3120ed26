"""Dump a workspace to one GeoJSON per layer in EPSG:4326 (``python -m layers dump``)."""

from __future__ import annotations

from pathlib import Path

from geo.crs import WGS84
from layers.store.workspace import layer_ids, load_layer


def dump_workspace(adcode: str, out: Path) -> list[Path]:
    """Write ``<out>/<layer>.geojson`` for every layer of ``adcode``; returns the paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for layer_id in layer_ids(adcode):
        path = out / f"{layer_id}.geojson"
        load_layer(adcode, layer_id).to_crs(WGS84).to_file(path, driver="GeoJSON", engine="pyogrio")
        paths.append(path)
    return paths
