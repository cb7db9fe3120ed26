"""Dump a workspace to one GeoJSON per layer in EPSG:4326 (``python -m layers dump``)."""

from __future__ import annotations

from pathlib import Path

from geo.crs import WGS84, reproject
from layers.exports.output import atomic_write, safe_folder, safe_target
from layers.store.workspace import layer_ids, load_layer


def dump_workspace(adcode: str, out: Path, *, overwrite: bool = False) -> list[Path]:
    """Write ``<out>/<layer>.geojson`` for every layer of ``adcode``; returns the paths.

    ``out`` may not lead into the workspace folder; it is created when missing (its parent must
    exist). Existing files are replaced only with ``overwrite``, and every file is checked before
    the first one is written (``layers.exports.output``), so a refusal leaves the folder as it was."""
    folder = safe_folder(out)
    paths = [out / f"{layer_id}.geojson" for layer_id in layer_ids(adcode)]
    folder.mkdir(exist_ok=True)
    for path in paths:
        safe_target(path, overwrite=overwrite)
    for path in paths:
        with atomic_write(path, overwrite=overwrite) as tmp:
            tmp.unlink()  # GDAL creates the file itself
            reproject(load_layer(adcode, path.stem), WGS84).to_file(tmp, driver="GeoJSON", engine="pyogrio")
    return paths
