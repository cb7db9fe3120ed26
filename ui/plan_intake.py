"""Page 规划入图: a plan (.txt/.docx/.pdf) -> its number, title and section tree -> the extracted rows, each
beside its source sentence with the place words marked -> accept, edit or reject per row or per group ->
the reviewed inventory saved for the workspace and drawn by the normal build (any county of the boundary
dataset). Logic: :mod:`layers.plans.extract`, :mod:`layers.views.planview`, :mod:`layers.jobs.planfiles`."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import GeoError, PermissionDeniedError
from layers.accounts import guard
from layers.catalog.i18n import pick
from layers.catalog.specs import PLAN_LAYERS, get_spec
from layers.jobs.build import BuildResult, build_workspace
from layers.jobs.planfiles import save_plan
from layers.store.workspace import buildable, store
from layers.views import planview as pv
from layers.views.historyview import message_md
from ui import auth, common, ui_cache

UPLOAD_MB = 20
TX = {
    "title": ("规划入图", "Plan to map"),
    "target": ("规划所属区县(可选未建立工作区的区县)", "County of the plan (one without a workspace yet is fine)"),
    "new": ("尚未建立:保存后按规划建立工作区(乡镇驻地来自地名库,位置为近似,导入本地数据后替换)。",
            "Not built yet: saving builds its workspace from the plan (township seats from the gazetteer, "
            "positions approximate until its own data is imported)."),
    "upload": ("上传规划文本(.txt、.docx 或文字版 .pdf)", "Upload the plan (.txt, .docx or a text .pdf)"),
    "doc": ("文号", "Document number"), "doc_title": ("标题", "Title"),
    "sections": ("章节结构({n} 节)", "Sections ({n})"),
    "rows": ("提取结果:{n} 行,已采纳 {a} 行。勾选“采纳”、直接改单元格;原文句子只用于核对,不保存。",
             "Extracted: {n} rows, {a} accepted. Tick “Accept”, edit cells in place; the sentences are for checking only and are not saved."),
    "none": ("没有提取到可上图的条目。", "Nothing to map was found in this text."),
    "group_by": ("按组处理", "Per group"), "by_layer": ("按图层", "by layer"), "by_section": ("按章节", "by section"),
    "group": ("组", "Group"), "all": ("全部行", "All rows"),
    "accept": ("采纳", "Accept"), "reject": ("不采纳", "Reject"),
    "highlight": ("原文对照(地名高亮)", "Source sentences (place words highlighted)"),
    "user": ("操作人", "Your name"),
    "save": ("保存清单并生成地图", "Save the inventory and build the map"),
    "need": ("请填写文号和操作人,并至少采纳一行。", "Enter the document number and your name, and accept at least one row."),
    "done": ("已保存 {doc}({n} 行)并生成 {name} 的地图:{total} 个要素。", "Saved {doc} ({n} rows) and built the map of {name}: {total} features."),
    "unmapped": ("未上图的条目({n} 个)及原因", "Items not on the map ({n}) and why"),
    "to_map": ("到风险一张图查看", "See them on the map"),
    "reason": ("原因", "Reason"), "name": ("名称", "Name"), "fid": ("编号", "ID"),
    "unreadable": ("无法读取 {file}:{err}。请另存为 UTF-8 文本、.docx 或文字版 PDF 后重新上传。",
                   "{file} cannot be read: {err}. Save it as UTF-8 text, .docx or a text PDF and upload it again."),
}
ss = st.session_state


def _target(lang: str, default: str) -> str:
    """The county the plan belongs to: any buildable one, the sidebar's by default."""
    units = buildable()
    codes = sorted(units)
    built = {a for a, _, _ in ui_cache.workspaces()}
    ss.setdefault("pi_adcode", default if default in units else codes[0])
    adcode = st.selectbox(pick(TX["target"], lang), codes, key="pi_adcode",
                          format_func=lambda a: f"{units[a]['name']} ({a})" + ("" if a in built else " ·"))
    if adcode not in built:
        st.caption(pick(TX["new"], lang))
    return adcode


