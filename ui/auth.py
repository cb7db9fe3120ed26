"""Login for the pages (``ONEMAP_AUTH=local``: the login wall with user name and password;
``ONEMAP_AUTH=oidc``: Streamlit's own ``st.login`` with the role from a claim), the idle expiry of a
session, who is logged in and the logout control in the sidebar, and ``acting_user`` for the pages'
writes. With ``ONEMAP_AUTH`` unset nothing is shown and the pages keep their own name fields. The
checks themselves are :mod:`layers.accounts`.

A local login survives a reload of the page: the login's random token goes to the browser as the session
cookie ``onemap_session`` (``SameSite=Strict``, ``Secure`` over https, gone when the browser closes) and a
new session resumes the login from it while the store says it is live (:meth:`Accounts.resume`); logout,
the idle minutes, a new password or disabling end it in the store, whatever the browser still holds."""

from __future__ import annotations

import json
import time

import streamlit as st

from geo.errors import PermissionDeniedError
from layers.accounts import guard
from layers.accounts.accounts import Account, Accounts
from layers.catalog.i18n import pick
from layers.store.workspace import store
from layers.views.historyview import md_escape, message_md

TX = {
    "title": ("县域风险一张图 · 登录", "County risk one-map · Log in"),
    "name": ("用户名", "User name"), "password": ("密码", "Password"), "login": ("登录", "Log in"),
    "need": ("请输入用户名和密码。", "Enter your user name and password."),
    "oidc": ("请用单位统一身份认证登录。", "Log in with your organisation's identity server."),
    "expired": ("登录已过期（{m:g} 分钟无操作）：请重新登录。", "Your session expired after {m:g} idle minutes: log in again."),
    "gone": ("账户“{name}”已停用或删除：请联系管理员。", "Account {name} is disabled or removed: ask an admin."),
    "who": ("已登录：{name}（{role}）", "Logged in: {name} ({role})"), "logout": ("退出登录", "Log out"),
}
ss = st.session_state
COOKIE = "onemap_session"
TOUCH_SECONDS = 30  # how often a used login's idle time is written to the store


def _accounts() -> Accounts:
    return Accounts.of(store())


def _cookie() -> str:
    """The login token the browser sent with this session's connection ("" when none)."""
    try:
        return str(st.context.cookies.get(COOKIE) or "")
    except (AttributeError, RuntimeError):  # no browser connection (bare script runs)
        return ""


def _hand_cookie() -> None:
    """Give the browser the token of a new login (or tell it to forget one): a script in an invisible
    frame of this origin sets ``document.cookie``; the token is data, passed as a JSON string."""
    if "auth_cookie" not in ss:
        return
    token = str(ss.pop("auth_cookie"))
    value = json.dumps(f"{COOKIE}={token}; path=/; SameSite=Strict" + ("" if token else "; max-age=0"))
    st.sidebar.iframe(f"<script>(function(){{var c={value};if(location.protocol==='https:'){{c+='; Secure';}}"
                      f"try{{window.parent.document.cookie=c;}}catch(e){{document.cookie=c;}}}})();</script>", width=1, height=1)


def gate(lang: str) -> Account | None:
    """Before navigation (app.py): with auth on, the login wall until someone logs in (the run stops
    there), the idle expiry, and who is logged in with the logout control; the account, or None when
    auth is off."""
    mode = guard.auth_mode()
    if not mode:
        return None
    _hand_cookie()
    acc = _oidc(lang) if mode == "oidc" else _local(lang)
    ss["auth_seen"] = time.time()
    _sidebar(acc, lang)
    return acc


def touch() -> None:
    """The session was used until now (app.py, after the page ran): idle time counts from the end of a run."""
    if "auth_user" in ss:
        ss["auth_seen"] = time.time()
        if "auth_token" in ss and time.time() - float(ss.get("auth_touched", 0)) > TOUCH_SECONDS:
            _accounts().touch_session(str(ss["auth_token"]))
            ss["auth_touched"] = time.time()


def acting_user(lang: str) -> str | None:
    """The logged-in account's name with auth on (the name every write of the page is made as); None
    with auth off (the page keeps its own name field). ``lang`` is for pages that show it."""
    return ss.get("auth_user") if guard.auth_mode() else None


