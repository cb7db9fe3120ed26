"""Shared fixtures: workspaces built once per session into a temporary folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PLAN_ADCODES = ("500231", "500110", "510821")
os.environ.setdefault("ONEMAP_RISK_WARM", "0")  # no warm-up threads for the many workspaces tests open (the apps they start inherit it)


@pytest.fixture(scope="session")
def built_workspaces(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the three plan workspaces into a fresh folder and point the store at it."""
    from layers.jobs.build import build_workspace

    folder = tmp_path_factory.mktemp("workspaces")
    old = os.environ.get("ONEMAP_WORKSPACES")
    os.environ["ONEMAP_WORKSPACES"] = str(folder)
    for adcode in PLAN_ADCODES:
        build_workspace(adcode)
    yield folder
    if old is None:
        os.environ.pop("ONEMAP_WORKSPACES", None)
    else:
        os.environ["ONEMAP_WORKSPACES"] = old


@pytest.fixture(scope="session")
def template_500231(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500231 built once (about 5 s) into a folder of its own, for tests that write: they copy the
    file (``private_workspaces``), never write this one."""
    from layers.jobs.build import build_workspace

    folder = tmp_path_factory.mktemp("template_500231")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONEMAP_WORKSPACES", str(folder))
        build_workspace("500231")
    path = folder / "500231.gpkg"
    assert not path.with_name(path.name + "-wal").exists(), "the build left a WAL file: copying the .gpkg alone is not a copy"
    return path


@pytest.fixture
def private_workspaces(template_500231: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a fresh copy of the built 500231 workspace, set as the store's folder: a commit
    here disturbs no other test."""
    folder = tmp_path / "workspaces"
    folder.mkdir()
    shutil.copy(template_500231, folder / template_500231.name)
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    return folder


# --- PostgreSQL + PostGIS (tests/pg.py): the same store behind the same handle ---------------------------
@pytest.fixture(scope="session")
def pg_server():  # noqa: ANN201
    """The run's PostgreSQL server: a private cluster started for the run and stopped at its end (or the
    server of ``$ONEMAP_TEST_PG_URL``). Never skipped: without PostgreSQL the tests that need it fail."""
    from tests.pg import run_server

    with run_server() as server:
        yield server


@pytest.fixture(scope="session")
def postgis_template_500231(pg_server, tmp_path_factory: pytest.TempPathFactory) -> str:  # noqa: ANN001
    """Name of a database holding 500231 built once, for tests that write: they copy it
    (``private_postgis``), never write this one."""
    from layers.jobs.build import build_workspace
    from tests.pg import unique_name

    name = unique_name("tpl_500231")
    url = pg_server.create_database(name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONEMAP_STORE", url)
        mp.setenv("ONEMAP_WORKSPACES", str(tmp_path_factory.mktemp("pg_template_500231")))
        build_workspace("500231")
    yield name
    pg_server.drop_database(name)


@pytest.fixture
def private_postgis(pg_server, postgis_template_500231: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: ANN001
    """A database holding a fresh copy of the built 500231 workspace, set as the store (``ONEMAP_STORE``,
    with a workspace folder of its own for the files kept beside it); returns its URL."""
    from tests.pg import unique_name

    name = unique_name("t")
    url = pg_server.create_database(name, template=postgis_template_500231)
    folder = tmp_path / "workspaces"
    folder.mkdir(exist_ok=True)
    monkeypatch.setenv("ONEMAP_STORE", url)
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    yield url
    pg_server.drop_database(name)
