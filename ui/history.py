"""Page 变更记录: every changeset of the workspace (who, when, what, why, before/after), filters, the
history of one feature (``session_state["history_filter"] = {"layer": L, "fid": F}``, set by the map
page's details panel), undo of a changeset and return to an earlier revision (each a new changeset:
history is never rewritten), and the log as XLSX. The logic is :mod:`layers.edits.history`."""

from __future__ import annotations

import folium
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from layers.catalog.i18n import pick, t
from layers.edits import history as hist
from layers.render.webmap import MapParts, assemble_map
from layers.store.workspace import Workspace, open_workspace
from layers.views import historyview as hv
from ui import auth, common, ui_cache

MAX_MAPS = 4  # features of one changeset drawn at once; more: pick one
CONTEXT = ("county", "townships")  # drawn under a small map, for orientation
TX = {
    "all": ("全部", "All"), "user_f": ("用户", "User"), "layer_f": ("图层", "Layer"), "town_f": ("乡镇", "Township"),
    "dates": ("日期范围", "Date range"),
    "feature_only": ("只显示一个要素的历史:", "Showing the history of one feature:"), "show_all": ("显示全部变更", "Show every change"),
    "count": ("共 {n} 条变更(最新在前)。", "{n} changes (newest first)."), "empty": ("没有符合条件的变更。", "No change matches."),
    "xlsx": ("下载变更记录 XLSX", "Download the log as XLSX"),
    "pick": ("查看变更集(或点表格中的一行)", "Changeset to look at (or click a row of the table)"),
    "detail": ("变更集 #{id}(版本 {rev})", "Changeset #{id} (revision {rev})"),
    "reason": ("原因:", "Reason: "), "source": ("来源文件:", "Source file: "),
    "no_features": ("此变更不涉及单个要素(如生成或风险重算)。", "This change lists no single features (a build or a risk recompute)."),
    "which": ("要素", "Feature"), "legend": ("小地图:灰色为修改前位置,红色为修改后位置,连线表示移动。",
                                          "Small maps: grey is before, red is after, a line shows a move."),
    "no_position": ("没有位置。", "No position."),
    "act_h": ("撤销与回到早先版本", "Undo, or return to an earlier revision"),
    "who": ("操作人(记入新的变更)", "Your name (recorded with the new change)"),
    "undo_h": ("撤销变更集 #{id}", "Undo changeset #{id}"), "why": ("撤销原因(必填)", "Reason for the undo (required)"),
    "undo": ("撤销", "Undo"), "need": ("请填写操作人和原因。", "Enter your name and a reason."),
    "need_who": ("请填写操作人。", "Enter your name."), "need_why": ("请填写原因。", "Enter a reason."),
    "not_undoable": ("此变更不能撤销(生成和风险重算由数据重新计算)。", "This change cannot be undone (builds and risk recomputes are derived)."),
    "undone": ("已撤销变更集 #{id}:新变更集 #{new},版本 {rev}。", "Changeset #{id} undone: new changeset #{new}, revision {rev}."),
    "revert_h": ("回到早先版本", "Return to an earlier revision"), "rev": ("版本", "Revision"),
    "revert_why": ("原因(必填)", "Reason (required)"),
    "confirm": ("确认:用户内容回到版本 {rev} 时的样子(作为一个新变更,可再撤销)",
                "Confirm: user content goes back to how it was at revision {rev} (as a new change, which can be undone)"),
    "revert": ("回到此版本", "Return to this revision"),
    "reverted": ("已回到版本 {to}:新变更集 #{new},版本 {rev}。", "Back at revision {to}: new changeset #{new}, revision {rev}."),
    "no_revisions": ("还没有可以回到的早先版本。", "There is no earlier revision to return to."),
}
ss = st.session_state


@st.cache_resource(show_spinner=False, max_entries=16)
def _entries(adcode: str, stamp: ui_cache.Stamp, filters: tuple[tuple[str, object], ...], _ws: Workspace) -> list[hist.Entry]:
    """The log at one revision with one set of filters (shared read-only by sessions and reruns)."""
    return hist.history(_ws, **dict(filters))


@st.cache_data(show_spinner=False, max_entries=8)
def _xlsx(adcode: str, stamp: ui_cache.Stamp, filters: tuple[tuple[str, object], ...], lang: str, _ws: Workspace) -> bytes:
    return hist.history_xlsx(_entries(adcode, stamp, filters, _ws), lang)


