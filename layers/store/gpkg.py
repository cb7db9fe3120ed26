"""The embedded workspace store: one GeoPackage per jurisdiction, ``<folder>/<adcode>.gpkg``.

Every write is one SQLite transaction (WAL journal, ``synchronous=FULL``): the layers it changes, the
change-log row and the new revision commit together or not at all, so a process killed at any moment
leaves the previous revision complete and the next write simply proceeds. A write touches only the
tables it changes; tables the store does not own (layers added with GDAL or QGIS) are never touched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import gpkg as g
from geo.crs import CGCS2000
from geo.errors import ConflictError, SourceReadError, UnknownNameError
from layers.catalog.specs import SPECS, get_spec
from layers.store import schema as s

ADCODE_FILE = re.compile(r"^(\d{6})\.gpkg$")
SRS = 4490
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class UserChange:
    """One layer's share of a user write: ``upsert`` rows (spec columns, EPSG:4490, optional
    ``supersedes``) replace the current version of the same ``fid`` or add a feature; ``delete``
    hides features (user or plan); ``replace_all`` first retires every current user feature.

    For undo and revert: ``restore`` rows are versions written exactly as given (spec columns plus
    ``supersedes``, ``deleted`` and ``provenance``, as :meth:`GeoPackageStore.versions` returns them),
    each replacing the current version of its ``fid``; ``retire`` closes the current user version of
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


