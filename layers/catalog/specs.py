"""Frozen, declarative layer specifications: everything known about a layer, read by every module.

Fields, geometry, labels (zh/en), provenance, and how the layer is shown: its colours and look, its
place in the draw order, the fields of its tooltip and details panel, its sidebar filters, its names on
maps and its table on the 一乡一图 pages. Modules read these facts instead of repeating layer ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from geo.errors import UnknownNameError
from geo.validate import FieldRule

QUALITIES = ("authoritative", "surveyed", "gazetteer", "approximate", "synthetic")
STATUSES = ("planned", "under_construction", "completed", "ongoing", "unknown")
THEMES = {
    "base": ("基础", "Base"),
    "water": ("水系水利", "Water"),
    "geohazard": ("地质灾害", "Geohazards"),
    "forest": ("森林防火", "Forest fire"),
    "facility": ("设施", "Facilities"),
    "project": ("规划项目", "Plan projects"),
    "rule": ("规则与风险", "Rules and risk"),
}


@dataclass(frozen=True)
class Field:
    """An attribute column: its validation rule and its labels."""

    name: str
    dtype: str
    zh: str
    en: str
    required: bool = False
    choices: tuple[str, ...] = ()

    @property
    def rule(self) -> FieldRule:
        return FieldRule(self.name, self.dtype, required=self.required, choices=self.choices)


@dataclass(frozen=True)
class Kind:
    """A value of a layer's ``kind`` field with its labels and colour."""

    id: str
    zh: str
    en: str
    color: str

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


TITLE = "@title"
"""In ``LayerSpec.tooltip``: the layer's title (for features that have no class of their own)."""
NAME_LABELS = ("", "always", "detail")
"""``LayerSpec.name_labels``: never; every feature on every map (largest first on static maps);
located features on static maps of a large scale only."""


@dataclass(frozen=True)
class Look:
    """How a layer is drawn where its features say nothing else: polygon fill opacity, line weight,
    point radius, whether approximate or synthetic positions are drawn hollow and dashed, and the
    rule of ``layers.catalog.style`` that styles features by an attribute ("" = by kind only)."""

    fill_opacity: float = 0.25
    weight: float = 1.5
    radius: float = 5.0
    marks_approx: bool = True
    rule: str = ""


@dataclass(frozen=True)
class LayerFilter:
    """A sidebar filter of a layer: a feature passes when any of ``fields`` holds a chosen value; with
    ``split`` a field holds ";"-separated values ("林业局;应急局"), each of which matches on its own.
    ``key`` is the field of ``layers.views.mapview.Filters`` that holds the chosen values."""

    key: str
    fields: tuple[str, ...]
    split: bool = False


@dataclass(frozen=True)
class AtlasTable:
    """A layer's table on each 一乡一图 page: columns (fields, or ``_pos`` for the position class),
    their relative widths, what a row is (zh, en), and whether only the layer's points are listed."""

    columns: tuple[str, ...]
    widths: tuple[float, ...]
    what: tuple[str, str]
    points_only: bool = False


@dataclass(frozen=True)
class LayerSpec:
    """Everything the store, validator, renderer, views and exports need to know about one layer.

    ``tooltip``: what the map shows on hover, in order (fields, or ``TITLE``); ``popup``: the fields
    of the details panel, in order (``()`` = every field); ``pickable``: a map click can select its
    features; ``simplify_deg``: display simplification at county scale; ``partition``: its polygons
    tile the jurisdiction (simplified together so neighbours keep shared edges); ``name_labels``: one
    of ``NAME_LABELS``; ``filters``: its sidebar filters; ``class_filter``: its point classes can be
    ticked on and off in the map's layer panel; ``atlas_map``/``atlas_table``: drawn on the 一乡一图
    map / listed in a table there."""

    id: str
    zh: str
    en: str
    theme: str
    geom_types: tuple[str, ...]
    fields: tuple[Field, ...]
    kinds: tuple[Kind, ...] = ()
    color: str = "#555555"
    tooltip: tuple[str, ...] = ("name", TITLE)
    popup: tuple[str, ...] = ()
    default_visible: bool = True
    id_field: str = "fid"
    look: Look = Look()
    pickable: bool = True
    simplify_deg: float = 0.0
    partition: bool = False
    name_labels: str = ""
    filters: tuple[LayerFilter, ...] = ()
    class_filter: bool = False
    atlas_map: bool = False
    atlas_table: AtlasTable | None = None

    def __post_init__(self) -> None:
        if not self.popup:
            object.__setattr__(self, "popup", tuple(f.name for f in self.fields))
        names = {f.name for f in self.fields}
        named = {
            "tooltip": [n for n in self.tooltip if n != TITLE],
            "popup": list(self.popup),
            "filters": [n for flt in self.filters for n in flt.fields],
            "atlas_table": [c for c in (self.atlas_table.columns if self.atlas_table else ()) if c != "_pos"],
        }
        for what, used in named.items():
            unknown = [n for n in used if n not in names]
            if unknown:
                raise UnknownNameError(f"Layer {self.id!r}: {what} names {unknown}, which are not fields; fields: {sorted(names)}.")
        if self.name_labels not in NAME_LABELS:
            raise ValueError(f"Layer {self.id!r}: name_labels {self.name_labels!r}; use one of {list(NAME_LABELS)}.")

    @property
    def rules(self) -> list[FieldRule]:
        return [f.rule for f in self.fields]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise UnknownNameError(f"Layer {self.id!r} has no field {name!r}; fields: {[f.name for f in self.fields]}.")

    def kind(self, kind_id: str) -> Kind | None:
        return next((k for k in self.kinds if k.id == kind_id), None)

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