def _upload(lang: str) -> tuple[str, bytes] | None:
    """(name, bytes) of the plan; ``ss["plan_upload"]`` stands in for the uploader (AppTest cannot drive it)."""
    if ss.get("plan_upload"):
        return ss["plan_upload"]
    f = st.file_uploader(pick(TX["upload"], lang), type=["txt", "docx", "pdf"], key=f"pi_file_{ss.get('pi_nonce', 0)}",
                         max_upload_size=UPLOAD_MB)
    return (f.name, f.getvalue()) if f else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _extract(digest: str, adcode: str, name: str, _raw: bytes):  # noqa: ANN202
    """(text, extraction) of one upload for one county; the file is read from a private temp folder."""
    from layers.plans import extract as ex

    with tempfile.TemporaryDirectory(prefix="onemap-plan-") as tmp:
        path = Path(tmp) / Path(name).name
        path.write_bytes(_raw)
        text = ex.read_plan(path)
    return text, ex.extract_plan(text, adcode=adcode, key="new")


def _review(text: str, rows: pd.DataFrame, digest: str, lang: str) -> pd.DataFrame:
    """The review table (decisions kept across reruns; a group action starts a fresh editor)."""
    if ss.get("pi_digest") != digest:
        ss.pop("pi_done", None)
        ss["pi_digest"], ss["pi_review"], ss["pi_ed"] = digest, pv.review_frame(rows, text, lang), 0
    c1, c2, c3, c4 = st.columns([2, 3, 1, 1], vertical_alignment="bottom")
    by = c1.radio(pick(TX["group_by"], lang), pv.GROUPS, horizontal=True, key="pi_by",
                  format_func=lambda g: pick(TX["by_layer" if g == "layer" else "by_section"], lang))
    groups = [None, *pv.group_values(ss["pi_review"], by)]
    value = c2.selectbox(pick(TX["group"], lang), groups, key="pi_group",
                         format_func=lambda g: pick(TX["all"], lang) if g is None else _group_label(g, by, lang))
    for col, accept in ((c3, True), (c4, False)):
        if col.button(pick(TX["accept" if accept else "reject"], lang), key=f"pi_{'acc' if accept else 'rej'}"):
            ss["pi_review"] = pv.set_group(_edited(), by, value, accept)
            ss["pi_ed"] += 1
            st.rerun()
    return _editor(lang)


def _editor(lang: str) -> pd.DataFrame:
    base = ss["pi_review"]
    labels = {c: pick(pv.COLUMN_LABELS[c], lang) for c in base.columns if c in pv.COLUMN_LABELS}
    cfg = {c: st.column_config.TextColumn(labels[c], disabled=c not in pv.EDITABLE) for c in base.columns if c in labels and c != pv.ACCEPT}
    cfg[pv.ACCEPT] = st.column_config.CheckboxColumn(labels[pv.ACCEPT])
    cfg["layer"] = st.column_config.SelectboxColumn(labels["layer"], options=pv.layer_options(lang), required=True)  # 水库, not ids
    cfg[pv.SENTENCE] = st.column_config.TextColumn(labels[pv.SENTENCE], disabled=True, width="large")
    out = st.data_editor(base, column_config=cfg, hide_index=True, width="stretch", key=f"pi_editor_{ss['pi_ed']}",
                         column_order=[pv.ACCEPT, "fid", "layer", "kind", "name", "count", "township", pv.SENTENCE, pv.MATCH,
                                       "location_hint", "action", "year", "budget_wan", "lead_dept", "status", "target", "source_section", "note"])
    ss["pi_current"] = out
    return out


def _edited() -> pd.DataFrame:
    return ss.get("pi_current", ss["pi_review"])


def _group_label(g: str, by: str, lang: str) -> str:
    if by == "layer" and g in PLAN_LAYERS:
        spec = get_spec(g)
        return pick((spec.zh, spec.en), lang)
    return g