class GeoPackageStore:
    """Workspaces as GeoPackages in ``folder``."""

    kind = "gpkg"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def key(self) -> str:
        """Identifies the store in cache keys."""
        return f"gpkg:{self.folder}"

    def path(self, adcode: str) -> Path:
        return self.folder / f"{adcode}.gpkg"

    # --- discovery ----------------------------------------------------------------------------------
    def adcodes(self) -> list[str]:
        """Workspaces that exist and are complete (temporary and foreign files are ignored)."""
        out = []
        for p in sorted(self.folder.glob("*.gpkg")):
            m = ADCODE_FILE.match(p.name)
            if m and self._format(p) is not None:
                out.append(m.group(1))
        return out

    def _format(self, path: Path) -> str | None:
        """"2" for a store file, "1" for an old whole-file workspace, None for anything else."""
        try:
            with self._connect(path, create=False) as con:
                names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except (sqlite3.DatabaseError, SourceReadError):
            return None
        if s.META_TABLE in names and s.CHANGESETS_TABLE in names:
            return s.FORMAT
        return "1" if s.LEGACY_META_TABLE in names else None

    def exists(self, adcode: str) -> bool:
        return self._format(self.path(adcode)) is not None

    # --- connections --------------------------------------------------------------------------------
    @contextmanager
    def _connect(self, path: Path, *, create: bool) -> Iterator[sqlite3.Connection]:
        if not create and not path.is_file():
            raise SourceReadError(f"工作区文件不存在 / workspace file missing: {path.name}")
        con = sqlite3.connect(f"file:{path}?mode={'rwc' if create else 'rw'}", uri=True, timeout=BUSY_TIMEOUT_S,
                              isolation_level=None, check_same_thread=False)
        try:
            g.register_gpkg_functions(con)
            yield con
        finally:
            con.close()

    @contextmanager
    def _reading(self, adcode: str) -> Iterator[sqlite3.Connection]:
        path = self.path(adcode)
        fmt = self._format(path)
        if fmt is None:
            raise UnknownNameError(f"工作区 {adcode} 尚未建立 / workspace {adcode} is not built: python -m layers build {adcode}")
        if fmt == "1":
            raise SourceReadError(f"工作区 {adcode} 由旧版本建立，需重建一次 / workspace {adcode} was built by an older version; "
                                  f"rebuild it once: python -m layers build {adcode}")
        with self._connect(path, create=False) as con:
            con.execute("BEGIN")  # one read transaction: every table at the same revision
            try:
                yield con
            finally:
                con.execute("COMMIT")

    # --- reading ------------------------------------------------------------------------------------
    def revision(self, adcode: str) -> int:
        with self._reading(adcode) as con:
            return _revision(con)

    def meta(self, adcode: str) -> dict[str, str]:
        with self._reading(adcode) as con:
            return _meta(con)

    def layer_ids(self, adcode: str) -> list[str]:
        """The layers stored (plan, user or derived), in spec order, without reading them."""
        with self._reading(adcode) as con:
            tables = _feature_tables(con)
        return [lid for lid in SPECS if any(s.table_for(k, lid) in tables for k in (s.PLAN, s.USER, s.DERIVED))]

    def changesets(self, adcode: str) -> list[Changeset]:
        with self._reading(adcode) as con:
            return _changesets(con)

    def read(self, adcode: str, *, revision: int | None = None, only: Sequence[str] | None = None) -> Snapshot:
        """The whole workspace at its current revision (or the user content as it was at ``revision``);
        ``only`` limits the layers read."""
        with self._reading(adcode) as con:
            current = _revision(con)
            at = current if revision is None else revision
            tables = _feature_tables(con)
            ids = [lid for lid in SPECS if only is None or lid in only]
            plan = {lid: _read_layer(con, s.table_for(s.PLAN, lid), lid) for lid in ids if s.table_for(s.PLAN, lid) in tables}
            user = {lid: _read_user(con, lid, at) for lid in ids if s.table_for(s.USER, lid) in tables}
            derived = {lid: _read_layer(con, s.table_for(s.DERIVED, lid), lid) for lid in s.DERIVED_LAYERS
                       if lid in ids and s.table_for(s.DERIVED, lid) in tables}
            unmapped = pd.DataFrame(con.execute(f"SELECT {', '.join(s.UNMAPPED_COLUMNS)} FROM {s.UNMAPPED_TABLE}").fetchall(),
                                    columns=list(s.UNMAPPED_COLUMNS))
            extra = sorted(t for t in _all_contents(con) if not s.managed(t))
            data_rev = con.execute(f"SELECT COALESCE(MAX(revision), 0) FROM {s.CHANGESETS_TABLE} WHERE action != 'risk' "
                                   "AND revision <= ?", (at,)).fetchone()[0]
            return Snapshot(at, _meta(con), plan, user, derived, unmapped, extra, int(data_rev))

    def versions(self, adcode: str, layer: str, *, fid: str | None = None, changeset: int | None = None) -> gpd.GeoDataFrame:
        """Every stored version of the user features of ``layer`` (all revisions, retired ones too),
        or of one ``fid`` / those one ``changeset`` wrote or closed: spec columns plus ``supersedes``,
        ``rev_from``, ``rev_to``, ``changeset``, ``deleted``, ``provenance``, in the order written."""
        get_spec(layer)
        clauses, params = [], []
        if fid is not None:
            clauses.append("fid = ?")
            params.append(str(fid))
        if changeset is not None:
            clauses.append(f"(changeset = ? OR rev_to = (SELECT revision FROM {s.CHANGESETS_TABLE} WHERE id = ?))")
            params += [int(changeset), int(changeset)]
        with self._reading(adcode) as con:
            return _read_versions(con, layer, " AND ".join(clauses), params)

    def plan_features(self, adcode: str, layer: str) -> gpd.GeoDataFrame:
        """The plan-derived features of ``layer`` as last built (empty when there are none)."""
        with self._reading(adcode) as con:
            table = s.table_for(s.PLAN, layer)
            if table not in _feature_tables(con):
                return s.conform(layer, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000))
            return _read_layer(con, table, layer)

    # --- writing ------------------------------------------------------------------------------------
    def commit(self, adcode: str, *, user: str, action: str, reason: str | None = None,
               base_revision: int | None = None, plan: Mapping[str, gpd.GeoDataFrame] | None = None,
               changes: Sequence[UserChange] = (), derived: Mapping[str, gpd.GeoDataFrame] | None = None,
               derived_base: int | None = None, unmapped: pd.DataFrame | None = None,
               meta: Mapping[str, str] | None = None, source_name: str | None = None,
               source_sha256: str | None = None, create: bool = False) -> Changeset:
        """One write, one transaction, one new revision and one change-log row.

        ``base_revision`` is the revision the writer read; if a change made since touches the same
        features (or the same layer, when either side does not list features), nothing is written and
        :class:`ConflictError` names that change."""
        path = self.path(adcode)
        if not create and self._format(path) is None:
            raise UnknownNameError(f"工作区 {adcode} 尚未建立 / workspace {adcode} is not built: python -m layers build {adcode}")
        self._clean_leftovers(adcode)
        try:
            return self._commit(path, adcode, user=user, action=action, reason=reason, base_revision=base_revision, plan=plan,
                                changes=changes, derived=derived, derived_base=derived_base, unmapped=unmapped, meta=meta,
                                source_name=source_name, source_sha256=source_sha256)
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) and "busy" not in str(err):
                raise
            raise ConflictError(f"工作区 {adcode} 正被另一个程序写入或锁定（例如 QGIS 正在编辑），{BUSY_TIMEOUT_S:.0f} 秒内未释放；"
                                f"没有保存任何内容。请在 QGIS 中保存或停止编辑后重试。 / Workspace {adcode} is being written or locked "
                                f"by another program (QGIS editing it?) for more than {BUSY_TIMEOUT_S:.0f} s; nothing was saved. "
                                "Save or stop editing there, then try again.") from err

    def _commit(self, path: Path, adcode: str, *, user: str, action: str, reason: str | None, base_revision: int | None,
                plan: Mapping[str, gpd.GeoDataFrame] | None, changes: Sequence[UserChange],
                derived: Mapping[str, gpd.GeoDataFrame] | None, derived_base: int | None, unmapped: pd.DataFrame | None,
                meta: Mapping[str, str] | None, source_name: str | None, source_sha256: str | None) -> Changeset:
        with self._connect(path, create=True) as con:
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = FULL")
            con.execute("BEGIN IMMEDIATE")
            try:
                if not _has_table(con, s.META_TABLE):
                    _init(con)
                current = _revision(con)
                touched = {c.layer: c.fids for c in changes}
                _check_conflict(con, adcode, base_revision, current,
                                {c.layer: None if c.replace_all else c.fids for c in changes})
                rev = current + 1
                cs_id = int(con.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {s.CHANGESETS_TABLE}").fetchone()[0])
                counts: dict = {}
                for lid, gdf in (plan or {}).items():
                    counts[lid] = _replace_layer(con, s.table_for(s.PLAN, lid), lid, gdf)
                for lid, gdf in (derived or {}).items():
                    counts[lid] = _replace_layer(con, s.table_for(s.DERIVED, lid), lid, gdf)
                if derived:  # fresh unless someone wrote between the read it was computed from and now
                    fresh = derived_base is None or derived_base >= current
                    _set_meta(con, {"derived_revision": str(rev if fresh else derived_base)})
                for ch in changes:
                    counts[ch.layer], retired = _apply_change(con, ch, rev, cs_id)
                    touched[ch.layer] = [*touched[ch.layer], *retired]
                if unmapped is not None:
                    _replace_unmapped(con, unmapped)
                if meta:
                    _set_meta(con, meta)
                layers = sorted({*(plan or {}), *(derived or {}), *touched})
                fids = sorted({f for fs in touched.values() for f in fs}) if touched else None
                cs = Changeset(cs_id, rev, base_revision, _now(), user or "unknown", action, ",".join(layers) or None,
                               fids, counts, reason, source_name, source_sha256)
                con.execute(f"INSERT INTO {s.CHANGESETS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            (cs.id, cs.revision, cs.base_revision, cs.time, cs.user, cs.action, cs.layer,
                             None if fids is None else json.dumps(fids, ensure_ascii=False),
                             json.dumps(counts, ensure_ascii=False), reason, source_name, source_sha256))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return cs

    def _clean_leftovers(self, adcode: str) -> None:
        """Temporary files a killed process of the old whole-file writer (or a killed density
        export) left beside the workspace."""
        for p in self.folder.glob(f".{adcode}-*.tmp.gpkg"):
            p.unlink(missing_ok=True)
        for p in self.folder.glob(f".{adcode}_kde_*.tmp.tif"):
            m = re.search(r"\.(\d+)\.tmp\.tif$", p.name)
            if m is None or not _alive(int(m.group(1))):
                p.unlink(missing_ok=True)


