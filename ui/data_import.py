"""Page 数据导入: a bureau's file into a workspace layer, through the same plan/commit as
``python -m layers import`` (upload -> options -> report and preview -> commit as one changeset)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError, PermissionDeniedError
from layers.catalog.i18n import pick
from layers.catalog.specs import get_spec
from layers.imports.columns import roles_for
from layers.imports.importer import DATUMS, MODES, ImportPlan, commit_import, crs_candidates, plan_import, problems_xlsx
from layers.imports.locate import Candidate
from layers.imports.read import EncodingSamples, encoding_samples
from layers.render.webmap import build_map
from layers.store.workspace import open_workspace
from layers.views import mapview as view
from layers.views.historyview import message_md
from ui import auth, common, ui_cache

UPLOAD_MB = 50  # as server.maxUploadSize (the importer itself refuses files over 200 MiB)
SUFFIXES = ["xlsx", "xls", "csv", "zip", "shp", "dbf", "shx", "prj", "cpg", "gpkg", "geojson", "json", "kml", "kmz"]
LAYERS = ("geohazards", "reservoirs", "facilities", "forest_fire", "projects", "rivers", "townships")
ENCODINGS = ("auto", "utf-8", "gbk")
AUTO = "auto"
CANDIDATE_COLOURS = ("#2c7bb6", "#7b3294", "#008837")
MAX_CANDIDATE_POINTS = 2000
TX = {
    "title": ("数据导入", "Data import"),
    "upload": ("上传文件(散装 shapefile 请同时选 .shp .dbf .shx .prj)", "Upload a file (for a loose shapefile pick .shp .dbf .shx .prj together)"),
    "limit": ("支持 xlsx、xls、csv、zip、shp、gpkg、geojson、kml、kmz;每个文件不超过 {mb} MB。",
              "xlsx, xls, csv, zip, shp, gpkg, geojson, kml, kmz; at most {mb} MB per file."),
    "layer": ("目标图层", "Target layer"), "mode": ("导入方式", "Mode"), "sheet": ("工作表(留空=第一个;all=全部)", "Sheet (empty = first; all = every sheet)"),
    "encoding": ("编码", "Encoding"), "crs": ("坐标系(auto 或 EPSG:N)", "CRS (auto or EPSG:N)"), "datum": ("基准", "Datum"),
    "append": ("追加:文件中的要素全部新增", "append: every row is added as a new feature"),
    "upsert": ("更新或新增:按编号或名称+乡镇匹配已有要素,匹配到的更新,其余新增,不确定的不写入",
               "upsert: rows matched by ID or name + township update that feature, the others are added, ambiguous ones are not written"),
    "replace": ("替换:隐藏该图层中同类的示意/合成/演示要素,写入文件中的要素",
                "replace: hides the approximate/synthetic/demo features of the file's kinds and adds the file's features"),
    "roles": ("列的含义(猜测及理由,可改)", "Column roles (guessed, with the reason; override below)"),
    "override": ("改为", "Set to"), "overridden": ("已改:{pairs}", "Set by hand: {pairs}"), "keep": ("(按猜测)", "(as guessed)"),
    "column": ("列", "Column"), "role": ("含义", "Role"), "reason": ("理由", "Reason"),
    "crs_chosen": ("坐标系 {crs},基准 {datum},{score} 的点落在县域内。", "CRS {crs}, datum {datum}; {score} of the points fall inside the county."),
    "no_crs": ("无法确定坐标系。", "The CRS could not be determined."),
    "candidates": ("其他候选坐标系", "Other CRS candidates"), "score": ("县内比例", "Share inside"),
    "counts": ("读取 {rows} 行,可写入 {features} 个要素,跳过 {skipped} 行,问题 {problems} 个;编码 {encoding}。",
               "{rows} rows read, {features} features to write, {skipped} rows skipped, {problems} problems; encoding {encoding}."),
    "enc_check": ("编码核对(文件未声明编码)", "Check the encoding (the file does not declare one)"),
    "enc_note": ("按字节判断为 {detected},导入时按此读取。下面是前几行分别按各编码解码的样子:中文正确的那一种才是对的;"
                 "若不是 {detected},请在上面的“编码”中改选。",
                 "Read as {detected}, decided from the bytes. Below are the first rows decoded each way: the one with readable "
                 "Chinese is right; if it is not {detected}, choose it under “Encoding” above."),
    "enc_as": ("按 {enc} 解码", "Decoded as {enc}"),
    "warnings": ("提示(不阻止导入)", "Notes (the import goes ahead)"),
    "towns": ("乡镇名称对照", "Township names, both ways"),
    "towns_file": ("文件中有、乡镇名单中没有的名称", "Names in the file that are not in the township list"),
    "towns_list": ("乡镇名单中有、文件中没有边界的乡镇", "Townships of the list the file has no boundary for"),
    "closest": ("最接近的名称", "Closest names"), "code": ("代码", "Code"), "outcome": ("处理", "What happens"),
    "towns_all": ("全部对上。", "All matched."), "name": ("名称", "Name"),
    "clipped": ("保留泰森多边形,扣除重叠", "keeps its Voronoi cell, overlap clipped"),
    "removed": ("泰森多边形全被覆盖,移除", "cell fully covered: removed"),
    "kept": ("保留现有图形", "keeps its current shape"), "unchanged": ("不变(可能重叠)", "unchanged (may overlap)"),
    "problems": ("校验问题", "Validation problems"), "none": ("没有发现问题。", "No problems found."),
    "xlsx": ("下载问题表 XLSX", "Download the problems as XLSX"),
    "matches": ("匹配结果", "Matches"), "update": ("更新", "Update"), "insert": ("新增", "Insert"), "ambiguous": ("不确定(不写入)", "Ambiguous (not written)"),
    "preview": ("预览", "Preview"),
    "legend_new": ("红色:将写入的 {n} 个{layer}要素(叠加在县界和当前图层上)", "Red: the {n} {layer} features to write (over the county and the current layer)"),
    "legend_moved": ("橙色虚线:{n} 个已有要素从原位置(灰圈)移到文件中的位置",
                     "Orange dashes: {n} existing features moved from where they are (grey rings) to the file's position"),
    "legend_clipped": ("灰色虚线:{n} 个乡镇的泰森多边形扣除重叠后的范围",
                       "Grey dashes: the Voronoi cells of {n} townships, clipped by the imported boundaries"),
    "legend_others": ("蓝、紫、绿圈:按其他候选坐标系读时的位置({labels})",
                      "Blue, purple and green rings: where the other CRS candidates would put the rows ({labels})"),
    "user": ("导入人", "Imported by"), "why": ("导入原因(必填)", "Reason (required)"), "go": ("导入", "Import"),
    "skip": ("跳过有问题的行(所列各行不写入)", "Skip the rows with problems (the listed rows are not written)"),
    "blocked": ("有 {n} 个问题:请改正文件,或勾选“跳过有问题的行”。", "{n} problems: fix the file, or tick “Skip the rows with problems”."),
    "blocked_file": ("文件本身有问题,无法导入。", "The file itself has a problem and cannot be imported."),
    "nothing": ("没有可写入的要素。", "Nothing to write."),
    "need": ("请填写导入人和导入原因。", "Enter who imports and why."),
    "done": ("已导入 {file}:变更集 {cs},版本 {rev},写入 {n} 个要素。", "Imported {file}: changeset {cs}, revision {rev}, {n} features written."),
}
# Words for the column roles; a layer's own fields take their labels from the layer spec.
ROLE_LABELS = {
    "fid": ("编号", "ID"), "name": ("名称", "Name"), "kind": ("类型", "Kind"), "township": ("乡镇(街道)", "Township"),
    "village": ("村(社区)", "Village"), "lon": ("经度", "Longitude"), "lat": ("纬度", "Latitude"),
    "x": ("X 东坐标(米)", "X easting (m)"), "y": ("Y 北坐标(米)", "Y northing (m)"),
    "lon_d": ("经度·度", "Longitude degrees"), "lon_m": ("经度·分", "Longitude minutes"), "lon_s": ("经度·秒", "Longitude seconds"),
    "lat_d": ("纬度·度", "Latitude degrees"), "lat_m": ("纬度·分", "Latitude minutes"), "lat_s": ("纬度·秒", "Latitude seconds"),
    "extra": ("其他(保留在来源记录中)", "Other (kept in the provenance)"),
}
PROBLEM_COLUMNS = {"sheet": ("工作表", "Sheet"), "row": ("行", "Row"), "field": ("列", "Field"), "value": ("值", "Value"),
                   "message": ("问题", "Message")}
ss = st.session_state


def _say(text: str, lang: str) -> str:
    """One language of the importer's "中文 / English" sentences."""
    zh, sep, en = text.partition(" / ")
    return (zh if lang == "zh" else en) if sep else text


