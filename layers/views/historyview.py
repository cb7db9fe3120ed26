"""What the page 变更记录 shows, computed without UI: the change log as a table (one row per changeset),
the features of one changeset, the fields that changed before/after, a small before/after map per
feature (geometry only: no data text goes into a map), the filter choices and the revisions to return to.
Every cell is plain text; the page shows it with st.dataframe / st.text."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from pyproj import Geod
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from layers.catalog.i18n import QUALITY_LABELS, STATUS_LABELS, pick
from layers.catalog.specs import SPECS, get_spec
from layers.edits.history import NOT_UNDOABLE, Entry, FeatureChange
from layers.store.gpkg import Changeset

ACTIONS = {
    "build": ("生成", "Build"), "risk": ("风险重算", "Risk recompute"), "import": ("导入", "Import"),
    "edit": ("编辑", "Edit"), "move": ("移动", "Move"), "add": ("新增", "Add"), "delete": ("删除", "Delete"),
    "restore": ("恢复", "Restore"), "undo": ("撤销", "Undo"), "revert": ("回到版本", "Revert"),
}
LOG_COLUMNS = {
    "id": ("变更集", "Changeset"), "revision": ("版本", "Revision"), "time": ("时间", "Time"), "user": ("用户", "User"),
    "action": ("操作", "Action"), "reason": ("原因", "Reason"), "layer": ("图层", "Layer"), "features": ("要素", "Features"),
    "source": ("来源文件", "Source file"),
}
FEATURE_COLUMNS = {
    "layer": ("图层", "Layer"), "fid": ("编号", "ID"), "name": ("名称", "Name"), "township": ("乡镇", "Township"),
    "change": ("变化", "Change"), "fields": ("改动的字段", "Fields changed"),
}
CHANGE_COLUMNS = {"field": ("字段", "Field"), "before": ("修改前", "Before"), "after": ("修改后", "After")}
CHANGE_KINDS = {"added": ("新增", "added"), "deleted": ("删除", "deleted"), "changed": ("修改", "changed")}
EXTRA_FIELDS = {  # store columns besides the spec's fields
    "geometry": ("位置", "Position"), "provenance": ("来源记录", "Provenance"), "deleted": ("已删除", "Deleted"),
    "supersedes": ("代替的规划要素", "Stands for plan feature"),
}
TEXT = {
    "none": ("—", "—"), "more": ("{shown} 等 {n} 个", "{shown} and {rest} more"),
    "line": ("线,{n} 个顶点", "line, {n} vertices"), "polygon": ("面,{n} 个顶点", "polygon, {n} vertices"),
    "revision": ("版本 {rev} · {time} · {user} · {action}", "revision {rev} · {time} · {user} · {action}"),
    "moved": ("移动 {m}", "moved {m}"), "yes": ("是", "yes"), "no": ("否", "no"),
}
BEFORE_COLOUR, AFTER_COLOUR, LINE_COLOUR = "#808080", "#d7191c", "#636363"
MIN_SPAN_DEG = 0.004  # a small map shows at least ~400 m around a point
NAMES_IN_LOG = 3
QUALITIES = QUALITY_LABELS  # 人工核定 (surveyed): a position a person placed
MD_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:$=\"'&")
_GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid


def half(text: str | None, lang: str) -> str:
    """One language of a ``"中文 / English"`` message from the logic (other text as it is). The halves
    are split after a Chinese sentence (``。 / ``) when there is one: a message may quote a changeset
    whose own description holds `` / `` (``1 个要素 / 1 feature(s)``)."""
    text = text or ""
    cut = text.find("。 / ")
    cut = cut + 1 if cut >= 0 else text.find(" / ")
    if cut < 0:
        return text
    return text[:cut].strip() if lang == "zh" else text[cut:].strip().removeprefix("/").strip()


def md_escape(text: str) -> str:
    """``text`` shown literally by Streamlit's markdown elements (st.error, st.success): every ASCII
    punctuation character backslash-escaped, so a name or reason is never a link, emphasis or markup."""
    return "".join("\\" + ch if ch in MD_SPECIAL else ch for ch in text)


def message_md(text: object, lang: str) -> str:
    """A "中文 / English" message (an error's text) in ``lang``, escaped for Streamlit's markdown
    elements: the names and reasons inside it are data, shown literally."""
    from layers.views.mapview import say

    return md_escape(say(str(text), lang))


def time_text(iso: str) -> str:
    """``2026-12-04T11:23:07+08:00`` -> ``2026-12-04 11:23:07`` (the server's local time, as stored)."""
    return iso[:19].replace("T", " ")


def action_label(action: str, lang: str) -> str:
    return pick(ACTIONS[action], lang) if action in ACTIONS else action


def layer_label(layer: str | None, lang: str) -> str:
    """``reservoirs,rivers`` -> ``水库、河流`` (a layer the specs do not know is shown by its id)."""
    parts = [p for p in (layer or "").split(",") if p]
    return ("、" if lang == "zh" else ", ").join(get_spec(p).label(lang) if p in SPECS else p for p in parts)


def field_label(layer: str, name: str, lang: str) -> str:
    if name in EXTRA_FIELDS:
        return pick(EXTRA_FIELDS[name], lang)
    spec = get_spec(layer) if layer in SPECS else None
    found = next((f for f in spec.fields if f.name == name), None) if spec else None
    return pick((found.zh, found.en), lang) if found else name


def undoable(entry: Entry) -> bool:
    """Whether the page offers 撤销 for this changeset (features a person contributed; the logic decides the rest)."""
    return entry.changeset.action not in NOT_UNDOABLE and bool(entry.features or entry.changeset.fids)


def _first(names: Sequence[str], lang: str) -> str:
    """``甲水库、乙水库、丙水库 等 5 个`` (the first names, then how many)."""
    shown = ("、" if lang == "zh" else ", ").join(names[:NAMES_IN_LOG])
    if len(names) <= NAMES_IN_LOG:
        return shown
    return pick(TEXT["more"], lang).format(shown=shown, n=len(names), rest=len(names) - NAMES_IN_LOG)


def _feature_names(entry: Entry, lang: str) -> str:
    names = [fc.name or fc.fid for fc in entry.features]
    if not names:
        return str(len(entry.changeset.fids)) if entry.changeset.fids else ""
    return _first(names, lang)


def focus(entry: Entry, layer: object = None, fid: object = None) -> list[FeatureChange]:
    """The features of ``entry`` to show: only ``layer``/``fid`` when one feature's history is asked for."""
    if fid is None:
        return list(entry.features)
    return [fc for fc in entry.features if fc.fid == str(fid) and (layer is None or fc.layer == str(layer))]


def log_table(entries: Sequence[Entry], lang: str) -> pd.DataFrame:
    """One row per changeset, in the order given (the log is newest first), every cell text."""
    rows = []
    for e in entries:
        c = e.changeset
        rows.append([str(c.id), str(c.revision), time_text(c.time), c.user, action_label(c.action, lang), c.reason or "",
                     _first([layer_label(p, lang) for p in (c.layer or "").split(",") if p], lang), _feature_names(e, lang), c.source_name or ""])
    return pd.DataFrame(rows, columns=[pick(v, lang) for v in LOG_COLUMNS.values()], dtype=object)


def change_kind(fc: FeatureChange) -> str:
    if fc.before is None or not len(fc.before):
        return "added"
    return "deleted" if fc.after is None or not len(fc.after) else "changed"


def _position_first(fields: Sequence[str]) -> list[str]:
    return sorted(fields, key=lambda f: f != "geometry")


def features_table(entry: Entry, lang: str) -> pd.DataFrame:
    """The features of one changeset: layer, ID, name, township, added/deleted/changed and which fields."""
    sep = "、" if lang == "zh" else ", "
    rows = [[layer_label(fc.layer, lang), fc.fid, fc.name or "", fc.township or "", pick(CHANGE_KINDS[change_kind(fc)], lang),
             sep.join(field_label(fc.layer, f, lang) for f in _position_first(fc.changed))] for fc in entry.features]
    return pd.DataFrame(rows, columns=[pick(v, lang) for v in FEATURE_COLUMNS.values()], dtype=object)


def geometry_text(geom: BaseGeometry | None, lang: str) -> str:
    """A position in words: ``107.434000, 30.246000`` for a point, ``线,12 个顶点`` for the rest."""
    if geom is None or geom.is_empty:
        return pick(TEXT["none"], lang)
    if geom.geom_type == "Point":
        return f"{geom.x:.6f}, {geom.y:.6f}"
    n = len(mapping(geom)["coordinates"]) if geom.geom_type == "LineString" else _vertices(geom)
    kind = "line" if "Line" in geom.geom_type else "polygon"
    return pick(TEXT[kind], lang).format(n=n)


def _vertices(geom: BaseGeometry) -> int:
    parts = getattr(geom, "geoms", [geom])
    total = 0
    for p in parts:
        if p.geom_type == "Polygon":
            total += len(p.exterior.coords) + sum(len(r.coords) for r in p.interiors)
        else:
            total += len(p.coords)
    return total


def value_text(layer: str, name: str, value: object, lang: str) -> str:
    """One stored value as text for a person: labels for kinds, statuses and position classes."""
    if isinstance(value, BaseGeometry) or value is None:
        return geometry_text(value, lang) if name == "geometry" or value is not None else pick(TEXT["none"], lang)
    if isinstance(value, float) and math.isnan(value):
        return pick(TEXT["none"], lang)
    if name == "deleted":
        return pick(TEXT["yes" if value else "no"], lang)
    if name == "geometry_source":  # a person's placing is written "中文 / English"
        return half(str(value), lang)
    labels = {"status": STATUS_LABELS, "geometry_quality": QUALITIES}.get(name, {})
    if name == "kind" and layer in SPECS:
        labels = {k.id: (k.zh, k.en) for k in get_spec(layer).kinds}
    return pick(labels[value], lang) if value in labels else str(value)


def _row(frame: gpd.GeoDataFrame | None) -> Mapping[str, object]:
    if frame is None or not len(frame):
        return {}
    row = frame.iloc[0].to_dict()
    row["geometry"] = frame.geometry.iloc[0]
    return row


def change_table(fc: FeatureChange, lang: str) -> pd.DataFrame:
    """The fields that changed (``fc.changed``, position first), before and after, every cell text."""
    before, after = _row(fc.before), _row(fc.after) or ({"deleted": 1} if fc.before is not None else {})
    rows = [[field_label(fc.layer, f, lang), value_text(fc.layer, f, before.get(f), lang), value_text(fc.layer, f, after.get(f), lang)]
            for f in _position_first(fc.changed)]
    return pd.DataFrame(rows, columns=[pick(v, lang) for v in CHANGE_COLUMNS.values()], dtype=object)


@dataclass(frozen=True)
class Shape:
    """One geometry of a small map (GeoJSON geometry, lon/lat, no properties) in its colour."""

    geojson: dict
    colour: str
    point: bool


@dataclass(frozen=True)
class MiniMap:
    """A feature before (grey) and after (red), a line from the old to the new position when it moved,
    and the bounds (minx, miny, maxx, maxy) to show; ``moved_m`` is the geodesic distance moved."""

    shapes: tuple[Shape, ...]
    line: tuple[tuple[float, float], tuple[float, float]] | None
    bounds: tuple[float, float, float, float]
    moved_m: float | None


def _geometry(frame: gpd.GeoDataFrame | None) -> BaseGeometry | None:
    geom = _row(frame).get("geometry")
    return geom if isinstance(geom, BaseGeometry) and not geom.is_empty else None


def mini_map(fc: FeatureChange) -> MiniMap | None:
    """The small before/after map of one feature (None when neither version has a position)."""
    old, new = _geometry(fc.before), _geometry(fc.after)
    geoms = [g for g in (old, new) if g is not None]
    if not geoms:
        return None
    moved_or_gone = new is None or "geometry" in fc.changed  # the old position is drawn only when it differs
    drawn = [(g, colour) for g, colour in ((old if moved_or_gone else None, BEFORE_COLOUR), (new, AFTER_COLOUR)) if g is not None]
    shapes = tuple(Shape(mapping(g), colour, g.geom_type == "Point") for g, colour in drawn)
    line = moved = None
    if old is not None and new is not None and "geometry" in fc.changed:
        a, b = old.representative_point(), new.representative_point()
        line = ((a.y, a.x), (b.y, b.x))
        moved = float(_GEOD.inv(a.x, a.y, b.x, b.y)[2])
    return MiniMap(shapes, line, _padded(geoms), moved)


def _padded(geoms: Iterable[BaseGeometry]) -> tuple[float, float, float, float]:
    bounds = gpd.GeoSeries(list(geoms)).total_bounds
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    padx = max((maxx - minx) * 0.15, MIN_SPAN_DEG / 2)
    pady = max((maxy - miny) * 0.15, MIN_SPAN_DEG / 2)
    return (minx - padx, miny - pady, maxx + padx, maxy + pady)


def moved_text(metres: float | None, lang: str) -> str:
    if metres is None:
        return ""
    m = f"{metres:,.0f} m" if metres < 10_000 else f"{metres / 1000:,.1f} km"
    return pick(TEXT["moved"], lang).format(m=m)


def users(changesets: Iterable[Changeset]) -> list[str]:
    return sorted({c.user for c in changesets if c.user})


def layers(changesets: Iterable[Changeset]) -> list[str]:
    """The layers some changeset changed features of, in the specs' order."""
    seen = {p for c in changesets if c.fids for p in (c.layer or "").split(",") if p}
    return [lid for lid in SPECS if lid in seen]


def townships(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    town = frames.get("townships")
    if town is None or "name" not in town:
        return []
    return sorted({str(n) for n in town["name"].dropna()})


def revision_label(c: Changeset, lang: str) -> str:
    """One revision to return to, in words: ``版本 3 · 2026-12-04 11:23:07 · 张三 · 编辑``."""
    return pick(TEXT["revision"], lang).format(rev=c.revision, time=time_text(c.time), user=c.user, action=action_label(c.action, lang))


def revisions(changesets: Sequence[Changeset]) -> list[int]:
    """The revisions the workspace can return to: every one before the current, newest first."""
    current = max((c.revision for c in changesets), default=0)
    return sorted((c.revision for c in changesets if c.revision < current), reverse=True)
