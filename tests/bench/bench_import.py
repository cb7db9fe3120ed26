"""Bench rows of the import (issue 14): a bureau's big files through the same two calls as the page and
``python -m layers import`` (:func:`layers.imports.importer.plan_import`, then ``commit_import``), each
on a fresh copy of a built workspace in a temporary folder (the given folder is only read).

- 垫江县 (500231) geohazards: a 20,000-row 地质灾害隐患点一览表 XLSX as the offices keep it (merged title,
  header, coordinates in 度分秒 text and decimals mixed in the columns, a 合计 row), mode ``replace``;
  target 10 s for the dry run and 10 s for the commit.
- 重庆市 (500000) townships: a township boundary shapefile made from the workspace's own township cells,
  lon/lat (CGCS2000 .prj), GBK names and no .cpg, as 规划和自然资源局 hands it over; target 5 s.
"""

from __future__ import annotations

import os
import shutil
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import shapely

Record = Callable[..., None]
HAZARD_ROWS = 20_000
HAZARD_TYPES = ("滑坡", "崩塌", "泥石流", "地面塌陷", "不稳定斜坡")
HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "村(社区)", "灾害类型", "规模等级", "威胁户数", "威胁人数", "威胁财产(万元)",
          "经度", "纬度", "监测责任人", "联系电话"]


def bench_import(built: Path, record: Record) -> None:
    """Every import row, each on its own copy of the workspace it writes (``built`` holds the built
    500231 and 500000); the store folder is set back afterwards."""
    old = os.environ.get("ONEMAP_WORKSPACES")
    scratch = built.with_name(built.name + "-import")
    try:
        _hazard_ledger(built, scratch / "ledger", record)
        _township_shapefile(built, scratch / "townships", record)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if old is None:
            os.environ.pop("ONEMAP_WORKSPACES", None)
        else:
            os.environ["ONEMAP_WORKSPACES"] = old


def _copy(built: Path, adcode: str, folder: Path) -> None:
    folder.mkdir(parents=True)
    shutil.copy(built / f"{adcode}.gpkg", folder / f"{adcode}.gpkg")
    os.environ["ONEMAP_WORKSPACES"] = str(folder)


