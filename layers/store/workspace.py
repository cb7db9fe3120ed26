"""The one funnel to a jurisdiction's data: ``open_workspace(adcode)`` returns a :class:`Workspace`
handle with its names, metric CRS, revision and merged layers. Pages, CLI commands, analysis and
exports all go through it. The store behind it is chosen once, by :func:`store`: a PostgreSQL database
when ``$ONEMAP_STORE`` is a ``postgresql://`` URL, else a folder of GeoPackages (``$ONEMAP_WORKSPACES``)."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import pandas as pd
from pyproj import CRS
from shapely.geometry.base import BaseGeometry

from geo.errors import GeoError, OptionError, UnknownNameError
from layers.catalog.registry import PROJECT_DIR
from layers.catalog.specs import SPECS, get_spec
from layers.store import schema
from layers.store.gpkg import GeoPackageStore
from layers.store.model import Changeset, Snapshot, Store, UserChange

__all__ = ["Changeset", "UserChange", "Workspace", "WorkspaceInfo", "conform", "in_workspace_dir", "layer_ids", "list_workspaces", "open_workspace",
           "store", "validate_adcode", "workspace_dir", "workspace_path"]
conform = schema.conform
ADCODE = re.compile(r"^\d{6}$")


def workspace_dir() -> Path:
    """Folder of the workspace files (``$ONEMAP_WORKSPACES`` or ``<project>/workspaces``)."""
    return Path(os.environ.get("ONEMAP_WORKSPACES", PROJECT_DIR / "workspaces"))


def in_workspace_dir(path: Path) -> bool:
    """Whether ``path`` (existing or not), or the directory entry it names (the link itself when it is
    a symlink), is the workspace folder or lies in it: through links and ``..``, and also when the
    folder is reached under another name (a bind mount, a case-insensitive disk)."""
    folder = Path(os.path.realpath(workspace_dir()))
    real = Path(os.path.realpath(path))
    entry = Path(os.path.realpath(path.parent)) / path.name
    return _inside(real, folder) or _inside(entry, folder)


def _inside(path: Path, folder: Path) -> bool:
    if path == folder or folder in path.parents:
        return True
    return folder.exists() and any(_same(p, folder) for p in (path, *path.parents) if p.exists())


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def store() -> Store:
    """The configured store: the PostgreSQL database of ``$ONEMAP_STORE`` when it is a
    ``postgresql://`` (or ``postgres://``) URL, else the GeoPackage folder (:func:`workspace_dir`)."""
    url = os.environ.get("ONEMAP_STORE", "").strip()
    if url.startswith(("postgresql://", "postgres://")):
        from layers.store.postgis import PostgisStore

        return PostgisStore(url, workspaces=workspace_dir())
    return GeoPackageStore(workspace_dir())


def workspace_path(adcode: str) -> Path:
    return store().path(validate_adcode(adcode))


def buildable() -> dict[str, dict]:
    from layers.catalog.jurisdiction import jurisdiction_config

    return jurisdiction_config()


def validate_adcode(adcode: object, *, for_build: bool = False) -> str:
    """``adcode`` as a six-digit jurisdiction code that is built (or, ``for_build``, buildable);
    otherwise :class:`UnknownNameError` saying which codes exist and how to build one."""
    text = str(adcode).strip()
    if not ADCODE.match(text):
        raise UnknownNameError(f"行政区划代码应为6位数字，收到 {text[:40]!r} / a jurisdiction code is six digits (e.g. 500231), got {text[:40]!r}")
    known = store().adcodes()
    if for_build:
        if text not in buildable():
            raise UnknownNameError(f"没有 {text} 的配置，可建立的区县：{', '.join(sorted(buildable()))} / "
                                   f"no configuration for {text}; buildable: {', '.join(sorted(buildable()))}")
    elif text not in known:
        configured = ", ".join(sorted(buildable()))
        hint = (f"建立：python -m layers build {text} / build it: python -m layers build {text}" if text in buildable() else
                f"可建立的辖区：{configured} / configured jurisdictions: {configured}")
        raise UnknownNameError(f"没有工作区 {text}（已有：{', '.join(known) or '无'}）/ no workspace {text} "
                               f"(built: {', '.join(known) or 'none'}). {hint}")
    return text


@dataclass(frozen=True)
class WorkspaceInfo:
    adcode: str
    name: str
    name_en: str


