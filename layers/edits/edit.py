"""Edit one feature of a workspace layer as one changeset: move it, set attributes (checked against the
layer spec), add a new feature, delete one (kept in history, restorable) or restore it. Every change
needs a user and a reason. A position set by a person is ``geometry_quality = "surveyed"`` with the
editor's name and the time in the feature's provenance; an edit of attributes only keeps the position
class. The township risk follows in the same changeset.

Conflicts: each function takes the revision the user started from (``base_revision``; None = the
revision ``ws`` read); if a change committed since touches the same feature, the store refuses with
``ConflictError`` naming that change."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd
from shapely.geometry.base import BaseGeometry

from geo.errors import UnknownNameError
from layers.catalog.specs import PLAN_LAYERS, LayerSpec, get_spec
from layers.edits import _commit
from layers.edits._values import EditRefused, need_who_and_why, typed_values
from layers.edits.position import moved_whole
from layers.store.gpkg import Changeset, UserChange
from layers.store.workspace import Workspace

SURVEYED = "surveyed"
"""The position class of a position placed or corrected by a person."""
EDITABLE = PLAN_LAYERS
"""Layers people correct (plan inventories; base layers and the derived risk are not edited)."""
OUTSIDE_TOLERANCE_M = 100.0
"""A position this far outside the county boundary is refused (as an import refuses it)."""
DEFAULTS: dict[str, object] = {"status": "unknown", "plan_count": 1}
"""Values of a new feature's required plan fields that the person need not type."""
ADDED_DOC = "人工新增 / added on the map"


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


def edit_feature(ws: Workspace, layer: str, fid: str, *, geometry: BaseGeometry | None = None,
                 values: Mapping[str, object] | None = None, user: str, reason: str,
                 base_revision: int | None = None) -> Changeset:
    """Move feature ``fid`` to ``geometry`` (EPSG:4490) and/or set ``values`` (field -> value as typed;
    checked and typed by the layer spec); one changeset. A point given for a line or polygon moves it
    whole, its representative point onto the point. Raises ValidationError (field, value, fix),
    UnknownNameError (no such feature), ConflictError."""
    spec, src = _editable(layer), f"{layer} {fid}"
    who, why = need_who_and_why(user, reason, src)
    row = _current(ws, spec, str(fid))
    typed = typed_values(spec, values or {}, src)
    if geometry is None and not typed:
        raise EditRefused(src, [(None, "没有要修改的内容：请给出新位置或要改的字段值", "nothing to change: give a new position or the field values to set")])
    now, data = _now(), row.iloc[0].drop(labels=row.geometry.name).to_dict()
    data.update(typed)
    geom = row.geometry.iloc[0]
    if geometry is not None:
        if geometry.geom_type == "Point" and geom is not None and geom.geom_type != "Point":
            geometry = moved_whole(geom, geometry, ws.metric_crs)
        geom = _checked_geometry(ws, spec, geometry, src)
        data.update(geometry_quality=SURVEYED, geometry_source=f"人工核定：{who}，{now} / placed by {who}, {now}")
    old = _user_version(ws, layer, str(fid))
    prov = _provenance(None if old is None else old["provenance"], who=who, why=why, now=now, action="edit",
                       fields=sorted(typed), moved=geometry is not None)
    new = gpd.GeoDataFrame([{**data, "provenance": prov}], geometry=[geom], crs=4490)
    return _commit.commit(ws, [UserChange(layer, upsert=new)], user=who, action="edit", reason=why, base_revision=base_revision)


