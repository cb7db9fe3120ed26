"""The dataset registry: unknown names list the known ones, a missing file is named as the project
names it (``data/...``), never by the server's folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import SourceReadError, UnknownNameError
from layers.catalog import registry


def test_an_unknown_dataset_lists_the_known_ones_without_a_server_path() -> None:
    with pytest.raises(UnknownNameError, match=r"^No dataset named 'roads' in data/catalog\.toml; known datasets: \['boundaries'") as err:
        registry.dataset("roads")
    assert str(registry.PROJECT_DIR) not in str(err.value)


def test_a_catalogued_but_missing_file_is_named_relative_to_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    gone = registry.Dataset("roads", registry.DATA_DIR / "sources" / "roads.geojson", "s", "l", "v", "EPSG:4490", "p")
    monkeypatch.setattr(registry, "catalog", lambda: {"roads": gone})
    with pytest.raises(SourceReadError, match=r"^Dataset 'roads' is catalogued but data/sources/roads\.geojson is missing; restore it from git\.$"):
        registry.dataset("roads")


def test_a_path_outside_the_project_is_shown_by_its_name_only(tmp_path: Path) -> None:
    assert registry._shown(tmp_path / "x" / "roads.geojson") == "roads.geojson"
