"""Versions for undo and revert: every stored version read back (by feature, by changeset), a version
written back exactly as given (its deletion, supersedes and provenance too), a user version retired
without a new one (the plan feature shows again), each in one transaction with the conflict check; on both backends."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely
from _store_helpers import ADCODE, Backend

from geo.errors import ConflictError, UnknownNameError
from layers.store.workspace import UserChange, open_workspace

FID = "dj21-018"


def _moved(lon: float) -> gpd.GeoDataFrame:
    row = open_workspace(ADCODE).layer("reservoirs").query("fid == @FID").copy()
    row["geometry"] = [shapely.Point(lon, 30.3)]
    return row.assign(provenance=f'{{"editor": "e{lon}"}}')


def test_versions_by_feature_and_changeset_and_write_back(backend: Backend) -> None:
    one = open_workspace(ADCODE).commit([UserChange("reservoirs", upsert=_moved(107.40))], user="a", action="edit", reason="1")
    two = open_workspace(ADCODE).commit([UserChange("reservoirs", upsert=_moved(107.41))], user="b", action="edit", reason="2")
    ws = open_workspace(ADCODE)
    v = ws.versions("reservoirs", FID)
    assert list(v["rev_from"]) == [one.revision, two.revision] and list(v["rev_to"])[0] == two.revision
    assert list(v.columns[-6:]) == ["supersedes", "rev_from", "rev_to", "changeset", "deleted", "provenance"]
    assert len(ws.versions("reservoirs", changeset=two.id)) == 2  # the version it closed and the one it wrote
    back = ws.commit([UserChange("reservoirs", restore=v.iloc[[0]])], user="c", action="undo", reason="3")
    assert back.counts["reservoirs"] == {"restored": 1} and back.fids == [FID]
    now = open_workspace(ADCODE).versions("reservoirs", FID).iloc[-1]
    first = v.iloc[0]
    assert now.geometry.wkb == first.geometry.wkb and (now["supersedes"], now["provenance"], now["deleted"]) == (FID, '{"editor": "e107.4"}', 0)
    retired = open_workspace(ADCODE).commit([UserChange("reservoirs", retire=(FID,))], user="d", action="undo", reason="4")
    assert retired.counts["reservoirs"] == {"retired": 1}
    ws = open_workspace(ADCODE)
    assert ws.user_features("reservoirs").empty and FID in set(ws.layer("reservoirs")["fid"])  # the plan feature again


def test_a_deleted_version_written_back_stays_deleted(backend: Backend) -> None:
    gone = open_workspace(ADCODE).commit([UserChange("reservoirs", delete=(FID,))], user="a", action="delete", reason="1")
    v = open_workspace(ADCODE).versions("reservoirs", FID)
    open_workspace(ADCODE).commit([UserChange("reservoirs", retire=(FID,))], user="b", action="restore", reason="2")
    assert FID in set(open_workspace(ADCODE).layer("reservoirs")["fid"])
    open_workspace(ADCODE).commit([UserChange("reservoirs", restore=v)], user="c", action="undo", reason="3")
    ws = open_workspace(ADCODE)
    assert FID not in set(ws.layer("reservoirs")["fid"]) and list(ws.user_features("reservoirs")["deleted"]) == [1]
    assert gone.revision < ws.revision


def test_write_back_is_checked_and_atomic(backend: Backend) -> None:
    stale = open_workspace(ADCODE)
    open_workspace(ADCODE).commit([UserChange("reservoirs", upsert=_moved(107.40))], user="a", action="edit", reason="1")
    v = open_workspace(ADCODE).versions("reservoirs", FID)
    hashes = backend.table_hashes()
    with pytest.raises(ConflictError, match=r"在您打开的版本 1 之后已被他人修改：变更 #2"):
        stale.commit([UserChange("reservoirs", restore=v)], user="b", action="undo", reason="2")
    with pytest.raises(UnknownNameError, match=r"图层 reservoirs 中没有用户要素 nope / layer reservoirs has no user feature 'nope'"):
        open_workspace(ADCODE).commit([UserChange("reservoirs", restore=v, retire=("nope",))], user="b", action="undo", reason="2")
    assert backend.table_hashes() == hashes  # nothing of either written