def list_workspaces() -> list[WorkspaceInfo]:
    """Every built workspace, sorted by adcode (temporary or foreign files are never listed)."""
    st = store()
    out = []
    for a in st.adcodes():
        try:
            meta = st.meta(a)
        except GeoError:  # an old-format file is listed by its code until rebuilt
            meta = {}
        out.append(WorkspaceInfo(a, meta.get("name", a), meta.get("name_en", a)))
    return out


@dataclass
class Workspace:
    """One jurisdiction's data at one revision. Layers are the merge of plan-derived and user
    features (EPSG:4490), loaded once; ``metric(layer)`` is a cached copy in the metric CRS."""

    adcode: str
    name: str
    name_en: str
    metric_crs: CRS
    revision: int
    store: Store
    meta: dict[str, str]
    at_revision: int | None = None
    _snap: Snapshot | None = field(default=None, repr=False)
    _frames: Mapping[str, gpd.GeoDataFrame] | None = field(default=None, repr=False)
    _superseded: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)
    _metric: dict[str, gpd.GeoDataFrame] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> tuple[str, str, int]:
        """(store, adcode, revision): what caches of this workspace's data are keyed on."""
        return (self.store.key, self.adcode, self.revision)

    def _snapshot(self) -> Snapshot:
        if self._snap is None:
            self._snap = self.store.read(self.adcode, revision=self.at_revision)
            self.revision = self._snap.revision
        return self._snap

    def frames(self) -> Mapping[str, gpd.GeoDataFrame]:
        """Every layer as read by the map, analysis and exports (plan merged with user content;
        ``risk_townships`` as last stored; see :attr:`risk_stale`). Read-only mapping."""
        if self._frames is None:
            snap = self._snapshot()
            out: dict[str, gpd.GeoDataFrame] = {}
            for lid in SPECS:
                if lid in snap.plan or lid in snap.user:
                    plan = snap.plan.get(lid)
                    if plan is None:
                        plan = schema.conform(lid, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4490), crs=4490))
                    out[lid], self._superseded[lid] = schema.merge(lid, plan, snap.user.get(lid))
                elif lid in snap.derived:
                    out[lid] = snap.derived[lid]
            self._frames = MappingProxyType(out)
        return self._frames

    def layer(self, layer_id: str) -> gpd.GeoDataFrame:
        frames = self.frames()
        if layer_id not in frames:
            get_spec(layer_id)
            raise UnknownNameError(f"工作区 {self.adcode} 没有图层 {layer_id} / workspace {self.adcode} has no layer {layer_id!r}; "
                                   f"rebuild it: python -m layers build {self.adcode}")
        return frames[layer_id]

    def layer_ids(self) -> list[str]:
        return list(self.frames())

    def metric(self, layer_id: str) -> gpd.GeoDataFrame:
        """``layer_id`` in the workspace's metric CRS (measure here, never in degrees); cached."""
        if layer_id not in self._metric:
            self._metric[layer_id] = self.layer(layer_id).to_crs(self.metric_crs)
        return self._metric[layer_id]

    def township_at(self, geom: BaseGeometry | None) -> str | None:
        """The name of the township whose polygon holds ``geom``'s representative point (None when
        ``geom`` is empty, lies outside every township, or there are no townships)."""
        towns = self.frames().get("townships")
        if geom is None or geom.is_empty or towns is None or towns.empty:
            return None
        hit = towns.sindex.query(geom.representative_point(), predicate="intersects")
        return str(towns["name"].iloc[int(hit[0])]) if len(hit) else None

    def superseded(self, layer_id: str) -> gpd.GeoDataFrame:
        """Plan features that a user feature stands for (kept with their citation, ``superseded_by``)."""
        self.frames()
        return self._superseded.get(layer_id, gpd.GeoDataFrame())

    def user_features(self, layer_id: str) -> gpd.GeoDataFrame:
        """Current versions of the user features of ``layer_id`` (with supersedes/rev_from/changeset/deleted)."""
        return self._snapshot().user.get(layer_id, gpd.GeoDataFrame())

    def unmapped(self) -> pd.DataFrame:
        """Plan items that carry no drawable geometry, with reasons."""
        return self._snapshot().unmapped

    @property
    def extra_layers(self) -> list[str]:
        """Tables another tool added to the workspace file; kept as they are, never written."""
        return self._snapshot().extra_layers

    @property
    def risk_stale(self) -> bool:
        """Whether content changed after the stored township risk was computed."""
        snap = self._snapshot()
        return int(snap.meta.get("derived_revision", "0")) < snap.data_revision

    @property
    def data_revision(self) -> int:
        return self._snapshot().data_revision

    def changesets(self) -> list[Changeset]:
        """The change log as stored now (oldest first), read from the store, not from this handle."""
        return self.store.changesets(self.adcode)

    def changeset(self, changeset_id: int) -> Changeset:
        """One changeset of the log by id; :class:`UnknownNameError` listing the ids when there is none."""
        log = self.changesets()
        found = next((c for c in log if c.id == int(changeset_id)), None)
        if found is None:
            ids = f"{log[0].id}–{log[-1].id}" if log else "—"
            raise UnknownNameError(f"工作区 {self.adcode} 没有变更集 #{changeset_id}（现有 {ids}）。 / workspace {self.adcode} has no "
                                   f"changeset #{changeset_id} (it has {ids}); see python -m layers history {self.adcode}")
        return found

    def versions(self, layer_id: str, fid: str | None = None, *, changeset: int | None = None) -> gpd.GeoDataFrame:
        """Every stored version of the user features of ``layer_id`` (or of one ``fid``, or those one
        ``changeset`` wrote or closed), read from the store now: spec columns plus ``supersedes``,
        ``rev_from``, ``rev_to``, ``changeset``, ``deleted``, ``provenance``, in the order written."""
        return self.store.versions(self.adcode, layer_id, fid=fid, changeset=changeset)

    def plan_features(self, layer_id: str) -> gpd.GeoDataFrame:
        """The plan-derived features of ``layer_id`` as this handle read them (superseded ones included)."""
        snap = self._snapshot()
        if layer_id in snap.plan:
            return snap.plan[layer_id]
        return schema.conform(layer_id, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=4490), crs=4490))

    def commit(self, changes: Sequence[UserChange], *, user: str, action: str, reason: str | None = None,
               source_name: str | None = None, source_sha256: str | None = None,
               base_revision: int | None = -1, derived: Mapping[str, gpd.GeoDataFrame] | None = None) -> Changeset:
        """Write user content as one new revision, refused with a conflict error if a change made
        after this handle's revision touched the same features (``base_revision=None`` skips the check).
        ``derived`` layers (the township risk as the change leaves it) are stored in the same revision,
        computed from this handle's revision."""
        base = self.revision if base_revision == -1 else base_revision
        return self.store.commit(self.adcode, user=user, action=action, reason=reason, base_revision=base,
                                 changes=changes, source_name=source_name, source_sha256=source_sha256,
                                 derived=derived, derived_base=self.revision if derived else None)


