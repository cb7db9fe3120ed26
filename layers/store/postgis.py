"""The shared workspace store: one PostgreSQL database with PostGIS, one schema per jurisdiction
(``ws_<adcode>``) holding the tables a workspace GeoPackage holds (``plan_<layer>``, ``user_<layer>``
with the version columns, ``derived_<layer>``, ``onemap_meta``, ``onemap_changesets``,
``plan_items_unmapped``), geometry as ``geometry(<type>, 4490)`` with a GiST index.

Every write is one transaction that first takes the workspace's advisory lock (writers of one
workspace are serialised; read, check and write happen under it), so a lost connection or a server
restart leaves the previous revision complete. Every read of a revision is one REPEATABLE READ READ
ONLY transaction. Schemas and tables the store does not own are never touched. The write rules are
``layers/store/changes.py``, shared with the GeoPackage backend.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import shapely
from psycopg import conninfo

from geo.crs import CGCS2000, reproject
from geo.errors import ConflictError, DatabaseError, UnknownNameError
from layers.catalog.specs import SPECS, get_spec
from layers.store import changes as changes_
from layers.store import schema as s
from layers.store.kde import clean_kde_leftovers
from layers.store.model import Changeset, Snapshot, UserChange

__all__ = ["DatabaseError", "PostgisStore"]

SCHEMA = re.compile(r"^ws_(\d{6})$")
SRS = 4490
LOCK_CLASS = 0x4F4D  # pg_advisory_xact_lock(LOCK_CLASS, adcode): one writer per workspace
LOCK_TIMEOUT_S = 30
CONNECT_TIMEOUT_S = 10
PG_TYPES = {"str": "text", "int": "bigint", "float": "double precision", "bool": "boolean", "TEXT": "text", "INTEGER": "integer"}


class PostgisStore:
    """Workspaces as schemas ``ws_<adcode>`` of the PostgreSQL database at ``url`` (libpq URL or
    conninfo). Files kept beside a workspace (the density GeoTIFF) go to ``<workspaces>/postgis/<database>``
    (``workspaces``: the workspace folder, ``$ONEMAP_WORKSPACES`` when not given)."""

    kind = "postgis"

    def __init__(self, url: str, *, workspaces: Path | None = None) -> None:
        self.url = url
        try:
            info = conninfo.conninfo_to_dict(url)
        except psycopg.ProgrammingError as err:
            raise DatabaseError("ONEMAP_STORE 不是有效的 PostgreSQL 地址（应为 postgresql://用户:密码@主机:端口/库名） / ONEMAP_STORE "
                                "is not a valid PostgreSQL URL (postgresql://user:password@host:port/database)") from err
        self._password = str(info.get("password") or "")
        self.host, self.port = str(info.get("host") or "localhost"), str(info.get("port") or "5432")
        self.dbname, self.user = str(info.get("dbname") or info.get("user") or ""), str(info.get("user") or "")
        if workspaces is None:
            from layers.store.workspace import workspace_dir

            workspaces = workspace_dir()
        self.folder = Path(workspaces) / "postgis" / re.sub(r"[^\w.-]", "_", self.dbname or "default")

    @property
    def key(self) -> str:
        """Identifies the store in cache keys (no password)."""
        return f"postgis:{self.user}@{self.host}:{self.port}/{self.dbname}"

    def __repr__(self) -> str:
        return f"PostgisStore({self.key})"

    def path(self, adcode: str) -> Path:
        """A local path standing for the workspace (never created): files kept beside it, such as the
        density GeoTIFF (``layers/store/kde.py``), are named after it."""
        return self.folder / f"{adcode}.gpkg"

    # --- connections --------------------------------------------------------------------------------
    def _where(self) -> str:
        return f"{self.dbname}（{self.host}:{self.port}，用户 user {self.user}）"

    def _scrub(self, err: BaseException) -> str:
        text = " ".join(str(err).split())[:300]
        return text.replace(self._password, "***") if self._password else text

    @contextmanager
    def _connect(self) -> Iterator[psycopg.Connection]:
        try:
            con = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S, application_name="onemap")
        except psycopg.Error as err:
            raise DatabaseError(f"无法连接工作区数据库 {self._where()}：{self._scrub(err)}。请确认数据库已启动（make postgis），并检查 "
                                f"ONEMAP_STORE 中的主机、端口、库名、用户和密码。 / Cannot connect to the workspace database "
                                f"{self.dbname} on {self.host}:{self.port} as {self.user}: {self._scrub(err)}. Check that the server "
                                "is running (make postgis) and the host, port, database, user and password in ONEMAP_STORE.") from None
        try:
            yield con
        finally:
            con.close()

    @contextmanager
    def _reading(self, adcode: str) -> Iterator[_Db]:
        """One REPEATABLE READ READ ONLY transaction: every table at the same revision."""
        with self._connect() as con:
            try:
                with con.transaction():
                    con.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    db = _Db(con, adcode)
                    if not db.exists():
                        raise UnknownNameError(f"工作区 {adcode} 尚未建立 / workspace {adcode} is not built: python -m layers build {adcode}")
                    yield db
            except psycopg.OperationalError as err:
                raise self._lost(adcode, err, "读取", "reading") from None

    def _lost(self, adcode: str, err: BaseException, zh: str, en: str) -> DatabaseError:
        return DatabaseError(f"{zh}工作区 {adcode} 时与数据库 {self._where()} 的连接中断：{self._scrub(err)}。请重试；写入未被确认时请先查看"
                             f"变更记录（python -m layers history {adcode}）。 / The connection to database {self.dbname} on "
                             f"{self.host}:{self.port} was lost while {en} workspace {adcode}: {self._scrub(err)}. Try again; after an "
                             f"unconfirmed write, check the history first (python -m layers history {adcode}).")

    # --- discovery ----------------------------------------------------------------------------------
    def adcodes(self) -> list[str]:
        """Workspaces that exist and are complete (schemas not named ``ws_<6 digits>`` are ignored)."""
        with self._connect() as con:
            rows = con.execute("SELECT nspname FROM pg_namespace WHERE nspname ~ '^ws_[0-9]{6}$' "
                               "AND to_regclass(quote_ident(nspname) || '.onemap_meta') IS NOT NULL "
                               "AND to_regclass(quote_ident(nspname) || '.onemap_changesets') IS NOT NULL ORDER BY nspname").fetchall()
        return [m.group(1) for (name,) in rows if (m := SCHEMA.match(name))]

    def exists(self, adcode: str) -> bool:
        with self._connect() as con:
            return _Db(con, adcode).exists()

    # --- reading ------------------------------------------------------------------------------------
    def revision(self, adcode: str) -> int:
        with self._reading(adcode) as db:
            return db.revision()

    def meta(self, adcode: str) -> dict[str, str]:
        with self._reading(adcode) as db:
            return db.meta()

    def layer_ids(self, adcode: str) -> list[str]:
        """The layers stored (plan, user or derived), in spec order, without reading them."""
        with self._reading(adcode) as db:
            tables = db.tables()
        return [lid for lid in SPECS if any(s.table_for(k, lid) in tables for k in (s.PLAN, s.USER, s.DERIVED))]

    def changesets(self, adcode: str) -> list[Changeset]:
        with self._reading(adcode) as db:
            return db.changesets()

    def read(self, adcode: str, *, revision: int | None = None, only: Sequence[str] | None = None,
             plan: bool = True) -> Snapshot:
        """The whole workspace at its current revision (or the user content as it was at ``revision``);
        ``only`` limits the layers read; ``plan=False`` leaves the plan layers out (only a build writes them)."""
        with self._reading(adcode) as db:
            current = db.revision()
            at = current if revision is None else revision
            tables = db.tables()
            ids = [lid for lid in SPECS if only is None or lid in only]
            plans = {lid: db.read_layer(s.table_for(s.PLAN, lid), lid) for lid in ids if s.table_for(s.PLAN, lid) in tables} if plan else {}
            user = {lid: db.read_versions(lid, "rev_from <= %s AND (rev_to IS NULL OR rev_to > %s)", (at, at))
                    for lid in ids if s.table_for(s.USER, lid) in tables}
            derived = {lid: db.read_layer(s.table_for(s.DERIVED, lid), lid) for lid in s.DERIVED_LAYERS
                       if lid in ids and s.table_for(s.DERIVED, lid) in tables}
            unmapped = db.unmapped() if s.UNMAPPED_TABLE in tables else pd.DataFrame(columns=list(s.UNMAPPED_COLUMNS))
            extra = sorted(t for t in tables if not s.managed(t))
            data_rev = db.one(f"SELECT COALESCE(MAX(revision), 0) FROM {db.q(s.CHANGESETS_TABLE)} WHERE action != 'risk' "
                              "AND revision <= %s", (at,))
            return Snapshot(at, db.meta(), plans, user, derived, unmapped, extra, int(data_rev))

    def versions(self, adcode: str, layer: str, *, fid: str | None = None, changeset: int | None = None) -> gpd.GeoDataFrame:
        """Every stored version of the user features of ``layer`` (all revisions, retired ones too),
        or of one ``fid`` / those one ``changeset`` wrote or closed: spec columns plus ``supersedes``,
        ``rev_from``, ``rev_to``, ``changeset``, ``deleted``, ``provenance``, in the order written."""
        get_spec(layer)
        clauses: list[str] = []
        params: list[object] = []
        if fid is not None:
            clauses.append("fid = %s")
            params.append(str(fid))
        with self._reading(adcode) as db:
            if changeset is not None:
                clauses.append(f"(changeset = %s OR rev_to = (SELECT revision FROM {db.q(s.CHANGESETS_TABLE)} WHERE id = %s))")
                params += [int(changeset), int(changeset)]
            return db.read_versions(layer, " AND ".join(clauses), params)

    def plan_features(self, adcode: str, layer: str) -> gpd.GeoDataFrame:
        """The plan-derived features of ``layer`` as last built (empty when there are none)."""
        with self._reading(adcode) as db:
            table = s.table_for(s.PLAN, layer)
            if table not in db.tables():
                return s.conform(layer, gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000))
            return db.read_layer(table, layer)

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
        clean_kde_leftovers(self.folder, adcode)
        with self._connect() as con:
            try:
                with con.transaction():
                    db = _Db(con, adcode)
                    db.lock()
                    if not db.exists():
                        if not create:
                            raise UnknownNameError(f"工作区 {adcode} 尚未建立 / workspace {adcode} is not built: python -m layers build {adcode}")
                        db.init(self._where())
                    return changes_.write(db, adcode, user=user, action=action, reason=reason, base_revision=base_revision,
                                          plan=plan, changes=changes, derived=derived, derived_base=derived_base, unmapped=unmapped,
                                          meta=meta, source_name=source_name, source_sha256=source_sha256)
            except psycopg.errors.LockNotAvailable as err:
                raise ConflictError(f"工作区 {adcode} 正被另一个写入占用，{LOCK_TIMEOUT_S} 秒内未释放；没有保存任何内容，请稍后重试。 / "
                                    f"Workspace {adcode} is being written by another writer for more than {LOCK_TIMEOUT_S} s; "
                                    "nothing was saved. Try again shortly.") from err
            except psycopg.OperationalError as err:
                raise self._lost(adcode, err, "写入", "writing") from None


# --- one connection, one workspace schema --------------------------------------------------------------
class _Db:
    """The tables of ``ws_<adcode>`` through one open connection; inside a write transaction it is
    also the :class:`changes.Transaction` of that write."""

    def __init__(self, con: psycopg.Connection, adcode: str) -> None:
        self.con, self.adcode, self.schema = con, adcode, f"ws_{adcode}"

    def q(self, table: str) -> str:
        """``table`` of this workspace, schema-qualified and quoted."""
        return f"{_q(self.schema)}.{_q(table)}"

    def one(self, sql: str, params: Sequence[object] = ()) -> object:
        return self.con.execute(sql, tuple(params)).fetchone()[0]  # type: ignore[index]

    def exists(self) -> bool:
        return bool(self.one("SELECT to_regclass(%s) IS NOT NULL AND to_regclass(%s) IS NOT NULL",
                             (self.q(s.META_TABLE), self.q(s.CHANGESETS_TABLE))))

    def tables(self) -> set[str]:
        rows = self.con.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f')", (self.schema,)).fetchall()
        return {r[0] for r in rows}

    def columns(self, table: str) -> list[tuple[str, str]]:
        """(name, type) of the columns of ``table``, in order (empty if it does not exist)."""
        rows = self.con.execute("SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a "
                                "WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
                                (self.q(table),)).fetchall()
        return [(str(n), str(t)) for n, t in rows]

    # reading
    def revision(self) -> int:
        return int(self.one(f"SELECT COALESCE(MAX(revision), 0) FROM {self.q(s.CHANGESETS_TABLE)}"))  # type: ignore[arg-type]

    def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in self.con.execute(f"SELECT key, value FROM {self.q(s.META_TABLE)}").fetchall()}

    def changesets(self, *, after: int = 0) -> list[Changeset]:
        cols = ", ".join(_q(c) for c in s.CHANGESET_COLUMNS)
        rows = self.con.execute(f"SELECT {cols} FROM {self.q(s.CHANGESETS_TABLE)} WHERE revision > %s ORDER BY revision", (after,))
        return [Changeset(int(r[0]), int(r[1]), None if r[2] is None else int(r[2]), r[3], r[4], r[5], r[6],
                          None if r[7] is None else json.loads(r[7]), json.loads(r[8] or "{}"), r[9], r[10], r[11]) for r in rows]

    def rows(self, table: str, columns: Sequence[str], where: str = "", params: Sequence[object] = ()) -> gpd.GeoDataFrame:
        """``columns`` and the geometry (column ``geometry``) of the rows matching ``where``, in the order written."""
        cur = self.con.cursor(binary=True)
        names = ", ".join(["ST_AsBinary(geom)", *map(_q, columns)])
        cur.execute(f"SELECT {names} FROM {self.q(table)} {('WHERE ' + where) if where else ''} ORDER BY gid", tuple(params))
        rows = cur.fetchall()
        df = pd.DataFrame([r[1:] for r in rows], columns=list(columns))
        wkb = np.asarray([None if r[0] is None else bytes(r[0]) for r in rows], dtype=object)
        geoms = shapely.from_wkb(wkb) if len(wkb) else np.empty(0, dtype=object)
        return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(list(geoms), index=df.index, crs=CGCS2000), crs=CGCS2000)

    def read_layer(self, table: str, lid: str) -> gpd.GeoDataFrame:
        return s.conform(lid, self.rows(table, [f.name for f in get_spec(lid).fields]))

    def read_versions(self, lid: str, where: str = "", params: Sequence[object] = ()) -> gpd.GeoDataFrame:
        """Every stored version of ``lid``'s user features matching ``where`` (spec columns, then the
        version columns), in the order written."""
        cols = changes_.version_columns(lid)
        table = s.table_for(s.USER, lid)
        frame = self.rows(table, cols, where, params) if table in self.tables() else \
            gpd.GeoDataFrame(pd.DataFrame(columns=cols), geometry=gpd.GeoSeries([], crs=CGCS2000), crs=CGCS2000)
        spec = s.conform(lid, frame)
        for c, _ in s.VERSION_COLUMNS:
            spec[c] = frame[c].to_numpy()
        return spec

    def unmapped(self) -> pd.DataFrame:
        cols = list(s.UNMAPPED_COLUMNS)
        rows = self.con.execute(f"SELECT {', '.join(map(_q, cols))} FROM {self.q(s.UNMAPPED_TABLE)} ORDER BY gid").fetchall()
        return pd.DataFrame(rows, columns=cols)

    # writing (changes.Transaction)
    def lock(self) -> None:
        self.con.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_S}s'")
        self.con.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_CLASS, int(self.adcode)))

    def init(self, where: str) -> None:
        """The schema and the store's own tables of a new workspace (PostGIS created when missing and allowed)."""
        if self.one("SELECT to_regtype('geometry')") is None:
            try:
                with self.con.transaction():
                    self.con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            except psycopg.errors.InsufficientPrivilege:
                raise DatabaseError(f"数据库 {where} 没有 PostGIS 扩展，当前用户也无权创建：请以超级用户执行 CREATE EXTENSION postgis"
                                    "（make postgis 会做）。 / The database has no PostGIS extension and this user may not create it: "
                                    "run CREATE EXTENSION postgis as a superuser (make postgis does).") from None
        self.con.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(self.schema)}")
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {self.q(s.META_TABLE)} (key text PRIMARY KEY, value text)")
        self.con.execute(f"""CREATE TABLE IF NOT EXISTS {self.q(s.CHANGESETS_TABLE)} (
          id integer PRIMARY KEY, revision integer NOT NULL UNIQUE, base_revision integer, time text NOT NULL,
          "user" text NOT NULL, action text NOT NULL, layer text, fids text, counts text, reason text,
          source_name text, source_sha256 text)""")
        self.set_meta({"format": s.FORMAT})

    def next_changeset_id(self) -> int:
        return int(self.one(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {self.q(s.CHANGESETS_TABLE)}"))  # type: ignore[arg-type]

    def set_meta(self, meta: Mapping[str, str]) -> None:
        with self.con.cursor() as cur:
            cur.executemany(f"INSERT INTO {self.q(s.META_TABLE)} (key, value) VALUES (%s, %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", [(k, str(v)) for k, v in meta.items()])

    def ensure_table(self, table: str, lid: str, extra: Sequence[tuple[str, str]] = ()) -> None:
        """Create ``table`` for layer ``lid``; a table whose columns no longer match the spec (a code
        upgrade added a field) is recreated only when it is plan-derived or derived."""
        spec = get_spec(lid)
        geom = spec.geom_types[0] if len(set(spec.geom_types)) == 1 else "Geometry"
        want = [("gid", "bigint"), ("geom", f"geometry({geom},{SRS})"),
                *((f.name, PG_TYPES[f.dtype]) for f in spec.fields), *((n, PG_TYPES[t]) for n, t in extra)]
        have = self.columns(table)
        if [(n, t.lower()) for n, t in have] == [(n, t.lower()) for n, t in want]:
            return
        if have and table.startswith(s.USER):
            for name, typ in want:  # user rows are kept: new spec fields are added as empty columns
                if name not in {h[0] for h in have}:
                    self.con.execute(f"ALTER TABLE {self.q(table)} ADD COLUMN {_q(name)} {typ}")
            return
        if have:
            self.con.execute(f"DROP TABLE {self.q(table)}")
        cols = ", ".join(f"{_q(n)} {t}" for n, t in want[2:])
        self.con.execute(f"CREATE TABLE {self.q(table)} (gid bigserial PRIMARY KEY, geom {want[1][1]}, {cols})")
        self.con.execute(f"CREATE INDEX ON {self.q(table)} USING gist (geom)")
        if table.startswith(s.USER):
            self.con.execute(f"CREATE INDEX ON {self.q(table)} (fid) WHERE rev_to IS NULL")

    def insert(self, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> int:
        """Append rows (``columns`` of ``frame`` and its geometry, as EWKB) with COPY; the count."""
        types = dict(self.columns(table))
        geoms = np.asarray(list(frame.geometry), dtype=object)
        present = np.array([g is not None for g in geoms], dtype=bool)
        ewkb = np.full(len(geoms), None, dtype=object)
        if present.any():
            ewkb[present] = shapely.to_wkb(shapely.set_srid(geoms[present], SRS), hex=True, include_srid=True)
        values = frame[list(columns)].astype(object).where(frame[list(columns)].notna(), None).to_numpy().tolist()
        casts = [_cast(types[c]) for c in columns]
        with self.con.cursor() as cur, cur.copy(f"COPY {self.q(table)} (geom, {', '.join(map(_q, columns))}) FROM STDIN") as copy:
            for g, row in zip(ewkb, values, strict=True):
                copy.write_row((g, *(None if v is None else f(v) for f, v in zip(casts, row, strict=True))))
        return len(values)

    def replace_layer(self, kind: str, lid: str, gdf: gpd.GeoDataFrame) -> int:
        table = s.table_for(kind, lid)
        self.ensure_table(table, lid)
        self.con.execute(f"DELETE FROM {self.q(table)}")  # not TRUNCATE: readers of the old revision keep seeing it
        return self.insert(table, s.conform(lid, reproject(gdf, CGCS2000)), [f.name for f in get_spec(lid).fields])

    def apply_change(self, ch: UserChange, rev: int, cs_id: int) -> tuple[dict[str, int], list[str]]:
        get_spec(ch.layer)
        self.ensure_table(s.table_for(s.USER, ch.layer), ch.layer, s.VERSION_COLUMNS)
        return changes_.apply_change(_Versions(self, ch.layer), ch, rev, cs_id)

    def replace_unmapped(self, df: pd.DataFrame) -> None:
        cols = list(s.UNMAPPED_COLUMNS)
        self.con.execute(f"CREATE TABLE IF NOT EXISTS {self.q(s.UNMAPPED_TABLE)} (gid bigserial PRIMARY KEY, "
                         f"{', '.join(f'{_q(c)} text' for c in cols)})")
        self.con.execute(f"DELETE FROM {self.q(s.UNMAPPED_TABLE)}")
        rows = df.reindex(columns=cols).astype(object).where(df.reindex(columns=cols).notna(), None).to_numpy().tolist()
        with self.con.cursor() as cur, cur.copy(f"COPY {self.q(s.UNMAPPED_TABLE)} ({', '.join(map(_q, cols))}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([None if v is None else str(v) for v in row])

    def add_changeset(self, cs: Changeset) -> None:
        cols = ", ".join(_q(c) for c in s.CHANGESET_COLUMNS)
        self.con.execute(f"INSERT INTO {self.q(s.CHANGESETS_TABLE)} ({cols}) VALUES ({', '.join(['%s'] * len(s.CHANGESET_COLUMNS))})",
                         (cs.id, cs.revision, cs.base_revision, cs.time, cs.user, cs.action, cs.layer,
                          None if cs.fids is None else json.dumps(cs.fids, ensure_ascii=False),
                          json.dumps(cs.counts, ensure_ascii=False), cs.reason, cs.source_name, cs.source_sha256))


class _Versions:
    """A ``user_<layer>`` table of the open write transaction (:class:`changes.VersionTable`)."""

    def __init__(self, db: _Db, lid: str) -> None:
        self.db, self.lid = db, lid
        self.table, self.plan = s.table_for(s.USER, lid), s.table_for(s.PLAN, lid)

    def current(self) -> dict[str, str | None]:
        return dict(self.db.con.execute(f"SELECT fid, supersedes FROM {self.db.q(self.table)} WHERE rev_to IS NULL ORDER BY gid").fetchall())

    def plan_fids(self) -> set[str]:
        if self.plan not in self.db.tables():
            return set()
        return {r[0] for r in self.db.con.execute(f"SELECT fid FROM {self.db.q(self.plan)}")}

    def close(self, fids: Sequence[str], rev: int) -> int:
        if not fids:
            return 0
        return self.db.con.execute(f"UPDATE {self.db.q(self.table)} SET rev_to = %s WHERE rev_to IS NULL AND fid = ANY(%s)",
                                   (rev, list(fids))).rowcount

    def close_all(self, rev: int) -> int:
        return self.db.con.execute(f"UPDATE {self.db.q(self.table)} SET rev_to = %s WHERE rev_to IS NULL", (rev,)).rowcount

    def current_row(self, fid: str) -> gpd.GeoDataFrame:
        cols = [f.name for f in get_spec(self.lid).fields] + ["supersedes", "provenance"]
        return self.db.rows(self.table, cols, "rev_to IS NULL AND fid = %s", (fid,))

    def plan_row(self, fid: str) -> gpd.GeoDataFrame:
        return self.db.rows(self.plan, [f.name for f in get_spec(self.lid).fields], "fid = %s", (fid,))

    def insert(self, rows: gpd.GeoDataFrame) -> int:
        return self.db.insert(self.table, rows, changes_.version_columns(self.lid))


def _q(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _cast(pg_type: str):  # noqa: ANN202
    """The Python type a value is turned into for a column of ``pg_type`` (numpy scalars, 1.0 for an integer)."""
    t = pg_type.lower()
    if t in ("bigint", "integer", "smallint"):
        return int
    if t in ("double precision", "real", "numeric"):
        return float
    if t == "boolean":
        return bool
    return lambda v: v if isinstance(v, str) else str(v.item() if isinstance(v, np.generic) else v)