def _upload(lang: str) -> list[tuple[str, bytes]]:
    """The uploaded files as (name, bytes); ``ss["import_upload"]`` (one pair or a list) stands in for the
    uploader (tests, and AppTest cannot drive it)."""
    given = ss.get("import_upload")
    if given:
        return [given] if isinstance(given[0], str) else list(given)
    files = st.file_uploader(pick(TX["upload"], lang), type=SUFFIXES, accept_multiple_files=True,
                             key=f"import_file_{ss.get('import_nonce', 0)}", max_upload_size=UPLOAD_MB)
    st.caption(pick(TX["limit"], lang).format(mb=UPLOAD_MB))
    return [(f.name, f.getvalue()) for f in files or []]


def _main_file(names: list[str]) -> str:
    """The file the importer opens: the .shp of a loose shapefile, else the first file."""
    return next((n for n in names if n.lower().endswith(".shp")), names[0])


def _options(lang: str) -> dict[str, object]:
    c1, c2, c3 = st.columns(3)
    layer = c1.selectbox(pick(TX["layer"], lang), LAYERS, key="imp_layer", format_func=lambda x: pick((get_spec(x).zh, get_spec(x).en), lang))
    modes = [m for m in MODES if not (layer == "townships" and m == "append")]  # boundaries are matched, never added twice
    if ss.get("imp_mode") not in modes:
        ss["imp_mode"] = "replace" if layer == "townships" else MODES[0]
    mode = c2.selectbox(pick(TX["mode"], lang), modes, key="imp_mode", format_func=lambda m: pick(TX[m], lang).split(":")[0])
    c2.caption(pick(TX[mode], lang))
    sheet = c3.text_input(pick(TX["sheet"], lang), key="imp_sheet").strip() or None
    d1, d2, d3 = st.columns(3)
    encoding = d1.selectbox(pick(TX["encoding"], lang), ENCODINGS, key="imp_encoding")
    crs = d2.text_input(pick(TX["crs"], lang), value=AUTO, key="imp_crs").strip() or AUTO
    datum = d3.selectbox(pick(TX["datum"], lang), DATUMS, key="imp_datum")
    return {"layer": layer, "mode": mode, "sheet": sheet, "encoding": encoding, "crs": crs, "datum": datum}


