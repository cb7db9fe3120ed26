"""AppTest of the page 账户管理: refused to a non-admin and with login off, the accounts as a table (names
shown as text, never markup), add with a department preset, change role and scope, disable and enable,
reset a password; a bad value is said in the page's language and changes nothing."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.accounts.accounts import Accounts
from layers.accounts.scope import Grant
from layers.store.workspace import store
from tests.app._pages import run_page

PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "accounts.py")
PW = "password-1234"
EVIL = "<img src=x onerror=alert(1)>**[x](javascript:alert(1))**"


@pytest.fixture
def accounts(private_workspaces: Path, monkeypatch: pytest.MonkeyPatch) -> Accounts:
    monkeypatch.setenv("ONEMAP_AUTH", "local")
    acc = Accounts.of(store())
    acc.add("admin", Grant("admin"), PW)
    acc.add("看", Grant("viewer"), PW)
    return acc


def _run(user: str, lang: str = "zh") -> AppTest:
    return run_page(PAGE, lang=lang, auth_user=user, auth_seen=time.time())


def _plain(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _table(at: AppTest):  # noqa: ANN202
    return at.dataframe[0].value


def test_a_non_admin_is_refused(accounts: Accounts) -> None:
    at = _run("看")
    assert not at.exception and at.error[0].value == "只有管理员可以管理账户：请用管理员账户登录。" and not at.dataframe
    at = _run("看", lang="en")
    assert at.error[0].value == "Only an admin manages accounts: log in with an admin account."


def test_with_login_off_the_page_points_to_the_command(private_workspaces: Path) -> None:
    at = run_page(PAGE, lang="zh")
    assert at.info[0].value.startswith("未开启登录（ONEMAP_AUTH）：账户用命令行管理") and not at.dataframe


def test_add_with_a_preset_change_disable_and_reset(accounts: Accounts) -> None:
    at = _run("admin")
    assert not at.exception
    assert list(_table(at)["账户"]) == ["admin", "看"] and list(_table(at)["角色与范围"]) == ["管理员", "查看"]
    at.text_input(key="acc_new_name").input("林业局 王五")
    at.selectbox(key="acc_new_role").set_value("editor")
    at.selectbox(key="acc_new_dept").set_value("林业局")
    at.text_input(key="acc_new_towns").input("桂溪街道")
    at.text_input(key="acc_new_pw").input(PW)
    at.button(key="acc_add").click().run()
    assert not at.exception and not at.error
    assert _plain(at.success[0].value) == "已保存账户“林业局 王五”：添加。"
    made = accounts.get("林业局 王五")
    assert (made.role, made.layers, made.townships) == ("editor", ("forest_fire", "facilities:fire"), ("桂溪街道",))
    assert accounts.login("林业局 王五", PW).name == "林业局 王五"
    at.selectbox(key="acc_pick").set_value("林业局 王五").run()  # picked: the form shows its role and scope
    assert at.text_input(key="acc_edit_towns").value == "桂溪街道"
    at.selectbox(key="acc_edit_role").set_value("editor")
    at.multiselect(key="acc_edit_layers").set_value(["reservoirs", "facilities:flood"])
    at.text_input(key="acc_edit_towns").input("")
    at.button(key="acc_save_role").click().run()
    assert accounts.get("林业局 王五").layers == ("reservoirs", "facilities:flood") and accounts.get("林业局 王五").townships == ()
    at.selectbox(key="acc_pick").set_value("林业局 王五")
    at.button(key="acc_disable").click().run()
    table = _table(at)
    assert accounts.get("林业局 王五").disabled
    assert dict(zip(table["账户"], table["已停用"], strict=True)) == {"admin": False, "林业局 王五": True, "看": False}
    at.selectbox(key="acc_pick").set_value("林业局 王五")
    at.button(key="acc_enable").click().run()
    at.selectbox(key="acc_pick").set_value("林业局 王五")
    at.text_input(key="acc_reset_pw").input("new-password-9")
    at.button(key="acc_reset").click().run()
    assert accounts.login("林业局 王五", "new-password-9").disabled is False


@pytest.mark.parametrize(("lang", "name", "password", "message"), [
    ("zh", "x", "short", "密码太短（5 个字符）：至少 8 个字符"),
    ("en", "x", "short", "the password is too short (5 characters): use at least 8"),
    ("zh", "看", PW, "账户“看”已存在：改角色用 user role，改密码用 user passwd"),
    ("zh", " ", PW, "账户名 '' 不可用：应为 1–64 个可见字符，不含逗号和控制字符"),
])
def test_a_bad_value_is_said_in_the_page_language(accounts: Accounts, lang: str, name: str, password: str, message: str) -> None:
    at = _run("admin", lang)
    at.text_input(key="acc_new_name").input(name)
    at.text_input(key="acc_new_pw").input(password)
    at.button(key="acc_add").click().run()
    assert not at.exception and _plain(at.error[0].value) == message
    assert [a.name for a in accounts.list()] == ["admin", "看"]


def test_an_editor_without_layers_cannot_be_added(accounts: Accounts) -> None:
    at = _run("admin")
    at.selectbox(key="acc_new_role").set_value("editor").run()
    assert "编辑角色需要图层范围：请给出 --layers 或 --dept（如 --dept 林业局）" in " ".join(c.value for c in at.caption)
    at.text_input(key="acc_new_name").input("x")
    at.text_input(key="acc_new_pw").input(PW)
    at.button(key="acc_add").click().run()
    assert [a.name for a in accounts.list()] == ["admin", "看"]


def test_account_names_are_shown_as_text(accounts: Accounts) -> None:
    accounts.add(EVIL, Grant("viewer"), PW)
    at = _run("admin")
    assert EVIL in list(_table(at)["账户"])  # a table cell is text
    at.selectbox(key="acc_pick").set_value(EVIL)
    at.button(key="acc_disable").click().run()
    shown = at.success[0].value
    assert _plain(shown) == f"已保存账户“{EVIL}”：停用。"
    assert "<img" not in shown.replace("\\<", "") and "](" not in shown  # every markup character escaped


def test_the_form_shows_the_picked_accounts_role_and_the_last_admin_cannot_be_demoted(accounts: Accounts) -> None:
    """Round 2 found the form opening every account as 查看: one click on 保存 demoted the admin."""
    accounts.add("水利局 赵六", Grant("editor", ("reservoirs", "rivers"), ("桂溪街道",)), PW)
    at = _run("admin")
    at.selectbox(key="acc_pick").set_value("admin").run()
    assert at.selectbox(key="acc_edit_role").value == "admin"
    at.selectbox(key="acc_pick").set_value("水利局 赵六").run()
    assert at.selectbox(key="acc_edit_role").value == "editor"
    assert at.multiselect(key="acc_edit_layers").value == ["reservoirs", "rivers"]
    assert at.text_input(key="acc_edit_towns").value == "桂溪街道"
    at.selectbox(key="acc_pick").set_value("admin").run()
    at.selectbox(key="acc_edit_role").set_value("viewer").run()
    at.button(key="acc_save_role").click().run()
    assert "唯一启用的管理员" in at.error[0].value
    assert accounts.get("admin").role == "admin"
    at.button(key="acc_disable").click().run()
    assert "唯一启用的管理员" in at.error[0].value and not accounts.get("admin").disabled
