"""Command line: ``python -m layers build|dump|check|import|edit|add|delete|restore|history|undo|revert|user|sources``
and the analyses. With accounts on (``ONEMAP_AUTH`` set or an account in the store), a write names its
account with ``--user``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from geo.errors import GeoError, OptionError
from layers.accounts.cli import register as register_user_commands

log = logging.getLogger("layers")
PLAN_ADCODES = ("500231", "500110", "510821")
DEFAULT_BUILD = (*PLAN_ADCODES, "500000")


def _who(args: argparse.Namespace, default: str) -> str:
    """``--user``, or ``default`` when no accounts are enforced; with accounts on, an unknown, disabled or
    missing account is refused here, before any work."""
    from layers.accounts import guard
    from layers.store.workspace import store

    guard.acting(store(), args.user)
    return str(args.user or default)


def _build(args: argparse.Namespace) -> int:
    from layers.accounts import guard
    from layers.jobs.build import build_workspace
    from layers.store.workspace import store

    user = _who(args, "build")
    guard.require_admin(store(), user, ("生成工作区或加入规划", "build workspaces or add a plan"))  # before --plan writes its file
    reason = _add_plan(args) if args.plan else None
    for adcode in args.adcodes or DEFAULT_BUILD:
        result = build_workspace(adcode, user=user, reason=reason)
        total = sum(v for k, v in result.counts.items())
        print(f"{adcode} -> {result.path}  ({total} features)")
        for layer_id, n in result.counts.items():
            print(f"  {layer_id:15s} {n:5d}")
        if len(result.unmapped):
            print(f"  not drawn: {len(result.unmapped)} plan items (see table plan_items_unmapped)")
            for u in result.unmapped.itertuples() if args.plan else ():
                print(f"    {u.fid} {u.name} ({u.source_doc}): {u.reason}")
        if result.unconfirmed_townships:
            print(f"  townships not confirmed (2020 snapshot, no seat): {'、'.join(result.unconfirmed_townships)}")
    return 0


def _dump(args: argparse.Namespace) -> int:
    from layers.exports.dump import dump_workspace

    for path in dump_workspace(args.adcode, Path(args.out), overwrite=args.force):
        print(path)
    return 0


def _backup(args: argparse.Namespace) -> int:
    from layers.store.backup import backup

    for path in backup(Path(args.out)):
        print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from layers.imports.check import check_file

    gdf = check_file(args.file, layer=args.layer, adcode=args.adcode, crs=args.crs, datum=args.datum)
    print(f"{args.file}: OK, {len(gdf)} features valid for layer {args.layer}")
    return 0


def _risk(args: argparse.Namespace) -> int:
    from layers.analysis.riskstore import recompute_risk

    risk = recompute_risk(args.adcode, scheme=args.scheme, user=_who(args, "risk"))
    print(f"{args.adcode}: risk_townships recomputed with scheme={args.scheme}")
    cols = ["name", "geological_score", "flood_score", "forest_fire_score", "composite", "level_name", "drivers"]
    print(risk.sort_values("composite", ascending=False)[cols].to_string(index=False))
    return 0


def _frames(args: argparse.Namespace):  # noqa: ANN202
    """The workspace's frames as the app shows them (demo off unless --demo, synthetic off with
    --no-synthetic, risk recomputed from what is shown) and its metric CRS."""
    from layers.analysis.riskstore import analysed_frames
    from layers.catalog.quality import apply_quality
    from layers.store.workspace import open_workspace

    ws = open_workspace(args.adcode)
    return apply_quality(analysed_frames(ws, _quality(args)), _quality(args)), ws.metric_crs


def _screen(args: argparse.Namespace) -> int:
    import json

    from geo.dms import parse_angle
    from layers.analysis.screen import screen_point

    lon, lat = parse_angle(args.lon, axis="lon"), parse_angle(args.lat, axis="lat")
    frames, crs = _frames(args)
    checks = screen_point(frames, crs, lon, lat, datum=args.crs)
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], ensure_ascii=False, indent=1))
    else:
        for c in checks:
            print(f"{'!' if c.flag else ' '} {c.item if args.lang == 'zh' else c.item_en}: {c.result if args.lang == 'zh' else c.result_en}")
    return 0


def _coverage_result(r, args: argparse.Namespace) -> dict:  # noqa: ANN001
    """One coverage result as JSON-ready data: its own radii, the figure, inputs by position class, gaps, sites."""
    label, value = r.headline(args.lang)
    sites = r.suggestions.to_crs(4326) if len(r.suggestions) else r.suggestions
    return {"kind": r.kind, "demand": r.demand_kind, "radii": {k: round(v) for k, v in r.radii.items()}, "status": r.status,
            "figure": label, "value": value, "share": None if r.share is None else round(r.share, 4),
            "n_facilities": r.n_facilities, "n_facilities_position_unknown": r.n_unknown_facilities, "inputs": r.inputs_note(args.lang),
            "townships": r.townships.to_dict("records"),
            "gaps": r.gaps.drop(columns="geometry", errors="ignore").head(args.top).to_dict("records") if len(r.gaps) else [],
            "suggestions": [{"rank": int(s.rank), "gain": float(s.gain), "lon": s.geometry.x, "lat": s.geometry.y}
                            for s in sites.itertuples()] if len(sites) else [],
            "optimality_gap": r.optimality_gap}


def _coverage(args: argparse.Namespace) -> int:
    import json

    from layers.analysis import coverage as cv

    if args.list:
        print(json.dumps(cv.kinds(), ensure_ascii=False) if args.json else cv.kinds())
        return 0
    if not (args.adcode and args.facilities and args.demand):
        raise OptionError("coverage 需要 ADCODE --facilities 类别[,类别] --demand 类别(或 --list 查看类别)"
                         if args.lang == "zh" else "coverage needs ADCODE --facilities KIND[,KIND] --demand KIND (or --list); see --help.")
    if args.radius is not None and args.minutes is not None:
        raise OptionError("服务半径(--radius)与通行时间(--minutes)只能给一个" if args.lang == "zh" else
                         "Give a radius (--radius) or a travel time (--minutes), not both.")
    mode, value = ("radius", args.radius) if args.radius is not None else ("minutes", args.minutes) if args.minutes is not None else ("standard", None)
    (frames, crs), kinds = _frames(args), args.facilities.split(",")
    results = [cv.analyse_kind(frames, crs, args.adcode, kind=k, demand=args.demand, mode=mode, value=value) for k in kinds]
    if args.union and len(kinds) > 1:
        results.append(cv.analyse_union(frames, crs, args.adcode, kinds=kinds, demand=args.demand, mode=mode, value=value))
    if args.suggest:
        results = [cv.suggest(r, frames, crs, k=args.suggest) if r.status == "ok" else r for r in results]
    out = {"adcode": args.adcode, "demand": args.demand, "results": [_coverage_result(r, args) for r in results]}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1, default=float))
        return 0
    for r, row in zip(results, out["results"], strict=True):
        print(f"{r.title(args.lang)} ({r.radius_text(args.lang)}): {row['figure']} {row['value']}")
        print(f"  {row['inputs']}")
        for g in row["gaps"]:
            share = g.get("uncovered_share")
            where = f"{share:.0%} uncovered" if r.is_area and share is not None else f"{g.get('distance_m', float('nan')):.0f} m to the nearest"
            print(f"  gap: {g.get('name')} ({g.get('township')}), {where}")
        for site in row["suggestions"]:
            print(f"  site {site['rank']}: {site['lon']:.5f}, {site['lat']:.5f} (+{site['gain']:.2f})")
    return 0


def _quality(args: argparse.Namespace):  # noqa: ANN202
    from layers.catalog.quality import QualityOptions

    return QualityOptions(show_synthetic=not args.no_synthetic, show_demo=args.demo and not args.no_synthetic)


def _export(args: argparse.Namespace) -> int:
    from layers.exports.service import export

    layers = args.layers.split(",") if args.layers else None
    path = export(args.adcode, args.format, Path(args.out), layers=layers, title=args.title, subtitle=args.subtitle,
                  paper=args.paper, orientation=args.orientation, dpi=args.dpi, footer=args.footer or "", lang=args.lang,
                  quality=_quality(args), overwrite=args.force)
    print(path)
    return 0


def _atlas(args: argparse.Namespace) -> int:
    from layers.exports.service import atlas

    path = atlas(args.adcode, Path(args.out), title=args.title, lang=args.lang, footer=args.footer or "", dpi=args.dpi,
                 quality=_quality(args), progress=lambda i, n, name: log.info("atlas page %d/%d: %s", i, n, name),
                 overwrite=args.force)
    print(path)
    return 0


def _data_status_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", default="zh", choices=("zh", "en"), help="language of the sheet or atlas (default zh)")
    p.add_argument("--demo", action="store_true", help="include the 演示 demo inventory (off by default, as in the app)")
    p.add_argument("--no-synthetic", action="store_true", help="leave out synthetic (seeded) features and recompute the risk")


def _date(text: str | None, what: str):  # noqa: ANN202
    import datetime as dt

    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as err:
        raise OptionError(f"{what} 应为日期 YYYY-MM-DD，收到 {text!r} / {what} must be a date YYYY-MM-DD, got {text!r}") from err


def _history(args: argparse.Namespace) -> int:
    import json

    from layers.edits.history import history
    from layers.store.workspace import open_workspace

    entries = history(open_workspace(args.adcode), layer=args.layer, fid=args.fid, user=args.user, township=args.township,
                      since=_date(args.since, "--since"), until=_date(args.until, "--until"))
    rows = [{**e.changeset.__dict__, "features": [{"layer": f.layer, "fid": f.fid, "name": f.name, "township": f.township,
                                                   "changed": f.changed} for f in e.features]} for e in reversed(entries)]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    for r in rows:
        n = f" {len(r['fids'])} feature(s)" if r["fids"] else ""
        print(f"#{r['id']} rev {r['revision']} {r['time']} {r['user']} {r['action']} {r['layer'] or ''}{n} {r['reason'] or ''}".rstrip())
    return 0


def _position(args: argparse.Namespace, ws):  # noqa: ANN001, ANN202
    """The position the options give (None when none is given)."""
    from layers.edits.position import parse_position

    lonlat, xy = (args.lon, args.lat), (args.x, args.y)
    if any(v is not None for v in lonlat) and any(v is not None for v in xy):
        raise OptionError("--lon/--lat 与 --x/--y 只能给一组 / give either --lon/--lat or --x/--y, not both")
    for pair, names in ((lonlat, "--lon --lat"), (xy, "--x --y")):
        if sum(v is not None for v in pair) == 1:
            raise OptionError(f"{names} 需要同时给出 / {names} go together: give both")
    area = ws.layer("county").geometry.union_all()
    if args.lon is not None:
        return parse_position(args.lon, args.lat, datum=args.datum, area=area)
    if args.x is not None:
        return parse_position(args.x, args.y, crs=args.crs or "auto", area=area)
    return None


def _values(args: argparse.Namespace) -> dict[str, str]:
    values = {}
    for item in args.set or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"--set 应写成 字段=值，收到 {item!r} / --set takes FIELD=VALUE, got {item!r} (e.g. --set status=completed)")
        values[name.strip()] = value
    return values


def _edit(args: argparse.Namespace) -> int:
    import json

    from layers.edits.edit import edit_feature
    from layers.store.workspace import open_workspace

    ws = open_workspace(args.adcode)
    values = _values(args)
    pos = _position(args, ws)
    cs = edit_feature(ws, args.layer, args.fid, geometry=None if pos is None else pos.point, values=values, user=args.user,
                      reason=args.reason)
    out = {**cs.__dict__, "fid": args.fid, "values": values,
           "position": None if pos is None else {"lon": round(pos.point.x, 7), "lat": round(pos.point.y, 7), "crs": pos.crs,
                                                 "reading": pos.reading}}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
    else:
        where = "" if pos is None else f" -> {pos.point.x:.6f}, {pos.point.y:.6f} ({pos.reading})"
        print(f"{args.layer} {args.fid}{where}: changeset {cs.id}, revision {cs.revision}")
    return 0


def _add_delete_restore(args: argparse.Namespace) -> int:
    """``add`` (a new feature at a position with --set values), ``delete`` and ``restore`` (by --fid)."""
    import json

    from layers.edits import edit
    from layers.store.workspace import open_workspace

    ws = open_workspace(args.adcode)
    if args.command == "add":
        pos = _position(args, ws)
        if pos is None:
            raise OptionError("add 需要位置：--lon/--lat 或 --x/--y / add needs a position: give --lon/--lat or --x/--y")
        cs = edit.add_feature(ws, args.layer, geometry=pos.point, values=_values(args), user=args.user, reason=args.reason)
        fid = next(iter(cs.fids or ["?"]))
    else:
        fid = args.fid
        do = edit.delete_feature if args.command == "delete" else edit.restore_feature
        cs = do(ws, args.layer, fid, user=args.user, reason=args.reason)
    if args.json:
        print(json.dumps({**cs.__dict__, "fid": fid}, ensure_ascii=False, indent=1))
    else:
        print(f"{args.command} {args.layer} {fid}: changeset {cs.id}, revision {cs.revision}")
    return 0


def _undo(args: argparse.Namespace) -> int:
    import json

    from layers.edits.history import revert_to, undo
    from layers.store.workspace import open_workspace

    ws = open_workspace(args.adcode)
    if args.command == "revert":
        cs = revert_to(ws, args.revision, user=args.user, reason=args.reason)
    else:
        cs = undo(ws, args.changeset, user=args.user, reason=args.reason)
    if args.json:
        print(json.dumps(cs.__dict__, ensure_ascii=False, indent=1))
    else:
        print(f"{args.command}: changeset {cs.id}, revision {cs.revision}")
    return 0


def _import(args: argparse.Namespace) -> int:
    import getpass
    import json

    from layers.imports.importer import commit_import, plan_import
    from layers.store.workspace import open_workspace

    user = _who(args, getpass.getuser())  # with accounts on, an account is named before the file is read
    plan = plan_import(open_workspace(args.adcode), Path(args.file), layer=args.layer, sheet=args.sheet, mode=args.mode,
                       columns=args.columns, crs=args.crs, datum=args.datum, encoding=args.encoding, skip_invalid=args.skip_invalid)
    refused = not plan.committable
    report = plan.report() if args.dry_run or refused else commit_import(plan, user=user, reason=args.reason)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print(f"{args.file} -> {args.layer} ({args.mode}): {report['rows_read']} rows read, {report['features']} feature(s), "
              f"{len(report['skipped'])} skipped; CRS {report['crs']} ({report['datum']}), score {report['crs_score']}")
        if report["changeset"] is not None:
            print(f"committed: changeset {report['changeset']}, revision {report['revision']}")
    for label, found in (("", plan.problems), ("note / 提示: ", plan.warnings)):
        for p in found:
            where = ", ".join(str(x) for x in (p.sheet, f"row {p.row}" if p.row else None, p.field) if x)
            print(f"{label}{where}: {p.message}", file=sys.stderr)
    if refused and not args.dry_run:
        print("nothing written / 未写入任何内容", file=sys.stderr)
    return 2 if refused else 0


def _add_plan(args: argparse.Namespace) -> str:
    """``build ADCODE --plan FILE.csv``: the inventory saved for the workspace as a new document."""
    from layers.jobs.planfiles import read_plan_csv, save_plan

    if len(args.adcodes) != 1:
        raise OptionError("--plan 需要且只能给一个区县代码 / --plan needs exactly one ADCODE, e.g. build 500229 --plan plan.csv")
    path = Path(args.plan)
    saved = save_plan(args.adcodes[0], read_plan_csv(path), doc_number=args.doc_number or f"{path.stem}（文号未载明）",
                      title=args.title or path.stem)
    print(f"{path.name} -> plans/{args.adcodes[0]}/{saved.key}.csv: {saved.rows} rows of {saved.doc_number}")
    return f"规划入图 {saved.doc_number}"


def _extract(args: argparse.Namespace) -> int:
    import json
    import shlex

    from geo.tables import csv_bytes
    from layers.exports.output import atomic_write
    from layers.jobs.planfiles import inventory_frame
    from layers.plans import extract as ex

    found = ex.extract_plan(ex.read_plan(Path(args.plan)), adcode=args.adcode, key=args.key)
    rows = found.rows
    if args.out:
        with atomic_write(args.out, overwrite=args.force) as tmp:
            tmp.write_bytes(csv_bytes(inventory_frame(rows)))
    if args.json:
        out = {"doc_number": found.doc_number, "title": found.title, "sections": found.sections,
               "rows": json.loads(rows.to_json(orient="records", force_ascii=False))}
        print(json.dumps(out, ensure_ascii=False, indent=1, default=lambda o: getattr(o, "__dict__", str(o))))
        return 0
    print(f"{found.doc_number or '(文号未载明)'}  {found.title}\n{len(found.sections)} sections, {len(rows)} rows")
    for layer, n in rows["layer"].value_counts().items() if len(rows) else ():
        print(f"  {layer:12s} {n:4d}")
    for r in rows[~rows["matched"].astype(bool)].itertuples() if "matched" in rows else ():
        print(f"  not matched: {r.fid} {r.name}: {r.match_reason}")
    if args.out:
        q = shlex.quote
        print(f"{args.out}; review it, then: python -m layers build {args.adcode} --plan {q(args.out)} "
              f"--doc-number {q(found.doc_number or '')} --title {q(found.title or '')}")
    return 0


def _sources(args: argparse.Namespace) -> int:
    from layers.catalog.sources import prepare_all

    prepare_all()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m layers", description="County risk one-map workspaces")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build (or rebuild) workspaces from data/")
    b.add_argument("adcodes", nargs="*", help=f"adcodes (default: {' '.join(DEFAULT_BUILD)})")
    b.add_argument("--plan", metavar="FILE.csv", help="add a reviewed inventory (data/plans/SCHEMA.md) to the one ADCODE as a new document")
    b.add_argument("--doc-number", help="with --plan: the document number (default: the file name, number not stated)")
    b.add_argument("--title", help="with --plan: the document title (default: the file name)")
    b.add_argument("--user", help="the admin account that builds (needed with accounts on)")
    b.set_defaults(func=_build)
    ex = sub.add_parser("extract", help="extract a plan's places and facilities (.txt/.docx/.pdf) into an inventory")
    ex.add_argument("plan", help="the plan: .txt (UTF-8 or GB18030), .docx or a text .pdf")
    ex.add_argument("--adcode", required=True, help="the county the plan belongs to (its townships and places are matched)")
    ex.add_argument("--key", default="new", help="fid prefix of the rows (default new)")
    ex.add_argument("--out", help="write the inventory CSV (data/plans/SCHEMA.md columns) here")
    ex.add_argument("--force", action="store_true", help="replace the file at --out if it exists")
    ex.add_argument("--json", action="store_true", help="print number, title, sections and rows (with spans and matches) as JSON")
    ex.set_defaults(func=_extract)
    d = sub.add_parser("dump", help="write one GeoJSON per layer (EPSG:4326)")
    d.add_argument("adcode")
    d.add_argument("--out", required=True, help="output folder")
    d.add_argument("--force", action="store_true", help="replace GeoJSON files already in the output folder")
    d.set_defaults(func=_dump)
    bk = sub.add_parser("backup", help="copy every workspace (and the accounts) into a new folder, safe while the app runs")
    bk.add_argument("--out", required=True, help="a new, empty folder")
    bk.set_defaults(func=_backup)
    c = sub.add_parser("check", help="validate a user file against a layer spec")
    c.add_argument("file")
    c.add_argument("--layer", required=True)
    c.add_argument("--adcode", help="also require features inside this jurisdiction")
    c.add_argument("--crs", help="CRS to assume if the file declares none, e.g. EPSG:4490")
    c.add_argument("--datum", default="wgs84", choices=("wgs84", "gcj02", "cgcs2000"), help="datum of lon/lat tables")
    c.set_defaults(func=_check)
    r = sub.add_parser("risk", help="recompute township risk layers of a workspace")
    r.add_argument("adcode")
    r.add_argument("--scheme", default="fixed", choices=("fixed", "natural_breaks", "quantiles"))
    r.add_argument("--user", help="the admin account that recomputes (needed with accounts on)")
    r.set_defaults(func=_risk)
    sc = sub.add_parser("screen", help="site-screening checklist for a point")
    sc.add_argument("adcode")
    sc.add_argument("--lon", required=True, help="decimal degrees or 度分秒")
    sc.add_argument("--lat", required=True, help="decimal degrees or 度分秒")
    sc.add_argument("--crs", default="wgs84", choices=("wgs84", "gcj02", "cgcs2000"), help="datum of the coordinates")
    sc.add_argument("--json", action="store_true")
    _data_status_options(sc)
    sc.set_defaults(func=_screen)
    cv = sub.add_parser("coverage", help="facility coverage, gaps and suggested sites")
    cv.add_argument("adcode", nargs="?")
    cv.add_argument("--facilities", help="facility kinds, comma-separated (see --list)")
    cv.add_argument("--demand", help="demand kind (see --list)")
    cv.add_argument("--radius", type=float, help="service radius in metres for every kind (default: each kind's own standard)")
    cv.add_argument("--minutes", type=float, help="or a travel time in minutes (not with --radius)")
    cv.add_argument("--union", action="store_true", help="also the coverage of the kinds together, each with its own radius")
    cv.add_argument("--suggest", type=int, default=0, metavar="K", help="suggest K new sites (greedy maximal covering)")
    cv.add_argument("--top", type=int, default=20, help="gaps to print")
    cv.add_argument("--list", action="store_true", help="list facility and demand kinds")
    cv.add_argument("--json", action="store_true")
    _data_status_options(cv)
    cv.set_defaults(func=_coverage)
    e = sub.add_parser("export", help="map sheet (png/pdf/html) or layer data (gpkg/geojson/shp/csv/xlsx)")
    e.add_argument("adcode")
    e.add_argument("--format", required=True, choices=("png", "pdf", "html", "gpkg", "geojson", "shp", "csv", "xlsx"))
    e.add_argument("--out", required=True)
    e.add_argument("--layers", help="layer ids, comma-separated (default: the map's default layers)")
    e.add_argument("--title")
    e.add_argument("--subtitle")
    e.add_argument("--paper", default="A4", choices=("A4", "A3"))
    e.add_argument("--orientation", default="landscape", choices=("landscape", "portrait"))
    e.add_argument("--dpi", type=int, default=300)
    e.add_argument("--footer", help="e.g. 内部资料 / 仅供会议使用")
    e.add_argument("--force", action="store_true", help="replace the file at --out if it exists (never a workspace, folder or device)")
    _data_status_options(e)
    e.set_defaults(func=_export)
    a = sub.add_parser("atlas", help="一乡一图: one PDF page per township")
    a.add_argument("adcode")
    a.add_argument("--out", required=True)
    a.add_argument("--title", help="page title before the township name (default: the jurisdiction's name)")
    a.add_argument("--footer")
    a.add_argument("--dpi", type=int, default=100)
    a.add_argument("--force", action="store_true", help="replace the file at --out if it exists")
    _data_status_options(a)
    a.set_defaults(func=_atlas)
    h = sub.add_parser("history", help="the change log of a workspace (one row per revision)")
    h.add_argument("adcode")
    h.add_argument("--layer")
    h.add_argument("--fid")
    h.add_argument("--user", help="only this user's changes")
    h.add_argument("--township", help="only changes of features in this township")
    h.add_argument("--since", help="from this date on, YYYY-MM-DD")
    h.add_argument("--until", help="up to this date, YYYY-MM-DD")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=_history)
    ed = sub.add_parser("edit", help="move a feature and/or set its attributes (one changeset)")
    ed.add_argument("adcode")
    ed.add_argument("--layer", required=True)
    ed.add_argument("--fid", required=True)
    _position_options(ed)
    _who_why(ed)
    ed.set_defaults(func=_edit)
    ad = sub.add_parser("add", help="add a feature at a position with its attributes (one changeset)")
    ad.add_argument("adcode")
    ad.add_argument("--layer", required=True)
    _position_options(ad)
    _who_why(ad)
    ad.set_defaults(func=_add_delete_restore)
    for verb, what in (("delete", "hide a feature (kept in the history, restorable)"), ("restore", "bring back a deleted feature")):
        dr = sub.add_parser(verb, help=what)
        dr.add_argument("adcode")
        dr.add_argument("--layer", required=True)
        dr.add_argument("--fid", required=True)
        _who_why(dr, values=False)
        dr.set_defaults(func=_add_delete_restore)
    u = sub.add_parser("undo", help="undo a changeset (as a new changeset)")
    u.add_argument("adcode")
    u.add_argument("changeset", type=int)
    u.add_argument("--user", required=True)
    u.add_argument("--reason", help="why (default: undo of changeset N)")
    u.add_argument("--json", action="store_true")
    u.set_defaults(func=_undo)
    rv = sub.add_parser("revert", help="return the user content to an earlier revision (as a new changeset)")
    rv.add_argument("adcode")
    rv.add_argument("revision", type=int)
    rv.add_argument("--user", required=True)
    rv.add_argument("--reason", required=True)
    rv.add_argument("--json", action="store_true")
    rv.set_defaults(func=_undo)
    im = sub.add_parser("import", help="import a bureau's file into a workspace layer (report with --dry-run)")
    im.add_argument("adcode")
    im.add_argument("file")
    im.add_argument("--layer", required=True)
    im.add_argument("--sheet", help="sheet name, or all (default: the first sheet with data)")
    im.add_argument("--mode", default="append", choices=("replace", "append", "upsert"))
    im.add_argument("--columns", help="column roles, SRC=FIELD,SRC2=FIELD2 (e.g. 隐患点名称=name)")
    im.add_argument("--crs", default="auto", help="auto or EPSG:N")
    im.add_argument("--datum", default="auto", choices=("auto", "wgs84", "cgcs2000", "gcj02", "bd09"))
    im.add_argument("--encoding", default="auto", choices=("auto", "utf-8", "gbk"))
    im.add_argument("--user", help="who imports (default: the login name)")
    im.add_argument("--reason", help="why, for the change log")
    im.add_argument("--skip-invalid", action="store_true", help="write the valid rows and skip the listed ones")
    im.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    im.add_argument("--json", action="store_true", help="print the report as JSON")
    im.set_defaults(func=_import)
    s = sub.add_parser("sources", help="regenerate data/sources from installed data packages")
    s.set_defaults(func=_sources)
    register_user_commands(sub)
    return p


def _position_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lon", help="longitude, decimal or 度分秒")
    p.add_argument("--lat", help="latitude, decimal or 度分秒")
    p.add_argument("--datum", default="wgs84", choices=("wgs84", "cgcs2000", "gcj02", "bd09"), help="datum of --lon/--lat")
    p.add_argument("--x", help="Gauss-Krüger X (northing) or easting, metres")
    p.add_argument("--y", help="Gauss-Krüger Y (easting, with or without the zone prefix), metres")
    p.add_argument("--crs", help="CRS of --x/--y: EPSG:N or auto (default auto: the zone from the prefix or the county)")


def _who_why(p: argparse.ArgumentParser, *, values: bool = True) -> None:
    if values:
        p.add_argument("--set", action="append", metavar="FIELD=VALUE", help="an attribute to set (repeat for more)")
    p.add_argument("--user", required=True, help="who makes the change (the account, with accounts on)")
    p.add_argument("--reason", required=True, help="why, for the change log")
    p.add_argument("--json", action="store_true")


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except (GeoError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