def _f(name: str, dtype: str, zh: str, en: str, **kw: object) -> Field:
    return Field(name, dtype, zh, en, **kw)  # type: ignore[arg-type]


FID = _f("fid", "str", "编号", "ID", required=True)
NAME = _f("name", "str", "名称", "Name", required=True)
PROVENANCE = (
    _f("source_doc", "str", "来源文件", "Source document", required=True),
    _f("source_section", "str", "来源章节", "Source section", required=True),
    _f("geometry_quality", "str", "位置质量", "Geometry quality", required=True, choices=QUALITIES),
    _f("geometry_source", "str", "位置来源", "Geometry source", required=True),
)
PLAN = (
    _f("township", "str", "所在乡镇", "Township"),
    _f("action", "str", "规划措施", "Plan action"),
    _f("year", "str", "年份", "Year"),
    _f("budget_wan", "float", "投资(万元)", "Budget (10k CNY)"),
    _f("lead_dept", "str", "牵头部门", "Lead department"),
    _f("status", "str", "状态", "Status", required=True, choices=STATUSES),
    _f("target", "str", "目标", "Target"),
    _f("plan_count", "int", "规划数量", "Count in plan", required=True),
    _f("item", "int", "序号(共N个之第几)", "Item of count"),
    _f("note", "str", "说明", "Note"),
)


def _kinds(*rows: tuple[str, str, str, str]) -> tuple[Kind, ...]:
    return tuple(Kind(*r) for r in rows)


def _plan_layer(id_: str, zh: str, en: str, theme: str, geoms: tuple[str, ...], kinds: tuple[Kind, ...],
                color: str, extra: tuple[Field, ...] = (), **facts: object) -> LayerSpec:
    """A layer read from the plans: id, name, kind, its own fields, the plan fields and provenance;
    ``facts`` are further ``LayerSpec`` fields (the tooltip shows the name and the kind unless given)."""
    kind_field = _f("kind", "str", "类别", "Kind", required=True, choices=tuple(k.id for k in kinds))
    fields = (FID, NAME, kind_field, *extra, *PLAN, *PROVENANCE)
    facts = {"tooltip": ("name", "kind"), **facts}
    return LayerSpec(id_, zh, en, theme, geoms, fields, kinds, color, **facts)  # type: ignore[arg-type]


POINT = ("Point",)
LINE = ("LineString", "MultiLineString")
POLY = ("Polygon", "MultiPolygon")