def _timed(fn: Callable[[], object]) -> tuple[object, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


# --- 20,000-row hazard ledger into 500231 ------------------------------------------------------------

def _dms(value: float, rng: np.random.Generator) -> str:
    d, rest = divmod(round(value * 36_000), 36_000)  # tenths of a second, so 59.96″ never prints as 60.0″
    m, tenths = divmod(rest, 600)
    return f"{d}°{m}′{tenths / 10:.1f}″" if rng.random() < 0.7 else f"{d}度{m}分{tenths / 10:.1f}秒"


def _points_in(towns: gpd.GeoDataFrame, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """``n`` seeded points inside the townships (EPSG:4490) and the township each lies in."""
    area = shapely.union_all(towns.geometry.values)
    west, south, east, north = area.bounds
    lon, lat = np.empty(0), np.empty(0)
    while lon.size < n:
        x, y = rng.uniform(west, east, 4 * n), rng.uniform(south, north, 4 * n)
        inside = shapely.contains_xy(area, x, y)
        lon, lat = np.concatenate([lon, x[inside]]), np.concatenate([lat, y[inside]])
    lon, lat = lon[:n], lat[:n]
    hit = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4490).sjoin(towns[["name", "geometry"]], predicate="within")
    names = hit[~hit.index.duplicated()]["name"].reindex(range(n)).fillna(towns["name"].iloc[0]).tolist()
    return lon, lat, names


def hazard_ledger(path: Path, towns: gpd.GeoDataFrame, n: int = HAZARD_ROWS, seed: int = 14) -> Path:
    """The yearly 一览表 of ``n`` hazard sites: merged title, header, 度分秒 text for 70 % of the rows and
    decimals for the rest in the same columns, a 合计 row."""
    rng = np.random.default_rng(seed)
    lon, lat, names = _points_in(towns, n, rng)
    wb = openpyxl.Workbook(write_only=False)
    ws = wb.active
    ws.title = "隐患点"
    ws.append(["垫江县地质灾害隐患点一览表"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    people = rng.integers(0, 200, n)
    for i in range(n):
        kind = HAZARD_TYPES[i % len(HAZARD_TYPES)]
        dms = rng.random() < 0.7
        x, y = (_dms(lon[i], rng), _dms(lat[i], rng)) if dms else (round(float(lon[i]), 6), round(float(lat[i]), 6))
        ws.append([i + 1, f"500231{i + 1:06d}", f"{names[i]}{i + 1}号{kind}", names[i], f"{i % 9 + 1}组", kind, "小型",
                   int(people[i]) // 4, int(people[i]), round(float(people[i]) * 1.5, 1), x, y, "张三", "13800000000"])
    ws.append(["合计", None, None, None, None, None, None, None, int(people.sum())])
    wb.save(path)
    return path


def _hazard_ledger(built: Path, folder: Path, record: Record) -> None:
    from layers.imports.importer import commit_import, plan_import
    from layers.store.workspace import open_workspace

    _copy(built, "500231", folder)
    path = hazard_ledger(folder / "地质灾害隐患点一览表.xlsx", open_workspace("500231").layer("townships"))
    plan, dry = _timed(lambda: plan_import(open_workspace("500231"), path, layer="geohazards", mode="replace"))
    report = plan.report()  # type: ignore[attr-defined]
    if report["problems"] or report["features"] != HAZARD_ROWS:
        raise RuntimeError(f"the ledger did not plan cleanly: {report['features']} features, problems {report['problems'][:3]}")
    record(f"import {HAZARD_ROWS:,}-row XLSX, dry run (target 10)", "county", dry, "s")
    done, took = _timed(lambda: commit_import(plan, user="bench"))  # type: ignore[arg-type]
    if done["revision"] is None:  # type: ignore[index]
        raise RuntimeError("the ledger was not committed")
    record(f"import {HAZARD_ROWS:,}-row XLSX, commit (target 10)", "county", took, "s")


# --- township boundaries into 500000 -----------------------------------------------------------------

def township_shapefile(folder: Path, towns: gpd.GeoDataFrame) -> Path:
    """乡镇界.shp from the township cells: 乡镇名称, 乡镇代码, 类型 in GBK without .cpg, CGCS2000 lon/lat."""
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "乡镇界.shp"
    gdf = gpd.GeoDataFrame({"乡镇名称": towns["name"].to_numpy(), "乡镇代码": towns["code"].to_numpy(), "类型": towns["kind"].to_numpy()},
                           geometry=towns.geometry.to_numpy(), crs=4490)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf.to_file(shp, encoding="GBK", engine="pyogrio")
    shp.with_suffix(".cpg").unlink(missing_ok=True)
    return shp


def _township_shapefile(built: Path, folder: Path, record: Record) -> None:
    """Mode ``replace``; the rows whose name repeats another township's (the same name in two districts,
    no district column to tell them apart) are problems, so they are skipped (``skip_invalid``)."""
    from layers.imports.importer import commit_import, plan_import
    from layers.store.workspace import open_workspace

    _copy(built, "500000", folder)
    towns = open_workspace("500000").layer("townships")
    shp = township_shapefile(folder / "shp", towns)

    def run() -> dict[str, object]:
        plan = plan_import(open_workspace("500000"), shp, layer="townships", mode="replace", skip_invalid=True)
        return commit_import(plan, user="bench")

    report, took = _timed(run)
    n = len(towns)
    print(f"  township shapefile: {n} polygons, {report['features']} written, {len(report['skipped'])} skipped, "  # type: ignore[index,arg-type]
          f"crs {report['crs']}, mode replace", flush=True)  # type: ignore[index]
    record(f"import {n}-polygon township .shp (target 5)", "province", took, "s")
