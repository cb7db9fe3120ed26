"""AppTest of the page 变更记录 on a private copy of the built 垫江 workspace: changes are made in code
(``Workspace.commit``), then the page lists them newest first, filters them, shows one feature's history,
undoes a change (a new changeset; the feature back byte for byte), returns to a revision, offers the log
as XLSX, and speaks English."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import Point
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from layers.store.gpkg import UserChange
from layers.store.workspace import open_workspace
from tests.app._pages import run_page

ADCODE = "500231"
ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "ui" / "history.py")
pytestmark = pytest.mark.usefixtures("private_workspaces")


def _move(name: str, layer: str, to: tuple[float, float] | None, *, user: str, reason: str, **values: object) -> str:
    """Move the feature called ``name`` and/or set ``values`` as one changeset; returns its fid."""
    ws = open_workspace(ADCODE)
    frame = ws.layer(layer)
    row = frame[frame["name"] == name].head(1).copy()
    if to is not None:
        row["geometry"] = [Point(*to)]
    for field, value in values.items():
        row[field] = value
    ws.commit([UserChange(layer, upsert=gpd.GeoDataFrame(row, crs=4490))], user=user, action="edit", reason=reason)
    return str(row["fid"].iloc[0])


def _wkb(layer: str, fid: str) -> bytes:
    frame = open_workspace(ADCODE).layer(layer)
    return frame[frame["fid"] == fid].geometry.iloc[0].wkb


def _two_changes() -> tuple[str, str]:
    """张三 moves 全胜水库 (reservoirs), then 李四 notes on the first hazard point of 桂阳街道 that it was checked."""
    res = _move("全胜水库", "reservoirs", (107.40, 30.30), user="张三", reason="现场核实 <b>位置</b>")
    hazards = open_workspace(ADCODE).layer("geohazards")
    name = hazards[hazards["township"] == "桂阳街道"]["name"].iloc[0]
    haz = _move(name, "geohazards", None, user="李四", reason="测绘队复核", note="已复核")  # stays in 桂阳街道
    return res, haz


def _run(lang: str = "zh", **state: object) -> AppTest:
    return run_page(PAGE, adcode=ADCODE, lang=lang, **state)


def _log(at: AppTest):  # noqa: ANN202
    return next(d.value for d in at.dataframe if d.value.columns[0] in ("变更集", "Changeset"))


def _markdown_text(at: AppTest) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning, *at.title, *at.subheader]
    return " ".join(str(p.value) for p in parts)


def test_the_log_lists_changes_newest_first_with_user_and_reason() -> None:
    _two_changes()
    at = _run()
    assert not at.exception and not at.error
    log = _log(at)
    revisions = [int(r) for r in log["版本"]]
    assert revisions == sorted(revisions, reverse=True) and revisions[0] == open_workspace(ADCODE).revision
    assert list(log["用户"][:2]) == ["李四", "张三"]
    assert list(log["原因"][:2]) == ["测绘队复核", "现场核实 <b>位置</b>"]
    assert "全胜水库" in log["要素"].iloc[1]
    assert "<b>" not in _markdown_text(at)  # data text reaches the page as plain text only
    assert at.button(key=f"hist_undo_{log['变更集'].iloc[0]}").label == "撤销"


def test_the_filters_narrow_the_log() -> None:
    _two_changes()
    at = _run()
    at.selectbox(key="hist_f_user").set_value("张三").run()
    assert list(_log(at)["用户"]) == ["张三"]
    at.selectbox(key="hist_f_user").set_value("").run()
    at.selectbox(key="hist_f_layer").set_value("geohazards").run()
    assert _log(at)["用户"].iloc[0] == "李四" and "张三" not in list(_log(at)["用户"])
    at.selectbox(key="hist_f_layer").set_value("").run()
    at.selectbox(key="hist_f_town").set_value("桂阳街道").run()
    assert "李四" in list(_log(at)["用户"]) and "张三" not in list(_log(at)["用户"])
    at.selectbox(key="hist_f_town").set_value("").run()
    today = dt.date.today()
    at.date_input(key="hist_f_dates").set_value((today - dt.timedelta(days=1), today + dt.timedelta(days=1))).run()
    assert {"张三", "李四"} <= set(_log(at)["用户"])
    at.date_input(key="hist_f_dates").set_value((today + dt.timedelta(days=1), today + dt.timedelta(days=2))).run()
    assert not at.exception and not [d for d in at.dataframe if d.value.columns[0] == "变更集"]
    assert "没有符合条件的变更。" in [c.value for c in at.caption]


def test_one_features_history_comes_from_the_details_panel() -> None:
    res, _ = _two_changes()
    _move("全胜水库", "reservoirs", (107.41, 30.31), user="王五", reason="再次核实")
    at = _run(history_filter={"layer": "reservoirs", "fid": res})
    assert not at.exception
    assert list(_log(at)["用户"]) == ["王五", "张三"]
    assert f"水库 · {res}" in [t.value for t in at.text]
    changed = next(d.value for d in at.dataframe if d.value.columns[0] == "字段")
    assert changed.iloc[0].tolist() == ["位置", "107.400000, 30.300000", "107.410000, 30.310000"]
    at.button(key="hist_show_all").click().run()
    assert "history_filter" not in at.session_state and "李四" in list(_log(at)["用户"])


def test_undo_is_a_new_changeset_and_the_feature_is_back_byte_for_byte() -> None:
    ws = open_workspace(ADCODE)
    fid = ws.layer("reservoirs").query("name == '全胜水库'")["fid"].iloc[0]
    original = _wkb("reservoirs", fid)
    _move("全胜水库", "reservoirs", (107.40, 30.30), user="张三", reason="现场核实")
    moved = open_workspace(ADCODE).changesets()[-1]
    at = _run()
    undo = at.button(key=f"hist_undo_{moved.id}")
    assert undo.disabled  # who and why are asked for
    at.text_input(key="editor").input("李四")
    at.text_input(key="hist_reason").input("误操作").run()
    at.button(key=f"hist_undo_{moved.id}").click().run()
    assert not at.exception and not at.error
    after = open_workspace(ADCODE)
    assert after.revision == moved.revision + 1
    newest = after.changesets()[-1]
    assert (newest.user, newest.reason) == ("李四", "误操作") and fid in (newest.fids or [])
    assert _wkb("reservoirs", fid) == original
    assert f"版本 {after.revision}" in at.success[0].value
    assert [int(r) for r in _log(at)["版本"]][:2] == [after.revision, moved.revision]  # history kept, not rewritten
    assert at.text_input(key="hist_reason").value == ""  # the form starts fresh
    assert at.session_state["hist_pick"] == newest.id and f"变更集 #{newest.id}(版本 {newest.revision})" in [h.value for h in at.subheader]


def test_undo_of_a_change_a_later_one_touched_shows_the_conflict_in_the_page_language() -> None:
    _move("全胜水库", "reservoirs", (107.40, 30.30), user="张三", reason="第一次")
    first = open_workspace(ADCODE).changesets()[-1]
    _move("全胜水库", "reservoirs", (107.41, 30.31), user="王五", reason="第二次")
    at = _run(lang="en", editor="李四")
    at.selectbox(key="hist_pick").set_value(first.id).run()
    at.text_input(key="hist_reason").input("wrong").run()
    at.button(key=f"hist_undo_{first.id}").click().run()
    assert not at.exception and len(at.error) == 1
    assert open_workspace(ADCODE).revision == first.revision + 1  # nothing written
    message = at.error[0].value
    assert "王五" in message and "。" not in message  # names the later change, in English only


def test_return_to_an_earlier_revision() -> None:
    start = open_workspace(ADCODE)
    res, haz = (start.layer(lid).query(q)["fid"].iloc[0] for lid, q in (("reservoirs", "name == '全胜水库'"),
                                                                          ("geohazards", "township == '桂阳街道'")))
    before = {f: _wkb(lid, f) for lid, f in (("reservoirs", res), ("geohazards", haz))}
    _two_changes()
    at = _run(editor="李四")
    at.selectbox(key="hist_rev").set_value(start.revision).run()
    at.text_input(key="hist_revert_reason").input("回到核实前").run()
    assert at.button(key="hist_revert").disabled  # confirm first
    at.checkbox(key="hist_revert_ok").check().run()
    at.button(key="hist_revert").click().run()
    assert not at.exception and not at.error
    now = open_workspace(ADCODE)
    assert now.revision == start.revision + 3 and now.changesets()[-1].reason == "回到核实前"
    assert {f: _wkb(lid, f) for lid, f in (("reservoirs", res), ("geohazards", haz))} == before


def test_the_xlsx_download_has_the_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    offered: dict[str, bytes] = {}
    keep = MemoryMediaFileStorage.load_and_get_id

    def record(self, data, mimetype, kind, filename=None):  # noqa: ANN001, ANN202
        file_id = keep(self, data, mimetype, kind, filename)
        offered[file_id] = data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    _two_changes()
    at = _run()
    button = at.get("download_button")[0]
    assert button.key == "hist_xlsx"
    book = openpyxl.load_workbook(io.BytesIO(offered[Path(button.proto.url).stem]))
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c is not None]
    assert "测绘队复核" in cells and "现场核实 <b>位置</b>" in cells and "李四" in cells


def test_english_page() -> None:
    _two_changes()
    at = _run(lang="en")
    assert not at.exception
    assert at.title[0].value.startswith("Change history")
    log = _log(at)
    assert list(log.columns) == ["Changeset", "Revision", "Time", "User", "Action", "Reason", "Layer", "Features", "Source file"]
    assert log["Layer"].iloc[0] == "Geohazards"
    assert at.button(key=f"hist_undo_{log['Changeset'].iloc[0]}").label == "Undo"


def test_the_page_is_in_the_navigation_and_keeps_the_editors_name() -> None:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["editor"] = "王五"  # typed in the map page's 编辑 panel
    at.switch_page("ui/history.py").run()
    assert not at.exception and at.title[0].value.startswith("变更记录")
    assert at.text_input(key="editor").value == "王五"