# --- helpers (one open connection each) --------------------------------------------------------------
def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")


def _has_table(con: sqlite3.Connection, name: str) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _init(con: sqlite3.Connection) -> None:
    g.init_gpkg(con)
    g.ensure_srs(con, SRS)
    con.execute(s.META_DDL)
    con.execute(s.CHANGESET_DDL)
    if _has_table(con, s.LEGACY_META_TABLE):  # format 1: its spec-named layers were all plan-derived
        for lid in SPECS:
            if _has_table(con, lid):
                g.drop_feature_table(con, lid)
        con.execute(f"DROP TABLE {s.LEGACY_META_TABLE}")
        con.execute("DELETE FROM gpkg_contents WHERE table_name = ?", (s.LEGACY_META_TABLE,))
    _set_meta(con, {"format": s.FORMAT})


def _revision(con: sqlite3.Connection) -> int:
    return int(con.execute(f"SELECT COALESCE(MAX(revision), 0) FROM {s.CHANGESETS_TABLE}").fetchone()[0])


def _meta(con: sqlite3.Connection) -> dict[str, str]:
    return {str(k): str(v) for k, v in con.execute(f"SELECT key, value FROM {s.META_TABLE}").fetchall()}


def _set_meta(con: sqlite3.Connection, meta: Mapping[str, str]) -> None:
    con.executemany(f"INSERT OR REPLACE INTO {s.META_TABLE} (key, value) VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])


def _row_changeset(r: Sequence) -> Changeset:
    return Changeset(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), r[3], r[4], r[5], r[6],
                     None if r[7] is None else json.loads(r[7]), json.loads(r[8] or "{}"), r[9], r[10], r[11])


