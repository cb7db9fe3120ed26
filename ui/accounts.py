"""Page 账户管理 (admins only; listed in the navigation for them alone): the accounts as a table, add
one, change its role and scope (or a department preset), disable or enable it, reset its password.
Every change is checked by :func:`layers.accounts.guard.require_admin` and made by
:class:`layers.accounts.accounts.Accounts`."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from layers.accounts import guard
from layers.accounts.accounts import Accounts
from layers.accounts.scope import DEPARTMENTS, KIND_GROUPS, ROLE_LABELS, ROLES, WRITABLE, Grant, parse_list
from layers.catalog.i18n import pick
from layers.store.workspace import store
from layers.views import mapview as view
from layers.views.historyview import md_escape, message_md
from ui import auth

TX = {
    "title": ("账户管理", "Accounts"),
    "refused": ("只有管理员可以管理账户：请用管理员账户登录。", "Only an admin manages accounts: log in with an admin account."),
    "off": ("未开启登录（ONEMAP_AUTH）：账户用命令行管理，python -m layers user --help。",
            "Login is off (ONEMAP_AUTH): manage accounts on the command line, python -m layers user --help."),
    "cols": {"name": ("账户", "Account"), "role": ("角色与范围", "Role and scope"), "disabled": ("已停用", "Disabled"),
             "locked_until": ("锁定至", "Locked until"), "updated": ("更新时间", "Updated")},
    "add_h": ("添加账户", "Add an account"), "change_h": ("修改账户", "Change an account"),
    "name": ("账户名", "Account name"), "role": ("角色", "Role"), "dept": ("部门预设(编辑)", "Department preset (editor)"),
    "none": ("(无)", "(none)"), "layers": ("可写图层(编辑)", "Layers it may write (editor)"),
    "towns": ("限于乡镇(编辑,可空=全部,逗号分隔)", "Only these townships (editor; empty = all; comma-separated)"),
    "password": ("密码(至少 8 个字符)", "Password (at least 8 characters)"), "add": ("添加", "Add"),
    "which": ("账户", "Account"), "save_role": ("保存角色与范围", "Save role and scope"),
    "disable": ("停用", "Disable"), "enable": ("启用", "Enable"), "reset": ("重设密码", "Reset the password"),
    "new_pw": ("新密码", "New password"),
    "done": ("已保存账户“{name}”：{what}。", "Account {name} saved: {what}."),
}
ss = st.session_state


def _table(accounts: Accounts, lang: str) -> list[str]:
    found = accounts.list()
    rows = [{"name": a.name, "role": a.grant.describe(lang), "disabled": a.disabled, "locked_until": a.locked_until or "",
             "updated": a.updated[:19].replace("T", " ")} for a in found]
    labels = {k: pick(v, lang) for k, v in TX["cols"].items()}
    st.dataframe(pd.DataFrame(rows, columns=list(labels)).rename(columns=labels), hide_index=True, width="stretch")  # cells are text
    return [a.name for a in found]


def _scope(prefix: str, lang: str) -> Grant:
    """Role, department preset, layers and townships from one set of widgets."""
    role = st.selectbox(pick(TX["role"], lang), ROLES, key=f"{prefix}_role", format_func=lambda r: pick(ROLE_LABELS[r], lang))
    dept = st.selectbox(pick(TX["dept"], lang), ["", *DEPARTMENTS], key=f"{prefix}_dept", format_func=lambda d: d or pick(TX["none"], lang))
    choices = list(dict.fromkeys([*WRITABLE, *(f"{lid}:{g}" for lid, groups in KIND_GROUPS.items() for g in groups),
                                  *ss.get(f"{prefix}_layers", [])]))  # an account's own scope is always offered
    layers = st.multiselect(pick(TX["layers"], lang), choices, key=f"{prefix}_layers")
    towns = st.text_input(pick(TX["towns"], lang), key=f"{prefix}_towns")
    preset = DEPARTMENTS[dept][1] if dept else ()
    return Grant(role, tuple(dict.fromkeys([*preset, *layers])) if role == "editor" else (), parse_list(towns) if role == "editor" else ())


def _act(change, name: str, what: str, lang: str) -> None:  # noqa: ANN001
    """One change of an account, checked for an admin; its error or success in the page language."""
    try:
        guard.require_admin(store(), auth.acting_user(lang), ("管理账户", "manage accounts"))
        change()
    except GeoError as err:
        st.error(message_md(err, lang))
        return
    ss["acc_done"] = pick(TX["done"], lang).format(name=name, what=what)
    st.rerun()


def _add(accounts: Accounts, lang: str) -> None:
    with st.expander(pick(TX["add_h"], lang)):
        name = st.text_input(pick(TX["name"], lang), key="acc_new_name")
        grant = _grant_or_error("acc_new", lang)
        pw = st.text_input(pick(TX["password"], lang), type="password", key="acc_new_pw")
        if st.button(pick(TX["add"], lang), key="acc_add", type="primary") and grant is not None:
            _act(lambda: accounts.add(name, grant, pw), name.strip(), pick(TX["add"], lang), lang)


def _grant_or_error(prefix: str, lang: str) -> Grant | None:
    try:
        return _scope(prefix, lang)
    except GeoError as err:
        st.caption(view.say(str(err), lang))
        return None


def _change(accounts: Accounts, names: list[str], lang: str) -> None:
    if not names:
        return
    st.subheader(pick(TX["change_h"], lang))
    name = st.selectbox(pick(TX["which"], lang), names, key="acc_pick")
    if ss.get("_acc_for") != name:  # another account: the form shows its role and scope, never a default
        acc = accounts.get(name)
        ss.update({"acc_edit_role": acc.role, "acc_edit_dept": "", "acc_edit_towns": ",".join(acc.townships),
                   "acc_edit_layers": list(acc.layers), "_acc_for": name})
    grant = _grant_or_error("acc_edit", lang)
    c1, c2, c3 = st.columns(3)
    if c1.button(pick(TX["save_role"], lang), key="acc_save_role") and grant is not None:
        _act(lambda: accounts.set_role(name, grant), name, grant.describe(lang), lang)
    if c2.button(pick(TX["disable"], lang), key="acc_disable"):
        _act(lambda: accounts.set_disabled(name, True), name, pick(TX["disable"], lang), lang)
    if c3.button(pick(TX["enable"], lang), key="acc_enable"):
        _act(lambda: accounts.set_disabled(name, False), name, pick(TX["enable"], lang), lang)
    pw = st.text_input(pick(TX["new_pw"], lang), type="password", key="acc_reset_pw")
    if st.button(pick(TX["reset"], lang), key="acc_reset"):
        _act(lambda: accounts.set_password(name, pw), name, pick(TX["reset"], lang), lang)


lang = ss.get("lang", "zh")
st.title(pick(TX["title"], lang))
if not guard.auth_mode():
    st.info(pick(TX["off"], lang))
    st.stop()
me = Accounts.of(store()).find(auth.acting_user(lang) or "")
if me is None or me.role != "admin" or me.disabled:
    st.error(pick(TX["refused"], lang))
    st.stop()
if "acc_done" in ss:
    st.success(md_escape(ss.pop("acc_done")))
accounts = Accounts.of(store())
names = _table(accounts, lang)
_add(accounts, lang)
_change(accounts, names, lang)
