"""Exports never write where they must not: not into the workspace folder (directly, through ``..`` or a
symlink), not over a folder or a special file, not over an existing file unless asked, and never half a file."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.errors import GeoError, NotPermittedError
from layers.exports import data as exdata
from layers.exports.data import export_data
from layers.exports.dump import dump_workspace
from layers.exports.output import atomic_write, safe_folder, safe_target
from layers.exports.service import atlas, export, shown_frames

ROOT = Path(__file__).resolve().parents[3]
IN_WORKSPACE = r"it is in \(or leads into\) the workspace folder"
EXISTS = r"already exists\. Choose another file name, or pass --force to replace the existing export\."


def _fingerprint(folder: Path) -> dict[str, str]:
    """sha256 of every file in the workspace folder (new or vanished files show up too)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _workspace_paths(ws: Path, tmp_path: Path) -> dict[str, Path]:
    """Ways to name a file of the workspace folder: directly, through ``..``, through symlinks, a companion."""
    (tmp_path / "link.gpkg").symlink_to(ws / "500231.gpkg")
    (tmp_path / "wslink").symlink_to(ws, target_is_directory=True)
    (tmp_path / "sub").mkdir()
    return {
        "direct": ws / "500231.gpkg",
        "dotdot": tmp_path / "sub" / ".." / os.path.relpath(ws / "500231.gpkg", tmp_path),
        "symlink": tmp_path / "link.gpkg",
        "symlinked_folder": tmp_path / "wslink" / "500231.gpkg",
        "wal_companion": ws / "500231.gpkg-wal",
        "kde_raster": ws / "500231_kde_geohazard.tif",
        "new_file_there": ws / "mine.gpkg",
    }


@pytest.mark.parametrize("how", ["direct", "dotdot", "symlink", "symlinked_folder", "wal_companion", "kde_raster", "new_file_there"])
def test_export_onto_the_workspace_is_refused_and_leaves_it_unchanged(built_workspaces: Path, tmp_path: Path, how: str) -> None:
    out = _workspace_paths(built_workspaces, tmp_path)[how]
    before = _fingerprint(built_workspaces)
    for overwrite in (False, True):
        with pytest.raises(NotPermittedError, match=IN_WORKSPACE):
            export("500231", "gpkg", out, layers=["reservoirs"], lang="en", overwrite=overwrite)
    assert _fingerprint(built_workspaces) == before
    assert (tmp_path / "link.gpkg").is_symlink()


@pytest.mark.parametrize("fmt", ["png", "pdf", "html", "geojson", "shp", "csv", "xlsx"])
def test_every_format_refuses_the_workspace(built_workspaces: Path, fmt: str) -> None:
    before = _fingerprint(built_workspaces)
    with pytest.raises(NotPermittedError, match=IN_WORKSPACE):
        export("500231", fmt, built_workspaces / "500231.gpkg", lang="en", overwrite=True)
    with pytest.raises(NotPermittedError, match=IN_WORKSPACE):
        atlas("500231", built_workspaces / "500231.gpkg", lang="en", overwrite=True)
    assert _fingerprint(built_workspaces) == before