def _changesets(con: sqlite3.Connection, *, after: int = 0) -> list[Changeset]:
    rows = con.execute(f"SELECT {', '.join(s.CHANGESET_COLUMNS)} FROM {s.CHANGESETS_TABLE} WHERE revision > ? ORDER BY revision",
                       (after,)).fetchall()
    return [_row_changeset(r) for r in rows]


def _check_conflict(con: sqlite3.Connection, adcode: str, base: int | None, current: int,
                    touched: Mapping[str, list[str] | None]) -> None:
    """Refuse when a change committed after ``base`` touched a feature this write touches (``None``
    = the whole layer, as a replace does; a change that lists no features counts as the whole layer)."""
    if base is None or base >= current:
        return
    for cs in _changesets(con, after=base):
        theirs = set((cs.layer or "").split(",")) & set(touched)
        if cs.action == "risk" or not theirs:
            continue
        whole = any(touched[lid] is None for lid in theirs)
        mine = {f for lid in theirs for f in touched[lid] or ()}
        if whole or cs.fids is None or not mine or mine & set(cs.fids):
            raise ConflictError(
                f"工作区 {adcode} 在您打开的版本 {base} 之后已被他人修改：变更 {cs.describe()}，原因：{cs.reason or '—'}。"
                f"您的修改没有保存，其他人的修改也未被覆盖；请刷新到版本 {current} 后再改。 / "
                f"Workspace {adcode} changed after revision {base}, which you opened: change {cs.describe()}. "
                f"Nothing of yours was saved and nothing was overwritten; reload revision {current} and redo the change.")


def _feature_tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")}


