"""Turn the plan inventories (``data/plans/*.csv``) into cited features with honest geometry.

Placement rules, in order (each feature records which one placed it in ``geometry_source``):

1. a named place in ``data/sources/places.csv`` mentioned by the row -> that place (approximate);
2. townships named by the row (``township`` column, else township names found in the name or the
   location hint) -> their gazetteer seats (approximate);
3. otherwise the county centre (approximate, "location not stated in the plan").

Rows that count N things (1 < N <= MAX_EXPANDED) become N points placed by a seeded rule inside the area found
above, or inside a plausible area for the layer (forest areas for forest-fire facilities,
susceptibility zones for geohazards): ``geometry_quality = synthetic``. Points sharing one
approximate location are spread on a small golden-angle ring so they stay clickable.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.errors import Problem, SourceReadError, ValidationError
from geo.placement import line_through, ring_offsets, schematic_line, seeded_points_in, stable_seed
from layers.catalog.jurisdiction import Jurisdiction, short_name, union_m
from layers.catalog.registry import dataset
from layers.catalog.specs import PLAN_LAYERS, get_spec

log = logging.getLogger(__name__)

INVENTORY_COLUMNS = ("fid", "layer", "kind", "name", "count", "township", "location_hint", "action", "year",
                     "budget_wan", "lead_dept", "status", "target", "source_section", "note")
LINE_KINDS = {"river", "stream", "gully", "fire_road", "isolation_belt"}
POLYGON_KINDS = {"lake", "susceptibility_zone", "forest_area", "forest_farm", "no_build_zone", "control_zone"}
MAX_EXPANDED = 400  # a counted row above this (e.g. 2644 sensor terminals) stays one aggregate feature
RING_M = 600.0  # spacing of points that share one approximate location
ZONE_HALF_WIDTH_M = 3000.0
URBAN_WORDS = ("县城", "城区", "中心城区", "主城")
RIVER_ORDER = {"river": 1, "stream": 2, "gully": 3, "lake": 1}


@dataclass(frozen=True)
class Placed:
    geometry: BaseGeometry
    quality: str
    source: str


def documents() -> pd.DataFrame:
    """Document keys with their number, title and jurisdiction."""
    return pd.read_csv(dataset("documents").path, dtype=str).set_index("key")


def read_inventory(path: Path) -> pd.DataFrame:
    """Read one inventory CSV and check it against ``data/plans/SCHEMA.md`` (all problems at once); every
    message is "中文 / English" and names the row, the field, the bad value and the fix."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except ValueError as err:  # pandas' ParserError and EmptyDataError, and UnicodeDecodeError, are ValueErrors
        raise SourceReadError(f"{path}: 无法按 CSV 表读取({err}),请另存为 UTF-8 CSV,首行为 data/plans/SCHEMA.md 的列名 / "
                              f"cannot read as a CSV table ({err}); save it as UTF-8 CSV with the header row of "
                              "data/plans/SCHEMA.md.") from err
    problems = [Problem(None, c, f"缺少“{c}”列,请按 data/plans/SCHEMA.md 补上 / column is missing; see data/plans/SCHEMA.md.")
                for c in INVENTORY_COLUMNS if c not in df]
    if problems:
        raise ValidationError(str(path), problems)
    for i, row in enumerate(df.itertuples(index=False), start=2):
        problems += _row_problems(i, row._asdict())
    dup = df["fid"].duplicated()
    problems += [Problem(i + 2, "fid", f"第{i + 2}行 fid:编号“{f}”重复,请改为未用过的编号 / duplicate fid {f!r}; fids must be unique.")
                 for i, f in df.loc[dup, "fid"].items()]
    if problems:
        raise ValidationError(str(path), problems)
    return df