def open_workspace(adcode: object, *, revision: int | None = None) -> Workspace:
    """The workspace of ``adcode`` (validated: six digits, built) at its current revision, or its
    user content as it was at ``revision``. Layers load on first use, in one read."""
    code = validate_adcode(adcode)
    st = store()
    meta = st.meta(code)
    rev = current = st.revision(code)
    if revision is not None:
        if not 1 <= int(revision) <= current:
            raise OptionError(f"工作区 {code} 没有版本 revision {revision}（现有 1–{current}）/ "
                              f"workspace {code} has no revision {revision} (it has 1-{current})")
        rev = int(revision)
    return Workspace(code, meta.get("name", code), meta.get("name_en", code), CRS.from_epsg(int(meta["metric_epsg"])),
                     rev, st, meta, at_revision=revision)


# --- conveniences over the handle (tests, scripts) ---------------------------------------------------
def load_layer(adcode: str, layer_id: str) -> gpd.GeoDataFrame:
    """One merged layer of a workspace (EPSG:4490), reading only that layer."""
    ws = open_workspace(adcode)
    ws._snap = ws.store.read(ws.adcode, only=(get_spec(layer_id).id,))
    return ws.layer(layer_id)


def load_unmapped(adcode: str) -> pd.DataFrame:
    return open_workspace(adcode).unmapped()


def layer_ids(adcode: str) -> list[str]:
    """The layers of a workspace, without reading them."""
    return store().layer_ids(validate_adcode(adcode))
