"""Roles checked in the logic layer, by library call, for every write funnel: edits (edit, add, delete,
restore), undo and revert, import, build and the risk recompute. With accounts on, a write by an account
without the right raises PermissionDeniedError naming the account, the layer/feature and the fix, and
the workspace keeps its revision; with none (and ONEMAP_AUTH unset) everything works as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import Point

from geo.errors import PermissionDeniedError
from layers.accounts.accounts import Accounts
from layers.accounts.scope import Grant, department_layers
from layers.analysis.riskstore import recompute_risk
from layers.edits import edit
from layers.edits import history as h
from layers.imports.importer import commit_import, plan_import
from layers.jobs.build import build_workspace
from layers.store.workspace import open_workspace, store
from tests.ledgers import hazard_ledger_xlsx

ADCODE = "500231"
RES = "dj21-018"  # 全胜水库
FIRE_STATION = "dj21-084"  # 县消防救援大队 (facilities, fire_brigade)
FLOOD_AREA = "dj21-061"  # 三溪镇市级防洪薄弱点 (facilities, flood_key_area)
SCENIC = "dj21-044"  # 恺之峰旅游区 (forest_fire)
HAZARD_GUIYANG, HAZARD_TWO_TOWNS = "dj21-030", "dj21-027"  # 桂阳街道; 澄溪镇;沙坪镇
PLACE = Point(107.40, 30.30)
PW = "password-1234"
NOTHING = r"没有写入任何内容。 / "


@pytest.fixture
def accounts(private_workspaces: Path) -> Accounts:
    acc = Accounts.of(store())
    acc.add("admin", Grant("admin"), PW)
    acc.add("viewer", Grant("viewer"), PW)
    acc.add("林业", Grant("editor", department_layers("林业局")), PW)
    acc.add("水利", Grant("editor", department_layers("水利局")), PW)
    acc.add("桂阳", Grant("editor", ("geohazards",), ("桂阳街道",)), PW)
    return acc


def _refused(call, match: str) -> None:  # noqa: ANN001
    before = open_workspace(ADCODE).revision
    with pytest.raises(PermissionDeniedError, match=match):
        call(open_workspace(ADCODE))
    assert open_workspace(ADCODE).revision == before  # nothing written


def test_without_accounts_any_name_writes(private_workspaces: Path) -> None:
    cs = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="张三", reason="核实")
    assert cs.user == "张三"


def test_an_unknown_or_disabled_account_is_refused(accounts: Accounts) -> None:
    _refused(lambda ws: edit.edit_feature(ws, "reservoirs", RES, values={"status": "completed"}, user="张三", reason="r"),
             rf"^没有账户“张三”：写入需要以已有账户操作（页面上登录，命令行用 --user 账户名），管理员可用 python -m layers user add 添加账户。{NOTHING}"
             r"no account '张三': writes need an existing account")
    accounts.set_disabled("水利")
    _refused(lambda ws: edit.edit_feature(ws, "reservoirs", RES, values={"status": "completed"}, user="水利", reason="r"),
             rf"^账户“水利”已停用，不能写入：请联系管理员。{NOTHING}account 水利 is disabled and cannot write")


def test_auth_on_without_any_account_refuses_every_write(private_workspaces: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEMAP_AUTH", "local")
    _refused(lambda ws: edit.delete_feature(ws, "reservoirs", RES, user="张三", reason="r"), "^没有账户“张三”")


def test_a_viewer_may_not_edit(accounts: Accounts) -> None:
    _refused(lambda ws: edit.edit_feature(ws, "reservoirs", RES, values={"status": "completed"}, user="viewer", reason="r"),
             rf"^账户“viewer”（查看）只能查看和导出，不能修改 水库：请管理员授予编辑权限（账户管理页，或 python -m layers user role viewer editor "
             rf"--layers reservoirs）。{NOTHING}account viewer \(viewer\) may look and export but not change Reservoirs")


def test_an_editor_writes_its_layers_only(accounts: Accounts) -> None:
    cs = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="水利", reason="核实")
    assert cs.user == "水利"
    _refused(lambda ws: edit.edit_feature(ws, "reservoirs", RES, values={"status": "planned"}, user="林业", reason="r"),
             rf"^账户“林业”（编辑：forest_fire, facilities:fire）无权修改 水库 中的要素 全胜水库（{RES}）（类别 水库、乡镇 .+）：请管理员扩大范围"
             rf"（账户管理页，或 python -m layers user role 林业 editor --layers ...），或换用有权限的账户。{NOTHING}account 林业 "
             rf"\(editor: forest_fire, facilities:fire\) may not change feature {RES} of reservoirs \(kind reservoir, township .+\)")
    assert edit.edit_feature(open_workspace(ADCODE), "forest_fire", SCENIC, values={"status": "ongoing"}, user="林业", reason="r")


def test_facility_kinds_are_checked_before_and_after(accounts: Accounts) -> None:
    added = edit.add_feature(open_workspace(ADCODE), "facilities", geometry=PLACE, values={"name": "新消防站", "kind": "fire_brigade"},
                             user="林业", reason="新建")
    _refused(lambda ws: edit.add_feature(ws, "facilities", geometry=PLACE, values={"name": "避难场所", "kind": "shelter"}, user="林业",
                                         reason="r"), r"^账户“林业”.*无权修改 应急设施 中的要素 避难场所（edit-500231-\d+）（类别 避难场所、乡镇 ")
    _refused(lambda ws: edit.edit_feature(ws, "facilities", FIRE_STATION, values={"kind": "shelter"}, user="林业", reason="r"),
             rf"无权修改 应急设施 中的要素 县消防救援大队（{FIRE_STATION}）（类别 避难场所")  # the kind it would get
    _refused(lambda ws: edit.edit_feature(ws, "facilities", FLOOD_AREA, values={"kind": "fire_brigade"}, user="林业", reason="r"),
             rf"（{FLOOD_AREA}）（类别 防汛重点区域、乡镇 三溪镇）")  # the kind it has
    assert edit.edit_feature(open_workspace(ADCODE), "facilities", FLOOD_AREA, values={"status": "ongoing"}, user="水利", reason="r")
    fid = added.fids[0]
    gone = edit.delete_feature(open_workspace(ADCODE), "facilities", fid, user="林业", reason="重复")
    _refused(lambda ws: edit.restore_feature(ws, "facilities", fid, user="水利", reason="r"), rf"^账户“水利”.*（{fid}）（类别 消防/救援队站")
    assert edit.restore_feature(open_workspace(ADCODE), "facilities", fid, user="林业", reason="误删").id == gone.id + 1


def test_a_township_scope_holds_every_township_of_a_feature(accounts: Accounts) -> None:
    assert edit.edit_feature(open_workspace(ADCODE), "geohazards", HAZARD_GUIYANG, values={"status": "ongoing"}, user="桂阳", reason="r")
    _refused(lambda ws: edit.edit_feature(ws, "geohazards", HAZARD_TWO_TOWNS, values={"status": "ongoing"}, user="桂阳", reason="r"),
             rf"^账户“桂阳”（编辑：geohazards；乡镇 桂阳街道）无权修改 地质灾害 中的要素 .+（{HAZARD_TWO_TOWNS}）（类别 易发区、乡镇 澄溪镇;沙坪镇）")
    moved = Point(107.33, 30.33)  # 桂溪街道: a move out of the scope is refused by where it would be
    _refused(lambda ws: edit.add_feature(ws, "geohazards", geometry=moved, values={"name": "新点", "kind": "hazard_site"}, user="桂阳",
                                         reason="r"), r"（类别 灾害点、乡镇 桂溪街道）")


def test_undo_of_another_accounts_change_and_revert_need_an_admin(accounts: Accounts) -> None:
    mine = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="水利", reason="核实")
    accounts.add("水利2", Grant("editor", ("reservoirs",)), PW)
    _refused(lambda ws: h.undo(ws, mine.id, user="水利2", reason="r"),
             rf"^账户“水利2”（编辑：reservoirs）不能撤销 水利 的变更集 #{mine.id}：这需要管理员（admin）。{NOTHING}account 水利2 "
             rf"\(editor: reservoirs\) cannot undo changeset #{mine.id} of 水利: that needs an admin. Nothing was written.$")
    _refused(lambda ws: h.revert_to(ws, mine.revision - 1, user="水利", reason="r"),
             rf"^账户“水利”（编辑：reservoirs, rivers, facilities:flood）不能回到版本 {mine.revision - 1}：这需要管理员（admin）。")
    undone = h.undo(open_workspace(ADCODE), mine.id, user="水利", reason="撤回")  # one's own change
    assert h.undo(open_workspace(ADCODE), undone.id, user="admin", reason="恢复").user == "admin"
    assert h.revert_to(open_workspace(ADCODE), mine.revision - 1, user="admin", reason="回退").action == "revert"


def test_an_import_outside_the_scope_writes_nothing(accounts: Accounts, tmp_path: Path) -> None:
    path = tmp_path / "隐患点一览表.xlsx"
    path.write_bytes(hazard_ledger_xlsx([[1, "DJ-1", "黄家湾滑坡", "桂溪街道", "滑坡", 12, 107.35, 30.33],
                                         [2, "DJ-2", "石板沟崩塌", "桂阳街道", "崩塌", 5, 107.4167, 30.25]]))
    plan = plan_import(open_workspace(ADCODE), path, layer="geohazards")
    assert plan.committable
    _refused(lambda ws: commit_import(plan, user="水利", reason="r"),
             r"^账户“水利”.*无权修改 地质灾害 中的要素 黄家湾滑坡（DJ-1）（类别 灾害点、乡镇 桂溪街道）")
    _refused(lambda ws: commit_import(plan, user="桂阳", reason="r"), r"^账户“桂阳”.*黄家湾滑坡（DJ-1）（类别 灾害点、乡镇 桂溪街道）")
    assert commit_import(plan, user="admin", reason="一览表")["changeset"] is not None


def test_build_and_risk_recompute_need_an_admin(accounts: Accounts) -> None:
    _refused(lambda ws: build_workspace(ADCODE, user="林业"), rf"^账户“林业”（编辑：forest_fire, facilities:fire）不能生成工作区 {ADCODE}：这需要管理员")
    _refused(lambda ws: build_workspace(ADCODE), r"^没有账户“build”：写入需要以已有账户操作")
    _refused(lambda ws: recompute_risk(ADCODE, user="viewer"), rf"^账户“viewer”（查看）不能重算工作区 {ADCODE} 的乡镇风险：这需要管理员")
    assert len(recompute_risk(ADCODE, user="admin"))
