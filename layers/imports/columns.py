"""Which column of a bureau's table holds what (name, kind, township, coordinates, the layer's fields),
guessed from the header words and the values with the reason given, overridable, and the cells read
into typed values with one problem per cell that cannot be read.

What it will not do: guess a kind for a word it does not know, drop a row, or decide the CRS (a column
of GK northings is reported as ``y``; which zone and datum is decided later)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from geo.errors import OptionError, Problem
from geo.numbers import combine_dms, parse_angle_cell, parse_int, parse_number
from layers.catalog.specs import SPECS, Field, LayerSpec, get_spec
from layers.imports.table import RawTable

EXTRA = "extra"
COORD_ROLES = ("lon", "lat", "x", "y", "lon_d", "lon_m", "lon_s", "lat_d", "lat_m", "lat_s")
BASE_ROLES = ("fid", "name", "kind", "township", "village")
SET_BY_IMPORT = ("source_doc", "source_section", "geometry_quality", "geometry_source")
REGION_LON = (97.0, 111.0)
REGION_LAT = (21.0, 35.0)
"""Longitudes and latitudes of Sichuan and Chongqing: a column of numbers inside one of them is read as
that coordinate, whatever its header says."""
SHARE = 0.8
"""A column is taken for a kind of value when at least this share of its non-empty cells are of it."""
SAMPLE_CELLS = 1000
"""A column's role is guessed from at most this many of its non-empty cells, spread evenly over its rows
(the first and the last among them); every row's value is read afterwards, whatever the sample."""


@dataclass(frozen=True)
class RoleGuess:
    """What ``column`` holds (``role``: one of :func:`roles_for`, ``EXTRA`` = kept as an extra attribute)
    and why, in Chinese and English."""

    column: str
    role: str
    reason: str


def roles_for(layer_id: str) -> tuple[str, ...]:
    """Every role a column can take in layer ``layer_id``: the base and coordinate roles, the layer's
    fields that come from a file (not the provenance the import writes), and ``EXTRA``."""
    fields = tuple(f.name for f in get_spec(layer_id).fields if f.name not in BASE_ROLES + SET_BY_IMPORT)
    return BASE_ROLES + COORD_ROLES + fields + (EXTRA,)


# --- header words -------------------------------------------------------------------------------

_DMS_PART = {"d": r"(度|d|deg)", "m": r"(分|′|'|m|min)", "s": r"(秒|″|\"|s|sec)"}
_AXIS_WORDS = {"lon": r"(经度|东经|lon|lng|long|longitude)", "lat": r"(纬度|北纬|lat|latitude)"}
_HEADER_WORDS: tuple[tuple[str, str, str], ...] = (
    *((f"{axis}_{p}", rf"^{words}[(_\-]?{part}\)?$", f"{zh}的{pzh}") for axis, words, zh in
      (("lon", _AXIS_WORDS["lon"], "经度"), ("lat", _AXIS_WORDS["lat"], "纬度"))
      for p, part, pzh in (("d", _DMS_PART["d"], "度"), ("m", _DMS_PART["m"], "分"), ("s", _DMS_PART["s"], "秒"))),
    ("fid", r"^(统一编号|编号|野外编号|灾害点编号|隐患点编号|设施编号|fid|id)$", "编号"),
    ("township", r"(乡镇|镇街|^街道$|^乡$|^镇$|township)", "乡镇"),
    ("village", r"(村|社区|village)", "村(社区)"),
    ("name", r"(名称|名字|^name$|^点名$|^地名$)", "名称"),
    ("hazard_type", r"(灾害类型|灾种|灾害种类|隐患类型)", "灾种"),
    ("risk_level", r"(规模等级|险情等级|风险等级|危险性?等级|灾情等级)", "等级"),
    ("threatened_people", r"(威胁人数|受威胁人数|威胁人口)", "威胁人数"),
    ("threatened_property_wan", r"(威胁财产|威胁资产|潜在经济损失)", "威胁财产(万元)"),
    ("lead_dept", r"(牵头部门|责任单位|主管部门|管理单位|责任部门)", "牵头部门"),
    ("budget_wan", r"(投资|预算)", "投资(万元)"),
    ("year", r"^(年份|年度|建设年份|建成年份)$", "年份"),
    ("action", r"^(规划措施|措施|防治措施)$", "措施"),
    ("note", r"^(备注|说明|附注|note|remarks?)$", "备注"),
    ("kind", r"^(类型|类别|种类|设施类型|设施类别|设施种类|灾害类型|kind|type|category)$", "类型"),
    ("lon", rf"{_AXIS_WORDS['lon']}", "经度"),
    ("lat", rf"{_AXIS_WORDS['lat']}", "纬度"),
    ("xy", r"^(x|y|e|n|x坐标|y坐标|坐标x|坐标y|横坐标|纵坐标|东坐标|北坐标|easting|northing)$", "坐标"),
)


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def _why(zh: str, en: str) -> str:
    return f"{zh} / {en}"


