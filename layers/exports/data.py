"""Data downloads of any layer or analysis result, and the self-contained interactive HTML."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo.crs import WGS84, reproject
from geo.errors import OptionError
from geo.gpkg import write_gpkg_atomic
from geo.tables import csv_bytes, spreadsheet_safe
from layers.exports.output import atomic_write

DATA_FORMATS = ("gpkg", "geojson", "shp", "csv", "xlsx")
VENDOR_DIR = Path(__file__).resolve().parents[2] / "static" / "vendor"


def shapefile_field_names(columns: list[str]) -> dict[str, str]:
    """Map column names to unique DBF names of at most 10 characters (bytes, as UTF-8)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        base = col.encode("utf-8")[:10].decode("utf-8", errors="ignore") or "field"
        name, i = base, 1
        while name.lower() in used:
            suffix = f"_{i}"
            name = base.encode("utf-8")[: 10 - len(suffix)].decode("utf-8", errors="ignore") + suffix
            i += 1
        used.add(name.lower())
        out[col] = name
    return out


def table_with_lonlat(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attributes plus ``lon``/``lat`` (EPSG:4326 to 6 decimals; the representative point of a line or
    polygon) and ``geometry_wkt`` (EPSG:4326, full precision): what the import reads back as the
    geometry (``layers.imports.read``). To move a point in the sheet, edit lon/lat and clear its WKT."""
    ll = reproject(gdf, WGS84)
    pts = ll.geometry.representative_point()
    out = pd.DataFrame(ll.drop(columns=ll.geometry.name))
    out["lon"], out["lat"] = pts.x.round(6), pts.y.round(6)
    out["geometry_wkt"] = ll.geometry.to_wkt(rounding_precision=-1)
    return out


def data_suffix(fmt: str, n_layers: int) -> str:
    """The file ending a data export of ``n_layers`` layers in ``fmt`` has: ``zip`` for a Shapefile and
    for several layers of GeoJSON or CSV (one file per layer inside), else the format's own."""
    return "zip" if fmt == "shp" or (fmt in ("geojson", "csv") and n_layers > 1) else fmt


def export_data(layers: Mapping[str, gpd.GeoDataFrame], fmt: str, out: Path, *, overwrite: bool = False, lang: str = "en") -> Path:
    """Write ``layers`` (id -> frame) as GeoPackage, GeoJSON, zipped Shapefile, CSV or XLSX.

    CSV and XLSX cells that a spreadsheet would run as a formula (``=HYPERLINK(...)`` in a name) are
    written as text (``layers.tables``); GeoPackage, GeoJSON and Shapefile keep the values as they are.
    Multi-layer GeoJSON/CSV/XLSX/Shapefile outputs go into one zip (XLSX: one sheet per layer).
    ``out`` is checked and written as :func:`layers.exports.output.atomic_write` says (an existing
    file is replaced only with ``overwrite``; refusals raise ``NotPermittedError`` in ``lang``)."""
    if fmt not in DATA_FORMATS:
        raise OptionError(f"Unknown data format {fmt!r}; use one of {list(DATA_FORMATS)}.")
    with atomic_write(out, overwrite=overwrite, lang=lang) as tmp:
        _write(layers, fmt, tmp)
    return out


def _write(layers: Mapping[str, gpd.GeoDataFrame], fmt: str, tmp: Path) -> None:
    if fmt == "gpkg":
        write_gpkg_atomic(tmp, dict(layers))
    elif fmt == "xlsx":
        with pd.ExcelWriter(tmp) as xw:
            for name, g in layers.items():
                spreadsheet_safe(table_with_lonlat(g)).to_excel(xw, sheet_name=name[:31], index=False)
    elif data_suffix(fmt, len(layers)) == "zip":
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, g in layers.items():
                for arc, data in _files(name, g, fmt):
                    zf.writestr(arc, data)
    else:
        (name, g), = layers.items()
        tmp.write_bytes(dict(_files(name, g, fmt))[f"{name}.{fmt}"])


def _files(name: str, g: gpd.GeoDataFrame, fmt: str) -> list[tuple[str, bytes]]:
    if fmt == "csv":
        return [(f"{name}.csv", csv_bytes(table_with_lonlat(g)))]
    if fmt == "geojson":
        return [(f"{name}.geojson", reproject(g, WGS84).to_json(drop_id=True, ensure_ascii=False).encode("utf-8"))]
    return _shapefile(name, g)


def _shapefile(name: str, g: gpd.GeoDataFrame) -> list[tuple[str, bytes]]:
    mapping = shapefile_field_names([c for c in g.columns if c != g.geometry.name])
    files = []
    for geom_type, part in g.groupby(g.geometry.geom_type.str.replace("Multi", ""), sort=True):
        stem = name if g.geometry.geom_type.str.replace("Multi", "").nunique() == 1 else f"{name}_{geom_type.lower()}"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{stem}.shp"
            part.rename(columns=mapping).to_file(path, driver="ESRI Shapefile", encoding="UTF-8", engine="pyogrio")
            path.with_suffix(".cpg").write_text("UTF-8")
            files += [(p.name, p.read_bytes()) for p in sorted(Path(tmp).iterdir())]
    fields = pd.DataFrame({"field": list(mapping.values()), "column": list(mapping.keys())})
    files.append((f"{name}_fields.csv", csv_bytes(fields)))
    return files


def standalone_html(fmap) -> str:  # noqa: ANN001
    """The folium map as one HTML file with Leaflet and the map's own browser code inlined (in the
    order the app loads them): opens offline, from a USB stick."""
    from layers.render.webmap import LOCAL_CSS, LOCAL_JS, RawText

    css = "".join(f"<style>{_served_text(u)}</style>" for _, u in LOCAL_CSS)
    js = "".join(f"<script>{_served_text(u)}</script>" for _, u in LOCAL_JS)
    fmap.default_js, fmap.default_css = [], []
    fmap.get_root().header.add_child(RawText(css + js), index=0)
    return fmap.get_root().render()


def _served_text(url: str) -> str:
    """The text behind a URL the map loads: the map's own files from their sources in layers/render
    (never the served copy in static/, which may be older), Leaflet and its plugin from static/vendor."""
    from layers.render.webmap import SERVED_SOURCES, VENDOR_URL

    path = SERVED_SOURCES.get(url) or VENDOR_DIR / url.removeprefix(VENDOR_URL + "/")
    return path.read_text(encoding="utf-8")
