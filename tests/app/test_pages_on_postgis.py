"""The pages over the PostgreSQL store (``ONEMAP_STORE``): the map page edits a reservoir, the live map
and the history page undoes the change; an editor of
another bureau is refused on the page and nothing is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from layers.store.workspace import open_workspace, store
from tests.app._pages import run_page

ROOT = Path(__file__).resolve().parents[2]
MAP, HISTORY = str(ROOT / "ui" / "map.py"), str(ROOT / "ui" / "history.py")
pytestmark = pytest.mark.usefixtures("private_postgis")


@pytest.fixture(autouse=True)
def _forget_the_workspace_list() -> Iterator[None]:
    yield
    from ui import ui_cache

    ui_cache.workspaces.clear()


def test_edit_on_the_map_page_then_undo_on_the_history_page() -> None:
    assert store().kind == "postgis"
    at = run_page(MAP, adcode="500231", lang="zh")
    at.text_input(key="search").input("全胜水库").run()
    layer, fid = at.session_state["selected"]
    at.text_input(key="edit_first").input("107.4")
    at.text_input(key="edit_second").input("30.3").run()
    at.text_input(key="editor").input("水利局 赵六")
    at.text_input(key="edit_reason").input("坝址核实")
    at.button(key="edit_save_pos").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    ws = open_workspace("500231")
    row = ws.layer(layer).set_index("fid").loc[fid]
    assert abs(row.geometry.x - 107.4) < 1e-6 and row["geometry_quality"] == "surveyed"
    cs = ws.changesets()[-1]
    assert (cs.user, cs.action) == ("水利局 赵六", "edit")
    hist = run_page(HISTORY, adcode="500231", lang="zh")
    assert not hist.exception
    hist.text_input(key="editor").input("水利局 赵六")
    hist.text_input(key="hist_reason").input("撤回核实").run()
    hist.button(key=f"hist_undo_{cs.id}").click().run()
    assert not hist.exception and not hist.error, [e.value for e in hist.error]
    back = open_workspace("500231")
    assert back.revision == cs.revision + 1 and back.changesets()[-1].action == "undo"
    assert abs(back.layer(layer).set_index("fid").loc[fid].geometry.x - 107.4) > 1e-4


def test_an_editor_of_another_bureau_is_refused_on_the_map_page_and_nothing_is_written() -> None:
    from layers.accounts.accounts import Accounts
    from layers.accounts.scope import Grant, department_layers

    Accounts.of(store()).add("林业局 王五", Grant("editor", department_layers("林业局")), "password-1234")
    before = open_workspace("500231").revision
    at = run_page(MAP, adcode="500231", lang="zh")
    at.text_input(key="search").input("全胜水库").run()
    at.text_input(key="edit_first").input("107.4")
    at.text_input(key="edit_second").input("30.3").run()
    at.text_input(key="editor").input("林业局 王五")
    at.text_input(key="edit_reason").input("试改")
    at.button(key="edit_save_pos").click().run()
    assert not at.exception
    assert at.error and "林业局 王五" in at.error[0].value and "/" not in at.error[0].value  # the page language only
    assert open_workspace("500231").revision == before
