"""What a workspace holds and how its parts combine: table names, the change log's columns, spec
typing (``conform``) and the merge of plan-derived and user-contributed features.

Inside one workspace:

- ``plan_<layer>``: features the build derives from ``data/`` (rebuildable, replaced by every build);
- ``user_<layer>``: features users contribute (imports, edits). Rows are never rewritten: a change
  closes the current version of a feature (``rev_to``) and adds the next one (``rev_from``), so the
  layer as it was at any revision can be read back. A user feature whose ``supersedes`` names a plan
  feature stands for it; a ``deleted`` version hides a feature (and the plan item it supersedes);
- ``derived_<layer>``: analysis results (township risk), recomputed from the merged layers;
- ``onemap_meta``, ``onemap_changesets``: names, metric CRS and the change log (one row per revision);
- anything else (layers added with GDAL or QGIS) is never touched.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from layers.catalog.specs import get_spec

META_TABLE = "onemap_meta"
CHANGESETS_TABLE = "onemap_changesets"
UNMAPPED_TABLE = "plan_items_unmapped"
LEGACY_META_TABLE = "workspace_meta"  # format 1 (one file rewritten whole by every build)
PLAN, USER, DERIVED = "plan_", "user_", "derived_"
DERIVED_LAYERS = ("risk_townships",)
FORMAT = "2"

# user_<layer> columns besides the spec's: which plan feature a row stands for, its version span
# (rev_from <= R < rev_to is the version current at revision R), the change that wrote it, deletion,
# and where the row came from (JSON: file, sha256, sheet, row, encoding, CRS, datum; or editor, reason)
VERSION_COLUMNS = (("supersedes", "TEXT"), ("rev_from", "INTEGER"), ("rev_to", "INTEGER"), ("changeset", "INTEGER"), ("deleted", "INTEGER"),
                   ("provenance", "TEXT"))

CHANGESET_COLUMNS = ("id", "revision", "base_revision", "time", "user", "action", "layer", "fids", "counts", "reason",
                     "source_name", "source_sha256")
CHANGESET_DDL = f"""CREATE TABLE IF NOT EXISTS {CHANGESETS_TABLE} (
  id INTEGER PRIMARY KEY AUTOINCREMENT, revision INTEGER NOT NULL UNIQUE, base_revision INTEGER,
  time TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL, layer TEXT, fids TEXT, counts TEXT,
  reason TEXT, source_name TEXT, source_sha256 TEXT)"""
META_DDL = f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)"
UNMAPPED_COLUMNS = ("fid", "layer", "name", "reason", "source_doc", "source_section")


def table_for(kind: str, layer_id: str) -> str:
    return f"{kind}{layer_id}"


def managed(table: str) -> bool:
    """Whether the store owns ``table`` (everything else in the file belongs to someone else)."""
    from layers.catalog.specs import SPECS

    if table in (META_TABLE, CHANGESETS_TABLE, UNMAPPED_TABLE):
        return True
    return any(table == f"{kind}{lid}" for kind in (PLAN, USER, DERIVED) for lid in SPECS)


def conform(layer_id: str, gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Columns of ``gdf`` in spec order with spec types (missing optional columns added empty)."""
    spec = get_spec(layer_id)
    out = gdf.copy()
    for f in spec.fields:
        if f.name not in out:
            out[f.name] = None
        if f.dtype == "int":
            out[f.name] = pd.to_numeric(out[f.name]).astype("Int64")
        elif f.dtype == "float":
            out[f.name] = pd.to_numeric(out[f.name]).astype("float64")
        elif f.dtype == "str":
            out[f.name] = out[f.name].astype(object).where(out[f.name].notna(), None)
    return out[[f.name for f in spec.fields] + [out.geometry.name]]


def merge(layer_id: str, plan: gpd.GeoDataFrame, user: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The layer the map, analysis and exports read, and the plan features users superseded.

    ``user`` holds the current version of every user feature (with ``supersedes`` and ``deleted``).
    A plan feature named by any user version's ``supersedes`` is left out of the merge (it is
    returned in the second frame with ``superseded_by``, keeping its citation); deleted user
    versions are left out too. Plan features come first, in their order, then user features."""
    spec_cols = [f.name for f in get_spec(layer_id).fields]
    if user is None or user.empty:
        return plan, plan.iloc[0:0].assign(superseded_by=pd.Series(dtype=object))
    by = user.dropna(subset=["supersedes"]).drop_duplicates("supersedes", keep="last").set_index("supersedes")["fid"]
    hidden = plan["fid"].isin(by.index)
    live = user[user["deleted"].fillna(0).astype(int) == 0]
    live = conform(layer_id, gpd.GeoDataFrame(live[[*spec_cols, "geometry"]], geometry="geometry", crs=plan.crs))
    merged = pd.concat([plan[~hidden], live], ignore_index=True)
    merged = gpd.GeoDataFrame(merged, geometry=plan.geometry.name, crs=plan.crs)
    superseded = plan[hidden].assign(superseded_by=plan.loc[hidden, "fid"].map(by))
    return conform(layer_id, merged), superseded
