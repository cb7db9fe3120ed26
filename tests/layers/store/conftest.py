"""Fixtures for the store tests that write: the session's private 500231 build (tests/conftest.py)
and a fresh copy of it per test (``ONEMAP_WORKSPACES`` pointing at the copy's folder)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def template_gpkg(template_500231: Path) -> Path:
    return template_500231


@pytest.fixture
def ws_dir(private_workspaces: Path) -> Path:
    return private_workspaces
