"""The hazard-density GeoTIFF kept beside a workspace (``<adcode>_kde_<hazard>.tif``, for GIS users):
written to a temporary file named with the writer's process id, published with ``os.replace`` only
after the workspace write committed. A killed writer's temporary file is removed by the next write."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def kde_path(gpkg: Path, hazard: str) -> Path:
    """GeoTIFF of a density surface stored beside a workspace GeoPackage."""
    return gpkg.with_name(f"{gpkg.stem}_kde_{hazard}.tif")


@dataclass
class KdeOutput:
    final: Path
    tmp: Path

    def publish(self) -> None:
        if self.tmp.exists():
            os.replace(self.tmp, self.final)


@contextmanager
def kde_output(gpkg: Path, hazard: str) -> Iterator[KdeOutput]:
    final = kde_path(gpkg, hazard)
    final.parent.mkdir(parents=True, exist_ok=True)
    out = KdeOutput(final, final.with_name(f".{final.stem}.{os.getpid()}.tmp.tif"))
    try:
        yield out
    finally:
        out.tmp.unlink(missing_ok=True)


def clean_kde_leftovers(folder: Path, adcode: str) -> None:
    """Temporary density files of ``adcode`` in ``folder`` whose writer is no longer alive."""
    for p in folder.glob(f".{adcode}_kde_*.tmp.tif"):
        m = re.search(r"\.(\d+)\.tmp\.tif$", p.name)
        if m is None or not _alive(int(m.group(1))):
            p.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
