"""Page 风险一张图: jurisdiction, layer panel, filters, search, the map and a details panel, where a
selected feature is corrected (编辑: position by a click, a dragged pin or typed coordinates, attributes
from the layer spec, delete and restore) and a new one added; every change needs a name and a reason
and goes through :mod:`layers.edits.edit`.

One visibility state: the sidebar checkboxes (``lyr_*``) and the sidebar filters. The in-map panel
changes the live map at once and reports the change (``onemap.js``), which ``_from_map`` files into
that same state before the page runs; exports, clicks, counts and the legend follow it."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import ConflictError, GeoError
from layers.catalog.i18n import BASEMAP_LABELS, STATUS_LABELS, pick, t
from layers.edits import edit
from layers.edits.position import Position, parse_position
from layers.render.patch import MapView, Patch, patch_data, plan_patch
from layers.render.webmap import assemble_map, basemap, visibility_group
from layers.views import mapview as view
from layers.views.historyview import message_md
from ui import auth, common, export_panel, ui_cache

ss = st.session_state
HISTORY_PAGE = Path(__file__).with_name("history.py")
TX = {
    "history": ("变更记录", "Change history"), "edit": ("编辑", "Edit"), "editor": ("编辑人", "Your name"),
    "reason": ("修改原因(必填)", "Reason for the change (required)"), "need": ("请填写编辑人和修改原因。", "Enter your name and a reason."),
    "tab_pos": ("位置", "Position"), "tab_attr": ("属性", "Attributes"), "tab_del": ("删除", "Delete"),
    "pick_on": ("在地图上点选新位置", "Click the new position on the map"), "pick_off": ("结束点选", "Stop clicking positions"),
    "hint_move": ("点击地图设置新位置,可拖动标记微调", "Click the map for the new position; drag the pin to adjust"),
    "hint_add": ("点击地图设置新要素的位置,可拖动标记微调", "Click the map to place the new feature; drag the pin to adjust"),
    "datum": ("坐标形式", "Coordinates"), "crs": ("坐标系(EPSG:N,留空自动识别分带)", "CRS (EPSG:N; empty: zone detected)"),
    "lon": ("经度(小数或度分秒)", "Longitude (decimal or DMS)"), "lat": ("纬度(小数或度分秒)", "Latitude (decimal or DMS)"),
    "gk_x": ("X(北向)", "X (northing)"), "gk_y": ("Y(东向,可含带号)", "Y (easting, zone prefix allowed)"),
    "reads": ("读作:", "Read as: "), "save_pos": ("保存位置", "Save position"), "save_attr": ("保存属性", "Save attributes"),
    "no_change": ("属性没有改动。", "No attribute changed."),
    "lines": ("线和面整体平移(不旋转、不缩放):其代表点移到点选或输入的位置。改单个折点请在 GIS 中编辑后导入。",
              "A line or polygon is moved whole (no turn, no scaling): its representative point goes to the clicked or typed "
              "position. To change single vertices, edit it in a GIS and import it."),
    "delete": ("删除此要素(可恢复)", "Delete this feature (restorable)"),
    "restore_h": ("已删除的要素", "Deleted features"), "restore": ("恢复", "Restore"),
    "add_h": ("新增要素", "Add a feature"), "add_layer": ("图层", "Layer"), "add_kind": ("类别", "Kind"), "add_name": ("名称", "Name"),
    "add_go": ("新增", "Add"), "need_pos": ("请先在地图上点选或输入位置。", "Click or type a position first."),
    "saved": ("已保存:变更集 #{id},版本 {rev}。", "Saved: changeset #{id}, revision {rev}."),
    "not_editable": ("此图层不在可编辑图层之列。", "This layer is not edited here."),
}
DATUM_LABELS = {"wgs84": ("WGS84 经纬度", "WGS84 lon/lat"), "cgcs2000": ("CGCS2000 经纬度", "CGCS2000 lon/lat"),
                "gcj02": ("GCJ-02(手机/高德地图)", "GCJ-02 (phone / AMap)"), "bd09": ("BD-09(百度地图)", "BD-09 (Baidu)"),
                "gk": ("高斯-克吕格 X/Y", "Gauss-Krüger X/Y")}


def _from_map() -> None:
    """st_folium callback, run before the page: what the user changed in the live map (layers shown,
    hazard classes ticked, a click), each change applied once (its token)."""
    state = view.map_state((ss.get("map") or {}).get("selected_tags"))
    if not state:
        return
    if state.get("vt") and state["vt"] != ss.get("_vt"):
        ss["_vt"] = state["vt"]
        for lid, on in (state.get("vis") or {}).items():
            ss[f"lyr_{lid}"] = bool(on)
    if state.get("ct") and state["ct"] != ss.get("_ct"):
        ss["_ct"], ss["_map_classes"] = state["ct"], state.get("cls") or {}
    picked = state.get("pick")
    if picked and len(picked) == 5 and picked[4] != ss.get("_pt"):
        ss["_pt"], ss["_map_pick"] = picked[4], picked
    clicked = state.get("edit")
    if clicked and len(clicked) == 3 and clicked[2] != ss.get("_et"):
        ss["_et"], ss["_edit_click"] = clicked[2], (float(clicked[0]), float(clicked[1]))


def _from_url(layer_ids: list[str]) -> None:
    """First run of a session: ``?layers=a,b&view=lat,lng,zoom`` become the layer choices and the view."""
    if "_url_map_read" in ss:
        return
    ss["_url_map_read"] = True
    qp = st.query_params
    if qp.get("layers") is not None:
        want = set(qp["layers"].split(","))
        for lid in layer_ids:
            ss[f"lyr_{lid}"] = lid in want
    try:
        lat, lng, zoom = (float(v) for v in qp.get("view", "").split(","))
        ss["view"] = ss["goto"] = ((lat, lng), zoom)
    except ValueError:
        pass


FILTER_KEYS = {"hazard_types": "f_hazard", "project_status": "f_status", "project_years": "f_year", "project_depts": "f_dept",
               "facility_kinds": "f_fac"}


def _filters_now() -> view.Filters:
    """The filters as the sidebar holds them now: the open panel's widgets (drawn below the layer
    list, whose counts must already follow them), else the last chosen."""
    filters = ss.get("filters") or view.Filters()
    if not ss.get("filters_open"):
        return filters
    return dataclasses.replace(filters, **{f: tuple(ss[k]) for f, k in FILTER_KEYS.items() if k in ss})


# --- 编辑 -------------------------------------------------------------------------------------------------
# reset when the selection changes or a change is saved (set, not deleted: a deleted widget key keeps the
# value the browser shows)
EDIT_KEYS = {"edit_mode": None, "edit_first": "", "edit_second": "", "_edit_for": None}


def _typed_position(county, gcj02: bool) -> tuple[Position | None, str | None]:  # noqa: ANN001
    """The position the inputs hold (a click or a dragged pin in the map fills them first), read by
    ``parse_position``; (None, message) when it cannot be read, (None, None) when nothing is typed."""
    click = ss.pop("_edit_click", None)
    if click:
        ss["edit_datum"], ss["edit_first"], ss["edit_second"] = ("gcj02" if gcj02 else "wgs84"), f"{click[1]:.7f}", f"{click[0]:.7f}"
    first, second = str(ss.get("edit_first") or "").strip(), str(ss.get("edit_second") or "").strip()
    if not (first and second):
        return None, None
    datum = ss.get("edit_datum") or "wgs84"
    try:
        if datum == "gk":
            return parse_position(first, second, crs=str(ss.get("edit_crs") or "").strip() or "auto", area=county()), None
        return parse_position(first, second, datum=datum, area=county()), None
    except GeoError as err:
        return None, str(err)


def _toggle_mode(mode: str) -> None:
    ss["edit_mode"] = None if ss.get("edit_mode") == mode else mode


def _write(fn, *args, adcode: str, base: int, lang: str, select=None, **kw) -> str | None:  # noqa: ANN001
    """One change through ``layers.edits.edit`` with the name and reason given, from the revision the
    page showed: None when saved (the saved message, the view and the selection are set for the next
    run), else the message of the refusal in ``lang`` (escaped)."""
    who = auth.acting_user(lang) or str(ss.get("editor") or "").strip()  # with login on: the account
    why = str(ss.get("edit_reason") or "").strip()
    if not who or not why:
        return pick(TX["need"], lang)
    try:  # the newest handle the page holds (read once per revision), not a fresh read of every layer
        cs = fn(ui_cache.current(adcode)[1], *args, user=who, reason=why, base_revision=base, **kw)
    except GeoError as err:
        if isinstance(err, ConflictError):  # the panel now shows their change; saving again is a deliberate redo
            ss["_edit_base"] = ui_cache.workspace_stamp(adcode)[1]
        return message_md(err, lang)
    ss["edit_msg"] = pick(TX["saved"], lang).format(id=cs.id, rev=cs.revision)
    ss["goto"] = ss.get("view") or ss.get("goto")  # the map stays where the user was looking
    ss["_edit_reset"] = True
    if select is not None:
        ss["selected"] = select(cs)
    return None


def _commit(fn, *args, adcode: str, base: int, lang: str, select=None, **kw) -> None:  # noqa: ANN001
    """``_write``, then the refusal shown, or the page run again on the new revision."""
    refused = _write(fn, *args, adcode=adcode, base=base, lang=lang, select=select, **kw)
    if refused:
        st.error(refused)
    else:
        st.rerun()


def _save_position_first() -> None:
    """A click on 保存位置 is handled before the page loads anything: the page then runs once, on the
    new revision, and patches the map in that run (instead of a run up to the button and a second one)."""
    if not ss.get("edit_save_pos") or not ss.get("selected") or not ss.get("adcode"):
        return
    lang, adcode, (layer, fid) = ss.get("lang") or "zh", str(ss["adcode"]), ss["selected"]
    try:
        ws = ui_cache.current(adcode)[1]
    except GeoError:  # the workspace went away: the page says so when it loads
        return
    pos, err = _typed_position(lambda: view.county_area(ws.frames()), ss.get("basemap") == "amap")
    if pos is None:
        ss["_edit_err"] = message_md(err, lang) if err else pick(TX["need_pos"], lang)
        return
    ss["_edit_err"] = _write(edit.edit_feature, layer, fid, geometry=pos.point, adcode=adcode, base=ss.get("_edit_base", ws.revision),
                             lang=lang)


def _position_inputs(mode: str, pos: Position | None, err: str | None, lang: str) -> None:
    on = ss.get("edit_mode") == mode
    st.button(pick(TX["pick_off" if on else "pick_on"], lang), key=f"edit_pick_{mode}", on_click=_toggle_mode, args=(mode,),
              type="secondary" if on else "primary")
    datum = st.selectbox(pick(TX["datum"], lang), view.DATUMS, key="edit_datum", format_func=lambda d: pick(DATUM_LABELS[d], lang))
    if datum == "gk":
        st.text_input(pick(TX["crs"], lang), key="edit_crs", placeholder="EPSG:4524")
    st.text_input(pick(TX["gk_x" if datum == "gk" else "lon"], lang), key="edit_first")
    st.text_input(pick(TX["gk_y" if datum == "gk" else "lat"], lang), key="edit_second")
    if pos is not None:
        st.text(f"{pick(TX['reads'], lang)}{view.say(pos.reading, lang)} → {pos.point.x:.6f}, {pos.point.y:.6f}")
    elif err:
        st.error(view.say(err, lang))


def _who_and_why(lang: str) -> None:
    """Who changes and why (asked for every change; the name is kept for the session)."""
    st.subheader(pick(TX["edit"], lang))
    auth.signed_by(pick(TX["editor"], lang), "editor")
    st.text_input(pick(TX["reason"], lang), key="edit_reason")


def _field_input(layer: str, f: view.FormField, lang: str) -> object:
    key = f"edit_attr_{f.name}"
    if f.widget == "choice":
        options = list(dict.fromkeys(([] if f.required else [""]) + list(f.choices) + [ss.get(key, "")]))
        return st.selectbox(f.label, options, key=key, format_func=lambda v: view.choice_label(layer, f.name, v, lang))
    if f.widget in ("int", "float"):
        return st.number_input(f.label, key=key, value=None, step=1 if f.widget == "int" else None)
    return st.text_input(f.label, key=key)


def _initial(f: view.FormField, v: object) -> object:
    if f.widget in ("int", "float"):
        return None if v is None else (int(v) if f.widget == "int" else float(v))  # type: ignore[call-overload]
    return "" if v is None else str(v)


def _same(a: object, b: object) -> bool:
    if isinstance(a, int | float) or isinstance(b, int | float):
        return a is not None and b is not None and float(a) == float(b)  # type: ignore[arg-type]
    return str(a or "") == str(b or "")


def _attribute_form(layer: str, fid: str, rev: int, adcode: str, lang: str) -> None:
    current = view.feature_values(data, layer, fid)
    fields = view.form_fields(layer, lang)
    if ss.get("_edit_for") != (layer, fid, rev):  # a new selection or revision: the form shows the stored values
        for f in fields:
            ss[f"edit_attr_{f.name}"] = _initial(f, current.get(f.name))
        ss["_edit_for"] = (layer, fid, rev)
    values = {f.name: _field_input(layer, f, lang) for f in fields}
    if st.button(pick(TX["save_attr"], lang), key="edit_save_attr", type="primary"):
        changed = {k: (None if v == "" and f.widget == "choice" else v) for f in fields
                   for k, v in [(f.name, values[f.name])] if not _same(v, current.get(f.name))}
        if not changed:
            st.info(pick(TX["no_change"], lang))
        else:
            _commit(edit.edit_feature, layer, fid, values=changed, adcode=adcode, base=rev, lang=lang)


def _edit_panel(layer: str, fid: str, pos: Position | None, err: str | None, rev: int, adcode: str, lang: str) -> None:
    """编辑 of the selected feature: position, attributes, delete."""
    tab_pos, tab_attr, tab_del = st.tabs([pick(TX[k], lang) for k in ("tab_pos", "tab_attr", "tab_del")])
    with tab_pos:
        if view.lonlat(data, layer, fid) is None:
            st.caption(pick(TX["lines"], lang))
        _position_inputs("move", pos, err, lang)
        st.button(pick(TX["save_pos"], lang), key="edit_save_pos", type="primary")  # saved by _save_position_first
        if ss.get("_edit_err"):  # the refusal of that save, in this panel
            st.error(ss.pop("_edit_err"))
    with tab_attr:
        _attribute_form(layer, fid, rev, adcode, lang)
    with tab_del:
        if st.button(pick(TX["delete"], lang), key="edit_delete"):
            _commit(edit.delete_feature, layer, fid, adcode=adcode, base=rev, lang=lang, select=lambda cs: None)


def _add_panel(pos: Position | None, err: str | None, rev: int, adcode: str, lang: str) -> None:
    """新增要素: a point of an edited layer at a clicked or typed position."""
    layers = [k for k in data if view.editable(k) and view.is_point_layer(k)]
    with st.expander(pick(TX["add_h"], lang), expanded=ss.get("edit_mode") == "add"):
        layer = st.selectbox(pick(TX["add_layer"], lang), layers, key="add_layer", format_func=lambda k: view.get_spec(k).label(lang))
        kinds = [k.id for k in view.get_spec(layer).kinds]
        kind = st.selectbox(pick(TX["add_kind"], lang), kinds, key="add_kind", format_func=lambda v: view.kind_label(layer, v, lang))
        name = st.text_input(pick(TX["add_name"], lang), key="add_name")
        _position_inputs("add", pos, err, lang)
        if st.button(pick(TX["add_go"], lang), key="edit_add", type="primary"):
            if pos is None:
                st.error(pick(TX["need_pos"], lang))
                return
            ss["_show_layer"] = layer
            _commit(edit.add_feature, layer, geometry=pos.point, values={"name": name, "kind": kind}, adcode=adcode, base=rev,
                    lang=lang, select=lambda cs: (layer, str(cs.fids[0])) if cs.fids else None)


def _restore_panel(ws, rev: int, adcode: str, lang: str) -> None:  # noqa: ANN001
    gone = view.deleted_features(ws, [k for k in data if view.editable(k)])
    if gone.empty:
        return
    with st.expander(f"{pick(TX['restore_h'], lang)} ({len(gone)})"):
        i = st.selectbox(pick(TX["restore_h"], lang), gone.index, key="restore_pick", label_visibility="collapsed",
                         format_func=lambda j: f"{gone.at[j, 'name']} · {view.get_spec(gone.at[j, 'layer']).label(lang)}")
        layer, fid = str(gone.at[i, "layer"]), str(gone.at[i, "fid"])
        if st.button(pick(TX["restore"], lang), key="edit_restore"):
            ss["_show_layer"] = layer  # ticked on the next run, before the sidebar draws its box
            _commit(edit.restore_feature, layer, fid, adcode=adcode, base=rev, lang=lang, select=lambda cs: (layer, fid))


def _live_map(now: MapView, allow: dict, key: tuple, bounds) -> tuple[MapView, Patch | None]:  # noqa: ANN001
    """The map the browser keeps and the patch that brings it to ``now``: after a saved change (this
    user's or anyone's) the compiled map stays and only the changed features travel, so the map is
    not re-created and the view is kept; a fresh compile when ``key`` (workspace, basemap, language,
    switches, layers) changed or the change cannot be patched in place."""
    kept = ss.get("_map_base")
    if kept is not None and kept[0] == key:
        planned = plan_patch(kept[1], now, ss.get("_map_carried") or {}, allow)
        if planned is not None:
            ss["_map_carried"] = planned[1]
            return kept[1], planned[0]
    ss["_map_base"], ss["_map_carried"], ss["_map_bounds"] = (key, now), {}, bounds()
    return now, None


def _to_history(layer: str, fid: str, lang: str) -> None:
    if st.button(pick(TX["history"], lang), key="to_history"):
        ss["history_filter"] = {"layer": layer, "fid": fid}
        if HISTORY_PAGE.exists():
            st.switch_page("ui/history.py")


_save_position_first()
lang, adcode, names, q, stamp, data = common.workspace()
if ss.get("_adcode") != adcode:  # jurisdiction switched: reset view and selection
    ss["_adcode"], ss["view"], ss["goto"], ss["selected"] = adcode, None, None, None
    ss["filters"] = None  # the other workspace has other filter values
    for k in ("_map_pick", "_map_classes", "_search_applied", *FILTER_KEYS.values()):
        ss.pop(k, None)
_from_url(list(data))

base_id = st.sidebar.selectbox(t("basemap", lang), list(BASEMAP_LABELS), format_func=lambda b: pick(BASEMAP_LABELS[b], lang), key="basemap")
tdt_key = st.sidebar.text_input(t("tianditu_key", lang), value=os.environ.get("ONEMAP_TIANDITU_KEY", ""), type="password") if base_id == "tianditu" else None
try:
    base = basemap(base_id, tianditu_key=tdt_key, local_url=os.environ.get("ONEMAP_LOCAL_TILES"), lang=lang)
except ValueError as err:
    st.sidebar.warning(str(err))
    base = basemap("none")

filters = _filters_now()
if "_map_classes" in ss:  # hazard classes ticked in the map = the sidebar hazard filter
    ticked = ss.pop("_map_classes")
    if "geohazards" in ticked:
        filters = ss["filters"] = dataclasses.replace(filters, hazard_types=view.hazard_types_for(data, ticked["geohazards"], lang))
        ss.pop("f_hazard", None)  # the multiselect opens with the new filter

# the title and banner sit above the search, but are written once the layers are known
header = st.container()
query = st.text_input(t("search", lang), placeholder=t("search_hint", lang), key="search")
hits = ui_cache.search(adcode, stamp, q, query, lang)
if query and hits.empty:
    st.info(t("no_match", lang))
elif not hits.empty:
    c1, c2 = st.columns([4, 1])
    i = c1.selectbox(t("matches", lang), hits.index, format_func=lambda k: f"{hits.at[k, 'name']} · {hits.at[k, 'layer_label']}", key="hit")
    h = hits.loc[i]
    found = (query, h["layer"], h["fid"])
    if c2.button(t("zoom_to", lang), key="zoom_btn") or (len(hits) == 1 and ss.get("_search_applied") != found):
        ss["_search_applied"] = found  # a search selects once; later clicks replace it
        ss["view"] = ss["goto"] = ((float(h["lat"]), float(h["lon"])), view.zoom_for(h["minx"], h["miny"], h["maxx"], h["maxy"]))
        ss["selected"] = (h["layer"], h["fid"])
        ss[f"lyr_{h['layer']}"] = True  # the found feature's layer is shown (and ticked) from now on
        ss.pop("_map_pick", None)


counts = ui_cache.filtered_counts(adcode, stamp, q, filters)
if "_show_layer" in ss:  # a feature just added or restored: its layer is shown
    ss[f"lyr_{ss.pop('_show_layer')}"] = True
st.sidebar.subheader(t("layers", lang))
visible = []
for group, entries in view.layer_panel(data, lang).groups.items():
    st.sidebar.caption(group)
    for e in entries:
        key = f"lyr_{e.layer_id}"
        if e.count == 0:  # listed as empty, never ticked or drawn
            ss[key] = False
            st.sidebar.checkbox(f"{e.label} ({t('map_empty', lang)})", key=key, disabled=True)
            continue
        ss.setdefault(key, e.default_visible)
        if st.sidebar.checkbox(f"{e.label} ({counts.get(e.layer_id, e.count)})", key=key):
            visible.append(e.layer_id)

# collapsed panels render nothing until opened (fewer widgets before the first map paint); the
# chosen filters live in session state, so they keep applying while the panel is closed
filter_box = st.sidebar.expander(t("filters", lang), key="filters_open", on_change="rerun")
if filter_box.open:
    opts = ui_cache.filter_options(adcode, stamp, q)
    with filter_box:
        filters = ss["filters"] = view.Filters(
            hazard_types=tuple(st.multiselect(t("hazard_type", lang), opts["hazard_types"], default=filters.hazard_types, key="f_hazard",
                                              format_func=lambda v: view.kind_label("geohazards", v, lang))),
            project_status=tuple(st.multiselect(t("project_status", lang), opts["project_status"], default=filters.project_status,
                                                key="f_status", format_func=lambda v: pick(STATUS_LABELS.get(v, (v, v)), lang))),
            project_years=tuple(st.multiselect(t("project_year", lang), opts["project_years"], default=filters.project_years, key="f_year")),
            project_depts=tuple(st.multiselect(t("project_dept", lang), opts["project_depts"], default=filters.project_depts, key="f_dept")),
            facility_kinds=tuple(st.multiselect(t("facility_kind", lang), opts["facility_kinds"], default=filters.facility_kinds,
                                                key="f_fac", format_func=lambda v: view.kind_label("facilities", v, lang))),
        )
    counts = ui_cache.filtered_counts(adcode, stamp, q, filters)

with header:
    st.title(f"{t('app_title', lang)} · {names[adcode]}")
    common.banner(data, visible, lang)

if "_map_pick" in ss:  # a click in the map: the feature the map had under the cursor
    zoom_now = (ss.get("map") or {}).get("zoom") or 10
    ss["selected"] = view.resolve_pick(data, visible, ss.pop("_map_pick"), zoom=zoom_now, gcj02=base.gcj02, filters=filters)
sel = ss.get("selected")
if sel and not view.is_shown(data, visible, filters, *sel):  # its layer was hidden or a filter took it out
    sel = ss["selected"] = None
saved = ss.pop("_edit_reset", False)
if saved or ss.get("_edit_sel") != sel:  # a saved change, or another feature: a fresh form
    ss.update(EDIT_KEYS, **({"edit_reason": ""} if saved else {}))
    if not saved:
        ss.pop("edit_msg", None)  # the message of the last save stays with the feature it was about
    ss["_edit_sel"], ss["_edit_base"] = sel, stamp[1]  # the revision the user starts from: a change since is a conflict
pos, pos_err = _typed_position(lambda: view.county_area(data), base.gcj02)
mode = ss.get("edit_mode")
editing = {"mode": mode, "at": view.pin_at(pos.point, gcj02=base.gcj02) if pos else None,
           "text": pick(TX["hint_add" if mode == "add" else "hint_move"], lang)} if (mode or pos) else None

# every layer travels to the browser once, unfiltered; the in-map panel shows/hides them instantly. The
# map's own script opens with the spec defaults and depends on neither the sidebar list nor the filters,
# so a sidebar toggle or filter only changes the small visibility group that st_folium runs in the live
# map (no new map, view kept)
allow = ui_cache.filter_allow(adcode, stamp, q, filters)
shown_map, patch = _live_map(ui_cache.map_view(adcode, stamp, q, tuple(data), lang, base.gcj02), allow,
                             (adcode, base.id, lang, q, tuple(data)), lambda: ui_cache.bounds(adcode, stamp))
# st_folium moves the map whenever center/zoom change, so they change only on purpose: a search, or a
# rebuilt map (basemap, language) that should open where the user was looking
signature = (adcode, base.id, lang)
if ss.get("_signature") not in (None, signature) and ss.get("view"):
    ss["goto"] = ss["view"]
ss["_signature"] = signature
center, zoom = ss["goto"] if ss.get("goto") else (None, None)
fmap = assemble_map(shown_map.parts, bounds=ss["_map_bounds"], base=base, shown=[k for k in data if view.get_spec(k).default_visible])
ss["map_spec"] = {"adcode": adcode, "basemap": base.id, "layers": {k: counts[k] for k in data if k in visible}}
live = visibility_group(visible, allow, classes=view.class_ticks(data, filters, lang),
                        selected=ui_cache.selection(adcode, stamp, q, *sel, base.gcj02) if sel else None, editing=editing,
                        patch=patch_data(patch, lang))
col_map, col_info = st.columns([3, 1])
with col_map:
    out = st_folium(fmap, key="map", height=640, use_container_width=True, center=center, zoom=zoom, on_change=_from_map,
                    feature_group_to_add=live, returned_objects=["selected_tags", "zoom", "center", "bounds"])
if out and out.get("center") and out.get("zoom"):
    ss["view"] = ((out["center"]["lat"], out["center"]["lng"]), out["zoom"])
st.query_params["layers"] = ",".join(visible)
if ss.get("view"):
    (vlat, vlng), vzoom = ss["view"]
    st.query_params["view"] = f"{vlat:.5f},{vlng:.5f},{vzoom:g}"

with col_info:
    st.subheader(t("details", lang))
    if ss.get("edit_msg"):
        st.success(ss["edit_msg"])
    ws = ui_cache.handle(adcode, stamp)
    if sel:
        edited = view.last_edit(ws, *sel)
        st.table({k: v for k, v in view.feature_details(data, sel[0], sel[1], lang, edited=edited)})
        _to_history(*sel, lang)
    else:
        st.caption(t("click_hint", lang))
    _who_and_why(lang)
    if sel and view.editable(sel[0]):
        _edit_panel(sel[0], sel[1], pos, pos_err, ss["_edit_base"], adcode, lang)
    elif not sel:
        _add_panel(pos, pos_err, stamp[1], adcode, lang)
    _restore_panel(ws, stamp[1], adcode, lang)

b = (out or {}).get("bounds") or {}
view_ll = (b["_southWest"]["lng"], b["_southWest"]["lat"], b["_northEast"]["lng"], b["_northEast"]["lat"]) \
    if b.get("_southWest") and b["_southWest"].get("lng") is not None else None
export_panel.render(adcode, names[adcode], visible, lang, view_ll)