COUNTY = LayerSpec(
    "county", "县界", "County boundary", "base", POLY,
    (FID, NAME, _f("adcode", "str", "行政区划代码", "Adcode", required=True),
     _f("area_km2", "float", "面积(km²)", "Area (km²)", required=True), *PROVENANCE),
    color="#222222", look=Look(fill_opacity=0.0, weight=2.5), simplify_deg=0.0005, atlas_map=True,
    pickable=False,  # an outline drawn above the townships: it must not catch their clicks
)
_TOWN_FIELDS = (
    FID, NAME,
    _f("code", "str", "乡镇编码(本项目)", "Township code (project)", required=True),
    _f("kind", "str", "类型", "Type", required=True, choices=("街道", "镇", "乡", "未知")),
    _f("seat_quality", "str", "驻地位置质量", "Seat quality", required=True, choices=QUALITIES),
    _f("name_status", "str", "名称核实", "Name check", required=True, choices=("confirmed", "snapshot", "gazetteer_only")),
    _f("managed_by", "str", "管理主体", "Managed by"),
    _f("n_villages", "int", "村(社区)数", "Villages"),  # unknown for places drawn from the gazetteer alone
    _f("area_km2", "float", "面积(km²,近似)", "Area (km², approx.)", required=True),
    _f("seat_lon", "float", "驻地经度", "Seat lon", required=True),
    _f("seat_lat", "float", "驻地纬度", "Seat lat", required=True),
    *PROVENANCE,
)
_OUTLINE = Look(fill_opacity=0.0, weight=1.0)
TOWNSHIPS = LayerSpec("townships", "乡镇(街道)", "Townships", "base", POLY, _TOWN_FIELDS, color="#7a7a7a", look=_OUTLINE,
                      simplify_deg=0.0008, partition=True, name_labels="always", atlas_map=True)
TOWNSHIP_SEATS = LayerSpec("township_seats", "乡镇驻地", "Township seats", "base", POINT, _TOWN_FIELDS,
                           color="#7a7a7a", look=_OUTLINE, default_visible=False)

RIVERS = _plan_layer("rivers", "河流水系", "Rivers and lakes", "water", LINE + POLY, _kinds(
    ("river", "河流", "River", "#1f78b4"), ("stream", "溪河", "Stream", "#4a9fd6"),
    ("gully", "沟渠/山洪沟", "Gully", "#7fb8e0"), ("lake", "湖泊", "Lake", "#6baed6")), "#1f78b4",
    (_f("order", "int", "等级", "Order", required=True),), look=Look(rule="river_order"), atlas_map=True)
GEOHAZARDS = _plan_layer("geohazards", "地质灾害", "Geohazards", "geohazard", POINT + POLY, _kinds(
    ("hazard_point", "隐患点(演示)", "Hazard point (demo)", "#8c510a"),
    ("hazard_site", "灾害点", "Hazard site", "#bf812d"),
    ("treatment_work", "治理工程", "Treatment work", "#d95f0e"),
    ("susceptibility_zone", "易发区", "Susceptibility zone", "#fdae6b"),
    ("relocation", "避险搬迁", "Relocation", "#a6611a"),
    ("monitoring", "监测点", "Monitoring", "#dfc27d")), "#8c510a",
    (_f("hazard_type", "str", "灾种", "Hazard type"), _f("risk_level", "str", "风险等级", "Risk level"),
     _f("threatened_people", "int", "威胁人数", "People threatened"),
     _f("threatened_property_wan", "float", "威胁财产(万元)", "Property threatened (10k CNY)")),
    tooltip=("name", "hazard_type", "kind"), look=Look(fill_opacity=0.18, rule="hazard_points"), simplify_deg=0.0003,
    filters=(LayerFilter("hazard_types", ("hazard_type", "kind")),), class_filter=True, atlas_map=True,
    atlas_table=AtlasTable(("name", "kind", "hazard_type", "_pos"), (0.44, 0.2, 0.14, 0.22), ("地质灾害点位", "geohazard sites"),
                           points_only=True))
RESERVOIRS = _plan_layer("reservoirs", "水库", "Reservoirs", "water", POINT, _kinds(
    ("reservoir", "水库", "Reservoir", "#08519c")), "#08519c",
    tooltip=("name", "action"), look=Look(radius=7.0, rule="reservoir_action"), name_labels="detail", atlas_map=True,
    atlas_table=AtlasTable(("name", "action", "status", "_pos"), (0.4, 0.2, 0.16, 0.24), ("水库", "reservoirs")))
