"""The pages' caches are keyed by (store, revision): a commit shows up on the next rerun, also when two
commits land within the same second (a file time could not tell them apart). Streamlit's caches run
here without an app (memory storage, with a "No runtime found" warning)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from _store_helpers import ADCODE, Backend, gpkg_path

from layers.catalog.quality import QualityOptions
from layers.store.workspace import UserChange, open_workspace
from ui import ui_cache

Q = QualityOptions()


@pytest.fixture(autouse=True)
def _quiet_streamlit() -> None:
    logging.getLogger("streamlit").setLevel(logging.ERROR)


def _shelter(fid: str, lon: float) -> UserChange:
    gdf = gpd.GeoDataFrame({"fid": [fid], "name": [f"避难点 {fid}"], "kind": "shelter", "source_doc": "2025 实地核查"},
                           geometry=[shapely.Point(lon, 30.3)], crs=4490)
    return UserChange("facilities", upsert=gdf)


def _commit(change: UserChange) -> None:
    open_workspace(ADCODE).commit([change], user="alice", action="edit")


def _fids(stamp: ui_cache.Stamp) -> set[str]:
    return set(ui_cache.frames(ADCODE, stamp, Q)["facilities"]["fid"])


def test_a_commit_changes_the_stamp_and_the_cached_frames(backend: Backend) -> None:
    before = ui_cache.workspace_stamp(ADCODE)
    key = f"gpkg:{backend.folder}" if backend.kind == "gpkg" else f"postgis:onemap_test@{backend.url.split('@', 1)[1]}"
    assert before == (key, 1)  # a database is named by user, host, port and name, never its password
    assert "u-1" not in _fids(before)
    _commit(_shelter("u-1", 107.30))
    after = ui_cache.workspace_stamp(ADCODE)
    assert after == (key, 2)
    assert "u-1" in _fids(after)
    assert "u-1" not in _fids(before)  # the old revision's entry is still what it was
    _commit(UserChange("facilities", delete=("u-1",)))
    assert "u-1" not in _fids(ui_cache.workspace_stamp(ADCODE))


def _rerun() -> tuple[ui_cache.Stamp, set[str]]:
    """What one rerun of a page does: take the stamp, then load through the caches with it."""
    stamp = ui_cache.workspace_stamp(ADCODE)
    return stamp, _fids(stamp)


def test_two_commits_in_the_same_second_give_two_stamps(ws_dir: Path) -> None:
    path = gpkg_path(ws_dir)
    t = path.stat().st_mtime
    runs = [_rerun()]
    for fid, lon in (("u-1", 107.30), ("u-2", 107.31)):
        _commit(_shelter(fid, lon))
        os.utime(path, (t, t))  # the file time says nothing happened
        runs.append(_rerun())
    assert len({stamp for stamp, _ in runs}) == 3
    assert [{"u-1", "u-2"} & fids for _, fids in runs] == [set(), {"u-1"}, {"u-1", "u-2"}]
    times = {c.time for c in open_workspace(ADCODE).changesets()[1:]}
    assert len(times) <= 2  # usually one second for both; the stamps differ either way


def test_a_stamp_names_its_folder(ws_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two folders holding the same adcode at the same revision never share a cache entry."""
    other = tmp_path / "other"
    other.mkdir()
    (other / f"{ADCODE}.gpkg").write_bytes(gpkg_path(ws_dir).read_bytes())
    _commit(_shelter("u-mine", 107.31))
    mine, mine_fids = _rerun()
    monkeypatch.setenv("ONEMAP_WORKSPACES", str(other))
    _commit(_shelter("u-other", 107.30))
    theirs, their_fids = _rerun()
    assert mine[1] == theirs[1] == 2 and mine != theirs
    assert "u-mine" in mine_fids - their_fids and "u-other" in their_fids - mine_fids


def test_a_handle_cached_under_a_stamp_is_at_that_revision(backend: Backend) -> None:
    stamp = ui_cache.workspace_stamp(ADCODE)
    _commit(_shelter("u-1", 107.30))  # another session commits between this rerun's stamp and its first load
    with pytest.raises(ui_cache.StaleStamp, match=f"stamp {stamp[1]}"):
        ui_cache.handle(ADCODE, stamp)  # never the newer revision under the older key
    new_stamp, ws = ui_cache.current(ADCODE)
    assert new_stamp[1] == stamp[1] + 1 and ws.revision == new_stamp[1] and ui_cache.handle(ADCODE, new_stamp) is ws
