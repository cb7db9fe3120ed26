"""AppTest of the login (``ONEMAP_AUTH=local``): the wall before the navigation, a wrong password, the
lock after five, who is logged in and logout in the sidebar, the idle expiry; the OIDC wall and the
role from the claim (no identity server needed); and the pages writing as the logged-in account, a
permission error shown in the page's language with nothing written."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from layers.accounts.accounts import Accounts
from layers.accounts.scope import Grant, department_layers
from layers.edits import edit
from layers.store.workspace import open_workspace, store
from tests.app._pages import run_page
from tests.ledgers import hazard_ledger_xlsx

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
ADCODE, RES = "500231", "dj21-018"
PW = "password-1234"


@pytest.fixture
def local(private_workspaces: Path, monkeypatch: pytest.MonkeyPatch) -> Accounts:
    monkeypatch.setenv("ONEMAP_AUTH", "local")
    acc = Accounts.of(store())
    acc.add("admin", Grant("admin"), PW)
    acc.add("水利", Grant("editor", department_layers("水利局")), PW)
    acc.add("看", Grant("viewer"), PW)
    return acc


def _login(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def _plain(text: str) -> str:
    """A message as the user reads it (the markdown escapes of the page taken off)."""
    return re.sub(r"\\(.)", r"\1", text)


def _sidebar_text(at: AppTest) -> str:
    return " ".join(t.value for t in at.sidebar.text)


def test_without_auth_there_is_no_wall(private_workspaces: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and "login_name" not in [w.key for w in at.text_input]
    assert "账户管理" not in " ".join(str(p) for p in at.session_state)  # nothing of the login


def test_the_wall_a_wrong_password_then_login_and_logout(local: Accounts) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and at.title[0].value == "县域风险一张图 · 登录"
    assert [w.label for w in at.text_input] == ["用户名", "密码"] and not at.sidebar.selectbox  # no page before the login
    _login(at, "水利", "wrong-password")
    assert _plain(at.error[0].value) == "用户名或密码错误：请重新输入（连续 5 次错误将锁定账户 15 分钟）。"
    assert "auth_user" not in at.session_state
    _login(at, "水利", PW)
    assert not at.exception and at.session_state["auth_user"] == "水利"
    assert "已登录：水利（编辑：reservoirs, rivers, facilities:flood）" in _sidebar_text(at)
    assert at.sidebar.selectbox(key="adcode").value == ADCODE  # the pages are there
    at.sidebar.button(key="logout").click().run()
    assert "auth_user" not in at.session_state and at.title[0].value == "县域风险一张图 · 登录"


def test_five_wrong_passwords_lock_with_the_time(local: Accounts) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    for _ in range(5):
        _login(at, "看", "wrong-password")
    assert _plain(at.error[0].value).startswith("账户“看”因连续 5 次密码错误已锁定，") and "解锁（约 15 分钟后）" in _plain(at.error[0].value)
    _login(at, "看", PW)
    assert "已锁定" in _plain(at.error[0].value) and "auth_user" not in at.session_state


def test_english_wall_and_messages(local: Accounts) -> None:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "County risk one-map · Log in" and [w.label for w in at.text_input] == ["User name", "Password"]
    _login(at, "nobody", "wrong-password")
    assert _plain(at.error[0].value).startswith("wrong user name or password: try again")


def test_an_idle_session_expires(local: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    _login(at, "admin", PW)
    assert at.session_state["auth_user"] == "admin"
    at.session_state["auth_seen"] = time.time() - 61 * 60
    at.run()
    assert "auth_user" not in at.session_state and at.title[0].value == "县域风险一张图 · 登录"
    assert _plain(at.warning[0].value) == "登录已过期（60 分钟无操作）：请重新登录。"


def test_a_reload_keeps_the_login_until_logout(local: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    _login(at, "水利", PW)
    token = at.session_state["auth_token"]
    frames = [str(e.proto) for e in at.sidebar if getattr(e, "type", None) == "iframe"]
    assert len(frames) == 1 and f"onemap_session={token}; path=/; SameSite=Strict" in frames[0]  # handed to the browser
    monkeypatch.setattr("ui.auth._cookie", lambda: token)  # the browser sends it back after a reload
    again = AppTest.from_file(APP, default_timeout=120).run()  # a reload is a new session
    assert not again.exception and again.session_state["auth_user"] == "水利"
    assert "已登录：水利（编辑：reservoirs, rivers, facilities:flood）" in _sidebar_text(again)
    again.sidebar.button(key="logout").click().run()
    frames = [str(e.proto) for e in again.sidebar if getattr(e, "type", None) == "iframe"]
    assert len(frames) == 1 and "onemap_session=; path=/; SameSite=Strict; max-age=0" in frames[0]  # told to forget it
    third = AppTest.from_file(APP, default_timeout=120).run()  # the old cookie no longer logs in
    assert "auth_user" not in third.session_state and third.title[0].value == "县域风险一张图 · 登录"


def test_a_reload_after_the_idle_minutes_asks_to_log_in_again(local: Accounts, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    token = local.open_session("看")
    local.touch_session(token, now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=61))
    monkeypatch.setattr("ui.auth._cookie", lambda: token)
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert "auth_user" not in at.session_state and at.title[0].value == "县域风险一张图 · 登录"
    assert _plain(at.warning[0].value) == "登录已过期（60 分钟无操作）：请重新登录。"


def test_a_disabled_account_is_logged_out(local: Accounts) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    _login(at, "水利", PW)
    local.set_disabled("水利")
    at.run()
    assert "auth_user" not in at.session_state and _plain(at.warning[0].value).startswith("账户“水利”已停用或删除")


def test_oidc_wall_and_claim(private_workspaces: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONEMAP_AUTH", "oidc")
    at = AppTest.from_file(APP, default_timeout=120)
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception and at.info[0].value == "请用单位统一身份认证登录。" and at.button(key="oidc_login").label == "登录"
    at = AppTest.from_file(APP, default_timeout=120)
    at.user = {"is_logged_in": True, "email": "wang@dj.gov.cn", "groups": ["水利局"]}
    at.run()
    assert not at.exception and at.session_state["auth_user"] == "wang@dj.gov.cn"
    assert "已登录：wang@dj.gov.cn（编辑：reservoirs, rivers, facilities:flood）" in _sidebar_text(at)
    assert Accounts.of(store()).get("wang@dj.gov.cn").role == "editor"


def _pages(at: AppTest) -> set[str]:
    return {Path(str(info.get("script_path"))).name for info in at._registered_pages.values()}


def test_admins_alone_see_the_accounts_page(local: Accounts) -> None:
    at = AppTest.from_file(APP, default_timeout=120).run()
    _login(at, "水利", PW)
    assert "history.py" in _pages(at) and "accounts.py" not in _pages(at)
    at.sidebar.button(key="logout").click().run()
    _login(at, "admin", PW)
    assert "accounts.py" in _pages(at)
    at.switch_page("ui/accounts.py").run()
    assert not at.exception and at.title[0].value == "账户管理"


# --- the pages write as the logged-in account -------------------------------------------------------------
def test_import_page_refuses_an_account_outside_its_scope(local: Accounts) -> None:
    before = open_workspace(ADCODE).revision
    ledger = hazard_ledger_xlsx([[1, "DJ-1", "黄家湾滑坡", "桂溪街道", "滑坡", 12, 107.35, 30.33]])
    at = run_page(str(ROOT / "ui" / "data_import.py"), adcode=ADCODE, lang="en", auth_user="水利", auth_seen=time.time(),
                  import_upload=("隐患点一览表.xlsx", ledger))
    assert "imp_user" not in [w.key for w in at.text_input]  # the account, not a typed name
    at.text_input(key="imp_reason").input("ledger").run()
    at.button(key="imp_commit").click().run()
    assert not at.exception
    assert _plain(at.error[0].value).startswith("account 水利 (editor: reservoirs, rivers, facilities:flood) may not change feature DJ-1")
    assert "账户" not in _plain(at.error[0].value) and open_workspace(ADCODE).revision == before


def test_history_page_undo_of_another_accounts_change_needs_an_admin(local: Accounts) -> None:
    cs = edit.edit_feature(open_workspace(ADCODE), "reservoirs", RES, values={"status": "completed"}, user="admin", reason="核实")
    page = str(ROOT / "ui" / "history.py")
    at = run_page(page, adcode=ADCODE, lang="zh", auth_user="水利", auth_seen=time.time())
    assert "editor" not in [w.key for w in at.text_input]
    at.text_input(key="hist_reason").input("撤回").run()
    at.button(key=f"hist_undo_{cs.id}").click().run()
    assert not at.exception
    assert _plain(at.error[0].value).startswith(f"账户“水利”（编辑：reservoirs, rivers, facilities:flood）不能撤销 admin 的变更集 #{cs.id}")
    assert open_workspace(ADCODE).revision == cs.revision
    at = run_page(page, adcode=ADCODE, lang="zh", auth_user="admin", auth_seen=time.time())
    at.text_input(key="hist_reason").input("撤回").run()
    at.button(key=f"hist_undo_{cs.id}").click().run()
    assert not at.error and open_workspace(ADCODE).changesets()[-1].user == "admin"


def test_plan_intake_needs_an_admin(local: Accounts) -> None:
    plan = "垫江县应急规划\n垫府发〔2026〕9号\n一、防汛\n1. 实施全胜水库除险加固。\n"
    at = run_page(str(ROOT / "ui" / "plan_intake.py"), timeout=180, adcode=ADCODE, lang="zh", pi_adcode=ADCODE, auth_user="水利",
                  auth_seen=time.time(), plan_upload=("规划.txt", plan.encode("utf-8")))
    at.button(key="pi_acc").click().run()
    assert "pi_user" not in [w.key for w in at.text_input]
    at.button(key="pi_save").click().run()
    assert not at.exception
    assert _plain(at.error[0].value).startswith("账户“水利”（编辑：reservoirs, rivers, facilities:flood）不能加入规划并生成地图：这需要管理员")
    assert not (local.db.where.parent / "plans" / ADCODE).exists()  # the plan file was not saved