FOREST_FIRE = _plan_layer("forest_fire", "森林防火", "Forest fire", "forest", POINT + LINE + POLY, _kinds(
    ("forest_area", "重点林区/山体", "Key forest area", "#238b45"), ("forest_farm", "国有林场", "Forest farm", "#41ab5d"),
    ("scenic_area", "景区(火源管控)", "Scenic area", "#addd8e"), ("checkpoint", "检查站/卡口", "Checkpoint", "#e31a1c"),
    ("water_tank", "消防蓄水池", "Water tank", "#2171b5"), ("fire_road", "防火道路", "Fire road", "#8c6d31"),
    ("isolation_belt", "防火隔离带", "Isolation belt", "#b15928"), ("camera", "智能监控", "Camera", "#6a3d9a"),
    ("base_station", "通信基站", "Base station", "#cab2d6"), ("lookout", "瞭望塔/哨", "Lookout", "#ff7f00"),
    ("crew", "扑火队伍", "Fire crew", "#fb9a99")), "#238b45", default_visible=False,
    look=Look(fill_opacity=0.18), simplify_deg=0.0003, atlas_map=True)
FACILITIES = _plan_layer("facilities", "应急设施", "Facilities", "facility", POINT, _kinds(
    ("shelter", "避难场所", "Shelter", "#33a02c"), ("material_depot", "物资储备库", "Material depot", "#b2df8a"),
    ("fire_brigade", "消防/救援队站", "Fire & rescue", "#e31a1c"), ("rescue_center", "救援中心/基地", "Rescue centre", "#fb9a99"),
    ("water_reserve_point", "水上救援储备点", "Water rescue point", "#1f78b4"),
    ("flood_key_area", "防汛重点区域", "Flood key area", "#a6cee3"), ("warning_station", "监测预警站", "Warning station", "#6a3d9a"),
    ("command_center", "指挥中心", "Command centre", "#000000"), ("mine", "矿山", "Mine", "#636363"),
    ("tailings_pond", "尾矿库", "Tailings pond", "#969696"), ("hazchem", "危化企业", "Hazardous chemicals", "#ff7f00"),
    ("airport", "机场", "Airport", "#2b8cbe"), ("hospital", "医院", "Hospital", "#de2d26"), ("school", "学校", "School", "#fdd0a2"),
    ("industrial_park", "工业园区", "Industrial park", "#bcbddc"), ("other", "其他", "Other", "#bdbdbd")), "#e31a1c",
    default_visible=False, filters=(LayerFilter("facility_kinds", ("kind",)),), atlas_map=True,
    atlas_table=AtlasTable(("name", "kind", "status", "_pos"), (0.44, 0.2, 0.14, 0.22), ("应急设施", "emergency facilities")))
PROJECTS = _plan_layer("projects", "规划项目", "Plan projects", "project", POINT + LINE + POLY, _kinds(
    ("project", "重点工程/任务", "Key project / task", "#7a0177"),), "#7a0177", default_visible=False,
    tooltip=("name", "status"), look=Look(rule="project_status"),
    filters=(LayerFilter("project_status", ("status",)), LayerFilter("project_years", ("year",)),
             LayerFilter("project_depts", ("lead_dept",), split=True)), atlas_map=True,
    atlas_table=AtlasTable(("name", "lead_dept", "status", "_pos"), (0.44, 0.2, 0.14, 0.22), ("规划项目", "plan projects")))
RULES = _plan_layer("rules", "空间管控规则", "Spatial rules", "rule", POLY, _kinds(
    ("no_build_zone", "禁建区", "No-build zone", "#e7298a"), ("control_zone", "管控区", "Control zone", "#fcc5c0")), "#e7298a",
    (_f("buffer_m", "float", "缓冲距离(m)", "Buffer (m)"), _f("applies_to", "str", "适用对象", "Applies to")),
    default_visible=False, look=Look(fill_opacity=0.18), simplify_deg=0.0005)

_IND = (("hazard_density", "隐患点密度(个/km²)", "Hazard points per km²"), ("people_threatened", "威胁人数", "People threatened"),
        ("susceptibility_share", "易发区占比", "Susceptibility zone share"), ("river_share", "临河区域占比", "Near-river share"),
        ("flood_key_areas", "防汛重点区域数", "Flood key areas"), ("reservoirs_reinforced", "病险水库数(3km内)", "Reservoirs under reinforcement"),
        ("forest_share", "重点林区占比", "Key forest share"), ("fire_sources", "景区火源数", "Scenic fire sources"),
        ("facility_distance", "林区距防火设施(m)", "Forest to fire facility (m)"))
