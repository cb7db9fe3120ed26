"""Fixtures for the store tests that write: 500231 built once into its own folder, and a fresh copy of
that GeoPackage per test (``ONEMAP_WORKSPACES`` pointing at the copy's folder)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from _store_helpers import ADCODE


@pytest.fixture(scope="session")
def template_gpkg(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """500231 built once (about 5 s) into a folder of its own; tests copy the file, never write it."""
    from layers.jobs.build import build_workspace

    folder = tmp_path_factory.mktemp("store_template")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONEMAP_WORKSPACES", str(folder))
        build_workspace(ADCODE)
    path = folder / f"{ADCODE}.gpkg"
    assert not path.with_name(path.name + "-wal").exists(), "the build left a WAL file: copying the .gpkg alone is not a copy"
    return path


@pytest.fixture
def ws_dir(template_gpkg: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder holding a fresh copy of the built 500231 workspace, set as the store's folder."""
    folder = tmp_path / "workspaces"
    folder.mkdir()
    shutil.copy(template_gpkg, folder / template_gpkg.name)
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(folder))
    return folder


