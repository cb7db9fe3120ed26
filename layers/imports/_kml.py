"""KML as exported by 奥维互动地图 and Google Earth: every folder (nested ones by their path, 乡镇/村), one
table per folder, a placemark's name, description and extended data as columns, its geometry as read
(KML coordinates are lon/lat; which datum a phone app used is decided later, not here)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry import GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geo.errors import SourceReadError
from layers.imports.table import RawTable

WGS84 = CRS.from_epsg(4326)  # KML coordinates are lon/lat by definition


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _child(elem: ET.Element, name: str) -> ET.Element | None:
    return next((c for c in elem if _local(c.tag) == name), None)


def _text(elem: ET.Element, name: str) -> str | None:
    c = _child(elem, name)
    return c.text.strip() if c is not None and c.text and c.text.strip() else None


def _walk(elem: ET.Element, path: tuple[str, ...], out: dict[tuple[str, ...], list[ET.Element]]) -> None:
    for child in elem:
        tag = _local(child.tag)
        if tag == "Folder":
            _walk(child, (*path, _text(child, "name") or "(未命名 / unnamed)"), out)
        elif tag in ("Document", "kml"):
            _walk(child, path, out)
        elif tag == "Placemark":
            out.setdefault(path, []).append(child)


def _coords(elem: ET.Element | None) -> list[tuple[float, float]]:
    text = "" if elem is None else " ".join(e.text or "" for e in elem.iter() if _local(e.tag) == "coordinates")
    out = []
    for item in text.split():
        parts = item.split(",")
        out.append((float(parts[0]), float(parts[1])))
    return out


def _ring(elem: ET.Element, boundary: str) -> list[list[tuple[float, float]]]:
    return [_coords(b) for b in elem if _local(b.tag) == boundary]


def _geometry(elem: ET.Element) -> BaseGeometry | None:
    tag = _local(elem.tag)
    if tag == "Point":
        return Point(_coords(elem)[0])
    if tag == "LineString":
        return LineString(_coords(elem))
    if tag == "Polygon":
        outer = _ring(elem, "outerBoundaryIs")
        return Polygon(outer[0], _ring(elem, "innerBoundaryIs")) if outer else None
    if tag == "MultiGeometry":
        parts = [g for g in (_geometry(c) for c in elem) if g is not None]
        kinds = {p.geom_type for p in parts}
        multi = {"Point": MultiPoint, "LineString": MultiLineString, "Polygon": MultiPolygon}
        kind = kinds.pop() if len(kinds) == 1 else ""
        return multi[kind](parts) if kind in multi else GeometryCollection(parts)
    return None


def _placemark(pm: ET.Element) -> tuple[dict[str, str | None], BaseGeometry | None]:
    row: dict[str, str | None] = {"name": _text(pm, "name"), "description": _text(pm, "description")}
    for e in pm.iter():
        tag = _local(e.tag)
        if tag == "Data" and e.get("name"):
            row[str(e.get("name"))] = _text(e, "value")
        elif tag == "SimpleData" and e.get("name"):
            row[str(e.get("name"))] = e.text.strip() if e.text and e.text.strip() else None
    geom = next((g for g in (_geometry(c) for c in pm) if g is not None), None)
    return row, geom


def kml_tables(data: bytes, *, file: str, sha256: str) -> list[RawTable]:
    """One RawTable per folder holding placemarks (``sheet`` = the folder path, None at the top)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise SourceReadError(f"文件 {file} 不是可读取的 KML（第 {err.position[0]} 行：{err}）；请从地图软件重新导出 / file {file} is not KML "
                              f"that can be read (line {err.position[0]}: {err}); export it again from the map app.") from err
    folders: dict[tuple[str, ...], list[ET.Element]] = {}
    _walk(root, (), folders)
    tables = []
    for path, placemarks in folders.items():
        rows, geoms = [], []
        for n, pm in enumerate(placemarks, start=1):
            try:
                row, geom = _placemark(pm)
            except (ValueError, IndexError) as err:
                raise SourceReadError(f"文件 {file}，{'/'.join(path) or '顶层'} 第 {n} 个地标的坐标无法读取（{err}） / file {file}, folder "
                                      f"{'/'.join(path) or '(top)'}, placemark {n}: coordinates cannot be read ({err}); fix them "
                                      "in the map app and export again.") from err
            rows.append(row)
            geoms.append(geom)
        frame = pd.DataFrame(rows, dtype=object)
        frame = frame.astype(object).where(frame.notna(), None)
        tables.append(RawTable(file=file, sheet="/".join(path) or None, frame=frame, rows=list(range(1, len(rows) + 1)),
                               geometry=gpd.GeoSeries(geoms, crs=WGS84), crs=WGS84, sha256=sha256))
    return tables
