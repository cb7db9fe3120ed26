"""Map sheet layout: blocks measured from the drawn figure never overlap and stay on the page, the
map fills the sheet, township names do not collide, risk classes run 重大→低, metadata and the
data-status line are in the sheet's language."""

from __future__ import annotations

import itertools
import re

import geopandas as gpd
import matplotlib.pyplot as plt
import pytest
from matplotlib.transforms import Bbox
from pyproj import CRS
from shapely.geometry import Point, box

from layers.analysis.riskstore import workspace_crs
from layers.catalog.quality import data_status, status_line
from layers.exports.printmap import legend_handles, place_labels
from layers.exports.service import default_layers, shown_frames
from layers.exports.sheet import Sheet, crs_label, map_figure

pytestmark = pytest.mark.usefixtures("built_workspaces")
BLOCKS = ("title", "subtitle", "map", "legend", "metadata", "disclaimer", "footer")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _sheet_frames(adcode: str = "500231", layers: list[str] | None = None) -> dict[str, gpd.GeoDataFrame]:
    frames = shown_frames(adcode)
    return {k: frames[k] for k in (layers or default_layers(frames)) if len(frames[k])}


def _drawn(frames: dict, sheet: Sheet, adcode: str = "500231"):  # noqa: ANN202
    fig = map_figure(frames, workspace_crs(adcode), sheet)
    fig.canvas.draw()
    return fig


def _blocks(fig) -> dict[str, Bbox]:  # noqa: ANN001
    r = fig.canvas.get_renderer()
    return {a.get_gid(): a.get_window_extent(r) for a in fig.findobj(lambda a: a.get_gid() in BLOCKS)}


def _text(fig, gid: str) -> str:  # noqa: ANN001
    return next(a for a in fig.findobj(lambda a: a.get_gid() == gid)).get_text()


@pytest.mark.parametrize(("paper", "orientation", "lang"), [("A4", "landscape", "zh"), ("A4", "portrait", "zh"),
                                                             ("A3", "landscape", "en"), ("A4", "portrait", "en")])
def test_sheet_blocks_do_not_overlap_and_stay_on_the_page(paper: str, orientation: str, lang: str) -> None:
    sheet = Sheet("垫江县风险一张图", "河流水系、地质灾害、水库", paper, orientation, 80, "内部资料 仅供会议使用", lang)
    fig = _drawn(_sheet_frames(), sheet)
    blocks = _blocks(fig)
    assert set(blocks) == set(BLOCKS)
    page = fig.bbox
    for gid, b in blocks.items():
        assert page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1, gid
    for (ga, a), (gb, b) in itertools.combinations(blocks.items(), 2):
        assert not a.overlaps(b), (ga, gb)
    plt.close(fig)


def test_a_legend_too_long_for_its_column_shrinks_instead_of_covering_the_notes() -> None:
    frames = shown_frames("500231")
    every = {k: g for k, g in frames.items() if len(g)}  # all 11 layers: ~60 legend entries
    fig = _drawn(every, Sheet("t", paper="A4", orientation="landscape", dpi=80, footer="仅供会议使用"))
    blocks = _blocks(fig)
    assert not blocks["legend"].overlaps(blocks["metadata"]) and blocks["legend"].y0 > blocks["metadata"].y1
    plt.close(fig)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_map_fills_at_least_60_percent_of_the_sheet(orientation: str) -> None:
    fig = _drawn(_sheet_frames(), Sheet("垫江县风险一张图", "x", orientation=orientation, dpi=80, footer="内部资料"))
    ax = next(a for a in fig.axes if a.get_gid() == "map")
    b = ax.get_window_extent(fig.canvas.get_renderer())
    assert b.width * b.height / (fig.bbox.width * fig.bbox.height) >= 0.60
    plt.close(fig)


def test_every_township_is_named_and_no_two_labels_overlap() -> None:
    frames = _sheet_frames()
    fig = _drawn(frames, Sheet("t", dpi=100))
    r = fig.canvas.get_renderer()
    labels = [t for t in fig.axes[0].texts if t.get_gid() == "label:townships"]
    assert sorted(t.get_text() for t in labels) == sorted(frames["townships"]["name"])  # 26 names
    boxes = [t.get_window_extent(r) for t in labels]
    assert all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    frame = fig.axes[0].get_window_extent(r)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)
    plt.close(fig)


def test_label_placement_drops_only_labels_that_collide() -> None:
    fig, ax = plt.subplots(figsize=(4, 4), dpi=100)
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    r = fig.canvas.get_renderer()
    crowd = [(50.0, 50.0, f"镇{i}") for i in range(8)]  # eight names on one spot: centre + 4 offsets at most
    placed, dropped = place_labels(ax, [(10.0, 90.0, "孤镇"), *crowd], r, fontsize=8, gid="label")
    names = [t.get_text() for t in placed]
    assert "孤镇" in names and 1 < len(names) <= 6 and len(dropped) == 9 - len(names)
    boxes = [t.get_window_extent(r) for t in placed]
    assert all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    plt.close(fig)