def _row_problems(i: int, row: dict) -> list[Problem]:
    """The problems of data row ``i`` (the file's line number, header = 1)."""
    out = []
    if row["layer"] not in PLAN_LAYERS:
        return [Problem(i, "layer", f"第{i}行 layer:“{row['layer']}”不是规划图层,请改为 {'、'.join(PLAN_LAYERS)} 之一 / "
                                    f"{row['layer']!r} is not a plan layer; use one of {list(PLAN_LAYERS)}.")]
    spec = get_spec(row["layer"])
    if spec.kind(row["kind"]) is None:
        kinds = [k.id for k in spec.kinds]
        out.append(Problem(i, "kind", f"第{i}行 kind:“{row['kind']}”不是 {row['layer']}({spec.zh})图层的类型,请改为 "
                                      f"{'、'.join(kinds)} 之一 / {row['kind']!r} is not a kind of {row['layer']}; use one of {kinds}."))
    if not row["count"].isdigit() or int(row["count"]) < 1:
        out.append(Problem(i, "count", f"第{i}行 count:“{row['count']}”不是不小于 1 的整数,请填写数量(如 1 或 26) / "
                                       f"{row['count']!r} is not a whole number >= 1; write a count such as 1 or 26."))
    if row["budget_wan"] and not re.fullmatch(r"\d+(\.\d+)?", row["budget_wan"]):
        out.append(Problem(i, "budget_wan", f"第{i}行 budget_wan:“{row['budget_wan']}”不是万元数,请只填数字(亿元乘以 10000) / "
                                            f"{row['budget_wan']!r} is not a number of 万元; write digits only (亿元 x 10000)."))
    for col in ("name", "source_section"):
        if not row[col].strip():
            out.append(Problem(i, col, f"第{i}行 {col}:值为空,请填写 / value is empty; fill it in."))
    return out


