"""The one entry point behind `python -m layers export|atlas` and the page buttons.

Exports use the data the user sees: the data-status switches (``QualityOptions``, demo data off by
default as in the app) and the map filters are applied, and when the switches hide anything the
township risk is recomputed from the shown features, as the risk page does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import shapely

from geo.errors import OptionError
from layers.analysis.riskstore import analysed_frames
from layers.catalog.quality import QualityOptions
from layers.catalog.specs import SPECS
from layers.exports.atlas import export_atlas
from layers.exports.data import DATA_FORMATS, data_suffix, export_data, standalone_html
from layers.exports.output import atomic_write, safe_target
from layers.exports.sheet import ProgressFn, Sheet, default_title, export_sheet, revision_stamp
from layers.render.webmap import build_map
from layers.store.workspace import Workspace, open_workspace
from layers.views import mapview as view

MAP_FORMATS = ("png", "pdf", "html")


class ExportError(OptionError):
    """An export request that cannot be met; the message exists in Chinese and English, ``str()``
    gives it in the language of the request."""

    def __init__(self, zh: str, en: str, lang: str = "en") -> None:
        super().__init__(zh if lang == "zh" else en)
        self.zh, self.en = zh, en

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


def default_layers(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    return [k for k in frames if SPECS[k].default_visible]


def shown_frames(ws: Workspace | str, quality: QualityOptions | None = None, filters: view.Filters | None = None) -> dict[str, gpd.GeoDataFrame]:
    """The frames the app shows for these switches and filters (risk recomputed when anything is hidden)."""
    ws = ws if isinstance(ws, Workspace) else open_workspace(ws)
    frames = dict(analysed_frames(ws, quality or QualityOptions()))
    return view.apply_filters(frames, filters) if filters is not None else frames


def _name(ws: Workspace, lang: str) -> str:
    return ws.name if lang == "zh" else ws.name_en or ws.name


def _chosen(frames: Mapping[str, gpd.GeoDataFrame], layers: Sequence[str] | None, adcode: str, lang: str) -> list[str]:
    if layers is None:
        return default_layers(frames)
    chosen = list(layers)
    if not chosen:
        raise ExportError("没有可导出的图层:请先在图层列表中勾选至少一个图层。", "No layer to export: tick at least one layer first.", lang)
    unknown = [k for k in chosen if k not in frames]
    if unknown:
        raise ExportError(f"工作空间 {adcode} 中没有图层 {unknown};可用图层:{list(frames)}。",
                          f"Layers {unknown} are not in workspace {adcode}; available: {list(frames)}.", lang)
    return chosen


def map_html(frames: Mapping[str, gpd.GeoDataFrame], chosen: Sequence[str], lang: str) -> str:
    """The single-file interactive map of ``chosen`` layers (the web renderer, Leaflet inlined)."""
    shown = view.display_frames(frames, chosen, lang=lang)
    return standalone_html(build_map(shown, bounds=view.bounds_of(frames), lang=lang))


def export(adcode: str, fmt: str, out: Path, *, layers: Sequence[str] | None = None, title: str | None = None,
           subtitle: str | None = None, paper: str = "A4", orientation: str = "landscape", dpi: int = 300,
           footer: str = "", lang: str = "zh", view_ll: tuple[float, float, float, float] | None = None,
           quality: QualityOptions | None = None, filters: view.Filters | None = None, overwrite: bool = False) -> Path:
    """Export the jurisdiction's map (png/pdf/html) or layer data (gpkg/geojson/shp/csv/xlsx).

    ``layers`` are exactly the layers drawn (None: the map's default layers; an empty list is an
    error). ``view_ll`` = (minx, miny, maxx, maxy) in lon/lat limits a map sheet to the user's view.
    ``out`` may not lead into the workspace folder nor be a folder or a device, and an existing file
    is replaced only with ``overwrite`` (``layers.exports.output``); a refusal comes before any work."""
    if fmt not in MAP_FORMATS + DATA_FORMATS:
        raise ExportError(f"不支持的格式 {fmt!r};可选:{list(MAP_FORMATS + DATA_FORMATS)}。",
                          f"Unknown format {fmt!r}; use one of {list(MAP_FORMATS + DATA_FORMATS)}.", lang)
    safe_target(out, overwrite=overwrite, lang=lang)
    ws = open_workspace(adcode)
    frames = shown_frames(ws, quality, filters)
    chosen = _chosen(frames, layers, ws.adcode, lang)
    if fmt in DATA_FORMATS:
        if data_suffix(fmt, len(chosen)) == "zip" and out.suffix.lower() != ".zip":
            what = "Shapefile " if fmt == "shp" else f"{len(chosen)} 个图层的 {fmt.upper()} "
            what_en = "a Shapefile" if fmt == "shp" else f"{len(chosen)} layers of {fmt.upper()}"
            raise ExportError(f"{what}导出为一个 ZIP 压缩包:请把输出文件名改为以 .zip 结尾(如 {out.stem}.zip),或只导出一个图层。",
                              f"{what_en} is written as one ZIP archive: give an output name ending in .zip (e.g. "
                              f"{out.stem}.zip), or export one layer.", lang)
        return export_data({k: frames[k] for k in chosen}, fmt, out, overwrite=overwrite, lang=lang)
    t, s = default_title(_name(ws, lang), chosen, lang)
    if fmt == "html":
        html = map_html(frames, chosen, lang)
        with atomic_write(out, overwrite=overwrite, lang=lang) as tmp:
            tmp.write_text(html, encoding="utf-8")
        return out
    sheet = Sheet(title or t, subtitle if subtitle is not None else s, paper, orientation, dpi, footer, lang, **revision_stamp(ws))
    crs = ws.metric_crs
    extent = None
    if view_ll is not None:
        box = gpd.GeoSeries([shapely.box(*view_ll)], crs=4326).to_crs(crs)
        extent = tuple(float(v) for v in box.total_bounds)
    return export_sheet(frames, chosen, crs, sheet, out, fmt, extent=extent, overwrite=overwrite)


def atlas(adcode: str, out: Path, *, title: str | None = None, lang: str = "zh", footer: str = "", dpi: int = 100,
          quality: QualityOptions | None = None, filters: view.Filters | None = None, progress: ProgressFn | None = None,
          overwrite: bool = False) -> Path:
    """一乡一图 PDF of the frames the user sees (switches and map filters); page titles "<title> · <township>".
    ``out`` is checked before the first page is drawn and written whole or not at all, as in :func:`export`."""
    safe_target(out, overwrite=overwrite, lang=lang)
    ws = open_workspace(adcode)
    frames = shown_frames(ws, quality, filters)
    name = _name(ws, lang)
    with atomic_write(out, overwrite=overwrite, lang=lang) as tmp:
        export_atlas(frames, ws.metric_crs, tmp, county_name=name,
                     sheet=Sheet(title or name, dpi=dpi, footer=footer, lang=lang, **revision_stamp(ws)), progress=progress)
    return out
