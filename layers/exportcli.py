"""The one entry point behind `python -m layers export|atlas` and the page buttons."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import shapely

from layers import view
from layers.atlas import export_atlas
from layers.dataexport import DATA_FORMATS, export_data, standalone_html
from layers.export import ProgressFn, Sheet, default_title, export_sheet
from layers.render import build_map
from layers.riskstore import workspace_crs
from layers.specs import SPECS
from layers.store import read_meta, workspace_path

MAP_FORMATS = ("png", "pdf", "html")


def default_layers(frames: dict) -> list[str]:
    return [k for k in frames if SPECS[k].default_visible]


def export(adcode: str, fmt: str, out: Path, *, layers: Sequence[str] | None = None, title: str | None = None,
           subtitle: str | None = None, paper: str = "A4", orientation: str = "landscape", dpi: int = 300,
           footer: str = "", lang: str = "zh", view_ll: tuple[float, float, float, float] | None = None) -> Path:
    """Export the jurisdiction's map (png/pdf/html) or layer data (gpkg/geojson/shp/csv/xlsx).

    ``view_ll`` = (minx, miny, maxx, maxy) in lon/lat limits a map sheet to the user's current view."""
    frames = view.load_frames(adcode)
    chosen = list(layers) if layers else default_layers(frames)
    unknown = [k for k in chosen if k not in frames]
    if unknown:
        raise ValueError(f"Layers {unknown} are not in workspace {adcode}; available: {list(frames)}.")
    if fmt in DATA_FORMATS:
        return export_data({k: frames[k] for k in chosen}, fmt, out)
    if fmt not in MAP_FORMATS:
        raise ValueError(f"Unknown format {fmt!r}; use one of {list(MAP_FORMATS + DATA_FORMATS)}.")
    name = read_meta(workspace_path(adcode))["name"]
    t, s = default_title(name, chosen, lang)
    if fmt == "html":
        shown = view.display_frames(frames, chosen, lang=lang)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(standalone_html(build_map(shown, bounds=view.bounds_of(frames), lang=lang)), encoding="utf-8")
        return out
    sheet = Sheet(title or t, subtitle if subtitle is not None else s, paper, orientation, dpi, footer, lang)
    crs = workspace_crs(adcode)
    extent = None
    if view_ll is not None:
        box = gpd.GeoSeries([shapely.box(*view_ll)], crs=4326).to_crs(crs)
        extent = tuple(float(v) for v in box.total_bounds)
    return export_sheet(frames, chosen, crs, sheet, out, fmt, extent=extent)


def atlas(adcode: str, out: Path, *, footer: str = "", dpi: int = 100, progress: ProgressFn | None = None) -> Path:
    frames = view.load_frames(adcode)
    name = read_meta(workspace_path(adcode))["name"]
    return export_atlas(frames, workspace_crs(adcode), out, county_name=name, sheet=Sheet(name, dpi=dpi, footer=footer),
                        progress=progress)
