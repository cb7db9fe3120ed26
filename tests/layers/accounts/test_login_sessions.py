"""Logins that survive a reload of the page: a random token per login, kept by the browser in a cookie and
by the store only as its SHA-256; it resumes the login until the idle minutes pass, the account is
disabled or its password changes, or the person logs out (both stores, the same SQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest

from layers.accounts.accounts import Accounts
from layers.accounts.scope import Grant
from layers.store.gpkg import GeoPackageStore

PW = "correct horse 42"
T0 = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["gpkg", "postgis"])
def accounts(request: pytest.FixtureRequest, tmp_path: Path):  # noqa: ANN201
    if request.param == "gpkg":
        acc = Accounts.of(GeoPackageStore(tmp_path))
    else:
        from tests.pg import unique_name

        server, name = request.getfixturevalue("pg_server"), unique_name("ses")
        url = server.create_database(name, postgis=False)
        request.addfinalizer(lambda: server.drop_database(name))
        acc = Accounts.of(SimpleNamespace(kind="postgis", url=url))
    acc.add("林业", Grant("viewer"), PW)
    return acc


def test_a_login_resumes_until_the_idle_minutes_pass(accounts: Accounts) -> None:
    token = accounts.open_session("林业", now=T0)
    assert len(token) >= 40
    got, why = accounts.resume(token, 60, now=T0 + dt.timedelta(minutes=59))
    assert (got.name if got else None, why) == ("林业", "")
    got, why = accounts.resume(token, 60, now=T0 + dt.timedelta(minutes=118))  # seen again at +59: still live
    assert got is not None and why == ""
    assert accounts.resume(token, 60, now=T0 + dt.timedelta(minutes=179)) == (None, "expired")
    assert accounts.resume(token, 60, now=T0 + dt.timedelta(minutes=180)) == (None, "")  # closed: unknown now


def test_touch_counts_idle_time_from_the_last_use(accounts: Accounts) -> None:
    token = accounts.open_session("林业", now=T0)
    accounts.touch_session(token, now=T0 + dt.timedelta(minutes=50))
    assert accounts.resume(token, 60, now=T0 + dt.timedelta(minutes=100))[0] is not None


@pytest.mark.parametrize("token", ["", "x", "A" * 43, "a" * 5000])
def test_an_unknown_or_odd_token_resumes_nothing(accounts: Accounts, token: str) -> None:
    accounts.open_session("林业", now=T0)
    assert accounts.resume(token, 60, now=T0) == (None, "")


def test_logout_a_new_password_or_disabling_ends_the_logins(accounts: Accounts) -> None:
    a, b = accounts.open_session("林业", now=T0), accounts.open_session("林业", now=T0)
    accounts.close_session(a)
    assert accounts.resume(a, 60, now=T0) == (None, "")
    assert accounts.resume(b, 60, now=T0)[0] is not None  # another browser's login stays
    accounts.set_password("林业", "another password 7")
    assert accounts.resume(b, 60, now=T0) == (None, "")
    c = accounts.open_session("林业", now=T0)
    accounts.add("admin", Grant("admin"), PW)
    accounts.set_disabled("林业")
    assert accounts.resume(c, 60, now=T0) == (None, "")


def test_the_store_keeps_only_the_digest_of_a_token(tmp_path: Path) -> None:
    acc = Accounts.of(GeoPackageStore(tmp_path))
    acc.add("林业", Grant("viewer"), PW)
    token = acc.open_session("林业", now=T0)
    with sqlite3.connect(tmp_path / "onemap_accounts.sqlite") as con:
        stored = con.execute("SELECT token_hash, name FROM sessions").fetchall()
    assert stored == [(hashlib.sha256(token.encode()).hexdigest(), "林业")]
    assert token not in str(stored)


def test_old_logins_are_purged_when_someone_logs_in(tmp_path: Path) -> None:
    acc = Accounts.of(GeoPackageStore(tmp_path))
    acc.add("林业", Grant("viewer"), PW)
    acc.open_session("林业", now=T0)
    acc.open_session("林业", idle_minutes=60, now=T0 + dt.timedelta(hours=3))
    with sqlite3.connect(tmp_path / "onemap_accounts.sqlite") as con:
        assert con.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 1