class Placer:
    """Places plan rows of one jurisdiction; remembers ring slots so shared spots do not stack."""

    def __init__(self, j: Jurisdiction, places: pd.DataFrame) -> None:
        self.j = j
        self.places = places[places["adcode"] == j.adcode]
        self._ring: dict[tuple[float, float], int] = defaultdict(int)
        self.forest_m: BaseGeometry = shapely.Polygon()
        self.zones_m: BaseGeometry = shapely.Polygon()
        self.rivers: dict[str, Placed] = {}  # river lines placed so far, by name

    def place_geometry(self, name: str, via: list[str], kind: str, width: float) -> BaseGeometry:
        seats = [s for s in (self.j.seat_of(v) for v in via) if s is not None]
        line = line_through(seats) if len(seats) > 1 else seats[0].buffer(1)
        return line if kind == "line" else line.buffer(width / 2)

    def named_place(self, text: str) -> Placed | None:
        for _, p in self.places.iterrows():
            if p["name"] in text:
                geom = self.place_geometry(p["name"], p["via"].split(";"), p["geom"], float(p["width_m"] or 0))
                return Placed(geom, "approximate", f"{p['name']}: {p['basis']}")
        return None

    def anchor(self, row: dict) -> tuple[list[Point], str]:
        names = [t for t in row["township"].split(";") if t] or self._townships_named(row)
        seats = [(n, self.j.seat_of(n)) for n in names]
        seats = [(n, s) for n, s in seats if s is not None]
        if seats:
            return [s for _, s in seats], "seat of " + "、".join(n for n, _ in seats) + " (township named in the plan)"
        return [self.j.centre_m], "county centre: the plan states no location"

    def _townships_named(self, row: dict) -> list[str]:
        """Townships named in the row's name or hint; river names are masked first (大沙河 is not
        沙河乡), and 县城/城区 mean the county-seat township."""
        text = f"{row['name']};{row['location_hint']}"
        for river in sorted(self.rivers, key=len, reverse=True):
            text = text.replace(river, "#")
        found = self.j.townships_in_text(text)
        if row["layer"] == "rivers":  # "大沙河" contains 沙河(乡) but is not named after it
            found = [t for t in found if not 0 < row["name"].find(short_name(t))]
        if not found and any(w in text for w in URBAN_WORDS):
            found = [str(self.j.config["seat_township"])]
        return found

    def ring_point(self, centre: Point) -> Point:
        key = (round(centre.x), round(centre.y))
        slot = self._ring[key]
        self._ring[key] += 1
        if slot == 0:
            return centre
        p = ring_offsets(centre, 1, radius=RING_M * (1 + slot) ** 0.5, start_index=slot)[0]
        return p if self.j.area_m.contains(p) else centre

    def plausible_area(self, layer: str, row: dict, anchors: list[Point], anchored: bool) -> tuple[BaseGeometry, str]:
        if anchored:
            cells = self.j.townships_m
            near = cells[cells.geometry.apply(lambda g: any(g.buffer(1).contains(a) for a in anchors))]
            return union_m(list(near.geometry)), "inside the townships named in the plan"
        if layer == "forest_fire" and not self.forest_m.is_empty:
            return self.forest_m.intersection(self.j.area_m), "inside the key forest areas of this layer"
        if layer == "geohazards" and not self.zones_m.is_empty:
            return self.zones_m.intersection(self.j.area_m), "inside the susceptibility zones"
        return self.j.area_m, "anywhere in the county"

    def place(self, layer: str, row: dict) -> list[Placed]:
        kind, count = row["kind"], int(row["count"])
        named = self.named_place(row["name"] + ";" + row["location_hint"])
        if kind in LINE_KINDS | POLYGON_KINDS and count == 1:
            return [self._shape(row, kind, named)]
        if 1 < count <= MAX_EXPANDED:
            return self._counted(layer, row, count, named)
        if named is not None:
            return [Placed(self.ring_point(named.geometry.representative_point()), named.quality, named.source)]
        on_river = self.on_river(row)
        if on_river is not None:
            return [on_river]
        anchors, how = self.anchor(row)
        return [Placed(self.ring_point(anchors[0]), "approximate", how)]

    def on_river(self, row: dict) -> Placed | None:
        """A point item that names a drawn river ("龙溪河五龙场") sits on that river: nearest to the
        named township's seat if there is one, else at the middle of the line."""
        text = f"{row['name']};{row['location_hint']}"
        river = next((r for n, r in self.rivers.items() if n in text and r.geometry.length > 0), None)
        if river is None:
            return None
        anchors, how = self.anchor(row)
        line = river.geometry
        at = line.interpolate(line.project(anchors[0])) if "seat" in how else line.interpolate(0.5, normalized=True)
        where = f"on the drawn river line nearest the {how}" if "seat" in how else "middle of the drawn river line"
        return Placed(self.ring_point(at), river.quality, f"{where}; river: {river.source}")

    def _counted(self, layer: str, row: dict, count: int, named: Placed | None) -> list[Placed]:
        if named is not None and named.geometry.area > 0:
            area, how = named.geometry.intersection(self.j.area_m), f"inside {named.source.split(':')[0]}"
        else:
            anchors, _ = self.anchor(row)
            anchored = anchors[0] is not self.j.centre_m
            area, how = self.plausible_area(layer, row, anchors, anchored)
        pts = seeded_points_in(area, count, seed=stable_seed(row["fid"]), min_spacing=500.0)
        src = f"synthetic: the plan gives only a count ({count}); seeded random point {how} (seed = fid)"
        return [Placed(p, "synthetic", src) for p in pts]

    def _shape(self, row: dict, kind: str, named: Placed | None) -> Placed:
        if named is not None:
            geom = named.geometry
            if kind in POLYGON_KINDS and geom.area == 0:
                geom = geom.buffer(ZONE_HALF_WIDTH_M)
            if kind == "forest_farm":  # a farm lies on its mountain: a smaller disc at the place centre
                geom = geom.representative_point().buffer(2500)
            return Placed(geom, named.quality, named.source)
        anchors, how = self.anchor(row)
        seed = stable_seed(row["fid"])
        if kind in LINE_KINDS:
            if len(anchors) > 1:
                return Placed(line_through(anchors), "approximate", f"line through the {how}")
            if "seat" in how:
                centre, where = anchors[0], f"near the {how}"
            else:
                centre, where = seeded_points_in(self.j.area_m, 1, seed=seed)[0], "at a seeded random spot (the plan states no location)"
            line = schematic_line(centre, length=6000.0, seed=seed).intersection(self.j.area_m)
            return Placed(line, "synthetic", f"schematic 6 km line {where}; course unknown offline")
        if kind == "susceptibility_zone" and len(anchors) > 1:
            return Placed(line_through(anchors).buffer(ZONE_HALF_WIDTH_M).intersection(self.j.area_m), "approximate",
                          f"corridor {ZONE_HALF_WIDTH_M/1000:g} km either side of the line joining the {how}")
        radius = 1500.0 if kind == "lake" else 2500.0
        centre = self.ring_point(anchors[0])
        return Placed(centre.buffer(radius).intersection(self.j.area_m), "synthetic",
                      f"schematic {radius/1000:g} km disc at {how}; extent unknown offline")
