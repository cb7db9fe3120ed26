"""Command line: ``python -m layers build|dump|check|sources``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from geo.errors import GeoError

log = logging.getLogger("layers")
PLAN_ADCODES = ("500231", "500110", "510821")


def _build(args: argparse.Namespace) -> int:
    from layers.build import build_workspace

    for adcode in args.adcodes or PLAN_ADCODES:
        result = build_workspace(adcode)
        total = sum(v for k, v in result.counts.items())
        print(f"{adcode} -> {result.path}  ({total} features)")
        for layer_id, n in result.counts.items():
            print(f"  {layer_id:15s} {n:5d}")
        if len(result.unmapped):
            print(f"  not drawn: {len(result.unmapped)} plan items (see table plan_items_unmapped)")
        if result.unconfirmed_townships:
            print(f"  townships not confirmed (2020 snapshot, no seat): {'、'.join(result.unconfirmed_townships)}")
    return 0


def _dump(args: argparse.Namespace) -> int:
    from layers.dump import dump_workspace

    for path in dump_workspace(args.adcode, Path(args.out)):
        print(path)
    return 0


def _check(args: argparse.Namespace) -> int:
    from layers.check import check_file

    gdf = check_file(args.file, layer=args.layer, adcode=args.adcode, crs=args.crs, datum=args.datum)
    print(f"{args.file}: OK, {len(gdf)} features valid for layer {args.layer}")
    return 0


def _sources(args: argparse.Namespace) -> int:
    from layers.sources import prepare_all

    prepare_all()
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m layers", description="County risk one-map workspaces")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build (or rebuild) workspaces from data/")
    b.add_argument("adcodes", nargs="*", help=f"adcodes (default: {' '.join(PLAN_ADCODES)})")
    b.set_defaults(func=_build)
    d = sub.add_parser("dump", help="write one GeoJSON per layer (EPSG:4326)")
    d.add_argument("adcode")
    d.add_argument("--out", required=True, help="output folder")
    d.set_defaults(func=_dump)
    c = sub.add_parser("check", help="validate a user file against a layer spec")
    c.add_argument("file")
    c.add_argument("--layer", required=True)
    c.add_argument("--adcode", help="also require features inside this jurisdiction")
    c.add_argument("--crs", help="CRS to assume if the file declares none, e.g. EPSG:4490")
    c.add_argument("--datum", default="wgs84", choices=("wgs84", "gcj02", "cgcs2000"), help="datum of lon/lat tables")
    c.set_defaults(func=_check)
    s = sub.add_parser("sources", help="regenerate data/sources from installed data packages")
    s.set_defaults(func=_sources)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    try:
        return int(args.func(args))
    except GeoError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