@st.cache_resource(show_spinner=False, max_entries=4)
def _plan(adcode: str, stamp: ui_cache.Stamp, digest: str, options: tuple[tuple[str, object], ...],
          _files: list[tuple[str, bytes]]) -> ImportPlan:
    """The plan for one upload (by sha256) and one set of options at one revision; the files are written
    to a private temp folder (never the workspace folder) for the reading and removed after it."""
    folder = Path(tempfile.mkdtemp(prefix="onemap-import-"))
    try:
        for name, raw in _files:
            (folder / Path(name).name).write_bytes(raw)
        main = _main_file([Path(n).name for n, _ in _files])
        return plan_import(open_workspace(adcode), folder / main, name=main, **dict(options))  # type: ignore[arg-type]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@st.cache_resource(show_spinner=False, max_entries=4)
def _samples(digest: str, _files: list[tuple[str, bytes]]) -> EncodingSamples | None:
    """The first rows of a shapefile or CSV without a declared encoding, decoded each way (None otherwise)."""
    folder = Path(tempfile.mkdtemp(prefix="onemap-import-"))
    try:
        for name, raw in _files:
            (folder / Path(name).name).write_bytes(raw)
        main = _main_file([Path(n).name for n, _ in _files])
        found = encoding_samples(folder / main, name=main)
    except GeoError:
        return None  # the plan names what is wrong with the file
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return found if found is not None and found.declared is None else None


def _encodings(found: EncodingSamples | None, lang: str) -> None:
    """Sample rows decoded each way, for a person to confirm the encoding decided from the bytes."""
    if found is None:
        return
    with st.expander(pick(TX["enc_check"], lang), expanded=True):
        st.caption(pick(TX["enc_note"], lang).format(detected=found.detected))
        for enc, frame in found.samples.items():
            st.text(pick(TX["enc_as"], lang).format(enc=enc))
            st.dataframe(frame.astype(str), width="stretch", hide_index=True)


