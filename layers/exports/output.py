"""Where an export may write, and how: every export file goes through here.

An export never writes into the workspace folder (``layers.store.workspace.workspace_dir()``: the
GeoPackages, their ``-wal``/``-shm``/``-journal`` companions, the density GeoTIFFs, anything there),
never over a folder or a special file (device, fifo, socket), and over an existing file only when
asked (``overwrite=True``, ``--force`` on the command line). The checks look at the path resolved
through symlinks and ``..``; the messages name the path as the user typed it, never the resolved one.

A file is written to a temporary file in its target folder and moved into place with
:func:`os.replace`, so a failed export leaves the old file (or nothing), never half a file. A symlink
to a file is written through: its target is replaced and the link stays.

What this module will not do: create a missing folder (a typo must not grow a tree of folders; the
message says to create it), or lock the target; the checks are repeated just before the move, which
leaves only a very short window to another process that swaps the path at that moment.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import NotPermittedError
from layers.catalog.i18n import say
from layers.store.workspace import in_workspace_dir

TEXT = {
    "workspace": ("不能写入“{path}”:它位于(或经链接指向)工作空间文件夹,即各行政区数据的存放处,导出不会写到那里。请换一个该文件夹以外的路径。",
                  "Not writing '{path}': it is in (or leads into) the workspace folder, where the jurisdictions' data are kept, "
                  "and exports never write there. Choose a path outside that folder."),
    "folder": ("“{path}”是一个文件夹,不是文件。请给出文件名,例如该文件夹中的一个新文件。",
               "'{path}' is a folder, not a file. Give a file name, such as a new file inside that folder."),
    "special": ("“{path}”是设备或其他特殊文件,不是普通文件,不会写入。请换一个文件名。",
                "'{path}' is a device or other special file, not a regular file; nothing was written. Choose another file name."),
    "exists": ("“{path}”已存在。请换一个文件名,或加 --force 替换已有的导出文件。",
               "'{path}' already exists. Choose another file name, or pass --force to replace the existing export."),
    "no_parent": ("“{path}”所在的文件夹“{parent}”不存在。请先创建该文件夹,或换一个文件名。",
                  "The folder '{parent}' of '{path}' does not exist. Create it first, or choose another file name."),
    "parent_not_folder": ("“{parent}”不是文件夹,无法写入“{path}”。请换一个文件名。",
                          "'{parent}' is not a folder, so '{path}' cannot be written. Choose another file name."),
    "not_a_folder": ("“{path}”已存在且不是文件夹;导出需要一个文件夹。请换一个文件夹名。",
                     "'{path}' exists and is not a folder; this export writes into a folder. Choose another folder name."),
    "cannot_write": ("无法在“{path}”处写入({reason})。请换一个文件夹或文件名。",
                     "Cannot write '{path}' ({reason}). Choose another folder or file name."),
}


def _refuse(key: str, lang: str, **values: object) -> NotPermittedError:
    return NotPermittedError(say(TEXT, key, lang, **values))


def _check_protected(p: Path, typed: str, lang: str) -> Path:
    """The resolved path of ``p``; refused when it, or the directory entry named, lies in the workspace folder."""
    if in_workspace_dir(p):
        raise _refuse("workspace", lang, path=typed)
    return Path(os.path.realpath(p))


def _check_parent(real: Path, typed: str, lang: str) -> None:
    parent = os.path.dirname(typed) or "."
    if not real.parent.exists():
        raise _refuse("no_parent", lang, path=typed, parent=parent)
    if not real.parent.is_dir():
        raise _refuse("parent_not_folder", lang, path=typed, parent=parent)


def _check_existing(real: Path, typed: str, *, overwrite: bool, lang: str) -> None:
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        return
    except OSError as err:  # a symlink loop, a folder we may not look into
        raise _refuse("cannot_write", lang, path=typed, reason=err.strerror) from err
    if stat.S_ISDIR(mode):
        raise _refuse("folder", lang, path=typed)
    if not stat.S_ISREG(mode):
        raise _refuse("special", lang, path=typed)
    if not overwrite:
        raise _refuse("exists", lang, path=typed)


def safe_target(path: str | os.PathLike[str], *, overwrite: bool, lang: str = "en") -> Path:
    """The resolved file an export of ``path`` writes, after checking it may be written.

    Raises
    ------
    NotPermittedError
        ``path`` leads into the workspace folder, is a folder or a special file, exists and
        ``overwrite`` is false, or its folder is missing. Nothing is written or created.
    """
    typed = os.fspath(path)
    real = _check_protected(Path(typed), typed, lang)
    _check_parent(real, typed, lang)
    _check_existing(real, typed, overwrite=overwrite, lang=lang)
    return real


def safe_folder(path: str | os.PathLike[str], *, lang: str = "en") -> Path:
    """The resolved folder an export of several files writes into (it may be missing, its parent may not).

    Raises
    ------
    NotPermittedError
        ``path`` leads into the workspace folder, exists and is not a folder, or its parent folder is missing.
    """
    typed = os.fspath(path)
    real = _check_protected(Path(typed), typed, lang)
    if real.exists() and not real.is_dir():
        raise _refuse("not_a_folder", lang, path=typed)
    if not real.exists():
        _check_parent(real, typed, lang)
    return real


def _reserve(target: Path, typed: str, lang: str) -> Path:
    """A new empty hidden file beside ``target`` with the same suffix (writers pick their format by it),
    created with the usual permissions (the umask applies)."""
    for _ in range(100):
        tmp = target.with_name(f".{target.stem}.{secrets.token_hex(4)}.tmp{target.suffix}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as err:
            raise _refuse("cannot_write", lang, path=typed, reason=err.strerror) from err
        return tmp
    raise NotPermittedError(f"No free temporary name beside {typed!r}.")


@contextmanager
def atomic_write(path: str | os.PathLike[str], *, overwrite: bool, lang: str = "en") -> Iterator[Path]:
    """Check ``path`` (:func:`safe_target`), yield a temporary file beside it to write, then move it into place.

    The temporary file exists and is empty; a writer that must create its file itself (GDAL) may
    delete it first. If the body raises, the temporary file is removed and ``path`` is left as it was.
    """
    typed = os.fspath(path)
    target = safe_target(typed, overwrite=overwrite, lang=lang)
    tmp = _reserve(target, typed, lang)
    try:
        yield tmp
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        _check_existing(target, typed, overwrite=overwrite, lang=lang)  # it may have appeared while we wrote
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
