"""Local accounts: argon2id hashes (the password never stored in clear), wrong passwords, the lock after
``MAX_FAILURES`` failures (said with its time), disabled accounts, roles and scopes checked, the file
beside the workspaces never listed as one, and session expiry."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from geo.errors import OptionError, PermissionDeniedError, UnknownNameError
from layers.accounts import guard
from layers.accounts.accounts import LOCK_MINUTES, MAX_FAILURES, Accounts
from layers.accounts.scope import Grant, department_layers
from layers.store.gpkg import GeoPackageStore

PW = "correct horse 42"


@pytest.fixture(params=["gpkg", "postgis"])
def accounts(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201
    """The accounts of a GeoPackage folder store, then of a PostgreSQL store (the same SQL)."""
    if request.param == "gpkg":
        yield Accounts.of(GeoPackageStore(tmp_path))
        return
    from tests.pg import unique_name

    server, name = request.getfixturevalue("pg_server"), unique_name("acc")
    url = server.create_database(name, postgis=False)
    yield Accounts.of(SimpleNamespace(kind="postgis", url=url))
    server.drop_database(name)


def test_postgres_keeps_them_in_their_own_schema(request: pytest.FixtureRequest) -> None:
    import psycopg

    from tests.pg import unique_name

    server, name = request.getfixturevalue("pg_server"), unique_name("acc")
    url = server.create_database(name, postgis=False)
    try:
        acc = Accounts.of(SimpleNamespace(kind="postgis", url=url))
        assert not acc.any()
        acc.add("张三", Grant("viewer"), PW)
        with psycopg.connect(url) as con:
            stored = con.execute("SELECT name, password_hash FROM onemap_accounts.accounts").fetchall()
        assert stored[0][0] == "张三" and stored[0][1].startswith("$argon2id$") and acc.any()
    finally:
        server.drop_database(name)


def test_the_hash_is_argon2id_and_never_the_password(tmp_path: Path) -> None:
    accounts = Accounts.of(GeoPackageStore(tmp_path))
    assert not accounts.any() and accounts.list() == [] and not (tmp_path / "onemap_accounts.sqlite").exists()  # reading creates nothing
    acc = accounts.add("张三", Grant("editor", ("forest_fire", "facilities:fire")), PW)
    assert (acc.name, acc.role, acc.layers, acc.townships, acc.disabled) == ("张三", "editor", ("forest_fire", "facilities:fire"), (), False)
    raw = (tmp_path / "onemap_accounts.sqlite").read_bytes()
    assert PW.encode() not in raw
    stored = sqlite3.connect(tmp_path / "onemap_accounts.sqlite").execute("SELECT password_hash FROM accounts").fetchone()[0]
    assert stored.startswith("$argon2id$") and PW not in stored
    assert "password_hash" not in acc.as_dict() and accounts.any()
    assert GeoPackageStore(tmp_path).adcodes() == []  # the account file is no workspace
    assert accounts.login("张三", PW).name == "张三"


def test_wrong_password_and_unknown_name_say_the_same(accounts: Accounts) -> None:
    accounts.add("alice", Grant("viewer"), PW)
    wrong = r"^用户名或密码错误：请重新输入（连续 5 次错误将锁定账户 15 分钟）。 / wrong user name or password: try again"
    with pytest.raises(PermissionDeniedError, match=wrong):
        accounts.login("alice", "nope-nope")
    with pytest.raises(PermissionDeniedError, match=wrong):
        accounts.login("bob", PW)
    assert accounts.get("alice").failed == 1
    accounts.login("alice", PW)
    assert accounts.get("alice").failed == 0  # a right password clears the count


def test_five_failures_lock_the_account_for_fifteen_minutes(accounts: Accounts) -> None:
    accounts.add("alice", Grant("viewer"), PW)
    now = dt.datetime(2025, 6, 1, 8, 0, tzinfo=dt.UTC)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(PermissionDeniedError, match="^用户名或密码错误"):
            accounts.login("alice", "bad-password", now=now)
    until = (now + dt.timedelta(minutes=LOCK_MINUTES)).astimezone()
    locked = rf"^账户“alice”因连续 5 次密码错误已锁定，{until:%H:%M} 解锁（约 15 分钟后）：请稍后再试，或请管理员重设密码。 / account alice is locked"
    with pytest.raises(PermissionDeniedError, match=locked):
        accounts.login("alice", "bad-password", now=now)
    with pytest.raises(PermissionDeniedError, match=r"已锁定，.*（约 10 分钟后）"):  # even the right password, while locked
        accounts.login("alice", PW, now=now + dt.timedelta(minutes=5))
    assert accounts.login("alice", PW, now=now + dt.timedelta(minutes=LOCK_MINUTES + 1)).failed == 0


def test_a_new_password_unlocks(accounts: Accounts) -> None:
    accounts.add("alice", Grant("viewer"), PW)
    for _ in range(MAX_FAILURES):
        with pytest.raises(PermissionDeniedError):
            accounts.login("alice", "bad-password")
    accounts.set_password("alice", "another pass 7")
    assert accounts.login("alice", "another pass 7").locked_until is None


def test_a_disabled_account_cannot_log_in(accounts: Accounts) -> None:
    accounts.add("alice", Grant("viewer"), PW)
    accounts.set_disabled("alice")
    with pytest.raises(PermissionDeniedError, match="^账户“alice”已停用：请联系管理员。 / account alice is disabled: ask an admin.$"):
        accounts.login("alice", PW)
    assert accounts.set_disabled("alice", False).disabled is False


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda a: a.add("", Grant("viewer"), PW), OptionError, r"^账户名 '' 不可用：应为 1–64 个可见字符"),
    (lambda a: a.add("a,b", Grant("viewer"), PW), OptionError, r"^账户名 'a,b' 不可用"),
    (lambda a: a.add("x", Grant("viewer"), "short"), OptionError, r"^密码太短（5 个字符）：至少 8 个字符 / the password is too short"),
    (lambda a: a.add("x", Grant("boss"), PW), OptionError, r"^角色“boss”不存在：可选 viewer（查看）、editor（编辑）、admin（管理员）"),
    (lambda a: a.add("x", Grant("editor"), PW), OptionError, r"^编辑角色需要图层范围：请给出 --layers 或 --dept"),
    (lambda a: a.add("x", Grant("editor", ("county",)), PW), OptionError, r"^范围中的图层“county”不能写入"),
    (lambda a: a.add("x", Grant("editor", ("facilities:boats",)), PW), OptionError,
     r"^图层 facilities 没有类别或类别组“boats”：可选 fire, flood, "),
    (lambda a: a.set_role("nobody", Grant("viewer")), UnknownNameError, r"^没有账户“nobody”（现有：无 none）"),
])
def test_bad_names_passwords_roles_and_scopes_are_refused(accounts: Accounts, call, error: type, message: str) -> None:  # noqa: ANN001
    with pytest.raises(error, match=message):
        call(accounts)


def test_an_existing_name_is_refused(accounts: Accounts) -> None:
    accounts.add("alice", Grant("viewer"), PW)
    with pytest.raises(OptionError, match="^账户“alice”已存在：改角色用 user role，改密码用 user passwd"):
        accounts.add("alice", Grant("admin"), PW)


def test_department_presets() -> None:
    assert department_layers("林业局") == ("forest_fire", "facilities:fire") == department_layers("forestry")
    assert department_layers("水利局") == ("reservoirs", "rivers", "facilities:flood")
    assert department_layers("规划和自然资源局") == ("geohazards", "townships")
    with pytest.raises(OptionError, match="^没有部门预设“交通局”：可选 林业局\\(forestry\\)、水利局\\(water\\)"):
        department_layers("交通局")


def test_scope_covers_kinds_groups_and_townships() -> None:
    g = Grant("editor", ("forest_fire", "facilities:fire"), ("桂溪街道",))
    assert g.allows("forest_fire", "lookout", "桂溪街道") and g.allows("facilities", "fire_brigade", "桂溪街道")
    assert not g.allows("facilities", "shelter", "桂溪街道") and not g.allows("forest_fire", "lookout", "沙坪镇")
    assert not g.allows("forest_fire", "lookout", None) and not g.allows("reservoirs", "reservoir", "桂溪街道")
    assert Grant("admin").allows("rivers", "river", None) and not Grant("viewer").allows("rivers", "river", None)
    assert g.describe("zh") == "编辑：forest_fire, facilities:fire；乡镇 桂溪街道"


def test_sessions_expire_after_the_idle_minutes(monkeypatch: pytest.MonkeyPatch) -> None:
    assert guard.session_minutes() == 60 and not guard.expired(0, 3600) and guard.expired(0, 3601)
    monkeypatch.setenv("ONEMAP_SESSION_MINUTES", "0.5")
    assert guard.expired(0, 31)
    monkeypatch.setenv("ONEMAP_SESSION_MINUTES", "soon")
    with pytest.raises(OptionError, match="^ONEMAP_SESSION_MINUTES='soon' 应为正数（分钟），如 60"):
        guard.session_minutes()


def test_auth_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    assert guard.auth_mode() == ""
    monkeypatch.setenv("ONEMAP_AUTH", "LOCAL")
    assert guard.auth_mode() == "local"
    monkeypatch.setenv("ONEMAP_AUTH", "ldap")
    with pytest.raises(OptionError, match="^ONEMAP_AUTH='ldap' 不可用：可选 local 或 oidc"):
        guard.auth_mode()


@pytest.mark.parametrize(("groups", "role", "layers"), [
    (["onemap-admin"], "admin", ()),
    ("/org/应急局/admin", "admin", ()),
    (["林业局"], "editor", ("forest_fire", "facilities:fire")),
    (["water", "natural_resources"], "editor", ("reservoirs", "rivers", "facilities:flood", "geohazards", "townships")),
    (["editor:projects;facilities:shelter"], "editor", ("projects", "facilities:shelter")),
    (["staff"], "viewer", ()),
    (None, "viewer", ()),
])
def test_the_identity_servers_claim_gives_the_role(groups: object, role: str, layers: tuple[str, ...]) -> None:
    g = guard.grant_from_claims({"groups": groups} if groups is not None else {})
    assert (g.role, g.layers) == (role, layers)


def test_the_claim_name_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch, accounts: Accounts) -> None:
    monkeypatch.setenv("ONEMAP_OIDC_ROLE_CLAIM", "roles")
    assert guard.grant_from_claims({"roles": ["admin"], "groups": []}).role == "admin"
    acc = accounts.sync("wang@county.gov.cn", guard.grant_from_claims({"roles": ["水利局"]}))
    assert (acc.role, acc.has_password) == ("editor", False)
    with pytest.raises(PermissionDeniedError, match="^用户名或密码错误"):  # no password: never a local login
        accounts.login("wang@county.gov.cn", "")
    assert accounts.sync("wang@county.gov.cn", Grant("admin")).role == "admin"
    accounts.set_disabled("wang@county.gov.cn")
    with pytest.raises(PermissionDeniedError, match="^账户“wang@county.gov.cn”已停用"):
        accounts.sync("wang@county.gov.cn", Grant("admin"))