def _header_role(header: str, spec: LayerSpec) -> tuple[str | None, str, str]:
    """The role the header words name in ``spec`` and why (zh, en); (None, "", "") when they name none."""
    h = re.sub(r"_\d+$", "", _norm(header))
    fields = {f.name for f in spec.fields}
    if h in {"序号", "no", "no."}:
        return None, f"“{header}”是表内序号，不作编号，作为附加属性保留", f"“{header}” numbers the rows of the table; kept as an extra attribute"
    for f in spec.fields:
        if f.name not in SET_BY_IMPORT and h in {_norm(f.zh), f.name, _norm(f.en)}:
            return f.name, f"表头“{header}”即字段“{f.zh}”", f"header “{header}” is the field {f.name} ({f.en})"
    for role, pattern, zh in _HEADER_WORDS:
        if (role in BASE_ROLES + COORD_ROLES + ("xy",) or role in fields) and re.search(pattern, h):
            what = "坐标" if role == "xy" else zh
            return role, f"表头“{header}”是{what}的常见写法", f"header “{header}” is a usual name for {'a coordinate' if role == 'xy' else role}"
    return None, "", ""


# --- values ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Values:
    """What the non-empty cells of a column are: ``what`` (lon, lat, northing, easting, prefixed, or None),
    their range, and whether they are 度分秒 text, whole numbers, or written to 3 decimals or more."""

    what: str | None
    low: float = 0.0
    high: float = 0.0
    dms_text: bool = False
    whole: bool = False
    precise: bool = False
    n: int = 0
    minsec: float = 0.0  # share of the values within 0..60 (minutes or seconds)
    of: int = 0  # the column's non-empty cells when the values are those of a sample of them, else 0


_DMS_MARK = re.compile(r"[度分秒°′″'\"’”]|\d-\d")


def _enough(values: list[float], cells: list[str]) -> bool:
    return bool(cells) and len(values) >= SHARE * len(cells)


def _classify(cells: list[str]) -> _Values:
    """What the cells are, from :data:`SAMPLE_CELLS` of them at most (spread evenly)."""
    of = len(cells) if len(cells) > SAMPLE_CELLS else 0
    if of:
        step = (len(cells) - 1) / (SAMPLE_CELLS - 1)
        cells = [cells[round(k * step)] for k in range(SAMPLE_CELLS)]
    numbers = [v for v, _ in (parse_number(c) for c in cells) if v is not None]
    angles = [v for v, _ in (parse_angle_cell(c) for c in cells) if v is not None]
    dms = any(_DMS_MARK.search(c) for c in cells)
    values = numbers if _enough(numbers, cells) and not dms else angles if _enough(angles, cells) else []
    if not values and not numbers:
        return _Values(None)
    if not values:  # numbers, but not enough of them: only the share within 0..60 matters (a column of minutes)
        return _Values(None, minsec=sum(0 <= v < 60 for v in numbers) / len(cells), of=of)
    lo, hi = min(values), max(values)
    whole = not dms and all(v.is_integer() for v in values)
    precise = dms or any(len(c.rsplit(".", 1)[-1]) >= 3 for c in cells if "." in c)
    what = _degree_kind(values) or (None if dms else _metre_kind(values))
    minsec = sum(0 <= v < 60 for v in values) / len(cells)
    return _Values(what, lo, hi, dms_text=dms, whole=whole, precise=precise, n=len(values), minsec=minsec, of=of)


def _degree_kind(values: list[float]) -> str | None:
    for what, (lo, hi) in (("lon", REGION_LON), ("lat", REGION_LAT)):
        if all(lo <= v <= hi for v in values):
            return what
    return None