def add_feature(ws: Workspace, layer: str, *, geometry: BaseGeometry, values: Mapping[str, object], user: str, reason: str,
                base_revision: int | None = None) -> Changeset:
    """A new feature (fid ``edit-<adcode>-<n>``, the next free n) at ``geometry`` with ``values``; the
    layer's required fields must be given (status and the plan count default to unknown and 1, the
    kind of a one-kind layer to that kind, the township to the one the position lies in)."""
    spec, src = _editable(layer), f"{layer} +"
    who, why = need_who_and_why(user, reason, src)
    typed = typed_values(spec, values, src)
    geom = _checked_geometry(ws, spec, geometry, src)
    now, fid = _now(), _new_fid(ws, layer)
    data: dict[str, object] = {f.name: None for f in spec.fields}
    data.update({k: v for k, v in DEFAULTS.items() if k in data})
    if len(spec.kinds) == 1:
        data["kind"] = spec.kinds[0].id
    if "township" in data:
        data["township"] = township_of(ws, geom)
    data.update({k: v for k, v in typed.items() if v is not None})
    data.update(fid=fid, source_doc=ADDED_DOC, source_section=f"{who}，{now[:10]} / {who}, {now[:10]}", geometry_quality=SURVEYED,
                geometry_source=f"人工核定：{who}，{now} / placed by {who}, {now}")
    missing = [f for f in spec.fields if f.required and data.get(f.name) in (None, "")]
    if missing:
        raise EditRefused(src, [(f.name, f"{f.zh}（{f.name}）必须填写，收到空值：请填写{f.zh}",
                                 f"{f.name} is required, got an empty value: fill it in") for f in missing])
    prov = _provenance(None, who=who, why=why, now=now, action="add", fields=sorted(typed), moved=True)
    new = gpd.GeoDataFrame([{**data, "provenance": prov}], geometry=[geom], crs=4490)
    return _commit.commit(ws, [UserChange(layer, upsert=new)], user=who, action="add", reason=why, base_revision=base_revision)


def delete_feature(ws: Workspace, layer: str, fid: str, *, user: str, reason: str, base_revision: int | None = None) -> Changeset:
    """Hide feature ``fid`` (plan or user); it stays in the history and can be restored."""
    spec, src = _editable(layer), f"{layer} {fid}"
    who, why = need_who_and_why(user, reason, src)
    _current(ws, spec, str(fid))
    return _commit.commit(ws, [UserChange(layer, delete=(str(fid),))], user=who, action="delete", reason=why,
                          base_revision=base_revision)


def restore_feature(ws: Workspace, layer: str, fid: str, *, user: str, reason: str, base_revision: int | None = None) -> Changeset:
    """Bring back a deleted feature as it was before its deletion (geometry, attributes, provenance);
    a deleted plan feature shows again from the plan."""
    spec, src = _editable(layer), f"{layer} {fid}"
    who, why = need_who_and_why(user, reason, src)
    gone = _user_version(ws, layer, str(fid))
    if gone is None or not int(gone["deleted"] or 0):
        _current(ws, spec, str(fid))  # no such feature: UnknownNameError
        raise EditRefused(src, [("fid", f"{spec.zh} 中的要素“{fid}”没有被删除，无需恢复", f"feature {fid!r} of {spec.id} is not deleted; nothing to restore")])
    versions = ws.versions(layer, str(fid))
    before = versions[versions["rev_to"] == gone["rev_from"]]
    change = (UserChange(layer, restore=before.iloc[[-1]]) if len(before) and not int(before["deleted"].iloc[-1] or 0)
              else UserChange(layer, retire=(str(fid),)))
    return _commit.commit(ws, [change], user=who, action="restore", reason=why, base_revision=base_revision)


# --- helpers -----------------------------------------------------------------------------------------------
def _editable(layer: str) -> LayerSpec:
    if layer not in EDITABLE:
        names = "、".join(get_spec(k).zh for k in EDITABLE)
        raise EditRefused(str(layer), [("layer", f"图层“{layer}”不能在此编辑：可编辑的图层有 {names}",
                                        f"layer {str(layer)!r} cannot be edited here: editable layers are {', '.join(EDITABLE)}")])
    return get_spec(layer)


