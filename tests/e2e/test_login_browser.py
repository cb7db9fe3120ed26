"""Login in a real browser (``ONEMAP_AUTH=local``, accounts made here in a private copy of the 垫江
workspace folder): the wall before any page, a wrong password, login with who is logged in and the
accounts page for an admin, logout, and a session that expires after the idle minutes
(``ONEMAP_SESSION_MINUTES=0.25``: fifteen seconds)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import OfflinePage, app_over_copy
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.accounts.accounts import Accounts
from layers.accounts.scope import Grant
from layers.store.gpkg import GeoPackageStore

pytestmark = pytest.mark.e2e
PW = "password-1234"
WALL = "县域风险一张图 · 登录"


@pytest.fixture(scope="module")
def login_app(template_500231: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("login_e2e")
    Accounts.of(GeoPackageStore(folder)).add("admin", Grant("admin"), PW)
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(os.environ, "ONEMAP_AUTH", "local")
        mp.setitem(os.environ, "ONEMAP_SESSION_MINUTES", "0.25")
        yield from app_over_copy(template_500231, folder)


@pytest.fixture
def page(browser: object, login_app: str) -> Iterator[OfflinePage]:
    p = OfflinePage(browser, login_app)
    yield p
    p.page.close()


def _login(p: OfflinePage, name: str, password: str) -> None:
    p.page.get_by_label("用户名").fill(name)
    p.page.get_by_label("密码").fill(password)
    p.page.get_by_role("button", name="登录", exact=True).click()


def test_wall_wrong_password_login_logout_and_expiry(page: OfflinePage) -> None:
    p = page
    p.page.goto(p.url)
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)
    assert p.page.locator('[data-testid="stSidebarNav"]').count() == 0  # no page before the login
    _login(p, "admin", "wrong-password")
    p.page.get_by_text("用户名或密码错误：请重新输入").wait_for(timeout=30_000)
    _login(p, "admin", PW)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("已登录：admin（管理员）").wait_for(timeout=60_000)
    nav = p.page.locator('[data-testid="stSidebarNav"]')
    assert nav.get_by_text("账户管理", exact=True).count() == 1
    p.shot("login_admin")
    sidebar.get_by_role("button", name="退出登录").click()
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=30_000)
    _login(p, "admin", PW)
    p.map_frame()  # the map page has run
    # a page without a map (no rerun while idle). A click during a rerun can be lost: click again soon,
    # well inside the 15 s session (waiting 20 s for a lost click let the session expire before the page opened)
    for _ in range(8):
        nav.get_by_text("变更记录", exact=True).click()
        try:
            p.page.get_by_role("heading", name="变更记录 · 垫江县").wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError("变更记录 never opened")
    p.page.wait_for_timeout(18_000)
    sidebar.get_by_text("English", exact=True).click()
    p.page.get_by_role("heading", name="County risk one-map · Log in").wait_for(timeout=30_000)
    p.page.get_by_text("Your session expired after 0.25 idle minutes: log in again.").wait_for(timeout=10_000)
    assert p.blocked == []


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_screens_of_the_wall_and_the_accounts_page(page: OfflinePage, width: int) -> None:
    p = page
    p.page.set_viewport_size({"width": width, "height": 900})
    p.page.goto(p.url)
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)
    p.page.screenshot(path=str(p.shot(f"page_login_{width}")), full_page=True)
    _login(p, "admin", PW)
    nav = p.page.locator('[data-testid="stSidebarNav"]')
    nav.get_by_text("账户管理", exact=True).wait_for(timeout=60_000)
    for _ in range(3):  # a click during a rerun can be lost
        nav.get_by_text("账户管理", exact=True).click()
        try:
            p.page.locator('[data-testid="stTable"], [data-testid="stDataFrame"]').first.wait_for(timeout=20_000)
            break
        except PlaywrightTimeout:
            continue
    p.page.wait_for_timeout(800)
    p.page.screenshot(path=str(p.shot(f"page_accounts_{width}")), full_page=True)
    assert p.page.locator('[data-testid="stException"]').count() == 0 and p.blocked == []


def test_a_reload_keeps_the_login_and_logout_ends_it(page: OfflinePage, browser: object) -> None:  # noqa: ANN001
    p = page
    p.page.goto(p.url)
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)
    _login(p, "admin", PW)
    sidebar = p.page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("已登录：admin（管理员）").wait_for(timeout=60_000)
    for _ in range(50):  # the cookie is set by the run after the login
        cookies = {c["name"]: c for c in p.page.context.cookies()}
        if "onemap_session" in cookies:
            break
        p.page.wait_for_timeout(100)
    cookie = cookies["onemap_session"]
    assert cookie["sameSite"] == "Strict" and cookie["expires"] == -1 and len(cookie["value"]) >= 40  # gone with the browser
    p.page.reload()
    sidebar.get_by_text("已登录：admin（管理员）").wait_for(timeout=60_000)  # no wall after the reload
    assert p.page.get_by_role("heading", name=WALL).count() == 0
    other = OfflinePage(browser, p.url)  # another browser without the cookie: the wall
    try:
        other.page.goto(other.url)
        other.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)
        other.page.context.add_cookies([{**cookie, "value": "x" * 43}])  # a made-up token: the wall
        other.page.reload()
        other.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)
    finally:
        other.page.close()
    sidebar.get_by_role("button", name="退出登录").click()
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=30_000)
    p.page.reload()
    p.page.get_by_role("heading", name=WALL).wait_for(timeout=60_000)  # logged out stays logged out
    assert sidebar.get_by_text("已登录：admin（管理员）").count() == 0 and p.blocked == []
