"""Documented, seeded rules for placing features the sources do not locate, and Voronoi cells.

Everything here works in a metric CRS supplied by the caller; nothing is random unless seeded.
"""

from __future__ import annotations

import hashlib

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from geo.errors import GeometryError


def stable_seed(*parts: object) -> int:
    """A 32-bit seed derived from ``parts`` that is identical across runs and machines."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "little")


def seeded_points_in(area: BaseGeometry, n: int, *, seed: int, min_spacing: float = 0.0) -> list[Point]:
    """``n`` pseudo-random points inside ``area`` (rejection sampling from its bounds).

    With ``min_spacing`` > 0, a candidate closer than that to an accepted point is skipped while
    possible (after many tries the rule is relaxed rather than looping forever).
    """
    if n <= 0:
        return []
    if area.is_empty or area.area <= 0:
        raise GeometryError(f"Cannot place {n} point(s) in an empty area ({area.geom_type}, area {area.area:g}); "
                            "give a polygon with positive area.")
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = area.bounds
    prepared = prep(area)
    out: list[Point] = []
    tries = 0
    while len(out) < n:
        tries += 1
        p = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if not prepared.contains(p):
            continue
        spacing_ok = min_spacing <= 0 or tries > 200 * n or all(p.distance(q) >= min_spacing for q in out)
        if spacing_ok:
            out.append(p)
    return out


def ring_offsets(center: Point, n: int, *, radius: float, start_index: int = 0) -> list[Point]:
    """``n`` points on a ring of ``radius`` around ``center`` (golden-angle steps), so that several
    features placed at one approximate location do not hide each other."""
    golden = np.pi * (3 - np.sqrt(5))
    idx = np.arange(start_index, start_index + n)
    r = radius * np.sqrt((idx + 1) / (idx.max() + 1 if n else 1))
    return [Point(center.x + ri * np.cos(i * golden), center.y + ri * np.sin(i * golden)) for i, ri in zip(idx, r, strict=True)]


def voronoi_cells(seeds: list[Point], boundary: BaseGeometry) -> list[BaseGeometry]:
    """One cell per seed: the Voronoi polygon of the seed, clipped to ``boundary`` (same order).

    The cells tile ``boundary`` without gaps or overlaps.
    """
    if not seeds:
        return []
    if len(seeds) == 1:
        return [boundary]
    multipoint = shapely.MultiPoint(seeds)
    regions = shapely.voronoi_polygons(multipoint, extend_to=boundary.envelope.buffer(1.0))
    polys = list(regions.geoms)
    tree = shapely.STRtree(polys)
    cells = []
    for s in seeds:
        hits = [polys[i] for i in tree.query(s, predicate="intersects")]
        cell = shapely.union_all(hits) if hits else Polygon()
        cells.append(shapely.make_valid(cell.intersection(boundary)))
    return cells


def largest_gap_point(area: BaseGeometry, occupied: list[Point], *, grid: int = 60) -> Point:
    """The grid point inside ``area`` farthest from every ``occupied`` point (a documented rule for
    a seat the gazetteer lacks: it goes where the known seats leave the biggest hole)."""
    minx, miny, maxx, maxy = area.bounds
    xs, ys = np.meshgrid(np.linspace(minx, maxx, grid), np.linspace(miny, maxy, grid))
    cand = shapely.points(xs.ravel(), ys.ravel())
    inside = cand[shapely.contains(area, cand)]
    if not occupied:
        centroid = shapely.centroid(area)
        return centroid if area.contains(centroid) else area.representative_point()
    occ = shapely.MultiPoint(occupied)
    dist = shapely.distance(inside, occ)
    # keep away from the boundary too, so the cell is not a sliver
    dist = np.minimum(dist, shapely.distance(inside, area.boundary) * 1.5)
    return Point(inside[int(np.argmax(dist))].coords[0])


def schematic_line(center: Point, *, length: float, seed: int) -> LineString:
    """A gently bent 3-vertex line of ``length`` centred on ``center`` with a seeded bearing.

    Used for rivers and roads that no offline source locates; always marked synthetic.
    """
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0, np.pi)
    bend = rng.uniform(-0.35, 0.35)
    half = length / 2
    a = Point(center.x - half * np.cos(theta), center.y - half * np.sin(theta))
    b = Point(center.x + half * np.cos(theta + bend), center.y + half * np.sin(theta + bend))
    return LineString([a, center, b])


def line_through(points: list[Point]) -> LineString:
    """A polyline through ``points`` in the given order."""
    if len(points) < 2:
        raise GeometryError(f"A line needs at least two points, got {len(points)}; add a point or draw a point feature instead.")
    return LineString([(p.x, p.y) for p in points])
