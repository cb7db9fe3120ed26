"""The embedded workspace store: one GeoPackage per jurisdiction, ``<folder>/<adcode>.gpkg``.

Every write is one SQLite transaction (WAL journal, ``synchronous=FULL``): the layers it changes, the
change-log row and the new revision commit together or not at all, so a process killed at any moment
leaves the previous revision complete and the next write simply proceeds. A write touches only the
tables it changes; tables the store does not own (layers added with GDAL or QGIS) are never touched.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo import gpkg as g
from geo.crs import CGCS2000, reproject
from geo.errors import ConflictError, SourceReadError, UnknownNameError
from layers.catalog.specs import SPECS, get_spec
from layers.store import changes as changes_
from layers.store import schema as s
from layers.store.kde import clean_kde_leftovers
from layers.store.model import Changeset, Snapshot, UserChange

ADCODE_FILE = re.compile(r"^(\d{6})\.gpkg$")
SRS = 4490
BUSY_TIMEOUT_S = 30.0


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

    def read(self, adcode: str, *, revision: int | None = None, only: Sequence[str] | None = None,
             plan: bool = True) -> Snapshot:
        """The whole workspace at its current revision (or the user content as it was at ``revision``);
        ``only`` limits the layers read; ``plan=False`` leaves the plan layers out (only a build writes them)."""
        with self._reading(adcode) as con:
            current = _revision(con)
            at = current if revision is None else revision
            tables = _feature_tables(con)
            ids = [lid for lid in SPECS if only is None or lid in only]
            plans = {lid: _read_layer(con, s.table_for(s.PLAN, lid), lid) for lid in ids if s.table_for(s.PLAN, lid) in tables} if plan else {}
            user = {lid: _read_user(con, lid, at) for lid in ids if s.table_for(s.USER, lid) in tables}
            derived = {lid: _read_layer(con, s.table_for(s.DERIVED, lid), lid) for lid in s.DERIVED_LAYERS
                       if lid in ids and s.table_for(s.DERIVED, lid) in tables}
            unmapped = pd.DataFrame(con.execute(f"SELECT {', '.join(s.UNMAPPED_COLUMNS)} FROM {s.UNMAPPED_TABLE}").fetchall(),
                                    columns=list(s.UNMAPPED_COLUMNS))
            extra = sorted(t for t in _all_contents(con) if not s.managed(t))
            data_rev = con.execute(f"SELECT COALESCE(MAX(revision), 0) FROM {s.CHANGESETS_TABLE} WHERE action != 'risk' "
                                   "AND revision <= ?", (at,)).fetchone()[0]
            return Snapshot(at, _meta(con), plans, user, derived, unmapped, extra, int(data_rev))

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
                cs = changes_.write(_Transaction(con), adcode, user=user, action=action, reason=reason, base_revision=base_revision,
                                    plan=plan, changes=changes, derived=derived, derived_base=derived_base, unmapped=unmapped,
                                    meta=meta, source_name=source_name, source_sha256=source_sha256)
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
        clean_kde_leftovers(self.folder, adcode)


# --- helpers (one open connection each) --------------------------------------------------------------
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
    gdf = s.conform(lid, reproject(gdf, CGCS2000))
    return g.insert_features(con, table, gdf, [f.name for f in get_spec(lid).fields], list(gdf.geometry), SRS)


def _read_layer(con: sqlite3.Connection, table: str, lid: str, where: str = "", params: Sequence[object] = ()) -> gpd.GeoDataFrame:
    cols = [f.name for f in get_spec(lid).fields]
    df, geoms = g.read_features(con, table, cols, where=where, params=params)
    return s.conform(lid, gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=CGCS2000), crs=CGCS2000))


def _read_user(con: sqlite3.Connection, lid: str, at: int) -> gpd.GeoDataFrame:
    return _read_versions(con, lid, "rev_from <= ? AND (rev_to IS NULL OR rev_to > ?)", (at, at))


def _apply_change(con: sqlite3.Connection, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]:
    """One user change written into its ``user_<layer>`` table (rules in ``layers/store/changes.py``)."""
    get_spec(ch.layer)
    table = s.table_for(s.USER, ch.layer)
    _ensure_table(con, table, ch.layer, s.VERSION_COLUMNS)
    return changes_.apply_change(_Versions(con, ch.layer), ch, rev, cs_id)


class _Versions:
    """A ``user_<layer>`` table of the open write transaction (:class:`changes.VersionTable`)."""

    def __init__(self, con: sqlite3.Connection, lid: str) -> None:
        self.con, self.lid = con, lid
        self.table, self.plan = s.table_for(s.USER, lid), s.table_for(s.PLAN, lid)

    def current(self) -> dict[str, str | None]:
        return {r[0]: r[1] for r in self.con.execute(f'SELECT fid, supersedes FROM "{self.table}" WHERE rev_to IS NULL')}

    def plan_fids(self) -> set[str]:
        return {r[0] for r in self.con.execute(f'SELECT fid FROM "{self.plan}"')} if _has_table(self.con, self.plan) else set()

    def close(self, fids: Sequence[str], rev: int) -> int:
        return sum(self.con.execute(f'UPDATE "{self.table}" SET rev_to = ? WHERE rev_to IS NULL AND fid = ?', (rev, f)).rowcount
                   for f in fids)

    def close_all(self, rev: int) -> int:
        return self.con.execute(f'UPDATE "{self.table}" SET rev_to = ? WHERE rev_to IS NULL', (rev,)).rowcount

    def current_row(self, fid: str) -> gpd.GeoDataFrame:
        cols = [f.name for f in get_spec(self.lid).fields] + ["supersedes", "provenance"]
        return _frame(*g.read_features(self.con, self.table, cols, where="rev_to IS NULL AND fid = ?", params=(fid,)))

    def plan_row(self, fid: str) -> gpd.GeoDataFrame:
        cols = [f.name for f in get_spec(self.lid).fields]
        return _frame(*g.read_features(self.con, self.plan, cols, where="fid = ?", params=(fid,)))

    def insert(self, rows: gpd.GeoDataFrame) -> int:
        return g.insert_features(self.con, self.table, rows, changes_.version_columns(self.lid), list(rows.geometry), SRS)


class _Transaction:
    """The open write transaction of one GeoPackage (:class:`changes.Transaction`)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con

    def revision(self) -> int:
        return _revision(self.con)

    def changesets(self, *, after: int) -> list[Changeset]:
        return _changesets(self.con, after=after)

    def next_changeset_id(self) -> int:
        return int(self.con.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {s.CHANGESETS_TABLE}").fetchone()[0])

    def replace_layer(self, kind: str, lid: str, gdf: gpd.GeoDataFrame) -> int:
        return _replace_layer(self.con, s.table_for(kind, lid), lid, gdf)

    def set_meta(self, meta: Mapping[str, str]) -> None:
        _set_meta(self.con, meta)

    def apply_change(self, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]:
        return _apply_change(self.con, ch, rev, cs_id)

    def replace_unmapped(self, df: pd.DataFrame) -> None:
        _replace_unmapped(self.con, df)

    def add_changeset(self, cs: Changeset) -> None:
        self.con.execute(f"INSERT INTO {s.CHANGESETS_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         (cs.id, cs.revision, cs.base_revision, cs.time, cs.user, cs.action, cs.layer,
                          None if cs.fids is None else json.dumps(cs.fids, ensure_ascii=False),
                          json.dumps(cs.counts, ensure_ascii=False), cs.reason, cs.source_name, cs.source_sha256))


def _frame(df: pd.DataFrame, geoms: Sequence) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(list(geoms), index=df.index, crs=CGCS2000), crs=CGCS2000)


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
