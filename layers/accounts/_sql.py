"""Where the accounts live, written once for both stores: a SQLite file beside the GeoPackages
(``<folder>/onemap_accounts.sqlite``, never listed as a workspace) or the schema ``onemap_accounts`` of
the PostgreSQL store (psycopg 3 on the store's URL). Statements use ``?``; the PostgreSQL connection
gets them with ``%s``."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

from geo.errors import SourceReadError

FILE_NAME = "onemap_accounts.sqlite"
SCHEMA = "onemap_accounts"
COLUMNS = ("name", "role", "layers", "townships", "disabled", "password_hash", "created", "updated", "failed", "locked_until")
CREATE = """CREATE TABLE IF NOT EXISTS {t} (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    layers TEXT NOT NULL DEFAULT '',
    townships TEXT NOT NULL DEFAULT '',
    disabled INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    failed INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT
)"""
# Logins kept across reloads: the SHA-256 of each login's random token (the token itself lives only in the
# person's browser), whose account it is, and when it was made and last used.
CREATE_SESSIONS = """CREATE TABLE IF NOT EXISTS {s} (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created TEXT NOT NULL,
    seen TEXT NOT NULL
)"""


class Database:
    """The accounts table of one store; ``run`` executes one statement in its own transaction."""

    def __init__(self, kind: str, where: str | Path) -> None:
        self.kind, self.where = kind, where
        self.table = "accounts" if kind == "gpkg" else f"{SCHEMA}.accounts"
        self.sessions = "sessions" if kind == "gpkg" else f"{SCHEMA}.sessions"

    def sql(self, text: str) -> str:
        text = text.format(t=self.table, s=self.sessions)
        return text if self.kind == "gpkg" else text.replace("?", "%s")

    def exists(self) -> bool:
        """Whether the table exists (reading never creates it)."""
        if self.kind == "gpkg":
            if not Path(self.where).exists():
                return False
            rows = self._sqlite("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'accounts'", (), create=False)
        else:
            rows = self._pg("SELECT to_regclass(%s) IS NOT NULL", (self.table,), create=False)
        return bool(rows and rows[0][0])

    def run(self, statement: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Rows of ``statement`` (the table created first when missing)."""
        if self.kind == "gpkg":
            return self._sqlite(self.sql(statement), params, create=True)
        return self._pg(self.sql(statement), params, create=True)

    def _sqlite(self, statement: str, params: Sequence[Any], *, create: bool) -> list[tuple]:
        try:
            with closing(sqlite3.connect(self.where, timeout=10)) as con, con:
                if create:
                    con.execute(CREATE.format(t=self.table))
                    con.execute(CREATE_SESSIONS.format(s=self.sessions))
                return con.execute(statement, tuple(params)).fetchall()
        except sqlite3.Error as err:
            raise SourceReadError(f"账户库 {FILE_NAME} 无法读写：{err}；请检查工作区文件夹的权限 / the account file {FILE_NAME} "
                                  f"cannot be read or written ({err}); check the permissions of the workspace folder") from err

    def _pg(self, statement: str, params: Sequence[Any], *, create: bool) -> list[tuple]:
        import psycopg

        try:
            with psycopg.connect(str(self.where)) as con:
                if create:
                    con.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
                    con.execute(CREATE.format(t=self.table))
                    con.execute(CREATE_SESSIONS.format(s=self.sessions))
                cur = con.execute(statement, tuple(params))
                return cur.fetchall() if cur.description else []
        except psycopg.Error as err:
            raise SourceReadError(f"账户库（PostgreSQL 模式 {SCHEMA}）无法读写：{type(err).__name__}；请检查数据库连接和权限 / the accounts "
                                  f"(PostgreSQL schema {SCHEMA}) cannot be read or written ({type(err).__name__}); check the "
                                  "database connection and rights") from err


def database(store: object) -> Database:
    """The accounts of ``store`` (a GeoPackage folder store or the PostgreSQL store)."""
    kind = getattr(store, "kind", "gpkg")
    if kind == "gpkg":
        return Database("gpkg", Path(store.folder) / FILE_NAME)  # type: ignore[attr-defined]
    return Database(kind, store.url)  # type: ignore[attr-defined]
