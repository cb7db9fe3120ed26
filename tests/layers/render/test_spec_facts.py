"""The renderer and the details panel read the layer specs: hover texts are the spec's ``tooltip``,
details the spec's ``popup``; the map's styles and browser code are the files beside the renderer,
served with every map and inlined in the single-file export; print exports never load the web renderer."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from layers.catalog.specs import TITLE, get_spec
from layers.catalog.style import value_text
from layers.render import webmap
from layers.render.webmap import build_map, compile_map, parse_js_data, point_tips
from layers.views import mapview as view

RENDER = Path(webmap.__file__).parent
ROOT = RENDER.parents[1]


def _frames() -> dict[str, gpd.GeoDataFrame]:
    res = gpd.GeoDataFrame({"fid": ["r1", "r2"], "name": ["白杨水库", "双石水库"], "kind": ["reservoir"] * 2,
                            "action": ["建设", None], "status": ["planned", "completed"], "geometry_quality": ["approximate"] * 2},
                           geometry=[Point(107.35, 30.33), Point(107.36, 30.34)], crs=4490)
    gh = gpd.GeoDataFrame({"fid": ["g1", "g2"], "name": ["徐家槽滑坡", "低山易发区"], "kind": ["hazard_point", "susceptibility_zone"],
                           "hazard_type": ["滑坡", None], "risk_level": ["中", None], "geometry_quality": ["synthetic", "approximate"]},
                          geometry=[Point(107.31, 30.31), box(107.3, 30.3, 107.32, 30.32)], crs=4490)
    town = gpd.GeoDataFrame({"fid": ["t1"], "name": ["桂溪街道"], "kind": ["街道"], "n_villages": [19], "geometry_quality": ["gazetteer"]},
                            geometry=[box(107.3, 30.3, 107.4, 30.36)], crs=4490)
    risk = gpd.GeoDataFrame({"fid": ["risk-1"], "name": ["桂溪街道"], "level": [2], "level_name": ["较大"], "color": ["#fdae61"]},
                            geometry=[box(107.3, 30.3, 107.4, 30.36)], crs=4490)
    return {"reservoirs": res, "geohazards": gh, "townships": town, "risk_townships": risk}


def _expected(layer: str, row: object, lang: str) -> list[str]:
    spec = get_spec(layer)
    texts = [spec.label(lang) if e == TITLE else value_text(layer, e, row.get(e), lang) for e in spec.tooltip]  # type: ignore[attr-defined]
    return [t for t in texts if t]


def drawn_tooltips(parts: webmap.MapParts) -> dict[str, dict[str, list[str]]]:
    """layer -> fid -> the hover texts the map carries (points and shapes)."""
    out: dict[str, dict[str, list[str]]] = {}
    for p in parts.layers:
        tips = out.setdefault(p.layer_id, {})
        if p.points:
            tips.update(point_tips(parse_js_data(p.points)))
        if p.shapes:
            tips.update({f["properties"]["fid"]: f["properties"]["_t"] for f in parse_js_data(p.shapes)["g"]["features"]})
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_hover_texts_are_the_fields_the_spec_names(lang: str) -> None:
    frames = _frames()
    drawn = drawn_tooltips(compile_map(view.display_frames(frames, list(frames), lang=lang), lang=lang))
    for layer, gdf in frames.items():
        assert drawn[layer] == {r["fid"]: _expected(layer, r, lang) for _, r in gdf.iterrows()}, layer
    if lang == "zh":
        assert drawn["reservoirs"] == {"r1": ["白杨水库", "在建/新建"], "r2": ["双石水库"]}  # no action: nothing to show
        assert drawn["geohazards"] == {"g1": ["徐家槽滑坡", "滑坡", "隐患点(演示)"], "g2": ["低山易发区", "易发区"]}
        assert drawn["townships"] == {"t1": ["桂溪街道", "乡镇(街道)"]}
    else:
        assert drawn["risk_townships"] == {"risk-1": ["桂溪街道", "High"]}


def test_dense_point_layers_carry_no_texts_and_show_their_legend_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webmap, "MANY_POINTS", 1)
    frames = _frames()
    parts = compile_map(view.display_frames(frames, ["reservoirs"], lang="zh"), lang="zh")
    data = parse_js_data(parts.layers[0].points)
    assert all(len(r) == 3 for r in data["f"]) and data["cluster"]
    assert ": [d.l[m._row[2]]]" in webmap.JS_RUNTIME  # the browser falls back to the class label


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_details_list_the_popup_fields_of_the_spec(lang: str) -> None:
    frames = _frames()
    for layer, gdf in frames.items():
        spec = get_spec(layer)
        row = gdf.iloc[0]
        got = view.feature_details(frames, layer, row["fid"], lang)
        shown = [n for n in spec.popup if value_text(layer, n, row.get(n), lang) is not None]
        where = [] if row.geometry.geom_type != "Point" else \
            [("位置(经度, 纬度)" if lang == "zh" else "Position (lon, lat)", f"{row.geometry.x:.6f}, {row.geometry.y:.6f}")]
        assert [k for k, _ in got] == ["图层" if lang == "zh" else "Layer"] + [getattr(spec.field(n), lang) for n in shown] + [k for k, _ in where]
        assert got[1:] == [(getattr(spec.field(n), lang), value_text(layer, n, row[n], lang)) for n in shown] + where


def test_styles_and_browser_code_are_files_served_with_the_map_and_inlined_in_the_single_file_export() -> None:
    from layers.exports.data import VENDOR_DIR, standalone_html

    js, css = ((RENDER / name).read_text(encoding="utf-8") for name in ("onemap.js", "onemap.css"))
    source = Path(webmap.__file__).read_text(encoding="utf-8")
    assert ".leaflet-container" not in source and "function (" not in source  # no style rules or browser code in Python
    for name in ("onemap.js", "onemap.css"):  # the served copy is the source (copied when webmap is imported)
        assert (ROOT / "static" / "onemap" / name).read_bytes() == (RENDER / name).read_bytes()
    frames = _frames()
    html = build_map(view.display_frames(frames, list(frames), lang="zh"), bounds=(107.3, 30.3, 107.4, 30.36), shown=list(frames)).get_root().render()
    head, body = html.split("</head>")
    scripts, sheets = re.findall(r'<script src="([^"]+)"', head), re.findall(r'<link rel="stylesheet" href="([^"]+)"', head)
    assert scripts == [u for _, u in webmap.LOCAL_JS] and sheets == [u for _, u in webmap.LOCAL_CSS]
    assert scripts[-1].startswith("/app/static/onemap/onemap.js?v=") and sheets[-1].startswith("/app/static/onemap/onemap.css?v=")
    assert "<script src" not in body and "window.onemapInit(map_" in body  # loaded in the head, before any layer script runs
    assert css not in html and "window.onemapInit = function" not in html
    if not (VENDOR_DIR / "leaflet" / "leaflet.js").exists():
        pytest.skip("static/vendor is installed by `make`")
    single = standalone_html(build_map(view.display_frames(frames, list(frames), lang="zh"), bounds=(107.3, 30.3, 107.4, 30.36)))
    assert single.count(css) == 1 and single.count(js) == 1 and single.index(js) < single.index("window.onemapInit(map_")
    assert "/app/static" not in single and not re.search(r"<script[^>]*\ssrc=|<link[^>]*\shref=", single)


def test_the_served_copy_of_the_browser_code_is_refreshed_when_missing_or_different(tmp_path: Path) -> None:
    webmap.serve_sources(tmp_path)
    assert [p.name for p in sorted(tmp_path.iterdir())] == ["onemap.css", "onemap.js"]
    (tmp_path / "onemap.js").write_text("stale", encoding="utf-8")
    kept = (tmp_path / "onemap.css").stat().st_mtime_ns
    webmap.serve_sources(tmp_path)
    assert (tmp_path / "onemap.js").read_bytes() == (RENDER / "onemap.js").read_bytes()
    assert (tmp_path / "onemap.css").stat().st_mtime_ns == kept  # an equal copy is left alone


def test_print_exports_never_load_the_web_renderer() -> None:
    for module in ("printmap", "atlas"):
        source = (ROOT / "layers" / "exports" / f"{module}.py").read_text(encoding="utf-8")
        assert "layers.render" not in source and "webmap" not in source, module
    code = ("import sys; import layers.exports.printmap, layers.exports.atlas, layers.exports.sheet; "
            "print(sorted(m for m in sys.modules if m.startswith(('layers.render', 'folium', 'branca'))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
