"""A jurisdiction's frame: boundary, metric CRS, townships and seats, built from ``data/sources``."""

from __future__ import annotations

import json
import logging
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property

import geopandas as gpd
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.crs import CGCS2000, metric_crs_for_lon
from geo.errors import UnknownNameError
from geo.placement import largest_gap_point, voronoi_cells
from layers.catalog.registry import dataset

log = logging.getLogger(__name__)
_SUFFIX = re.compile(r"(街道|镇|乡)$")


def jurisdiction_config() -> dict[str, dict]:
    """The per-jurisdiction settings in ``data/sources/jurisdictions.toml``, plus default settings for
    every other county-level unit of the boundary dataset (:func:`default_config`): any county can be
    built from its plan, with its boundary from that dataset and its seats from the gazetteer."""
    with dataset("jurisdictions").path.open("rb") as fh:
        configured = tomllib.load(fh)
    return {**{a: default_config(a, n) for a, n in county_units().items() if a not in configured}, **configured}


def county_units() -> dict[str, str]:
    """Name by adcode of every county-level unit in the boundary dataset (properties only, no geometry)."""
    with dataset("boundaries").path.open(encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {str(f["properties"]["adcode"]): str(f["properties"]["name"]) for f in features}


def default_config(adcode: str, name: str) -> dict:
    """Settings of a county not in ``jurisdictions.toml``: township names of the ~2020 snapshot, seats
    from the gazetteer, a snapshot name without a seat placed by the largest-gap rule (synthetic), no
    demo inventory; the county seat township is unknown."""
    return {"name": name, "name_en": f"{_pinyin_name(name)} ({adcode})", "seat_township": "", "unlocated_townships": "synthetic",
            "demo_hazard_points": 0, "configured": False,
            "note": "not configured in jurisdictions.toml: built from the boundary dataset, the township snapshot and the gazetteer"}


def _pinyin_name(name: str) -> str:
    from pypinyin import lazy_pinyin

    stem = re.sub(r"(土家族|苗族|自治县|区|县)+$", "", name) or name
    return "".join(lazy_pinyin(stem)).capitalize()


def short_name(township: str) -> str:
    """Township name without its 镇/乡/街道 suffix (``桂溪街道`` -> ``桂溪``)."""
    return _SUFFIX.sub("", township)


@dataclass
class Jurisdiction:
    """Boundary and townships of one county-level unit, in CGCS2000 and in a metric GK CRS."""

    adcode: str
    config: dict
    boundary: gpd.GeoDataFrame  # one row, EPSG:4490
    unconfirmed: list[str] = field(default_factory=list)

    districts: gpd.GeoDataFrame | None = None  # member county-level units (one row for a county)

    @classmethod
    def load(cls, adcode: str) -> Jurisdiction:
        cfg = jurisdiction_config()
        if adcode not in cfg:
            raise UnknownNameError(f"No jurisdiction {adcode!r} in data/sources/jurisdictions.toml; known: {sorted(cfg)}.")
        b = gpd.read_file(dataset("boundaries").path).set_crs(CGCS2000, allow_override=True)
        prefix = cfg[adcode].get("members")
        members = b[b["adcode"].str.startswith(prefix)] if prefix else b[b["adcode"] == adcode]
        members = members.reset_index(drop=True)
        merged = gpd.GeoDataFrame({"adcode": [adcode], "name": [cfg[adcode]["name"]]},
                                  geometry=[shapely.union_all(members.geometry.to_numpy())], crs=CGCS2000)
        return cls(adcode, cfg[adcode], merged if prefix else members, districts=members)

    @property
    def name(self) -> str:
        return str(self.config["name"])

    @cached_property
    def metric_crs(self) -> CRS:
        return metric_crs_for_lon(float(self.boundary.geometry.iloc[0].centroid.x))

    @cached_property
    def area_m(self) -> BaseGeometry:
        """The boundary polygon in the metric CRS."""
        return self.boundary.to_crs(self.metric_crs).geometry.iloc[0]

    @cached_property
    def centre_m(self) -> Point:
        return self.area_m.representative_point() if not self.area_m.contains(self.area_m.centroid) else self.area_m.centroid

    @cached_property
    def townships_m(self) -> gpd.GeoDataFrame:
        """Townships in the metric CRS: polygons (Voronoi cells of the seats) plus seat points."""
        return _build_townships(self)

    def seat_of(self, name: str) -> Point | None:
        """Seat (metric CRS) of the township whose name or short name is ``name``."""
        t = self.townships_m
        hit = t[(t["name"] == name) | (t["short"] == short_name(name))]
        return None if hit.empty else hit["seat"].iloc[0]

    def townships_in_text(self, *texts: str) -> list[str]:
        """Township names mentioned in ``texts`` (by full or short name), in order of appearance."""
        joined = ";".join(t for t in texts if t)
        found = []
        for _, row in self.townships_m.iterrows():
            pos = joined.find(row["short"]) if len(row["short"]) >= 2 else -1
            if pos >= 0:
                found.append((pos, row["name"]))
        return [n for _, n in sorted(found)]


def _district_townships(j: Jurisdiction, adcode: str, area_m: BaseGeometry, names: pd.DataFrame, unit_name: str,
                        places: pd.DataFrame | None) -> list[dict]:
    """Seats and Voronoi cells of one county-level unit (cells never cross its boundary); with
    ``places`` (the gazetteer) its unmatched places become seats too."""
    names = names[names["adcode"] == adcode]
    located = names[names["lon"].notna()]
    seats = gpd.GeoSeries(gpd.points_from_xy(located["lon"], located["lat"]), crs="EPSG:4326").to_crs(j.metric_crs)
    rows = [
        {"name": r["name"], "kind": r["kind"], "n_villages": int(r["n_villages"]), "seat": s, "district": adcode,
         "seat_quality": "gazetteer", "name_status": "confirmed"}
        for (_, r), s in zip(located.iterrows(), seats, strict=True) if area_m.contains(s)
    ]
    if places is not None:
        rows += _unmatched_places(j, adcode, places[places["adcode"] == adcode], area_m,
                                  set(located["geonames_name"].dropna()), [r["seat"] for r in rows])
    missing = names[names["lon"].isna()]
    if j.config["unlocated_townships"] == "synthetic":
        for _, r in missing.iterrows():  # one at a time: each new seat fills the largest remaining gap
            seat = largest_gap_point(area_m, [x["seat"] for x in rows])
            rows.append({"name": r["name"], "kind": r["kind"], "n_villages": int(r["n_villages"]), "seat": seat, "district": adcode,
                         "seat_quality": "synthetic", "name_status": "snapshot"})
    else:
        j.unconfirmed += missing["name"].tolist()
    if not rows:  # no seat at all in this unit: keep it as one cell so the townships still tile the area
        rows.append({"name": f"{unit_name}(乡镇未定位)", "kind": "镇", "n_villages": 0, "seat": area_m.representative_point(),
                     "district": adcode, "seat_quality": "synthetic", "name_status": "snapshot"})
    for row, cell in zip(rows, voronoi_cells([r["seat"] for r in rows], area_m), strict=True):
        row["cell"] = cell
    return rows


NEAR_SEAT_M = 2000.0  # a GeoNames place this close to a drawn seat is taken to be the same town (another spelling)


def _unmatched_places(j: Jurisdiction, adcode: str, places: pd.DataFrame, area_m: BaseGeometry, matched: set[str], seats: list[Point]) -> list[dict]:
    """GeoNames ``places`` of one unit that no snapshot name matched, as seats under their pinyin name
    (name_status ``gazetteer_only``: the position is the gazetteer's, the Chinese name is unknown)."""
    places = places[~places["geonames_name"].isin(matched)]
    pts = gpd.GeoSeries(gpd.points_from_xy(places["lon"], places["lat"]), crs="EPSG:4326").to_crs(j.metric_crs)
    taken, rows = list(seats), []
    for name, p in zip(places["geonames_name"], pts, strict=True):
        if not area_m.contains(p) or any(p.distance(s) < NEAR_SEAT_M for s in taken):
            continue
        taken.append(p)
        rows.append({"name": str(name), "kind": "未知", "n_villages": None, "seat": p, "district": adcode,
                     "seat_quality": "gazetteer", "name_status": "gazetteer_only"})
    return rows


def _build_townships(j: Jurisdiction) -> gpd.GeoDataFrame:
    names = pd.read_csv(dataset("townships").path, dtype={"adcode": str})
    districts = (j.districts if j.districts is not None else j.boundary).to_crs(j.metric_crs)
    places = pd.read_csv(dataset("gazetteer_places").path, dtype={"adcode": str}) if j.config.get("gazetteer_places") == "all" else None
    rows: list[dict] = []
    for adcode, unit, area in zip(districts["adcode"], districts["name"], districts.geometry, strict=True):
        rows += _district_townships(j, adcode, area, names, unit, places)
    if j.unconfirmed:
        log.warning("%s: %d snapshot townships without a seat are not drawn: %s", j.name, len(j.unconfirmed), j.unconfirmed[:20])
    out = gpd.GeoDataFrame([{k: v for k, v in r.items() if k != "cell"} for r in rows],
                           geometry=[r["cell"] for r in rows], crs=j.metric_crs)
    out["short"] = out["name"].map(short_name)
    wansheng = set(j.config.get("managed_by_wansheng", []))
    out["managed_by"] = out["name"].map(lambda n: "万盛经开区" if n in wansheng else None)
    return out


def union_m(geoms: list[BaseGeometry]) -> BaseGeometry:
    """Union of metric geometries (empty list -> empty geometry)."""
    return shapely.union_all(geoms) if geoms else shapely.Polygon()
