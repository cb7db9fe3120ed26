"""Edit one feature of a workspace layer as one changeset: move it, set attributes (checked against the
layer spec), add a new feature, delete one (kept in history, restorable) or restore it. Every change
needs a user and a reason. A position set by a person is ``geometry_quality = "surveyed"`` with the
editor's name and the time in the feature's provenance.

Conflicts: each function takes the revision the user started from (``base_revision``); if a change
committed since touches the same feature, the store refuses with ``ConflictError`` naming that change."""

from __future__ import annotations

from collections.abc import Mapping

from shapely.geometry.base import BaseGeometry

from layers.store.gpkg import Changeset
from layers.store.workspace import Workspace

SURVEYED = "surveyed"
"""The position class of a position placed or corrected by a person."""


def edit_feature(ws: Workspace, layer: str, fid: str, *, geometry: BaseGeometry | None = None,
                 values: Mapping[str, object] | None = None, user: str, reason: str,
                 base_revision: int | None = None) -> Changeset:
    """Move feature ``fid`` to ``geometry`` (EPSG:4490) and/or set ``values`` (field -> value as typed;
    checked and typed by the layer spec); one changeset. Raises ValidationError (field, value, fix),
    UnknownNameError (no such feature), ConflictError."""
    raise NotImplementedError


def add_feature(ws: Workspace, layer: str, *, geometry: BaseGeometry, values: Mapping[str, object], user: str, reason: str,
                base_revision: int | None = None) -> Changeset:
    """A new feature (fid generated, e.g. ``edit-<adcode>-<n>``) at ``geometry`` with ``values``."""
    raise NotImplementedError


def delete_feature(ws: Workspace, layer: str, fid: str, *, user: str, reason: str, base_revision: int | None = None) -> Changeset:
    """Hide feature ``fid`` (plan or user); it stays in the history and can be restored."""
    raise NotImplementedError


def restore_feature(ws: Workspace, layer: str, fid: str, *, user: str, reason: str, base_revision: int | None = None) -> Changeset:
    """Bring back a deleted feature as it was before its deletion."""
    raise NotImplementedError
