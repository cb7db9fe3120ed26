"""UI strings in Chinese (default) and English. Layer, field and kind labels live in the specs."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("县域风险一张图", "County risk one-map"),
    "map_page": ("风险一张图", "Risk map"),
    "risk_page": ("风险区划", "Risk zoning"),
    "risk_layer": ("风险图层", "Risk layer"),
    "export": ("导出(会议出图/数据下载)", "Export (map sheets, data)"),
    "title": ("标题", "Title"),
    "current_view": ("按当前地图范围出图", "Use the current map view"),
    "footer": ("页脚", "Footer"),
    "paper": ("纸张", "Paper"),
    "orientation": ("方向", "Orientation"),
    "format": ("格式", "Format"),
    "make_export": ("生成导出文件", "Make the file"),
    "atlas": ("生成一乡一图图集(PDF)", "Make the township atlas (PDF)"),
    "coverage_page": ("设施覆盖分析", "Facility coverage"),
    "fac_kinds": ("设施类别", "Facility kinds"),
    "n_facilities": ("设施数量", "Facilities"),
    "demand_kind": ("需求对象", "Demand"),
    "gaps": ("覆盖缺口", "Coverage gaps"),
    "suggest_k": ("建议新增站点数 K", "Suggest K new sites"),
    "candidates": ("候选点", "Candidate sites"),
    "claims": ("规划目标核验", "Plan claims checked"),
    "water_view": ("水利视图", "Water bureau view"),
    "standard": ("服务标准", "Service standard"),
    "scheme": ("分级方法", "Classification"),
    "kde": ("隐患点核密度", "Hazard-point density"),
    "user_raster": ("叠加用户栅格(GeoTIFF,任意坐标系)", "Add a GeoTIFF (any CRS)"),
    "card": ("乡镇风险卡", "Township risk card"),
    "table": ("乡镇风险表", "Township risk table"),
    "screening": ("项目选址筛查", "Project-site screening"),
    "screen_all": ("全部规划项目筛查结果", "All plan projects screened"),
    "lon": ("经度", "Longitude"),
    "lat": ("纬度", "Latitude"),
    "datum": ("坐标系", "Datum"),
    "run_screen": ("筛查", "Screen"),
    "drivers": ("主要因素", "Key drivers"),
    "advice": ("建议", "Advice"),
    "language": ("语言 / Language", "语言 / Language"),
    "jurisdiction": ("行政区", "Jurisdiction"),
    "layers": ("图层", "Layers"),
    "basemap": ("底图", "Basemap"),
    "search": ("搜索地名/设施", "Search places and facilities"),
    "search_hint": ("输入名称的一部分,如 全胜、明月山、龙溪河", "Part of a name, e.g. 全胜, 明月山, 龙溪河"),
    "matches": ("匹配结果", "Matches"),
    "no_match": ("没有匹配的要素", "No feature matches"),
    "zoom_to": ("定位", "Zoom to"),
    "filters": ("筛选", "Filters"),
    "hazard_type": ("灾种", "Hazard type"),
    "project_status": ("项目状态", "Project status"),
    "project_year": ("项目年份", "Project year"),
    "project_dept": ("牵头部门", "Lead department"),
    "facility_kind": ("设施类别", "Facility kind"),
    "details": ("要素详情", "Feature details"),
    "click_hint": ("点击地图上的要素查看详情", "Click a feature on the map to see its details"),
    "approx": ("位置示意(近似/合成)", "approximate position (approximate/synthetic)"),
    "gcj_note": ("要素已转换为GCJ-02以匹配高德底图", "Overlays shifted to GCJ-02 to match AMap tiles"),
    "county": ("县界", "County boundary"),
    "unknown_adcode": ("链接中的行政区划代码 {code} 没有对应的工作区(已有:{known})。请在左侧选择辖区。",
                       "The link asks for jurisdiction code {code}, which has no workspace (available: {known}). Choose one in the sidebar."),
    "no_workspace": ("尚未构建工作空间:请运行 make run 或 python -m layers build",
                     "No workspace built yet: run make run or python -m layers build"),
    "features": ("个要素", "features"),
    "tianditu_key": ("天地图密钥(可选)", "Tianditu key (optional)"),
    "quality_note": ("本图含位置示意要素:规划文本未给出坐标,位置为近似或合成",
                     "This map shows approximate or synthetic positions: the plans give no coordinates"),
    "unmapped": ("未上图的规划条目", "Plan items not drawn"),
    # --- map page and renderer (add new keys below this line)
    "map_empty": ("无数据", "no data"),
    # --- risk page
    # --- coverage page
    # --- exports and atlas
    # page 数据导入 (ui/data_import.py keeps its own sentences)
    "import_page": ("数据导入", "Data import"),
    "history_page": ("变更记录", "Change history"),
}

BASEMAP_LABELS = {
    "none": ("无底图(离线)", "None (offline)"),
    "osm": ("OpenStreetMap", "OpenStreetMap"),
    "tianditu": ("天地图矢量", "Tianditu vector"),
    "amap": ("高德地图(GCJ-02)", "AMap (GCJ-02)"),
    "local": ("本地瓦片目录", "Local tile folder"),
}

STATUS_LABELS = {
    "planned": ("规划", "Planned"), "under_construction": ("在建", "Under construction"),
    "completed": ("已完成", "Completed"), "ongoing": ("常态推进", "Ongoing"), "unknown": ("未知", "Unknown"),
}
QUALITY_LABELS = {
    "authoritative": ("权威数据", "Authoritative"), "surveyed": ("人工核定", "Surveyed"), "gazetteer": ("地名库", "Gazetteer"),
    "approximate": ("近似位置", "Approximate"), "synthetic": ("合成示意", "Synthetic"),
}


def t(key: str, lang: str) -> str:
    """The string ``key`` in ``lang`` ("zh" or "en")."""
    zh, en = STRINGS[key]
    return zh if lang == "zh" else en


def pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def say(table: dict[str, tuple[str, str]], key: str, lang: str, **values: object) -> str:
    """The sentence ``key`` of a module's (zh, en) ``table`` in ``lang``, with ``values`` filled in."""
    return pick(table[key], lang).format(**values)
