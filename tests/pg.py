"""A PostgreSQL + PostGIS server for the test run: a private cluster (``initdb`` into a temporary
folder owned by ``postgres``, ``pg_ctl`` on a free port, stopped at the end), or the server of
``$ONEMAP_TEST_PG_URL`` (a superuser URL) when that is set. Tests get databases of their own on it.

Run as root, the server's programs run as the ``postgres`` user (``runuser``); run as anyone else,
as that user."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import conninfo

PG_BIN = Path(os.environ.get("ONEMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
ROLE = "onemap_test"
SETTINGS = {"fsync": "off", "full_page_writes": "off", "listen_addresses": "'127.0.0.1'", "max_connections": "100",
            "log_min_messages": "warning", "shared_buffers": "64MB"}


def _as_server_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str], **kw: object) -> subprocess.CompletedProcess:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False, **kw)  # type: ignore[call-overload]
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stdout}{done.stderr}")
    return done


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PgServer:
    """A server the tests may create and drop databases on. ``admin_url`` is a superuser's;
    databases are owned by ``ROLE`` (password login), whose URL the store gets."""

    admin_url: str
    password: str
    datadir: Path | None = None  # set when the cluster is this run's own (it can then be restarted)

    @property
    def private(self) -> bool:
        return self.datadir is not None

    def url(self, dbname: str, *, role: str = ROLE) -> str:
        info = conninfo.conninfo_to_dict(self.admin_url)
        return f"postgresql://{role}:{self.password}@{info.get('host', '127.0.0.1')}:{info.get('port', 5432)}/{dbname}"

    @contextmanager
    def admin(self, dbname: str = "postgres") -> Iterator[psycopg.Connection]:
        con = psycopg.connect(conninfo.make_conninfo(self.admin_url, dbname=dbname), autocommit=True)
        try:
            yield con
        finally:
            con.close()

    def create_database(self, name: str, *, template: str | None = None, postgis: bool = True) -> str:
        """A new database ``name`` owned by the test role (a copy of ``template`` when given); its store URL."""
        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            con.execute(f'CREATE DATABASE "{name}" OWNER {ROLE}' + (f' TEMPLATE "{template}"' if template else ""))
        if postgis and not template:
            with self.admin(name) as con:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def restart(self, *, mode: str = "immediate") -> None:
        """Stop the private server (``immediate``: like a crash, no checkpoint) and start it again."""
        assert self.datadir is not None, "only the run's own server can be restarted"
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", mode, "-w", "stop"])
        self.start()

    def start(self) -> None:
        assert self.datadir is not None
        _run([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-l", str(self.datadir / "server.log"), "-w", "-t", "60", "start"])

    def stop(self) -> None:
        if self.datadir is not None:
            subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "-w", "stop"]),
                           capture_output=True, check=False)


def _ensure_role(server: PgServer) -> None:
    with server.admin() as con:
        if con.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (ROLE,)).fetchone() is None:
            con.execute(f"CREATE ROLE {ROLE} LOGIN CREATEDB PASSWORD '{server.password}'")
        else:
            con.execute(f"ALTER ROLE {ROLE} PASSWORD '{server.password}'")


def start_private() -> PgServer:
    """initdb a fresh cluster into a temporary folder and start it on a free port (password login over TCP)."""
    root = Path(tempfile.mkdtemp(prefix="onemap-pg-"))
    datadir, pwfile = root / "data", root / "pw"
    password = secrets.token_hex(12)
    pwfile.write_text(password)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    _run([str(PG_BIN / "initdb"), "-D", str(datadir), "-U", "postgres", "--pwfile", str(pwfile), "--auth-local=trust",
          "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"])
    port = _free_port()
    conf = {**SETTINGS, "port": str(port), "unix_socket_directories": f"'{root}'"}
    with open(datadir / "postgresql.conf", "a") as out:
        out.writelines(f"{k} = {v}\n" for k, v in conf.items())
    server = PgServer(f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres", password, datadir)
    server.start()
    _ensure_role(server)
    return server


def from_url(url: str) -> PgServer:
    """The server of ``url`` (a superuser's), with the test role created on it."""
    server = PgServer(url, secrets.token_hex(12))
    _ensure_role(server)
    return server


@contextmanager
def run_server() -> Iterator[PgServer]:
    """The run's server: ``$ONEMAP_TEST_PG_URL`` when set, else a private cluster, stopped and removed at the end."""
    url = os.environ.get("ONEMAP_TEST_PG_URL")
    server = from_url(url) if url else start_private()
    try:
        yield server
    finally:
        if server.datadir is not None:
            server.stop()
            for _ in range(20):
                try:
                    shutil.rmtree(server.datadir.parent)
                    break
                except OSError:
                    time.sleep(0.1)


_RUN = secrets.token_hex(3)
_COUNT = iter(range(1, 1_000_000))


def unique_name(prefix: str) -> str:
    """A database name no other test of this run (or of another run on a shared server) uses."""
    return f"onemap_{prefix}_{_RUN}_{next(_COUNT)}"