def _overrides(digest: str) -> str | None:
    """``--columns`` text from the override selectboxes (cleared when another file is uploaded)."""
    if ss.get("imp_digest") != digest:
        for key in [k for k in ss if str(k).startswith("imp_role_")]:
            del ss[key]
        ss["imp_digest"] = digest
        return None
    pairs = [f"{c}={r}" for i, c in enumerate(ss.get("imp_columns", [])) if (r := ss.get(f"imp_role_{i}", AUTO)) != AUTO]
    return ",".join(pairs) or None


def role_label(role: str | None, layer: str, lang: str) -> str:
    """A column role in the user's words with its ``--columns`` name, e.g. ``经度 (lon)``, ``威胁人数 (threat_people)``."""
    if role is None:
        return "—"
    words = ROLE_LABELS.get(role) or next(((f.zh, f.en) for f in get_spec(layer).fields if f.name == role), None)
    return f"{pick(words, lang)} ({role})" if words else role


def _roles(plan: ImportPlan, overrides: str | None, lang: str) -> None:
    """The column roles with reasons, and one override selectbox per column (read by :func:`_overrides`)."""
    st.subheader(pick(TX["roles"], lang))
    guesses = plan.roles[0][1] if plan.roles else []
    st.dataframe(pd.DataFrame([(g.column, role_label(g.role, plan.layer, lang), _say(g.reason, lang)) for g in guesses],
                              columns=[pick(TX[c], lang) for c in ("column", "role", "reason")]), width="stretch", hide_index=True)
    choices = (AUTO, *roles_for(plan.layer))
    ss["imp_columns"] = [g.column for g in guesses]
    if overrides:  # plain text: column names come from the file
        pairs = [pair.rpartition("=") for pair in overrides.split(",")]
        st.text(pick(TX["overridden"], lang).format(pairs="; ".join(f"{c} → {role_label(r, plan.layer, lang)}" for c, _, r in pairs)))
    with st.expander(pick(TX["override"], lang)):
        cols = st.columns(4)
        for i, g in enumerate(guesses):
            cols[i % 4].selectbox(g.column, choices, key=f"imp_role_{i}",
                                  format_func=lambda r: pick(TX["keep"], lang) if r == AUTO else role_label(r, plan.layer, lang))


def _report(plan: ImportPlan, lang: str) -> list[Candidate]:
    """Counts, CRS and candidates, problems and matches; returns the other CRS candidates shown."""
    rep = plan.report()
    st.info(pick(TX["counts"], lang).format(rows=rep["rows_read"], features=rep["features"], skipped=len(rep["skipped"]),
                                            problems=len(rep["problems"]), encoding=rep["encoding"] or "—"))
    if rep["crs"]:
        score = "-" if rep["crs_score"] is None else f"{rep['crs_score']:.0%}"
        st.caption(pick(TX["crs_chosen"], lang).format(crs=rep["crs"], datum=rep["datum"], score=score))
    else:
        st.warning(pick(TX["no_crs"], lang))
    others = [c for c in crs_candidates(plan, 4) if (c.label, c.datum) != (rep["crs"], rep["datum"])][:3]
    if others:
        st.caption(pick(TX["candidates"], lang))
        st.dataframe(pd.DataFrame([(c.label, c.datum, f"{c.score:.0%}", _say(c.reason, lang)) for c in others],
                                  columns=["CRS", pick(TX["datum"], lang), pick(TX["score"], lang), pick(TX["reason"], lang)]),
                     width="stretch", hide_index=True)
    _problems(plan, rep["problems"], lang)
    _warnings(rep.get("warnings") or [], lang)
    if rep.get("townships"):
        _township_names(rep["townships"], lang)
    if plan.mode == "upsert":
        _matches(rep["matches"], lang)
    return others


def _problems(plan: ImportPlan, problems: list[dict], lang: str) -> None:
    st.subheader(pick(TX["problems"], lang))
    if not problems:
        st.caption(pick(TX["none"], lang))
        return
    df = pd.DataFrame(problems, columns=list(PROBLEM_COLUMNS)).astype(object)
    df = df.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x)) else str(x))  # text, never markup
    df["message"] = [_say(m, lang) for m in df["message"]]
    df.columns = [pick(PROBLEM_COLUMNS[c], lang) for c in PROBLEM_COLUMNS]
    st.dataframe(df, width="stretch", hide_index=True)
    st.download_button(pick(TX["xlsx"], lang), problems_xlsx(plan), f"{Path(plan.file).stem}_problems.xlsx",
                       key="imp_dl", on_click="ignore")


