"""Reviewed plan inventories saved per workspace (``<workspaces>/plans/<adcode>/``), read by the build
next to the hand-made ones in ``data/plans/``.

The folder mirrors ``data/plans``: a ``documents.csv`` in the same schema (key, adcode, doc_number,
title, date, seed_file) and one ``<key>.csv`` inventory per document (``data/plans/SCHEMA.md``). It sits
beside the workspace files, not in ``data/``, because a server's ``data/`` is the deployed code (git
versions it) while the workspace folder (``$ONEMAP_WORKSPACES``) is where the server writes. A document's
key is ``w`` + six hex digits of its document number, so saving the same document again replaces its
inventory and keeps its fids (edits people made to those features still apply), and two documents never
share fids. A saved document whose number is also in ``data/plans/documents.csv`` replaces that hand-made
inventory for this workspace.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from geo.errors import Problem, SourceReadError, ValidationError
from geo.tables import spreadsheet_safe
from layers.plans.inventory import INVENTORY_COLUMNS, read_inventory
from layers.store.workspace import validate_adcode, workspace_dir

log = logging.getLogger(__name__)
DOCUMENT_COLUMNS = ("key", "adcode", "doc_number", "title", "date", "seed_file")
_FID_TAIL = re.compile(r"-(\d{3,})$")


@dataclass(frozen=True)
class SavedPlan:
    """Where one reviewed inventory went: its key, the inventory file and how many rows it holds."""

    key: str
    doc_number: str
    title: str
    path: Path
    rows: int


def plan_folder(adcode: str) -> Path:
    """``<workspaces>/plans/<adcode>``: the reviewed inventories of one workspace."""
    return workspace_dir() / "plans" / adcode


def saved_documents(adcode: str) -> pd.DataFrame:
    """The documents saved for ``adcode`` (``documents.csv`` schema, index ``key``); empty if none."""
    path = plan_folder(adcode) / "documents.csv"
    if not path.exists():
        return pd.DataFrame(columns=list(DOCUMENT_COLUMNS)).set_index("key")
    try:
        docs = pd.read_csv(path, dtype=str, keep_default_na=False)
    except ValueError as err:
        raise SourceReadError(f"规划目录 plans/{adcode}/documents.csv 无法读取({err});删除该行或重新保存清单 / "
                              f"plans/{adcode}/documents.csv cannot be read ({err}); save the inventory again.") from err
    return docs.set_index("key")


def doc_key(doc_number: str) -> str:
    """The key of a document saved per workspace: ``w`` + 6 hex digits of its number."""
    return "w" + hashlib.sha256(doc_number.strip().encode("utf-8")).hexdigest()[:6]


def rekey(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    """``rows`` (SCHEMA columns) with fids ``<key>-<NNN>``: the number of the given fid when it has one
    and it is free, else the next free number."""
    out = rows.copy()
    taken: set[int] = set()
    wanted = [int(m.group(1)) if (m := _FID_TAIL.search(str(f))) else None for f in out["fid"]]
    numbers = []
    for n in wanted:
        if n is None or n in taken:
            n = max(taken | {0}) + 1
            while n in taken:
                n += 1
        taken.add(n)
        numbers.append(n)
    out["fid"] = [f"{key}-{n:03d}" for n in numbers]
    return out


def inventory_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Only the ``data/plans/SCHEMA.md`` columns, as text (spans, match notes and sentences are dropped:
    an inventory never holds the plan's sentences)."""
    missing = [c for c in INVENTORY_COLUMNS if c not in rows]
    if missing:
        raise ValidationError("inventory", [Problem(None, c, "column is missing; see data/plans/SCHEMA.md.") for c in missing])
    out = rows[list(INVENTORY_COLUMNS)].copy()
    return out.map(lambda v: "" if v is None or (isinstance(v, float) and pd.isna(v)) else
                   (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)).strip())


def check_inventory(rows: pd.DataFrame, *, name: str) -> pd.DataFrame:
    """``rows`` checked against SCHEMA.md as the build will read them; problems name ``name``, the row
    (as a spreadsheet numbers it) and the field, never a server path."""
    frame = inventory_frame(rows)
    with tempfile.TemporaryDirectory(prefix="onemap-plan-") as tmp:
        path = Path(tmp) / "inventory.csv"
        frame.to_csv(path, index=False)
        try:
            return read_inventory(path)
        except ValidationError as err:
            fids = frame["fid"].tolist()
            raise ValidationError(name, [Problem(p.row, p.field, (f"编号 {fids[p.row - 2]}: " if p.row and 2 <= p.row < len(fids) + 2 else "")
                                                 + p.message) for p in err.problems]) from None


def save_plan(adcode: str, rows: pd.DataFrame, *, doc_number: str, title: str, date: str = "", seed_file: str = "") -> SavedPlan:
    """Save a reviewed inventory of ``adcode`` as the document ``doc_number`` (replacing an earlier save
    of the same document). The next build of ``adcode`` draws it."""
    if not doc_number.strip():
        raise ValidationError("documents.csv", [Problem(None, "doc_number", "文号为空:填写文号,未载明时写“(文号未载明)” / "
                                                               "the document number is empty; write one, or “(文号未载明)”.")])
    adcode = validate_adcode(adcode, for_build=True)
    key = doc_key(doc_number)
    frame = rekey(check_inventory(rows, name=title.strip() or doc_number.strip()), key)
    folder = plan_folder(adcode)
    folder.mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / f"{key}.csv", frame)
    docs = saved_documents(adcode).drop(index=key, errors="ignore").reset_index()
    row = {"key": key, "adcode": adcode, "doc_number": doc_number.strip(), "title": title.strip(), "date": date, "seed_file": seed_file}
    docs = pd.concat([docs, pd.DataFrame([row])], ignore_index=True)[list(DOCUMENT_COLUMNS)]
    _write_atomic(folder / "documents.csv", docs)
    log.info("%s: plan %s (%s) saved with %d rows", adcode, key, doc_number, len(frame))
    return SavedPlan(key, doc_number.strip(), title.strip(), folder / f"{key}.csv", len(frame))


def read_plan_csv(path: Path) -> pd.DataFrame:
    """An inventory CSV given on the command line, checked against SCHEMA.md (problems name the file)."""
    if not path.is_file():
        raise SourceReadError(f"找不到清单文件 {path.name} / no inventory file {path.name}; give the path of a CSV in the "
                              "data/plans/SCHEMA.md columns (python -m layers extract PLAN --out FILE.csv writes one).")
    try:
        return read_inventory(path)
    except ValidationError as err:
        raise ValidationError(path.name, err.problems) from None
    except SourceReadError as err:
        raise SourceReadError(str(err).replace(str(path), path.name)) from None


def _write_atomic(path: Path, frame: pd.DataFrame) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    os.close(fd)
    try:
        spreadsheet_safe(frame).to_csv(tmp, index=False, encoding="utf-8")  # opened in a spreadsheet too
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