RISK_TOWNSHIPS = LayerSpec(
    "risk_townships", "乡镇综合风险", "Township composite risk", "rule", POLY,
    (FID, NAME, _f("township_code", "str", "乡镇编码", "Township code", required=True),
     _f("geological_score", "float", "地质灾害风险分", "Geological score", required=True),
     _f("flood_score", "float", "洪涝风险分", "Flood score", required=True),
     _f("forest_fire_score", "float", "森林火灾风险分", "Forest fire score", required=True),
     _f("composite", "float", "综合风险分", "Composite score", required=True),
     _f("level", "int", "综合风险等级", "Composite level", required=True),
     _f("geological_level", "int", "地质灾害等级", "Geological level", required=True),
     _f("flood_level", "int", "洪涝等级", "Flood level", required=True),
     _f("forest_fire_level", "int", "森林火灾等级", "Forest fire level", required=True),
     _f("level_name", "str", "等级名称", "Level name", required=True), _f("color", "str", "颜色", "Colour", required=True),
     _f("scheme", "str", "分级方法", "Classification scheme", required=True),
     *(_f(k, "float", zh, en) for k, zh, en in _IND),
     _f("n_hazard_points", "int", "隐患点数", "Hazard points", required=True),
     _f("n_reservoirs", "int", "水库数", "Reservoirs", required=True), _f("n_facilities", "int", "设施数", "Facilities", required=True),
     _f("n_projects", "int", "项目数", "Projects", required=True), _f("drivers", "str", "主要因素", "Key drivers", required=True),
     _f("kde_mean", "float", "隐患点核密度均值(个/km²)", "Mean hazard density (per km²)"), *PROVENANCE),
    color="#d7191c", default_visible=False, tooltip=("name", "level"), partition=True,
    look=Look(fill_opacity=0.65, weight=0.8, marks_approx=False, rule="risk_level"))  # the fill carries the message: solid outlines

_COV_FIELDS = (FID, NAME, _f("distance_m", "float", "距最近设施(m)", "Distance to nearest (m)"),
               _f("facility_kind", "str", "设施类别", "Facility kind"), _f("gain", "float", "新增覆盖", "Added cover"))
COVERAGE_SERVICE = LayerSpec("coverage_service", "设施服务范围", "Service areas", "facility", POLY, _COV_FIELDS, color="#1a9850",
                             default_visible=False, look=Look(fill_opacity=0.18, marks_approx=False))
COVERAGE_GAPS = LayerSpec("coverage_gaps", "未覆盖需求", "Uncovered demand", "facility", POINT, _COV_FIELDS, color="#d73027",
                          default_visible=False, look=Look(marks_approx=False))
COVERAGE_SITES = LayerSpec("coverage_sites", "建议新增站点", "Suggested sites", "facility", POINT, _COV_FIELDS, color="#542788",
                           default_visible=False, look=Look(radius=9.0))
ANALYSIS_SPECS = {s.id: s for s in (COVERAGE_SERVICE, COVERAGE_GAPS, COVERAGE_SITES)}

SPECS: dict[str, LayerSpec] = {s.id: s for s in (
    COUNTY, TOWNSHIPS, TOWNSHIP_SEATS, RIVERS, GEOHAZARDS, RESERVOIRS, FOREST_FIRE, FACILITIES, PROJECTS, RULES, RISK_TOWNSHIPS)}
PLAN_LAYERS = ("rivers", "geohazards", "reservoirs", "forest_fire", "facilities", "projects", "rules")
DRAW_ORDER = ("risk_townships", "coverage_service", "townships", "rules", "county", "forest_fire", "geohazards", "rivers",
              "projects", "facilities", "reservoirs", "township_seats", "coverage_gaps", "coverage_sites")
"""Every layer, bottom to top: web and print maps draw in this order, and a click picks the topmost."""


def get_spec(layer_id: str) -> LayerSpec:
    """The spec of ``layer_id`` (workspace or analysis layer); the error lists every known id."""
    spec = SPECS.get(layer_id) or ANALYSIS_SPECS.get(layer_id)
    if spec is None:
        raise UnknownNameError(f"Unknown layer {layer_id!r}; known layers: {list(SPECS) + list(ANALYSIS_SPECS)}.")
    return spec


def in_draw_order(layer_ids: Iterable[str]) -> list[str]:
    """``layer_ids`` bottom to top (``DRAW_ORDER``; ids it does not know go on top, in their order)."""
    ids = list(layer_ids)
    return [k for k in DRAW_ORDER if k in ids] + [k for k in ids if k not in DRAW_ORDER]
