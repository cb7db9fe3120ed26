"""Open users' zip archives (zipped shapefiles, KMZ, XLSX) without trusting them.

Every member is checked before a single byte is extracted: a name with ``..``, an absolute path or a
drive letter, a symlink, an encrypted member, a member that claims to expand more than
``MAX_MEMBER_RATIO`` times (zip bomb), or members that together claim more than
``MAX_UNPACKED_BYTES`` are refused with a message naming the archive and the member. Extraction then
goes only into a folder the caller owns (a private temporary folder) and stops at the declared sizes,
so a member that lies about its size cannot fill the disk either.

What this module will not do: open nested archives, repair broken ones, or keep file modes.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path, PurePosixPath

from geo.errors import NotPermittedError, SourceReadError

MAX_UNPACKED_BYTES = 1 << 30  # 1 GiB: all members together, as declared in the archive
MAX_MEMBER_RATIO = 200  # uncompressed / compressed size of one member ...
RATIO_FLOOR_BYTES = 1 << 20  # ... checked for members that expand to more than 1 MiB


def open_zip(path: Path, *, name: str) -> zipfile.ZipFile:
    """``path`` as a ZipFile; a file that is not a zip archive is a ``SourceReadError`` naming ``name``."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError) as err:
        raise SourceReadError(f"文件 {name} 不是可读取的 zip 压缩包，请重新压缩后上传 / file {name} is not a zip archive "
                              f"that can be read ({err}); zip it again and upload that.") from err


def _unsafe_name(member: str) -> bool:
    text = member.replace("\\", "/")
    parts = PurePosixPath(text).parts
    return text.startswith("/") or (len(text) > 1 and text[1] == ":") or ".." in parts


def _refuse(name: str, member: str, zh: str, en: str) -> NotPermittedError:
    return NotPermittedError(f"压缩包 {name} 中的 {member!r} {zh}，已拒绝读取；请只压缩数据文件本身后重新上传 / "
                             f"archive {name}: entry {member!r} {en}; refused. Zip only the data files themselves and upload again.")


def check_members(zf: zipfile.ZipFile, *, name: str, max_unpacked: int | None = None) -> list[zipfile.ZipInfo]:
    """The archive's file members, after checking every member (see the module docstring);
    ``max_unpacked`` defaults to ``MAX_UNPACKED_BYTES``."""
    max_unpacked = MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked
    total = 0
    for info in zf.infolist():
        if _unsafe_name(info.filename):
            raise _refuse(name, info.filename, "指向压缩包之外（含 .. 或绝对路径）", "points outside the archive (.. or an absolute path)")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(name, info.filename, "是符号链接", "is a symbolic link")
        if info.flag_bits & 0x1:
            raise SourceReadError(f"压缩包 {name} 中的 {info.filename!r} 已加密，无法读取；请不加密码重新压缩 / archive {name}: "
                                  f"entry {info.filename!r} is encrypted; zip it again without a password.")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > MAX_MEMBER_RATIO:
            raise _too_large(name, f"{info.filename!r} 声明解压后 {info.file_size:,} 字节（压缩比 {ratio:.0f}:1，上限 {MAX_MEMBER_RATIO}:1）",
                             f"entry {info.filename!r} claims {info.file_size:,} bytes (ratio {ratio:.0f}:1, limit {MAX_MEMBER_RATIO}:1)")
        total += info.file_size
        if total > max_unpacked:
            raise _too_large(name, f"解压后超过 {max_unpacked:,} 字节", f"expands to more than {max_unpacked:,} bytes")
    return [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]


def _too_large(name: str, zh: str, en: str) -> SourceReadError:
    return SourceReadError(f"压缩包 {name} {zh}，未解压；请拆分数据或只压缩需要的图层 / archive {name}: {en}; "
                           "nothing was extracted. Split the data or zip only the layer you need.")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, *, name: str) -> bytes:
    """The bytes of a checked member; a damaged member is a ``SourceReadError`` naming it."""
    try:
        with zf.open(info) as src:
            return src.read(info.file_size + 1)[: info.file_size]
    except (zipfile.BadZipFile, OSError, EOFError) as err:  # a CRC error or a truncated member
        raise SourceReadError(f"压缩包 {name} 中的 {info.filename!r} 已损坏 / archive {name}: entry {info.filename!r} "
                              f"is damaged ({err}); zip it again.") from err


def extract(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], dest: Path, *, name: str) -> dict[str, Path]:
    """Extract checked ``members`` into ``dest`` (a folder the caller owns); returns member name -> path."""
    out: dict[str, Path] = {}
    root = dest.resolve()
    for info in members:
        target = (root / info.filename.replace("\\", "/")).resolve()
        if root not in target.parents:  # check_members already refused this; never write outside dest
            raise _refuse(name, info.filename, "指向压缩包之外", "points outside the archive")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(_Capped(src, info.file_size), dst)
        except (zipfile.BadZipFile, EOFError) as err:
            raise SourceReadError(f"压缩包 {name} 中的 {info.filename!r} 已损坏 / archive {name}: entry {info.filename!r} "
                                  f"is damaged ({err}); zip it again.") from err
        out[info.filename] = target
    return out


class _Capped:
    """A reader that gives at most ``limit`` bytes (the size the archive declared)."""

    def __init__(self, src: object, limit: int) -> None:
        self._src, self._left = src, limit

    def read(self, n: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        n = self._left if n < 0 else min(n, self._left)
        data: bytes = self._src.read(n)  # type: ignore[attr-defined]
        self._left -= len(data)
        return data
