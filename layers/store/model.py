"""What every store backend reads and writes: a user write (:class:`UserChange`), a change-log row
(:class:`Changeset`), one revision read whole (:class:`Snapshot`) and the interface a backend offers
(:class:`Store`: the GeoPackage folder or a PostgreSQL database)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import geopandas as gpd
import pandas as pd


@dataclass(frozen=True)
class UserChange:
    """One layer's share of a user write: ``upsert`` rows (spec columns, EPSG:4490, optional
    ``supersedes``) replace the current version of the same ``fid`` or add a feature; ``delete``
    hides features (user or plan); ``replace_all`` first retires every current user feature.

    For undo and revert: ``restore`` rows are versions written exactly as given (spec columns plus
    ``supersedes``, ``deleted`` and ``provenance``, as :meth:`Store.versions` returns them), each
    replacing the current version of its ``fid``; ``retire`` closes the current user version of
    each fid without writing a new one (the plan feature it stood for shows again, a feature a user
    added disappears)."""

    layer: str
    upsert: gpd.GeoDataFrame | None = None
    delete: tuple[str, ...] = ()
    replace_all: bool = False
    restore: gpd.GeoDataFrame | None = None
    retire: tuple[str, ...] = ()

    @property
    def fids(self) -> list[str]:
        ups = [] if self.upsert is None else [str(f) for f in self.upsert["fid"]]
        back = [] if self.restore is None else [str(f) for f in self.restore["fid"]]
        return [*ups, *back, *self.retire, *self.delete]


@dataclass(frozen=True)
class Changeset:
    id: int
    revision: int
    base_revision: int | None
    time: str
    user: str
    action: str
    layer: str | None
    fids: list[str] | None
    counts: dict
    reason: str | None
    source_name: str | None
    source_sha256: str | None

    def describe(self) -> str:
        what = f"{self.action} {self.layer or ''}".strip()
        n = len(self.fids) if self.fids else None
        items = f"，{n} 个要素 / {n} feature(s)" if n else ""
        return f"#{self.id}（版本 revision {self.revision}，{self.time}，{self.user}，{what}{items}）"


@dataclass
class Snapshot:
    """Everything stored for one workspace, read in one transaction (one revision)."""

    revision: int
    meta: dict[str, str]
    plan: dict[str, gpd.GeoDataFrame]
    user: dict[str, gpd.GeoDataFrame]
    derived: dict[str, gpd.GeoDataFrame]
    unmapped: pd.DataFrame
    extra_layers: list[str] = field(default_factory=list)
    data_revision: int = 0  # last revision that changed plan or user content


class Store(Protocol):
    """A backend of the workspace store (``layers/store/gpkg.py``, ``layers/store/postgis.py``)."""

    kind: str

    @property
    def key(self) -> str: ...

    def path(self, adcode: str) -> Path: ...

    def adcodes(self) -> list[str]: ...

    def exists(self, adcode: str) -> bool: ...

    def revision(self, adcode: str) -> int: ...

    def meta(self, adcode: str) -> dict[str, str]: ...

    def layer_ids(self, adcode: str) -> list[str]: ...

    def changesets(self, adcode: str) -> list[Changeset]: ...

    def read(self, adcode: str, *, revision: int | None = None, only: Sequence[str] | None = None) -> Snapshot: ...

    def versions(self, adcode: str, layer: str, *, fid: str | None = None, changeset: int | None = None) -> gpd.GeoDataFrame: ...

    def plan_features(self, adcode: str, layer: str) -> gpd.GeoDataFrame: ...

    def commit(self, adcode: str, *, user: str, action: str, reason: str | None = None,
               base_revision: int | None = None, plan: Mapping[str, gpd.GeoDataFrame] | None = None,
               changes: Sequence[UserChange] = (), derived: Mapping[str, gpd.GeoDataFrame] | None = None,
               derived_base: int | None = None, unmapped: pd.DataFrame | None = None,
               meta: Mapping[str, str] | None = None, source_name: str | None = None,
               source_sha256: str | None = None, create: bool = False) -> Changeset: ...