def _risk_frame() -> gpd.GeoDataFrame:
    colors = ["#d7191c", "#fdae61", "#ffff33", "#2c7bb6"]
    levels = [4, 1, 3, 2]  # stored out of order
    return gpd.GeoDataFrame({"fid": list("abcd"), "name": list("甲乙丙丁"), "level": levels,
                             "level_name": [["重大", "较大", "一般", "低"][lv - 1] for lv in levels],
                             "color": [colors[lv - 1] for lv in levels]},
                            geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(4)], crs=4545)


@pytest.mark.parametrize(("lang", "order"), [("zh", ["重大", "较大", "一般", "低"]), ("en", ["Major", "High", "Moderate", "Low"])])
def test_risk_classes_run_from_major_to_low_in_the_legend(lang: str, order: list[str]) -> None:
    labels = [h.get_label() for h in legend_handles({"risk_townships": _risk_frame()}, lang, approx=False)]
    assert labels[1:] == order


def test_chinese_sheet_metadata_is_chinese_and_english_sheet_english() -> None:
    crs = workspace_crs("500231")
    assert crs_label(crs, "zh") == "CGCS2000 / 3度带高斯-克吕格 中央经线108°E"
    assert crs_label(crs, "en") == "CGCS2000 / 3-degree Gauss-Krüger, central meridian 108°E"
    frames = _sheet_frames()
    zh = _text(_drawn(frames, Sheet("垫江县风险一张图", dpi=60, lang="zh")), "metadata")
    assert "坐标系:CGCS2000 / 3度带高斯-克吕格 中央经线108°E" in zh.replace("\n", "") and "数据包" in zh
    assert not re.search(r"Gauss|degree|CM 108E|Boundaries|seats", zh)
    en = _text(_drawn(frames, Sheet("Dianjiang risk map", dpi=60, lang="en")), "metadata")
    assert "Coordinate system" in en and "central meridian 108°E" in en.replace("\n", " ")
    assert not re.search(r"坐标系|制图日期|行政边界|乡镇驻地|规划依据", en)
    plt.close("all")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheet_carries_the_data_status_of_what_it_shows(lang: str) -> None:
    frames = _sheet_frames()
    fig = _drawn(frames, Sheet("t", dpi=60, lang=lang))
    expected = status_line(data_status(frames, list(frames)), lang)
    assert _text(fig, "disclaimer").replace("\n", "").replace(" ", "").startswith(expected.replace(" ", ""))
    assert ("演示数据" not in expected) and ("demo 1" not in expected)  # demo off by default
    plt.close(fig)


def test_english_sheet_has_no_chinese_outside_data_names() -> None:
    frames = _sheet_frames()
    fig = _drawn(frames, Sheet("Dianjiang risk map", "Rivers, Geohazards, Reservoirs", dpi=60, lang="en"))
    names = set(frames["townships"]["name"])
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and a.get_gid() not in ("metadata",))
             if t.get_text() and t.get_text() not in names]
    assert [s for s in texts if CJK.search(s)] == []
    plt.close(fig)


def test_township_points_crowded_in_a_tiny_map_still_never_overlap() -> None:
    crs = CRS.from_epsg(4545)
    towns = gpd.GeoDataFrame({"fid": ["1", "2", "3"], "name": ["东镇", "西镇", "南镇"], "geometry_quality": "approximate"},
                             geometry=[Point(500000 + i * 50, 3300000).buffer(30) for i in range(3)], crs=crs).to_crs(4490)
    fig = map_figure({"townships": towns}, crs, Sheet("t", dpi=60))
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for t in fig.axes[0].texts if t.get_gid() == "label:townships"]
    assert boxes and all(not a.overlaps(b) for a, b in itertools.combinations(boxes, 2))
    plt.close(fig)


def test_named_features_get_labels_at_township_scale_only_where_their_position_is_known() -> None:
    from layers.exports.printmap import label_items

    crs = CRS.from_epsg(4545)
    towns = gpd.GeoDataFrame({"name": ["东镇"]}, geometry=[box(500000, 3300000, 510000, 3310000)], crs=crs)
    res = gpd.GeoDataFrame({"name": ["甲水库", "乙水库", "丙水库"], "geometry_quality": ["approximate", "synthetic", "approximate"],
                            "geometry_source": ["seat of 东镇", "seeded", "county centre (plan gives no location)"]},
                           geometry=[Point(502000, 3302000), Point(504000, 3304000), Point(505000, 3305000)], crs=crs)
    near = label_items({"townships": towns, "reservoirs": res}, span_m=12_000)
    assert [n for *_, n in near["reservoirs"]] == ["甲水库"]  # synthetic and placeholder positions get no name
    far = label_items({"townships": towns, "reservoirs": res}, span_m=60_000)
    assert "reservoirs" not in far and [n for *_, n in far["townships"]] == ["东镇"]