def _current(ws: Workspace, spec: LayerSpec, fid: str) -> gpd.GeoDataFrame:
    """The feature as the map shows it (one row); refused when it is deleted or unknown."""
    frame = ws.layer(spec.id)
    row = frame[frame["fid"].astype(str) == fid]
    if len(row):
        return row.iloc[[0]]
    gone = _user_version(ws, spec.id, fid)
    if gone is not None and int(gone["deleted"] or 0):
        raise EditRefused(f"{spec.id} {fid}", [("fid", f"{spec.zh} 中的要素“{fid}”已删除：请先恢复它再修改",
                                                f"feature {fid!r} of {spec.id} is deleted: restore it first")])
    raise UnknownNameError(f"图层 {spec.zh} 中没有要素“{fid}”：请核对编号（详情面板中的“编号”）。 / layer {spec.id} has no feature "
                           f"{fid!r}: check the ID (编号 in the details panel)")


def _user_version(ws: Workspace, layer: str, fid: str) -> pd.Series | None:
    """The current user version of ``fid`` (deleted ones too), None when it has none."""
    users = ws.user_features(layer)
    if not len(users):
        return None
    rows = users[users["fid"].astype(str) == fid]
    return None if rows.empty else rows.iloc[-1]


def _checked_geometry(ws: Workspace, spec: LayerSpec, geom: BaseGeometry, source: str) -> BaseGeometry:
    """``geom`` when the layer takes its type and it lies in the county (within ``OUTSIDE_TOLERANCE_M``)."""
    if geom is None or geom.is_empty or not geom.is_valid:
        raise EditRefused(source, [("geometry", "位置为空或无效：请在地图上点选或输入坐标",
                                    "the position is empty or invalid: click the map or type coordinates")])
    if geom.geom_type not in spec.geom_types:
        raise EditRefused(source, [("geometry", f"图层 {spec.zh} 不接受 {geom.geom_type}：应为 {'、'.join(spec.geom_types)}",
                                    f"layer {spec.id} does not take a {geom.geom_type}: use {', '.join(spec.geom_types)}")])
    county = ws.layer("county").to_crs(ws.metric_crs).geometry.union_all()
    d = float(gpd.GeoSeries([geom], crs=4490).to_crs(ws.metric_crs).distance(county).iloc[0])
    if d > OUTSIDE_TOLERANCE_M:
        p = geom.representative_point()
        raise EditRefused(source, [("geometry", f"位置（{p.x:.6f}, {p.y:.6f}）在{ws.name}界外 {d:,.0f} 米：请核对坐标（度分秒、经纬度顺序、坐标系）",
                                    f"the position ({p.x:.6f}, {p.y:.6f}) lies {d:,.0f} m outside {ws.name_en}: check the coordinates "
                                    "(degrees-minutes-seconds, lon/lat order, CRS)")])
    return geom


def township_of(ws: Workspace, geom: BaseGeometry) -> str | None:
    """The name of the township whose polygon holds ``geom``'s representative point (None outside all)."""
    return ws.township_at(geom)


def _new_fid(ws: Workspace, layer: str) -> str:
    """``edit-<adcode>-<n>`` with n above every one used in the layer (undone additions included)."""
    pattern = re.compile(rf"^edit-{ws.adcode}-(\d+)$")
    used = [*ws.layer(layer)["fid"].astype(str), *ws.versions(layer)["fid"].astype(str)]
    n = max((int(m.group(1)) for f in used if (m := pattern.match(f))), default=0)
    return f"edit-{ws.adcode}-{n + 1}"


def _provenance(old: object, *, who: str, why: str, now: str, action: str, fields: list[str], moved: bool) -> str:
    """The feature's provenance after a person's change: where it came from (an import's file and row)
    kept, the editor, time, reason and what changed added (JSON)."""
    base = json.loads(old) if isinstance(old, str) and old.startswith("{") else dict(old) if isinstance(old, dict) else {}
    base = {k: v for k, v in base.items() if k not in ("editor", "user", "time", "reason", "action", "fields", "moved")}
    return json.dumps({**base, "action": action, "editor": who, "user": who, "time": now, "reason": why, "fields": fields,
                       "moved": moved}, ensure_ascii=False)
