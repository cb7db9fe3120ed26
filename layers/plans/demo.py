"""Seeded synthetic demo inventory of geohazard points (clearly marked synthetic, never real).

Rule: 70 % of points fall inside the susceptibility zones (or anywhere if there are none), the
rest anywhere in the county; hazard type, people and property threatened are drawn from fixed
distributions; the risk level follows the national grading by people threatened
(>=1000 特大型 / >=500 大型 / >=100 中型 / else 小型, simplified here to 高/较高/中/低).
"""

from __future__ import annotations

import numpy as np
from shapely.geometry.base import BaseGeometry

from geo.placement import seeded_points_in, stable_seed
from layers.catalog.quality import DEMO_SOURCE_DOC

HAZARD_TYPES = ("滑坡", "崩塌", "泥石流", "不稳定斜坡", "地面塌陷")
TYPE_SHARES = (0.58, 0.22, 0.07, 0.10, 0.03)
SOURCE_DOC = DEMO_SOURCE_DOC
SOURCE_SECTION = "n/a: synthetic demo inventory"


def risk_level(people: int) -> str:
    """Risk level from people threatened (simplified national grading)."""
    if people >= 1000:
        return "高"
    if people >= 500:
        return "较高"
    if people >= 100:
        return "中"
    return "低"


def hazard_points(adcode: str, n: int, *, county_m: BaseGeometry, zones_m: BaseGeometry) -> list[dict]:
    """``n`` demo hazard points as feature dicts (geometry in the metric CRS of the inputs)."""
    seed = stable_seed("demo-hazards", adcode)
    rng = np.random.default_rng(seed)
    n_zone = int(round(n * 0.7)) if not zones_m.is_empty else 0
    pts = seeded_points_in(zones_m, n_zone, seed=seed + 1) if n_zone else []
    pts += seeded_points_in(county_m, n - n_zone, seed=seed + 2)
    types = rng.choice(len(HAZARD_TYPES), size=n, p=TYPE_SHARES)
    people = np.minimum(rng.lognormal(mean=3.3, sigma=1.2, size=n).astype(int) + 1, 3000)
    prop = np.round(people * rng.uniform(3.0, 12.0, size=n), 1)
    return [
        {
            "fid": f"demo-{adcode}-{i + 1:04d}", "name": f"演示隐患点{i + 1:03d}({HAZARD_TYPES[t]})",
            "kind": "hazard_point", "hazard_type": HAZARD_TYPES[t], "risk_level": risk_level(int(pp)),
            "threatened_people": int(pp), "threatened_property_wan": float(pv), "status": "ongoing",
            "plan_count": n, "item": i + 1, "note": "演示用合成数据,非真实隐患点 / synthetic demo point, not a real site",
            "source_doc": SOURCE_DOC, "source_section": SOURCE_SECTION, "geometry_quality": "synthetic",
            "geometry_source": "synthetic demo: seeded random point, 70% inside susceptibility zones (layers/demo.py)",
            "geometry": p,
        }
        for i, (p, t, pp, pv) in enumerate(zip(pts, types, people, prop, strict=True))
    ]


DEMO_FACILITY_KINDS = (("shelter", 0.4), ("material_depot", 0.1), ("fire_brigade", 0.2), ("warning_station", 0.3))


def synthetic_points(adcode: str, label: str, n: int, *, area_m: BaseGeometry, base: dict) -> list[dict]:
    """``n`` seeded synthetic points inside ``area_m`` with attributes ``base``, clearly marked."""
    pts = seeded_points_in(area_m, n, seed=stable_seed("demo", label, adcode))
    return [{**base, "fid": f"demo-{label}-{adcode}-{i + 1:05d}", "name": f"演示{base['name']}{i + 1:05d}", "plan_count": n, "item": i + 1,
             "status": "ongoing", "source_doc": SOURCE_DOC, "source_section": SOURCE_SECTION, "geometry_quality": "synthetic",
             "geometry_source": f"synthetic demo: seeded random point in the jurisdiction (layers/demo.py, {label})",
             "note": "演示用合成数据,非真实 / synthetic demo, not real", "geometry": p} for i, p in enumerate(pts)]


def reservoirs(adcode: str, n: int, *, area_m: BaseGeometry) -> list[dict]:
    return synthetic_points(adcode, "reservoir", n, area_m=area_m, base={"name": "水库", "kind": "reservoir", "action": "演示"})


def facilities(adcode: str, n: int, *, area_m: BaseGeometry) -> list[dict]:
    out: list[dict] = []
    for kind, share in DEMO_FACILITY_KINDS:
        out += synthetic_points(adcode, kind, int(round(n * share)), area_m=area_m, base={"name": kind, "kind": kind})
    return out