def _sentences(text: str, rows: pd.DataFrame, lang: str) -> None:
    with st.expander(pick(TX["highlight"], lang)):
        st.html(pv.sentences_html(rows, text))  # escaped piece by piece, then marked


def _save(adcode: str, review: pd.DataFrame, doc: str, title: str, lang: str) -> None:
    accepted, _ = pv.counts(review)
    user = auth.signed_by(pick(TX["user"], lang), "pi_user")
    ready = bool(accepted and doc.strip() and user)
    if not ready:
        st.caption(pick(TX["need"], lang))
    if not st.button(pick(TX["save"], lang), key="pi_save", type="primary", disabled=not ready):
        return
    try:
        with st.spinner("…"):
            guard.require_admin(store(), user, ("加入规划并生成地图", "add a plan and build the map"))  # before the plan file is saved
            saved = save_plan(adcode, pv.reviewed_inventory(review), doc_number=doc, title=title)
            result = build_workspace(adcode, user=user, reason=f"规划入图 {saved.doc_number}")
    except PermissionDeniedError as err:
        st.error(message_md(err, lang))  # the account name is data
        return
    except GeoError as err:
        st.error(str(err))
        return
    ss["user_name"] = user
    ss["pi_done"] = _done(saved.doc_number, saved.rows, result, lang)
    ui_cache.workspaces.clear()
    ss["pi_goto"] = adcode
    st.rerun()


def _done(doc: str, n: int, result: BuildResult, lang: str) -> dict:
    unmapped = result.unmapped[result.unmapped["source_doc"] == doc]
    total = sum(v for k, v in result.counts.items() if k != "risk_townships")
    return {"message": pick(TX["done"], lang).format(doc=doc, n=n, name=buildable()[result.adcode]["name"], total=total),
            "unmapped": unmapped[["fid", "name", "reason"]].astype(str).to_dict("records")}


def _show_done(lang: str) -> None:
    done = ss["pi_done"]  # kept (with its button) until another plan is uploaded
    st.success(done["message"])
    if done["unmapped"]:
        st.subheader(pick(TX["unmapped"], lang).format(n=len(done["unmapped"])))
        st.dataframe(pd.DataFrame(done["unmapped"]).rename(columns={c: pick(TX[c], lang) for c in ("fid", "name", "reason")}),
                     hide_index=True, width="stretch")
    if st.button(pick(TX["to_map"], lang), key="pi_to_map"):
        st.switch_page("ui/map.py")


if "pi_goto" in ss:  # after a build: the sidebar shows the county the plan was added to
    ss["adcode"] = ss.pop("pi_goto")
lang, sidebar_adcode, _ = common.sidebar()
st.title(pick(TX["title"], lang))
if "pi_done" in ss:
    _show_done(lang)
adcode = _target(lang, sidebar_adcode)
upload = _upload(lang)
if upload is not None:
    name, raw = upload
    digest = hashlib.sha256(raw).hexdigest()
    try:
        text, found = _extract(digest, adcode, name, raw)
    except (GeoError, OSError, ValueError) as err:
        st.error(pick(TX["unreadable"], lang).format(file=Path(name).name, err=err))
        st.stop()
    c1, c2 = st.columns([1, 2])
    doc = c1.text_input(pick(TX["doc"], lang), value=found.doc_number or "", key=f"pi_doc_{digest[:8]}")
    title = c2.text_input(pick(TX["doc_title"], lang), value=found.title or "", key=f"pi_title_{digest[:8]}")
    lines = pv.section_lines(found.sections)
    with st.expander(pick(TX["sections"], lang).format(n=len(lines))):
        st.text("\n".join(lines))
    if not len(found.rows):
        st.info(pick(TX["none"], lang))
        st.stop()
    review = _review(text, found.rows, f"{digest}{adcode}", lang)
    accepted, total = pv.counts(review)
    st.caption(pick(TX["rows"], lang).format(n=total, a=accepted))
    _sentences(text, found.rows, lang)
    _save(adcode, review, doc, title, lang)