def _metre_kind(values: list[float]) -> str | None:
    if all(2.3e6 <= v < 3.9e6 for v in values):
        return "northing"
    if all(150_000 <= v < 850_000 for v in values):
        return "easting"
    if all(13e6 <= v < 46e6 and 150_000 <= v % 1e6 < 850_000 for v in values) and len({int(v // 1e6) for v in values}) == 1:
        return "prefixed"
    return None


def _describe(v: _Values) -> tuple[str, str]:
    span = f"{v.low:.6g}–{v.high:.6g}" if v.what in ("lon", "lat") else f"{v.low:.0f}–{v.high:.0f}"
    zone = int(v.low // 1e6)
    zh, en = {
        "lon": (f"数值都在 {span} 之间，是本地区的经度", f"values lie within {span}, longitudes of the region"),
        "lat": (f"数值都在 {span} 之间，是本地区的纬度", f"values lie within {span}, latitudes of the region"),
        "northing": (f"数值为7位数（{span}），是高斯-克吕格北坐标", f"7-digit values ({span}) are Gauss-Krüger northings"),
        "easting": (f"数值为6位数（{span}），是不带带号的高斯-克吕格东坐标", f"6-digit values ({span}) are Gauss-Krüger eastings without the zone"),
        "prefixed": (f"数值为8位数（{span}），前两位{zone}是带号，是带带号的高斯-克吕格东坐标",
                     f"8-digit values ({span}) are Gauss-Krüger eastings with the zone number {zone} in front"),
    }[v.what or ""]
    if v.of:
        zh, en = f"{zh}（抽查 {v.n:,} 格，共 {v.of:,} 格）", f"{en} ({v.n:,} of {v.of:,} cells checked)"
    return ("度分秒写法，" + zh, "degrees-minutes-seconds; " + en) if v.dms_text else (zh, en)


_VALUE_ROLE = {"lon": "lon", "lat": "lat", "northing": "y", "easting": "x", "prefixed": "x"}


def _convention(header: str, header_role: str | None, role: str) -> tuple[str, str] | None:
    h = _norm(header)
    if header_role in ("lon", "lat") and role != header_role:
        return "表头与数值不符，两列可能写反", f"the header says {header_role} but the values say {role}: columns swapped?"
    if role == "y" and h.startswith(("x", "纵")):
        return "按测绘习惯X为北坐标（先北后东）", "surveyors' convention: X is the northing (northing first)"
    if role == "x" and h.startswith(("y", "横")):
        return "按测绘习惯Y为东坐标", "surveyors' convention: Y is the easting"
    return None


def _coordinate_role(header: str, header_role: str | None, why: tuple[str, str], v: _Values) -> tuple[str | None, str]:
    """The role of a column that names or holds coordinates: the values decide (a surveyor's X is the
    northing; 经度 over latitudes is a swapped column), the header alone when the values say nothing."""
    role = _VALUE_ROLE.get(v.what or "")
    if role is None:
        if header_role in ("lon", "lat"):
            return header_role, _why(why[0] + "；数值不全在本地区的经纬度范围内，按表头",
                                     why[1] + "; the values are not all within the region, so by the header")
        return None, ""
    if header_role is None and not (v.precise or v.what in ("northing", "easting", "prefixed")):
        return None, ""
    zh, en = [why[0]] if why[0] else [f"表头“{header}”未说明，按数值"], [why[1]] if why[1] else [f"header “{header}” says nothing; by the values"]
    for z, e in filter(None, (_describe(v), _convention(header, header_role, role))):
        zh.append(z)
        en.append(e)
    return role, _why("；".join(zh), "; ".join(en))


# --- guessing -------------------------------------------------------------------------------------

def _cells(column: pd.Series) -> list[str]:
    return [text for c in column.dropna() if (text := str(c).strip())]


def _guess_column(header: str, v: _Values, spec: LayerSpec) -> tuple[RoleGuess, int]:
    """A column's guess and its strength (2: header and values agree, 1: one of them, 0: neither)."""
    role, zh, en = _header_role(header, spec)
    if role is not None and role not in ("lon", "lat", "xy"):
        return RoleGuess(header, role, _why(zh, en)), 1
    coord, reason = _coordinate_role(header, None if role == "xy" and not v.what else role, (zh, en), v)
    if coord is not None:
        return RoleGuess(header, coord, reason), 2 if role else 1
    if role == "xy":
        return RoleGuess(header, EXTRA, _why(zh + "，但数值既不像经纬度也不像高斯坐标，作为附加属性保留，可用 --columns 指定",
                                             en + ", but the values are neither degrees nor Gauss-Krüger metres; kept as an extra attribute")), 0
    if zh:
        return RoleGuess(header, EXTRA, _why(zh, en)), 0
    return RoleGuess(header, EXTRA, _why(f"表头“{header}”未识别，作为附加属性保留", f"header “{header}” not recognised; kept as an extra attribute")), 0


def _dms_part_header(header: str, stem: str, part: str) -> bool:
    h = _norm(header)
    return h == stem or re.sub(r"_\d+$", "", h) == stem or bool(re.search(_DMS_PART[part], h)) or h.startswith("unnamed")


def _triplet_at(headers: list[str], values: list[_Values], roles: list[str | None], i: int) -> str | None:
    """The axis (lon/lat) when columns i, i+1, i+2 hold 度, 分 and 秒: whole degrees under a 经度/纬度
    header, then 0–59 and 0–60 under headers 分/秒, none, or the same header made unique (经度_2)."""
    axis = roles[i]
    if axis not in ("lon", "lat") or not values[i].whole or values[i].what != axis:
        return None
    stem = re.sub(r"_\d+$", "", _norm(headers[i]))
    for j, part, whole in ((i + 1, "m", True), (i + 2, "s", False)):
        v = values[j]
        if v.minsec < SHARE or v.dms_text or (whole and not v.whole):
            return None
        if roles[j] not in (None, axis) or not _dms_part_header(headers[j], stem, part):
            return None
    return axis


def _dms_triplets(headers: list[str], values: list[_Values], spec: LayerSpec) -> dict[int, RoleGuess]:
    roles = [_header_role(h, spec)[0] for h in headers]
    found: dict[int, RoleGuess] = {}
    for i in range(len(headers) - 2):
        axis = None if i in found else _triplet_at(headers, values, roles, i)
        if axis is None:
            continue
        names = "、".join(f"“{headers[j]}”" for j in range(i, i + 3))
        reason = _why(f"{names}三列是{'经度' if axis == 'lon' else '纬度'}的度、分、秒（整数度，0–59分，0–60秒）",
                      f"the three columns hold the degrees, minutes and seconds of the {axis}")
        found.update({i + j: RoleGuess(headers[i + j], f"{axis}_{part}", reason) for j, part in enumerate("dms")})
    return found


def _one_column_per_role(guesses: list[RoleGuess], strength: list[int]) -> list[RoleGuess]:
    order = sorted(range(len(guesses)), key=lambda i: -strength[i])
    holder: dict[str, str] = {}
    out = list(guesses)
    for i in order:
        g = guesses[i]
        if g.role == EXTRA:
            continue
        if g.role in holder:
            out[i] = RoleGuess(g.column, EXTRA, _why(f"“{holder[g.role]}”列已作为 {g.role}，本列作为附加属性保留",
                                                     f"column “{holder[g.role]}” already holds {g.role}; kept as an extra attribute"))
        else:
            holder[g.role] = g.column
    return out


def guess_roles(table: RawTable, layer_id: str) -> list[RoleGuess]:
    """One guess per column of ``table`` for layer ``layer_id``, in column order, each with its reason;
    a role is given to one column at most (header and values agreeing first), the others are kept as
    extra attributes."""
    spec = get_spec(layer_id)
    headers = [str(c) for c in table.frame.columns]
    values = [_classify(_cells(table.frame.iloc[:, i])) for i in range(len(headers))]
    triplets = _dms_triplets(headers, values, spec)
    pairs = [(triplets[i], 2) if i in triplets else _guess_column(h, v, spec) for i, (h, v) in enumerate(zip(headers, values, strict=True))]
    return _one_column_per_role(_lone_degrees([g for g, _ in pairs]), [s for _, s in pairs])


def _lone_degrees(guesses: list[RoleGuess]) -> list[RoleGuess]:
    """A 经度(度) column with no 分 column beside it holds decimal degrees: role lon, not lon_d."""
    roles = {g.role for g in guesses}
    return [RoleGuess(g.column, g.role[:3], _why(f"表头“{g.column}”的“度”是单位（没有分、秒列），按十进制度读",
                                                 f"“度” in header “{g.column}” is the unit (no minutes column): decimal degrees"))
            if g.role in ("lon_d", "lat_d") and f"{g.role[:3]}_m" not in roles else g for g in guesses]


def apply_overrides(guesses: Sequence[RoleGuess], text: str, *, layer: str | None = None) -> list[RoleGuess]:
    """``guesses`` with the roles set by ``--columns SRC=FIELD,SRC2=FIELD2`` (``FIELD`` = ``extra`` keeps the
    column as an extra attribute); a column that held a role given to another becomes an extra attribute.
    ``layer`` limits the roles to that layer's (:func:`roles_for`), else any layer's are allowed."""
    allowed = roles_for(layer) if layer else tuple(dict.fromkeys(r for lid in SPECS for r in roles_for(lid)))
    columns = [g.column for g in guesses]
    out = list(guesses)
    for pair in filter(None, (p.strip() for p in re.split(r"[,，]", unicodedata.normalize("NFKC", text)))):
        src, sep, role = (s.strip() for s in pair.partition("="))
        if not sep or not src or not role:
            raise OptionError(f"--columns：“{pair}”应写成 列名=字段，如 隐患点名称=name / --columns: {pair!r} must be SRC=FIELD, "
                              "e.g. 隐患点名称=name.")
        column = next((c for c in columns if c == src or _norm(c) == _norm(src)), None)
        if column is None:
            raise OptionError(f"--columns：表中没有列“{src}”；表中的列：{'、'.join(columns)} / --columns: the table has no column "
                              f"{src!r}; its columns are {columns}.")
        if role not in allowed:
            of = f" of layer {layer!r}" if layer else ""
            raise OptionError(f"--columns：“{role}”不是可用的字段；可用：{', '.join(allowed)} / --columns: {role!r} is not a role{of}; "
                              f"use one of {list(allowed)}.")
        out = [_override(g, column, role) for g in out]
    return out


def _override(g: RoleGuess, column: str, role: str) -> RoleGuess:
    if g.column == column:
        return RoleGuess(g.column, role, _why(f"按 --columns 指定为 {role}", f"set to {role} by --columns"))
    if g.role == role and role != EXTRA:
        return RoleGuess(g.column, EXTRA, _why(f"{role} 已按 --columns 改由“{column}”列担任，本列作为附加属性保留",
                                               f"{role} given to “{column}” by --columns; kept as an extra attribute"))
    return g


# --- kinds ----------------------------------------------------------------------------------------

HAZARD_WORDS = ("滑坡", "崩塌", "泥石流", "不稳定斜坡", "地面塌陷", "地裂缝", "危岩", "危岩体", "塌岸")
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "hazard_site": ("隐患点", "灾害点", "地灾点", *HAZARD_WORDS),
    "treatment_work": ("治理工程", "工程治理", "治理"), "susceptibility_zone": ("易发区",),
    "relocation": ("避险搬迁", "搬迁"), "monitoring": ("监测点", "监测站", "专业监测"),
    "checkpoint": ("检查站", "卡口", "检查点", "防火检查站"), "water_tank": ("蓄水池", "消防水池", "水池", "储水池", "消防蓄水池"),
    "camera": ("视频监控", "监控", "摄像头", "监控点", "智能监控", "探头"), "lookout": ("瞭望塔", "瞭望台", "瞭望哨", "哨所"),
    "crew": ("扑火队", "专业扑火队", "半专业扑火队", "扑火队伍"), "fire_road": ("防火道路", "防火通道"),
    "isolation_belt": ("隔离带", "防火隔离带", "生物防火林带"), "base_station": ("基站", "通信基站"),
    "forest_farm": ("林场", "国有林场"), "scenic_area": ("景区", "风景区"), "forest_area": ("林区", "重点林区"),
    "shelter": ("避难场所", "应急避难场所", "避难所"), "material_depot": ("物资储备库", "物资库", "储备库", "物资仓库"),
    "fire_brigade": ("消防站", "消防队", "救援队"), "rescue_center": ("救援中心", "救援基地"), "command_center": ("指挥中心",),
    "hospital": ("医院", "卫生院"), "school": ("学校", "小学", "中学"), "mine": ("矿山", "煤矿"), "tailings_pond": ("尾矿库",),
    "hazchem": ("危化", "危险化学品"), "warning_station": ("预警站", "监测预警站"), "industrial_park": ("工业园区", "园区"),
    "reservoir": ("水库",), "river": ("河流", "江", "河"), "stream": ("溪河", "溪"), "gully": ("沟渠", "山洪沟", "沟"), "lake": ("湖泊", "湖"),
}
"""Words of the bureaus' ledgers for each kind id (used where the layer has that kind). A 隐患点 of a
ledger is a real site, so it is a ``hazard_site``: ``hazard_point`` is the demo kind; its 灾种 (滑坡 ...)
goes into ``hazard_type``."""


def _words(spec: LayerSpec) -> dict[str, str]:
    """Every word of ``spec``'s kinds, normalised, onto its kind id."""
    words: dict[str, str] = {}
    own = [(k.id, (k.id, k.zh, k.en, *KIND_WORDS.get(k.id, ()))) for k in spec.kinds]
    parts = [(k.id, tuple(re.split(r"[/(（)）]", k.zh))) for k in spec.kinds]  # 检查站/卡口 -> 检查站, 卡口
    for kind_id, ws in own + parts:
        for w in filter(None, map(_norm, ws)):
            words.setdefault(w, kind_id)
    return words


def match_kind(word: str, layer_id: str) -> tuple[str | None, str]:
    """The kind id of layer ``layer_id`` that ``word`` names, and why; (None, why not) when none fits
    or when it contains words of two kinds."""
    spec = get_spec(layer_id)
    words, w = _words(spec), _norm(word)
    if w in words:
        kind = spec.kind(words[w])
        return words[w], _why(f"“{word}”即“{kind.zh}”", f"“{word}” is {kind.id} ({kind.en})")  # type: ignore[union-attr]
    inside = sorted({words[k] for k in words if len(k) > 1 and k in w})
    if len(inside) == 1:
        kind = spec.kind(inside[0])
        hit = max((k for k in words if words[k] == inside[0] and k in w), key=len)
        return inside[0], _why(f"“{word}”含“{hit}”，归为“{kind.zh}”", f"“{word}” contains “{hit}”: {kind.id} ({kind.en})")  # type: ignore[union-attr]
    if inside:
        return None, _why(f"“{word}”同时含有{'、'.join(inside)}的词，无法确定", f"“{word}” has words of {inside}; cannot tell which")
    return None, _not_a_kind(word, spec)


def _not_a_kind(word: str, spec: LayerSpec) -> str:
    known = "、".join(f"{k.zh}({k.id})" for k in spec.kinds)
    elsewhere = [s for s in SPECS.values() if s.id != spec.id and s.kinds and _norm(word) in _words(s)]
    hint_zh = f"；它是“{elsewhere[0].zh}”图层({elsewhere[0].id})的类别" if elsewhere else ""
    hint_en = f"; it is a kind of layer {elsewhere[0].id}" if elsewhere else ""
    return _why(f"“{word}”不是“{spec.zh}”图层的类别{hint_zh}；可用：{known}",
                f"“{word}” is not a kind of layer {spec.id}{hint_en}; kinds: {[k.id for k in spec.kinds]}")


def map_kinds(values: Iterable[str], layer_id: str) -> dict[str, str | None]:
    """Each distinct word of ``values`` onto a kind id of layer ``layer_id`` (None when none fits; the
    reasons are :func:`match_kind`'s): ``{"蓄水池": "water_tank", "专业扑火队": "crew", "物资储备库": None}``."""
    return {v: match_kind(v, layer_id)[0] for v in dict.fromkeys(str(v).strip() for v in values if v is not None and str(v).strip())}


# --- values of a table ----------------------------------------------------------------------------

def _text(cell: object) -> str | None:
    if cell is None or (isinstance(cell, float) and pd.isna(cell)):
        return None
    return str(cell).strip() or None


def _texts(column: pd.Series) -> pd.Series:
    return pd.Series([_text(c) for c in column], dtype=object)


def _typed(table: RawTable, column: str, dtype: str, problems: list[Problem]) -> list[object]:
    """The cells of ``column`` read as ``dtype``; a problem (user's row, column name) per unreadable cell."""
    parse = {"int": parse_int, "float": parse_number}.get(dtype)
    out: list[object] = []
    for row, cell in zip(table.rows, table.frame[column], strict=True):
        if parse is None:
            out.append(_text(cell))
            continue
        value, problem = parse(cell)
        out.append(value)
        if problem:
            problems.append(Problem(row, column, problem))
    return out


def _kind_column(table: RawTable, by_role: dict[str, str], spec: LayerSpec, problems: list[Problem],
                 matched: Sequence[bool]) -> list[str | None]:
    """Each row's kind id: from the kind column; else one kind for all (a layer of one kind, or a
    geohazard ledger, whose rows are 灾害点 with the 灾种 in hazard_type); else from the name. Without a
    kind column, a ``matched`` row gets None, so it keeps its feature's kind (a guess never replaces it)."""
    n = len(table.frame)
    if "kind" not in by_role and (len(spec.kinds) == 1 or "hazard_type" in by_role):
        one = spec.kinds[0].id if len(spec.kinds) == 1 else "hazard_site"
        return [None if known else one for known in matched]
    column = by_role.get("kind") or by_role.get("name")
    if column is None:
        _no_column(table, matched, "类型", _why("找不到类型列，也没有名称可判断类型；请加一列“类型”，或用 --columns 列名=kind 指定",
                                                "no kind column and no name to tell the kind from; add a 类型 column or name one with --columns SRC=kind"),
                   problems)
        return [None] * n
    kinds: list[str | None] = []
    for row, word, known in zip(table.rows, map(_text, table.frame[column]), matched, strict=True):
        if known and "kind" not in by_role:
            kinds.append(None)  # its feature's kind stays: a name only suggests one
            continue
        kind, why = match_kind(word, spec.id) if word else (None, _why("类型为空", "the kind is empty"))
        kinds.append(kind)
        if kind is None and "kind" not in by_role:
            why = _why(f"没有类型列，名称“{word}”也看不出类别；请加一列“类型”，或用 --columns 列名=kind 指定",
                       f"no kind column, and the name {word!r} does not tell the kind; add a 类型 column or name one with --columns SRC=kind")
        if kind is None:
            problems.append(Problem(row, column, why))
    return kinds


def _angle_column(table: RawTable, by_role: dict[str, str], axis: str, problems: list[Problem]) -> list[float | None] | None:
    if axis in by_role:
        pairs = [(row, by_role[axis], parse_angle_cell(c, axis=axis)) for row, c in zip(table.rows, table.frame[by_role[axis]], strict=True)]
    elif f"{axis}_d" in by_role:
        cols = [by_role.get(f"{axis}_{p}") for p in "dms"]
        cells = [table.frame[c] if c else [None] * len(table.frame) for c in cols]
        name = "/".join(c for c in cols if c)
        pairs = [(row, name, combine_dms(d, m, s, axis=axis)) for row, d, m, s in zip(table.rows, *cells, strict=True)]
    else:
        return None
    problems.extend(Problem(row, name, p) for row, name, (_, p) in pairs if p)
    return [v for _, _, (v, _) in pairs]


def _inside(value: float | None, span: tuple[float, float]) -> bool:
    return value is not None and span[0] < value < span[1]


def _keep_swapped(table: RawTable, by_role: dict[str, str], lon: list[float | None], lat: list[float | None],
                  problems: list[Problem]) -> None:
    """A row whose 经度 cell holds a latitude of the region and whose 纬度 cell a longitude (the two cells
    written the other way round) keeps both as written, without a range problem on 纬度 alone: the
    import's swap check then names both columns and says to swap the two cells."""
    column = by_role["lat"]
    kept = set()
    for i, (row, x, cell) in enumerate(zip(table.rows, lon, table.frame[column], strict=True)):
        if lat[i] is None and _inside(x, REGION_LAT):
            y, _ = parse_angle_cell(cell, axis="lon")
            if _inside(y, REGION_LON):
                lat[i] = y
                kept.add(row)
    if kept:
        problems[:] = [p for p in problems if not (p.row in kept and p.field == column)]


def _coordinates(table: RawTable, by_role: dict[str, str], problems: list[Problem]) -> pd.DataFrame:
    lon, lat = (_angle_column(table, by_role, axis, problems) for axis in ("lon", "lat"))
    if lon is not None and lat is not None and "lon" in by_role and "lat" in by_role:
        _keep_swapped(table, by_role, lon, lat, problems)
    if lon is not None or lat is not None:
        coords = pd.DataFrame({"lon": lon or [None] * len(table.rows), "lat": lat or [None] * len(table.rows)}, dtype=float)
    elif "x" in by_role or "y" in by_role:
        coords = pd.DataFrame({a: _typed(table, by_role[a], "float", problems) if a in by_role else None for a in ("x", "y")}, dtype=float)
    elif table.geometry is not None:
        return pd.DataFrame(index=range(len(table.rows)))
    else:
        problems.append(Problem(None, None, _why("找不到坐标列；请用 --columns 指定，如 经度=lon,纬度=lat 或 X=y,Y=x",
                                                 "no coordinate columns; name them with --columns, e.g. 经度=lon,纬度=lat or X=y,Y=x")))
        return pd.DataFrame(index=range(len(table.rows)))
    named = {(p.row, p.field) for p in problems}
    where = {axis: _axis_columns(by_role, axis) for axis in coords.columns}
    empty = coords.isna().to_numpy()
    for i in map(int, empty.any(axis=1).nonzero()[0]):  # row by row, each axis in column order, as before
        for k, axis in enumerate(coords.columns):
            if empty[i, k] and (table.rows[i], where[axis]) not in named:
                problems.append(Problem(table.rows[i], where[axis], _why(f"{axis}为空，请填写坐标", f"{axis} is empty; fill in the coordinates")))
    return coords


def _axis_columns(by_role: dict[str, str], axis: str) -> str:
    return by_role.get(axis) or "/".join(by_role[f"{axis}_{p}"] for p in "dms" if f"{axis}_{p}" in by_role) or axis


def table_values(table: RawTable, roles: Sequence[RoleGuess], layer_id: str, *,
                 matched: Sequence[bool] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """The cells of ``table`` read with ``roles`` for layer ``layer_id``.

    Returns the attributes (the layer's fields that have a column, typed by the spec, ``kind`` as kind ids,
    ``village``, and every extra column as text under its header), the coordinates (``lon``/``lat`` in
    degrees or ``x``/``y`` in metres as written; none for a vector file that has its geometry), and the
    problems, each with the user's row number and the source column. Both frames keep every row, in order,
    on the index 0..n-1; a value that cannot be read is None/NaN and a problem.

    ``matched`` marks the rows an upsert matched to existing features (default: none). Such a row takes
    the kind and name the file has no column for from its feature: a missing kind or name column is then
    a problem of each other row (naming the column to add), and of the whole file only when no row matched."""
    spec = get_spec(layer_id)
    matched = list(matched) if matched is not None else [False] * len(table.rows)
    by_role = {g.role: g.column for g in roles if g.role != EXTRA}
    problems: list[Problem] = []
    attrs = pd.DataFrame(index=range(len(table.rows)))
    for f in spec.fields:
        if f.name in by_role and (f.name != "kind" or not spec.kinds):  # a layer without kind ids (townships) types it as text
            attrs[f.name] = pd.Series(_typed(table, by_role[f.name], f.dtype, problems), dtype=_DTYPES.get(f.dtype, object))  # type: ignore[call-overload]
            _check_field(table, f, attrs[f.name], by_role[f.name], problems)
    if spec.kinds:
        attrs["kind"] = pd.Series(_kind_column(table, by_role, spec, problems, matched), dtype=object)
    if "village" in by_role:
        attrs["village"] = _texts(table.frame[by_role["village"]])
    for g in roles:
        if g.role == EXTRA:
            attrs[g.column if g.column not in attrs.columns else f"{g.column}_2"] = _texts(table.frame[g.column])
    if "name" in {f.name for f in spec.fields} and "name" not in by_role:
        _no_column(table, matched, "名称", _why("找不到名称列；请用 --columns 指定，如 隐患点名称=name",
                                                "no name column; name one with --columns, e.g. 隐患点名称=name"), problems)
    coords = _coordinates(table, by_role, problems)
    return attrs, coords, problems


def _no_column(table: RawTable, matched: Sequence[bool], column: str, message: str, problems: list[Problem]) -> None:
    """A column the file lacks: a problem of the whole file, or, when some rows are matched to features
    that have the value, one of each other row, naming the ``column`` to add."""
    if not any(matched):
        problems.append(Problem(None, None, message))
        return
    problems.extend(Problem(row, column, message) for row, known in zip(table.rows, matched, strict=True) if not known)


def cell_texts(table: RawTable, column: str) -> list[str | None]:
    """The cells of ``column`` as text (stripped; None when empty), as the text fields are read."""
    return [_text(c) for c in table.frame[column]]


_DTYPES = {"int": "Int64", "float": "float64"}


def _check_field(table: RawTable, f: Field, values: pd.Series, column: str, problems: list[Problem]) -> None:
    """A problem for each empty required text and each value outside the field's choices."""
    for row, value, cell in zip(table.rows, values, table.frame[column], strict=True):
        if f.required and f.dtype == "str" and value is None:
            problems.append(Problem(row, column, _why(f"{f.zh}为空，请填写", f"{f.en} is empty; fill it in")))
        elif f.choices and value is not None and value not in f.choices:
            problems.append(Problem(row, column, _why(f"“{cell}”不是{f.zh}的可选值；可选：{'、'.join(f.choices)}",
                                                      f"{str(cell)!r} is not a value of {f.name}; use one of {list(f.choices)}")))