def _text_frame(rows: list[dict], columns: list[str], labels: list[str]) -> pd.DataFrame:
    """``rows`` as a table of plain text (file text is data, never markup)."""
    df = pd.DataFrame(rows, columns=columns).astype(object)
    df = df.map(lambda x: "" if x is None or (isinstance(x, float) and pd.isna(x)) else
                ("、".join(map(str, x)) if isinstance(x, list | tuple) else str(x)))
    df.columns = labels
    return df


def _warnings(warnings: list[dict], lang: str) -> None:
    if not warnings:
        return
    st.subheader(pick(TX["warnings"], lang))
    df = _text_frame(warnings, list(PROBLEM_COLUMNS), [pick(PROBLEM_COLUMNS[c], lang) for c in PROBLEM_COLUMNS])
    df.iloc[:, -1] = [_say(m, lang) for m in df.iloc[:, -1]]
    st.dataframe(df, width="stretch", hide_index=True)


def _township_names(towns: dict[str, list[dict]], lang: str) -> None:
    """Township boundary import: the file's names that are no township, and the townships without a boundary."""
    st.subheader(pick(TX["towns"], lang))
    in_file, in_list = towns.get("unmatched_in_file", []), towns.get("missing_from_file", [])
    if not in_file and not in_list:
        st.caption(pick(TX["towns_all"], lang))
        return
    c1, c2 = st.columns(2)
    c1.caption(pick(TX["towns_file"], lang) + f"({len(in_file)})")
    c1.dataframe(_text_frame(in_file, ["row", "name", "official_code", "closest"],
                             [pick(PROBLEM_COLUMNS["row"], lang), pick(TX["name"], lang), pick(TX["code"], lang), pick(TX["closest"], lang)]),
                 width="stretch", hide_index=True)
    c2.caption(pick(TX["towns_list"], lang) + f"({len(in_list)})")
    kept = [{"name": m["name"], "kept": pick(TX[m["kept"]], lang) if m["kept"] in TX else m["kept"]} for m in in_list]
    c2.dataframe(_text_frame(kept, ["name", "kept"], [pick(TX["name"], lang), pick(TX["outcome"], lang)]), width="stretch", hide_index=True)


def _matches(matches: dict[str, list[dict]], lang: str) -> None:
    st.subheader(pick(TX["matches"], lang))
    for col, group in zip(st.columns(3), ("update", "insert", "ambiguous"), strict=True):
        rows = matches.get(group, [])
        col.metric(pick(TX[group], lang), len(rows))
        if rows:
            col.dataframe(pd.DataFrame([(m["sheet"] or "", m["row"], str(m["name"] or ""), " ".join(m["fids"])) for m in rows],
                                       columns=[pick(PROBLEM_COLUMNS["sheet"], lang), pick(PROBLEM_COLUMNS["row"], lang), "name", "fid"]),
                          width="stretch", hide_index=True)


def _moves(plan: ImportPlan) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """(old, new) positions (lat, lon) of the existing features an upsert updates, where both are known."""
    updated = {f for m in plan.matches.get("update", []) for f in m["fids"]}
    if not updated or not len(plan.features):
        return []
    old = plan.ws.layer(plan.layer)
    old = old[old["fid"].astype(str).isin(updated) & old.geometry.notna() & ~old.geometry.is_empty]
    where = dict(zip(old["fid"].astype(str), old.geometry.representative_point(), strict=True))
    out = []
    for fid, geom in zip(plan.features["fid"].astype(str), plan.features.geometry, strict=True):
        if fid in where and geom is not None and not geom.is_empty:
            a, b = where[fid], geom.representative_point()
            out.append(((a.y, a.x), (b.y, b.x)))
    return out


