"""Fixtures for the store tests that write: the session's private 500231 build (tests/conftest.py)
and a fresh copy of it per test, in a GeoPackage (``ONEMAP_WORKSPACES`` pointing at the copy's folder)
or in a PostgreSQL database (``ONEMAP_STORE``); ``backend`` runs a test on both."""

from __future__ import annotations

from pathlib import Path

import pytest
from _store_helpers import Backend


@pytest.fixture(scope="session")
def template_gpkg(template_500231: Path) -> Path:
    return template_500231


@pytest.fixture
def ws_dir(private_workspaces: Path) -> Path:
    return private_workspaces


@pytest.fixture(params=["gpkg", "postgis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """A fresh copy of the built 500231 in the GeoPackage folder or in a PostgreSQL database, set as the store."""
    if request.param == "gpkg":
        return Backend("gpkg", request.getfixturevalue("private_workspaces"))
    url = request.getfixturevalue("private_postgis")
    return Backend("postgis", tmp_path / "workspaces", url)