def signed_by(label: str, key: str, *, where: object = st) -> str:
    """The name a page's write is made as: with login on the logged-in account (shown, not editable);
    otherwise the name typed in the field ``key`` (kept for the session, starting from a name given on
    another page). ``where`` is the container (``st`` or a column) the name is drawn in."""
    acting = ss.get("auth_user") if guard.auth_mode() else None
    if acting is not None:
        where.text(f"{label}: {acting}")  # type: ignore[attr-defined]
        return str(acting)
    if key not in ss:  # set once: writing a field's key on every run would overwrite what is being typed
        ss[key] = ss.get("user_name") or ss.get("editor") or ""
    return str(where.text_input(label, key=key)).strip()  # type: ignore[attr-defined]


def _expired(lang: str) -> bool:
    if "auth_user" in ss and guard.expired(float(ss.get("auth_seen", 0)), time.time()):
        logout()
        ss["auth_msg"] = pick(TX["expired"], lang).format(m=guard.session_minutes())
        return True
    return False


def logout() -> None:
    token = ss.pop("auth_token", None)
    if token:
        _accounts().close_session(str(token))
        ss["auth_cookie"] = ""
    for k in ("auth_user", "auth_seen", "auth_touched"):
        ss.pop(k, None)


def _resume(lang: str) -> None:
    """A new session (a reload, another tab) of a browser that holds a live login: logged in again."""
    token = _cookie()
    if not token or token == ss.get("auth_closed"):
        return
    acc, why = _accounts().resume(token, guard.session_minutes())
    if acc is None:
        ss["auth_closed"] = token  # asked once per session
        if why == "expired":
            ss["auth_msg"] = pick(TX["expired"], lang).format(m=guard.session_minutes())
        return
    _logged_in(acc.name, token)


def _logged_in(name: str, token: str) -> None:
    """This session is ``name``'s login ``token`` (used now: both idle clocks start here)."""
    ss["auth_user"], ss["auth_token"] = name, token
    ss["auth_seen"] = ss["auth_touched"] = time.time()


def _local(lang: str) -> Account:
    _expired(lang)
    if "auth_user" not in ss:
        _resume(lang)
    acc = _accounts().find(ss["auth_user"]) if "auth_user" in ss else None
    if acc is not None and acc.disabled:
        logout()
        ss["auth_msg"] = pick(TX["gone"], lang).format(name=acc.name)
        acc = None
    if acc is None:
        _wall(lang)
        st.stop()
    return acc


def _wall(lang: str) -> None:
    st.title(pick(TX["title"], lang))
    if "auth_msg" in ss:
        st.warning(md_escape(ss.pop("auth_msg")))
    with st.form("login_form", clear_on_submit=True):
        name = st.text_input(pick(TX["name"], lang), key="login_name")
        password = st.text_input(pick(TX["password"], lang), type="password", key="login_password")
        sent = st.form_submit_button(pick(TX["login"], lang), type="primary")
    if not sent:
        return
    if not (name.strip() and password):
        st.error(pick(TX["need"], lang))
        return
    try:
        acc = _accounts().login(name, password)
    except PermissionDeniedError as err:
        st.error(message_md(err, lang))
        return
    token = _accounts().open_session(acc.name, idle_minutes=guard.session_minutes())
    _logged_in(acc.name, token)
    ss["auth_cookie"] = token
    st.rerun()


def _oidc(lang: str) -> Account:
    if _expired(lang) and st.user.get("is_logged_in", False):
        st.logout()
    if not st.user.get("is_logged_in", False):
        st.title(pick(TX["title"], lang))
        if "auth_msg" in ss:
            st.warning(md_escape(ss.pop("auth_msg")))
        st.info(pick(TX["oidc"], lang))
        if st.button(pick(TX["login"], lang), key="oidc_login", type="primary"):
            st.login()
        st.stop()
    user = st.user.to_dict()
    name = str(user.get("email") or user.get("preferred_username") or user.get("sub") or "")
    try:
        acc = _accounts().sync(name, guard.grant_from_claims(user))
    except PermissionDeniedError as err:
        st.error(message_md(err, lang))
        if st.button(pick(TX["logout"], lang), key="oidc_logout"):
            st.logout()
        st.stop()
    ss["auth_user"] = acc.name
    return acc


def _sidebar(acc: Account, lang: str) -> None:
    st.sidebar.text(pick(TX["who"], lang).format(name=acc.name, role=acc.grant.describe(lang)))  # plain text: a name is data
    if st.sidebar.button(pick(TX["logout"], lang), key="logout"):
        logout()
        if guard.auth_mode() == "oidc":
            st.logout()
        st.rerun()