def test_the_message_names_the_path_as_typed_never_the_resolved_one(built_workspaces: Path, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("link.gpkg").symlink_to(built_workspaces / "500231.gpkg")
    with pytest.raises(NotPermittedError, match=r"^Not writing 'link\.gpkg': " + IN_WORKSPACE) as err:
        export("500231", "gpkg", Path("link.gpkg"), lang="en", overwrite=True)
    assert str(built_workspaces) not in str(err.value) and str(tmp_path) not in str(err.value)
    with pytest.raises(NotPermittedError, match=re.escape("不能写入“link.gpkg”:它位于(或经链接指向)工作空间文件夹")):
        export("500231", "gpkg", Path("link.gpkg"), lang="zh", overwrite=True)


def test_a_folder_is_refused(built_workspaces: Path, tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    with pytest.raises(NotPermittedError, match=r"'.*maps' is a folder, not a file\. Give a file name"):
        export("500231", "csv", tmp_path / "maps", layers=["reservoirs"], lang="en", overwrite=True)
    assert list((tmp_path / "maps").iterdir()) == []
    with pytest.raises(NotPermittedError, match=r"is a folder, not a file"):
        export("500231", "gpkg", built_workspaces.parent, lang="en", overwrite=True)


def _fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.csv")
    return tmp_path / "pipe.csv"


def _socket(tmp_path: Path) -> Path:
    path = tmp_path / "s.sock"
    if len(str(path)) > 100:
        pytest.skip("temporary path too long for a unix socket")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()
    return path


@pytest.mark.parametrize("make", [_fifo, _socket, lambda _: Path(os.devnull)], ids=["fifo", "socket", "devnull"])
def test_a_special_file_is_refused_and_stays_what_it_was(built_workspaces: Path, tmp_path: Path, make: Callable[[Path], Path]) -> None:
    target = make(tmp_path)
    mode = os.stat(target).st_mode
    with pytest.raises(NotPermittedError, match=r"is a device or other special file, not a regular file; nothing was written"):
        export("500231", "csv", target, layers=["reservoirs"], lang="en", overwrite=True)
    assert os.stat(target).st_mode == mode
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_existing_file_is_refused_without_overwrite_and_replaced_with_it(built_workspaces: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.csv"
    out.write_bytes(b"keep me")
    with pytest.raises(NotPermittedError, match=r"'.*r\.csv' " + EXISTS):
        export("500231", "csv", out, layers=["reservoirs"], lang="en")
    with pytest.raises(NotPermittedError, match="已存在。请换一个文件名,或加 --force 替换已有的导出文件。"):
        export("500231", "csv", out, layers=["reservoirs"], lang="zh")
    assert out.read_bytes() == b"keep me"
    assert export("500231", "csv", out, layers=["reservoirs"], overwrite=True) == out
    assert "全胜水库" in out.read_text(encoding="utf-8-sig")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]  # no temporary file left


def test_overwrite_through_a_symlink_replaces_its_target_and_keeps_the_link(built_workspaces: Path, tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"old")
    (tmp_path / "latest.csv").symlink_to(tmp_path / "real.csv")
    export("500231", "csv", tmp_path / "latest.csv", layers=["reservoirs"], overwrite=True)
    assert (tmp_path / "latest.csv").is_symlink() and "全胜水库" in (tmp_path / "real.csv").read_text(encoding="utf-8-sig")


def test_a_missing_folder_is_refused_and_not_created(built_workspaces: Path, tmp_path: Path) -> None:
    with pytest.raises(NotPermittedError, match=r"The folder '.*typo/sub' of '.*typo/sub/r\.csv' does not exist\. Create it first"):
        export("500231", "csv", tmp_path / "typo" / "sub" / "r.csv", layers=["reservoirs"], lang="en")
    (tmp_path / "file").write_bytes(b"x")
    with pytest.raises(NotPermittedError, match=r"'.*file' is not a folder, so '.*file/r\.csv' cannot be written"):
        export("500231", "csv", tmp_path / "file" / "r.csv", layers=["reservoirs"], lang="en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_failed_export_leaves_no_half_file(built_workspaces: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frames = shown_frames("500231")
    layers = {"reservoirs": frames["reservoirs"], "rivers": frames["rivers"]}
    files = exdata._files

    def second_layer_fails(name: str, g: object, fmt: str) -> list[tuple[str, bytes]]:
        if name == "rivers":
            raise OSError("disk full (simulated)")
        return files(name, g, fmt)

    monkeypatch.setattr(exdata, "_files", second_layer_fails)
    old = tmp_path / "old.zip"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("note.txt", "the previous export")
    before = old.read_bytes()
    for out, overwrite in ((tmp_path / "new.zip", False), (old, True)):
        with pytest.raises(OSError, match="simulated"):
            export_data(layers, "csv", out, overwrite=overwrite)
    assert old.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["old.zip"]


def test_atomic_write_moves_the_file_into_place_only_on_success(tmp_path: Path) -> None:
    out = tmp_path / "a.txt"
    with atomic_write(out, overwrite=False) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".txt" and not out.exists()
        tmp.write_text("one")
    assert out.read_text() == "one"
    with pytest.raises(RuntimeError), atomic_write(out, overwrite=True) as tmp:
        tmp.write_text("half")
        raise RuntimeError
    assert out.read_text() == "one" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_refusals_are_geo_errors_and_permission_errors(built_workspaces: Path) -> None:
    with pytest.raises(NotPermittedError) as err:
        safe_target(built_workspaces / "500231.gpkg", overwrite=True)
    assert isinstance(err.value, GeoError) and isinstance(err.value, PermissionError)


def test_dump_refuses_the_workspace_folder(built_workspaces: Path, tmp_path: Path) -> None:
    before = _fingerprint(built_workspaces)
    (tmp_path / "wslink").symlink_to(built_workspaces, target_is_directory=True)
    for out in (built_workspaces, built_workspaces / "dump", tmp_path / "wslink", built_workspaces / ".." / built_workspaces.name):
        with pytest.raises(NotPermittedError, match=IN_WORKSPACE):
            dump_workspace("500231", out, overwrite=True)
    assert _fingerprint(built_workspaces) == before and not (built_workspaces / "dump").exists()


def test_dump_needs_overwrite_for_existing_files_and_checks_all_before_writing(built_workspaces: Path, tmp_path: Path) -> None:
    out = tmp_path / "dump"
    paths = dump_workspace("500231", out)  # a missing folder is created when its parent exists
    assert paths and all(p.parent == out and p.stat().st_size > 0 for p in paths)
    paths[-1].write_bytes(b"edited")
    paths[0].unlink()
    with pytest.raises(NotPermittedError, match=r"'.*dump/.*\.geojson' " + EXISTS):
        dump_workspace("500231", out)
    assert not paths[0].exists() and paths[-1].read_bytes() == b"edited"  # nothing written before the refusal
    assert dump_workspace("500231", out, overwrite=True) == paths
    assert paths[0].exists() and paths[-1].read_bytes() != b"edited"
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in paths)


def test_dump_refuses_a_file_and_a_missing_parent(built_workspaces: Path, tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    with pytest.raises(NotPermittedError, match=r"'.*f' exists and is not a folder; this export writes into a folder"):
        dump_workspace("500231", tmp_path / "f")
    with pytest.raises(NotPermittedError, match=r"The folder '.*a/b' of '.*a/b/c' does not exist"):
        safe_folder(tmp_path / "a" / "b" / "c")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


@pytest.mark.parametrize("where", ["workspace", "folder"])
def test_cli_refusal_is_a_message_not_a_traceback(built_workspaces: Path, tmp_path: Path, where: str) -> None:
    out = built_workspaces / "500231.gpkg" if where == "workspace" else tmp_path
    before = _fingerprint(built_workspaces)
    run = subprocess.run([sys.executable, "-m", "layers", "export", "500231", "--format", "gpkg", "--out", str(out), "--lang", "en"],
                         cwd=ROOT, env={**os.environ, "ONEMAP_WORKSPACES": str(built_workspaces)}, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    expected = IN_WORKSPACE if where == "workspace" else "is a folder, not a file"
    assert run.stderr.startswith(f"error: Not writing '{out}'" if where == "workspace" else f"error: '{out}'")
    assert re.search(expected, run.stderr)
    assert _fingerprint(built_workspaces) == before and list(tmp_path.iterdir()) == []
