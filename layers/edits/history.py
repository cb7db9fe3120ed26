"""The change log read for people: every changeset with its features before and after, per-feature
history, undo of a changeset (itself a new changeset; history is never rewritten), return to an
earlier revision, and the log as XLSX."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import geopandas as gpd

from layers.store.gpkg import Changeset
from layers.store.workspace import Workspace


@dataclass
class FeatureChange:
    """One feature in one changeset: its layer and fid, township, name, and the version before and
    after (one-row frames in EPSG:4490; None when it did not exist / was deleted)."""

    layer: str
    fid: str
    name: str | None
    township: str | None
    before: gpd.GeoDataFrame | None
    after: gpd.GeoDataFrame | None
    changed: list[str] = field(default_factory=list)  # field names that differ, "geometry" included


@dataclass
class Entry:
    """One changeset of the log with the features it changed."""

    changeset: Changeset
    features: list[FeatureChange]


def history(ws: Workspace, *, layer: str | None = None, fid: str | None = None, user: str | None = None,
            township: str | None = None, since: dt.date | None = None, until: dt.date | None = None) -> list[Entry]:
    """The log, newest first, filtered."""
    raise NotImplementedError


def undo(ws: Workspace, changeset_id: int, *, user: str, reason: str | None = None) -> Changeset:
    """Undo changeset ``changeset_id`` as a new changeset: each feature it touched gets back the version
    it had before (geometry and attributes byte-equal); refused with ConflictError when a later change
    touched the same features."""
    raise NotImplementedError


def revert_to(ws: Workspace, revision: int, *, user: str, reason: str) -> Changeset:
    """Return the user content of the workspace to what it was at ``revision`` as one new changeset."""
    raise NotImplementedError


def history_xlsx(entries: list[Entry], lang: str = "zh") -> bytes:
    """The log as a one-sheet XLSX (one row per feature change), formula-safe."""
    raise NotImplementedError