def _all_contents(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT table_name FROM gpkg_contents")]


def _spec_columns(lid: str) -> list[tuple[str, str]]:
    return [(f.name, g.SQL_TYPES[f.dtype]) for f in get_spec(lid).fields]


def _ensure_table(con: sqlite3.Connection, table: str, lid: str, extra: Sequence[tuple[str, str]] = ()) -> None:
    """Create ``table`` for layer ``lid``; a table whose columns no longer match the spec (a code
    upgrade added a field) is recreated only when it is plan-derived or derived."""
    want = [("gpkg_fid", "INTEGER"), ("geom", g.geometry_type_name(get_spec(lid).geom_types)), *_spec_columns(lid), *extra]
    have = g.table_columns(con, table)
    if have == want:
        return
    if have and table.startswith(s.USER):
        for name, typ in want:  # user rows are kept: new spec fields are added as empty columns
            if name not in {h[0] for h in have}:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{name}" {typ}')
        return
    if have:
        g.drop_feature_table(con, table)
    g.create_feature_table(con, table, [*_spec_columns(lid), *extra], geometry_type=want[1][1], srs_id=SRS)


def _replace_layer(con: sqlite3.Connection, table: str, lid: str, gdf: gpd.GeoDataFrame) -> int:
    _ensure_table(con, table, lid)
    g.clear_features(con, table)
    gdf = s.conform(lid, gdf.to_crs(CGCS2000))
    return g.insert_features(con, table, gdf, [f.name for f in get_spec(lid).fields], list(gdf.geometry), SRS)


def _read_layer(con: sqlite3.Connection, table: str, lid: str, where: str = "", params: Sequence[object] = ()) -> gpd.GeoDataFrame:
    cols = [f.name for f in get_spec(lid).fields]
    df, geoms = g.read_features(con, table, cols, where=where, params=params)
    return s.conform(lid, gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CGCS2000), crs=CGCS2000))


def _read_user(con: sqlite3.Connection, lid: str, at: int) -> gpd.GeoDataFrame:
    return _read_versions(con, lid, "rev_from <= ? AND (rev_to IS NULL OR rev_to > ?)", (at, at))


def _apply_change(con: sqlite3.Connection, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]:
    """Retire the current versions ``ch`` replaces and add the new ones; counts of each, and the
    features a replace retired (they belong to the change log's feature list)."""
    lid, table = ch.layer, s.table_for(s.USER, ch.layer)
    get_spec(lid)
    _ensure_table(con, table, lid, s.VERSION_COLUMNS)
    plan_table = s.table_for(s.PLAN, lid)
    plan_fids = {r[0] for r in con.execute(f'SELECT fid FROM "{plan_table}"')} if _has_table(con, plan_table) else set()
    current = {r[0]: r[1] for r in con.execute(f'SELECT fid, supersedes FROM "{table}" WHERE rev_to IS NULL')}
    counts = {"added": 0, "replaced": 0, "deleted": 0, "retired": 0, "restored": 0}
    retired: list[str] = []
    if ch.replace_all:
        retired = sorted(current)
        counts["retired"] = con.execute(f'UPDATE "{table}" SET rev_to = ? WHERE rev_to IS NULL', (rev,)).rowcount
        current = {}
    spec_cols = [f.name for f in get_spec(lid).fields]
    cols = [*spec_cols, *(c for c, _ in s.VERSION_COLUMNS)]
    if ch.upsert is not None and len(ch.upsert):
        up = ch.upsert.to_crs(CGCS2000)
        given = up["supersedes"] if "supersedes" in up else pd.Series([None] * len(up), index=up.index)
        rows = s.conform(lid, up)
        fids = [str(f) for f in rows["fid"]]
        sup = [gv if isinstance(gv, str) and gv else (f if f in plan_fids else current.get(f)) for f, gv in zip(fids, given, strict=True)]
        for f in fids:
            if f in current:
                con.execute(f'UPDATE "{table}" SET rev_to = ? WHERE rev_to IS NULL AND fid = ?', (rev, f))
                counts["replaced"] += 1
            else:
                counts["added"] += 1
        prov = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                for v in (up["provenance"] if "provenance" in up else [None] * len(up))]
        rows = rows.assign(supersedes=sup, rev_from=rev, rev_to=None, changeset=cs_id, deleted=0, provenance=prov)
        g.insert_features(con, table, rows, cols, list(rows.geometry), SRS)
    counts["restored"] = _restore(con, lid, table, ch.restore, set(current), rev, cs_id)
    for f in ch.retire:
        if f not in current:
            raise UnknownNameError(f"图层 {lid} 中没有用户要素 {f} / layer {lid} has no user feature {f!r} to retire")
        con.execute(f'UPDATE "{table}" SET rev_to = ? WHERE rev_to IS NULL AND fid = ?', (rev, f))
        counts["retired"] += 1
    for f in ch.delete:
        if f in current:
            old, geoms = g.read_features(con, table, spec_cols + ["supersedes", "provenance"], where="rev_to IS NULL AND fid = ?", params=(f,))
            con.execute(f'UPDATE "{table}" SET rev_to = ? WHERE rev_to IS NULL AND fid = ?', (rev, f))
        elif f in plan_fids:
            old, geoms = g.read_features(con, plan_table, spec_cols, where="fid = ?", params=(f,))
            old["supersedes"], old["provenance"] = f, None
        else:
            raise UnknownNameError(f"图层 {lid} 中没有要素 {f} / layer {lid} has no feature {f!r}")
        old = old.assign(rev_from=rev, rev_to=None, changeset=cs_id, deleted=1)
        g.insert_features(con, table, old, cols, list(geoms), SRS)
        counts["deleted"] += 1
    return {k: v for k, v in counts.items() if v}, retired