def _preview(plan: ImportPlan, others: list[Candidate], data, adcode: str, stamp: ui_cache.Stamp, lang: str) -> None:  # noqa: ANN001
    st.subheader(pick(TX["preview"], lang))
    spec = get_spec(plan.layer)
    moves = _moves(plan)
    legend = [pick(TX["legend_new"], lang).format(n=len(plan.features), layer=pick((spec.zh, spec.en), lang))]
    clipped = plan.adjusted if plan.adjusted is not None and len(plan.adjusted) else None
    if moves:
        legend.append(pick(TX["legend_moved"], lang).format(n=len(moves)))
    if clipped is not None:
        legend.append(pick(TX["legend_clipped"], lang).format(n=len(clipped)))
    if others:
        legend.append(pick(TX["legend_others"], lang).format(labels=", ".join(c.label for c in others)))
    st.caption(";".join(legend) if lang == "zh" else "; ".join(legend))
    shown = view.display_frames(data, ["county", "townships", plan.layer], lang=lang)
    fmap = build_map(shown, bounds=ui_cache.bounds(adcode, stamp), lang=lang)
    if len(plan.features):  # geometry only: no file text goes into the map
        folium.GeoJson(plan.features[["geometry"]], name=pick(TX["preview"], lang),
                       marker=folium.CircleMarker(radius=6, color="#d7191c", fill=True, fill_opacity=0.9),
                       style_function=lambda _: {"color": "#d7191c", "weight": 3, "fillOpacity": 0.3}).add_to(fmap)
    if clipped is not None:  # geometry only
        folium.GeoJson(clipped[["geometry"]], style_function=lambda _: {"color": "#636363", "weight": 2, "dashArray": "6 4",
                                                                        "fillOpacity": 0.05}).add_to(fmap)
    for old, new in moves:
        folium.CircleMarker(old, radius=6, color="#636363", weight=2, fill=False).add_to(fmap)
        folium.PolyLine([old, new], color="#fd8d3c", weight=3, dash_array="6 4").add_to(fmap)
    for cand, colour in zip(others, CANDIDATE_COLOURS, strict=False):  # numbers only: where each other reading would put the rows
        group = folium.FeatureGroup(name=f"{pick(TX['candidates'], lang)}: {cand.label}", show=True)
        for lon, lat in list(zip(cand.lon, cand.lat, strict=True))[:MAX_CANDIDATE_POINTS]:
            if lon == lon and lat == lat:  # not NaN
                folium.CircleMarker((float(lat), float(lon)), radius=4, color=colour, weight=2, fill=False).add_to(group)
        group.add_to(fmap)
    ss["import_preview"] = {"layer": plan.layer, "features": len(plan.features), "moved": len(moves),
                            "clipped": 0 if clipped is None else len(clipped),
                            "candidates": [c.label for c in others]}
    st_folium(fmap, key="imp_map", height=480, use_container_width=True, returned_objects=[])


def _commit(plan: ImportPlan, lang: str) -> None:
    c1, c2 = st.columns(2)
    user = auth.signed_by(pick(TX["user"], lang), "imp_user", where=c1)
    reason = c2.text_input(pick(TX["why"], lang), key="imp_reason").strip()
    why = _blocked(plan, lang) or (None if user and reason else pick(TX["need"], lang))
    if why:
        st.caption(why)
    if st.button(pick(TX["go"], lang), key="imp_commit", type="primary", disabled=why is not None):
        try:
            done = commit_import(plan, user=user, reason=reason)
        except PermissionDeniedError as err:
            st.error(message_md(err, lang))  # the account name is data
            return
        except GeoError as err:
            st.error(str(err))
            return
        ss["user_name"] = user
        ss["import_done"] = pick(TX["done"], lang).format(file=plan.file, cs=done["changeset"], rev=done["revision"], n=done["features"])
        ss.pop("import_upload", None)
        ss["import_nonce"] = ss.get("import_nonce", 0) + 1
        st.rerun()


def _blocked(plan: ImportPlan, lang: str) -> str | None:
    if any(p.row is None for p in plan.problems):
        return pick(TX["blocked_file"], lang)
    if plan.problems and not plan.skip_invalid:
        return pick(TX["blocked"], lang).format(n=len(plan.problems))
    return None if plan.committable else pick(TX["nothing"], lang)


lang, adcode, names, q, stamp, data = common.workspace()
st.title(f"{pick(TX['title'], lang)} · {names[adcode]}")
if "import_done" in ss:
    st.success(ss.pop("import_done"))
files = _upload(lang)
options = _options(lang)
if files:
    skip = st.checkbox(pick(TX["skip"], lang), key="imp_skip")
    digest = hashlib.sha256(b"".join(hashlib.sha256(raw).digest() + name.encode() for name, raw in files)).hexdigest()
    stamp, _ = ui_cache.current(adcode)
    try:
        columns = _overrides(digest)
        plan = _plan(adcode, stamp, digest, tuple({**options, "skip_invalid": skip, "columns": columns}.items()), files)
    except GeoError as err:
        st.error(str(err))
        st.stop()
    _encodings(_samples(digest, files), lang)
    _roles(plan, columns, lang)
    ss["import_report"] = plan.report()
    _preview(plan, _report(plan, lang), data, adcode, stamp, lang)
    _commit(plan, lang)
