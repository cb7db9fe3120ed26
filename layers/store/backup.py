"""Backups of the embedded store: every workspace GeoPackage (and the accounts file) copied with
SQLite's online backup, so a copy taken while the app is saving is a whole revision, never half of
one (a plain ``cp`` of a file in WAL mode can miss the last commits). Density GeoTIFFs and the saved
plan inventories are copied as files. Restore = stop the app, copy the folder's files back.

The PostgreSQL store is backed up with ``pg_dump`` (README, 部署); :func:`backup` says so."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

from geo.errors import NotPermittedError, OptionError
from layers.store.workspace import in_workspace_dir, store

ACCOUNTS_FILE = "onemap_accounts.sqlite"


def backup(out: Path) -> list[Path]:
    """Copy the store into the new folder ``out``; the files written."""
    st = store()
    if st.kind != "gpkg":
        raise OptionError("数据库存储请用 pg_dump 备份（见 README“部署”）/ a PostgreSQL store is backed up with pg_dump "
                          "(see the README, Deployment): pg_dump --format=custom --schema='ws_*' --schema=onemap_accounts "
                          "--file=onemap.dump \"$ONEMAP_STORE\"")
    out = Path(out)
    folder: Path = st.folder  # type: ignore[attr-defined]
    if in_workspace_dir(out):
        raise NotPermittedError(f"备份不能放在工作区文件夹里（{out.name}）：请换一个工作区文件夹以外的新目录 / a backup cannot go "
                                f"into the workspace folder ({out.name}); give a new folder outside it")
    if out.exists() and not out.is_dir():
        raise NotPermittedError(f"备份目录“{out.name}”已存在且不是文件夹，不会写入：请换一个新目录 / the backup folder '{out.name}' "
                                "exists and is not a folder; nothing is written: give a new folder")
    if out.exists() and any(out.iterdir()):
        raise OptionError(f"备份目录 {out.name} 已存在且不为空，请换一个新目录 / the backup folder {out.name} exists and is not "
                          "empty; give a new folder")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    names = [f"{a}.gpkg" for a in st.adcodes()] + ([ACCOUNTS_FILE] if (folder / ACCOUNTS_FILE).is_file() else [])
    for name in names:
        written.append(_online_copy(folder / name, out / name))
    for tif in sorted(folder.glob("*_kde_*.tif")):
        if not tif.name.startswith("."):
            written.append(Path(shutil.copy2(tif, out / tif.name)))
    if (folder / "plans").is_dir():
        shutil.copytree(folder / "plans", out / "plans")
        written.append(out / "plans")
    return written


def _online_copy(src: Path, dst: Path) -> Path:
    with closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True)) as con, closing(sqlite3.connect(dst)) as target:
        con.backup(target)
    return dst