def _filters(changesets: list, data, lang: str) -> dict[str, object]:  # noqa: ANN001
    """The filter row; a feature's history (``history_filter``) fixes layer and fid."""
    every = pick(TX["all"], lang)
    c = st.columns([1, 1, 1, 1.6])
    user = c[0].selectbox(pick(TX["user_f"], lang), ["", *hv.users(changesets)], format_func=lambda v: v or every, key="hist_f_user")
    layer = c[1].selectbox(pick(TX["layer_f"], lang), ["", *hv.layers(changesets)], key="hist_f_layer",
                           format_func=lambda v: hv.layer_label(v, lang) if v else every)
    town = c[2].selectbox(pick(TX["town_f"], lang), ["", *hv.townships(data)], format_func=lambda v: v or every, key="hist_f_town")
    dates = tuple(c[3].date_input(pick(TX["dates"], lang), value=(), key="hist_f_dates"))  # (), (from,) or (from, until)
    out = {"user": user or None, "layer": layer or None, "township": town or None, "since": dates[0] if dates else None,
           "until": dates[1] if len(dates) > 1 else None, "fid": None}
    one = ss.get("history_filter")
    if one:
        out.update(layer=str(one["layer"]), fid=str(one["fid"]))
        st.info(pick(TX["feature_only"], lang))
        st.text(f"{hv.layer_label(out['layer'], lang)} · {out['fid']}")
        if st.button(pick(TX["show_all"], lang), key="hist_show_all"):
            ss.pop("history_filter", None)
            st.rerun()
    return out


def _row_picked() -> None:
    """A row clicked in the log table picks that changeset (callback, before the run)."""
    rows = ss["hist_log"]["selection"]["rows"]
    if rows and rows[0] < len(ss.get("history_shown", [])):
        ss["hist_pick"] = ss["history_shown"][rows[0]]


def _pick(entries: list[hist.Entry], lang: str) -> hist.Entry:
    """The changeset looked at: chosen in the list (newest by default)."""
    by_id = {e.changeset.id: e for e in entries}
    if "_hist_next_pick" in ss:
        ss["hist_pick"] = ss.pop("_hist_next_pick")
    if ss.get("hist_pick") not in by_id:
        ss["hist_pick"] = entries[0].changeset.id
    chosen = st.selectbox(pick(TX["pick"], lang), list(by_id), key="hist_pick", format_func=lambda i: _short(by_id[i], lang))
    return by_id[chosen]


def _short(e: hist.Entry, lang: str) -> str:
    c = e.changeset
    return f"#{c.id} · {hv.time_text(c.time)} · {c.user} · {hv.action_label(c.action, lang)}"


def _detail(entry: hist.Entry, focus: dict[str, object], context: MapParts, lang: str) -> None:
    c = entry.changeset
    st.subheader(pick(TX["detail"], lang).format(id=c.id, rev=c.revision))
    st.text(f"{hv.time_text(c.time)} · {c.user} · {hv.action_label(c.action, lang)} · {hv.layer_label(c.layer, lang)}")
    st.text(pick(TX["reason"], lang) + (c.reason or "—"))
    if c.source_name:
        st.text(pick(TX["source"], lang) + c.source_name + (f" (sha256 {c.source_sha256[:12]}…)" if c.source_sha256 else ""))
    feats = hv.focus(entry, focus.get("layer"), focus.get("fid"))
    if not feats:
        st.caption(pick(TX["no_features"], lang))
        return
    st.dataframe(hv.features_table(entry, lang), width="stretch", hide_index=True)
    if len(feats) > MAX_MAPS:
        i = st.selectbox(pick(TX["which"], lang), range(len(feats)), key=f"hist_feature_{c.id}",
                         format_func=lambda k: f"{feats[k].name or ''} ({feats[k].fid})")
        feats = [feats[i]]
    st.caption(pick(TX["legend"], lang))
    for i, fc in enumerate(feats):
        _feature(fc, f"hist_map_{c.id}_{i}", context, lang)


def _feature(fc: hist.FeatureChange, key: str, context: MapParts, lang: str) -> None:
    """One feature: the fields that changed, and a small map of its position before (grey) and after (red)."""
    st.text(" · ".join(x for x in (hv.layer_label(fc.layer, lang), fc.fid, fc.name, fc.township) if x))
    left, right = st.columns([3, 2])
    left.dataframe(hv.change_table(fc, lang), width="stretch", hide_index=True)
    mm = hv.mini_map(fc)
    if mm is None:
        right.caption(pick(TX["no_position"], lang))
        return
    fmap = assemble_map(context, bounds=mm.bounds)
    for shape in mm.shapes:  # geometry only: no data text goes into the map
        folium.GeoJson({"type": "Feature", "geometry": shape.geojson, "properties": {}},
                       marker=folium.CircleMarker(radius=7, color=shape.colour, weight=3, fill=True, fill_opacity=0.6),
                       style_function=lambda _, c=shape.colour: {"color": c, "weight": 3, "fill": False}).add_to(fmap)
    if mm.line:
        folium.PolyLine(list(mm.line), color=hv.LINE_COLOUR, weight=2, dash_array="6 4").add_to(fmap)
    with right:
        if mm.moved_m is not None:
            st.caption(hv.moved_text(mm.moved_m, lang))
        st_folium(fmap, key=key, height=220, use_container_width=True, returned_objects=[])