def _restore(con: sqlite3.Connection, lid: str, table: str, versions: gpd.GeoDataFrame | None, current: set[str],
             rev: int, cs_id: int) -> int:
    """Write ``versions`` as given (spec columns, supersedes, deleted, provenance), each closing the
    current version of its fid; the count written."""
    if versions is None or not len(versions):
        return 0
    rows = s.conform(lid, versions.to_crs(CGCS2000))
    for f in (str(f) for f in rows["fid"]):
        if f in current:
            con.execute(f'UPDATE "{table}" SET rev_to = ? WHERE rev_to IS NULL AND fid = ?', (rev, f))
    given = {c: (list(versions[c]) if c in versions else [None] * len(versions)) for c in ("supersedes", "deleted", "provenance")}
    prov = [v if v is None or isinstance(v, str) else json.dumps(v, ensure_ascii=False) for v in given["provenance"]]
    deleted = [0 if pd.isna(d) else int(d) for d in given["deleted"]]
    sup = [v if isinstance(v, str) and v else None for v in given["supersedes"]]
    rows = rows.assign(supersedes=sup, rev_from=rev, rev_to=None, changeset=cs_id, deleted=deleted, provenance=prov)
    cols = [*(f.name for f in get_spec(lid).fields), *(c for c, _ in s.VERSION_COLUMNS)]
    return g.insert_features(con, table, rows, cols, list(rows.geometry), SRS)


def _read_versions(con: sqlite3.Connection, lid: str, where: str = "", params: Sequence[object] = ()) -> gpd.GeoDataFrame:
    """Every stored version of ``lid``'s user features matching ``where`` (spec columns, then the
    version columns), in the order written."""
    table = s.table_for(s.USER, lid)
    cols = [f.name for f in get_spec(lid).fields] + [c for c, _ in s.VERSION_COLUMNS]
    if not _has_table(con, table):
        df, geoms = pd.DataFrame(columns=cols), []
    else:
        df, geoms = g.read_features(con, table, cols, where=where, params=params)
    spec = s.conform(lid, gpd.GeoDataFrame(df[cols[: -len(s.VERSION_COLUMNS)]], geometry=gpd.GeoSeries(list(geoms), crs=CGCS2000),
                                           crs=CGCS2000))
    for c, _ in s.VERSION_COLUMNS:
        spec[c] = df[c].to_numpy()
    return spec


def _replace_unmapped(con: sqlite3.Connection, df: pd.DataFrame) -> None:
    con.execute(f"DROP TABLE IF EXISTS {s.UNMAPPED_TABLE}")
    con.execute(f"CREATE TABLE {s.UNMAPPED_TABLE} ({', '.join(f'{c} TEXT' for c in s.UNMAPPED_COLUMNS)})")
    con.execute("INSERT OR REPLACE INTO gpkg_contents (table_name, data_type, identifier) VALUES (?, 'attributes', ?)",
                (s.UNMAPPED_TABLE, s.UNMAPPED_TABLE))
    rows = df.reindex(columns=list(s.UNMAPPED_COLUMNS)).astype(object).where(df.reindex(columns=list(s.UNMAPPED_COLUMNS)).notna(), None)
    con.executemany(f"INSERT INTO {s.UNMAPPED_TABLE} VALUES ({', '.join('?' * len(s.UNMAPPED_COLUMNS))})", rows.to_numpy().tolist())
