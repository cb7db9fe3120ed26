"""Backup of the GeoPackage store while it is in use, and restore by copying the files back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shapely.geometry import Point

from geo.errors import NotPermittedError
from layers.__main__ import main
from layers.edits import edit
from layers.store.backup import backup
from layers.store.workspace import open_workspace


def _reservoir(ws) -> str:  # noqa: ANN001
    res = ws.layer("reservoirs")
    return str(res.loc[res.geometry.geom_type == "Point", "fid"].iloc[0])


def test_backup_then_restore_gives_back_the_revision_and_features(private_workspaces: Path, tmp_path: Path) -> None:
    ws = open_workspace("500231")
    fid = _reservoir(ws)
    edit.edit_feature(ws, "reservoirs", fid, geometry=Point(107.41, 30.31), user="张三", reason="核实")
    saved = open_workspace("500231")
    assert main(["backup", "--out", str(tmp_path / "bk")]) == 0
    assert (tmp_path / "bk" / "500231.gpkg").is_file() and (tmp_path / "bk" / "500231_kde_geohazard.tif").is_file()
    edit.edit_feature(open_workspace("500231"), "reservoirs", fid, geometry=Point(107.5, 30.4), user="李四", reason="误改")
    for f in (tmp_path / "bk").iterdir():  # restore: the app stopped, the files copied back
        for side in private_workspaces.glob(f"{f.name}-*"):
            side.unlink()
        shutil.copy2(f, private_workspaces / f.name)
    back = open_workspace("500231")
    assert back.revision == saved.revision
    assert back.layer("reservoirs").set_index("fid").loc[fid].geometry.equals(Point(107.41, 30.31))
    assert [c.user for c in back.changesets()][-1] == "张三"


def test_a_backup_never_writes_into_a_folder_that_holds_files(private_workspaces: Path, tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "x.txt").write_text("keep")
    with pytest.raises(Exception, match="已存在且不为空"):
        backup(tmp_path / "old")
    assert (tmp_path / "old" / "x.txt").read_text() == "keep"


def test_a_backup_is_refused_onto_a_file_a_device_or_into_the_workspace_folder(private_workspaces: Path, tmp_path: Path,
                                                                             capsys) -> None:  # noqa: ANN001
    kept = tmp_path / "exist.csv"
    kept.write_text("keep")
    for target in (kept, Path("/dev/null")):
        with pytest.raises(NotPermittedError, match=rf"^备份目录“{target.name}”已存在且不是文件夹.* / the backup folder '{target.name}' "
                                                   "exists and is not a folder"):
            backup(target)
    assert kept.read_text() == "keep" and Path("/dev/null").is_char_device()
    for inside in (private_workspaces / "bk", private_workspaces / "sub" / ".." / "bk2"):
        with pytest.raises(NotPermittedError, match=r"^备份不能放在工作区文件夹里.* / a backup cannot go into the workspace folder"):
            backup(inside)
    assert sorted(p.name for p in private_workspaces.iterdir()) == ["500231.gpkg"]  # nothing created, no -wal/-shm left
    assert main(["backup", "--out", str(kept)]) == 2  # the command: the message, no traceback
    err = capsys.readouterr().err
    assert "exists and is not a folder" in err and "Traceback" not in err