def _who(lang: str) -> str:
    st.subheader(pick(TX["act_h"], lang))
    return auth.signed_by(pick(TX["who"], lang), "editor")  # the map page's name field: one name per session


def _undo(entry: hist.Entry, adcode: str, user: str, lang: str) -> None:
    c = entry.changeset
    st.markdown(f"**{pick(TX['undo_h'], lang).format(id=c.id)}**")
    if not hv.undoable(entry):
        st.caption(pick(TX["not_undoable"], lang))
        return
    reason = st.text_input(pick(TX["why"], lang), key="hist_reason").strip()
    if not (user and reason):
        st.caption(_missing(user, reason, lang))
    if st.button(pick(TX["undo"], lang), key=f"hist_undo_{c.id}", type="primary", disabled=not (user and reason)):
        _write(lambda: hist.undo(open_workspace(adcode), c.id, user=user, reason=reason), user, lang,
               lambda new: pick(TX["undone"], lang).format(id=c.id, new=new.id, rev=new.revision))


def _missing(user: str, reason: str, lang: str) -> str:
    return pick(TX["need" if not (user or reason) else "need_why" if user else "need_who"], lang)


def _revert(changesets: list, adcode: str, user: str, lang: str) -> None:  # noqa: ANN001
    with st.expander(pick(TX["revert_h"], lang)):
        revs = hv.revisions(changesets)
        if not revs:
            st.caption(pick(TX["no_revisions"], lang))
            return
        by_rev = {c.revision: c for c in changesets}
        rev = st.selectbox(pick(TX["rev"], lang), revs, key="hist_rev", format_func=lambda r: hv.revision_label(by_rev[r], lang))
        reason = st.text_input(pick(TX["revert_why"], lang), key="hist_revert_reason").strip()
        sure = st.checkbox(pick(TX["confirm"], lang).format(rev=rev), key="hist_revert_ok")
        if not (user and reason):
            st.caption(_missing(user, reason, lang))
        if st.button(pick(TX["revert"], lang), key="hist_revert", disabled=not (user and reason and sure)):
            _write(lambda: hist.revert_to(open_workspace(adcode), rev, user=user, reason=reason), user, lang,
                   lambda new: pick(TX["reverted"], lang).format(to=rev, new=new.id, rev=new.revision))


def _write(action, user: str, lang: str, done) -> None:  # noqa: ANN001
    """Run one write; its error (a conflict names the later change) in the page language; on success a
    message for the next run, which shows the new revision and its changeset."""
    try:
        new = action()
    except GeoError as err:
        st.error(hv.md_escape(hv.half(str(err), lang)))
        return
    ss["user_name"] = user
    ss["hist_done"] = done(new)
    ss["_hist_next_pick"] = new.id  # the next run shows the new changeset itself
    ss["_hist_clear"] = True  # the next run empties the reasons before drawing them
    st.rerun()


lang, adcode, names, q, _, data = common.workspace()
stamp, ws = ui_cache.current(adcode)
st.title(f"{t('history_page', lang)} · {names[adcode]}")
if "hist_done" in ss:
    st.success(hv.md_escape(ss.pop("hist_done")))
if ss.pop("_hist_clear", False):  # after a write: the form starts fresh (set before the widgets exist)
    ss.update(hist_reason="", hist_revert_reason="", hist_revert_ok=False)
changesets = ws.changesets()
filters = _filters(changesets, data, lang)
key = tuple(sorted(filters.items()))
entries = _entries(adcode, stamp, key, ws)
ss["history_shown"] = [e.changeset.id for e in entries]
st.caption(pick(TX["count" if entries else "empty"], lang).format(n=len(entries)))
if entries:
    st.dataframe(hv.log_table(entries, lang), width="stretch", hide_index=True, key="hist_log", on_select=_row_picked,
                 selection_mode="single-row")
    st.download_button(pick(TX["xlsx"], lang), _xlsx(adcode, stamp, key, lang, ws), f"history_{adcode}.xlsx", key="hist_xlsx",
                       on_click="ignore")
    entry = _pick(entries, lang)
    _detail(entry, filters, ui_cache.map_parts(adcode, stamp, q, CONTEXT, lang, False), lang)
user = _who(lang)
if entries:
    _undo(entry, adcode, user, lang)
_revert(changesets, adcode, user, lang)
