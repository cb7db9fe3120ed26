"""Shared fixtures: workspaces built once per session into a temporary folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PLAN_ADCODES = ("500231", "500110", "510821")


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
