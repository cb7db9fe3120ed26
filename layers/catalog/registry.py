"""The one registry of datasets in ``data/``: names, paths, provenance (from ``data/catalog.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from geo.errors import SourceReadError, UnknownNameError

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "data"
CATALOG = DATA_DIR / "catalog.toml"


@dataclass(frozen=True)
class Dataset:
    """One committed dataset and where it came from."""

    name: str
    path: Path
    source: str
    licence: str
    version: str
    crs: str
    processing: str


def catalog() -> dict[str, Dataset]:
    """All datasets in the catalogue, by name."""
    with CATALOG.open("rb") as fh:
        raw = tomllib.load(fh)
    return {
        name: Dataset(name=name, path=DATA_DIR / entry["path"], **{k: entry[k] for k in
                      ("source", "licence", "version", "crs", "processing")})
        for name, entry in raw["datasets"].items()
    }


def dataset(name: str) -> Dataset:
    """The dataset called ``name``; a clear error lists the known names otherwise."""
    known = catalog()
    if name not in known:
        raise UnknownNameError(f"No dataset named {name!r} in {_shown(CATALOG)}; known datasets: {sorted(known)}.")
    ds = known[name]
    if not ds.path.exists():
        raise SourceReadError(f"Dataset {name!r} is catalogued but {_shown(ds.path)} is missing; restore it from git.")
    return ds


def _shown(path: Path) -> str:
    """``path`` as a message shows it: relative to the project (``data/...``), never the server's folders."""
    return path.relative_to(PROJECT_DIR).as_posix() if path.is_relative_to(PROJECT_DIR) else path.name
