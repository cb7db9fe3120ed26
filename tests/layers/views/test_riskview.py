"""The risk page's logic without Streamlit: reclassified map frames, legend, card explanation with
hand-checked numbers, localised tables, clicks, density from the shown points, raster messages."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.errors import CRSError, GeoError, NotARasterError, OptionError, RasterTooLargeError
from geo.raster import MAX_DECODED_BYTES, MAX_PIXELS
from layers.analysis.riskstore import workspace_crs
from layers.catalog.quality import QualityOptions, apply_quality
from layers.views import riskview

# three 0.1-degree townships side by side; hazard scores chosen by hand
SCORES = {"geological": [1.0, 0.465, 0.0], "flood": [0.2, 0.6, 0.1], "forest_fire": [0.6, 0.0, 1.0]}


def _risk() -> gpd.GeoDataFrame:
    # geological indicators (weights .35/.30/.35) normalised: A [1, 1, 1], B [.5, .5, .4], C 0 -> score 1, .465, 0
    # hazard scores normalised: geological [1, .465, 0], flood [.2, 1, 0], forest fire [.6, 0, 1]
    # composite = .4 g + .35 f + .25 ff = A .4 + .07 + .15 = .62, B .186 + .35 = .536, C .25
    df = gpd.GeoDataFrame({"name": ["甲镇", "乙镇", "丙乡"], "fid": ["risk-1", "risk-2", "risk-3"],
                           **{f"{h}_score": v for h, v in SCORES.items()}, "composite": [0.62, 0.536, 0.25],
                           "hazard_density": [2.0, 1.0, 0.0], "people_threatened": [10, 5, 0], "susceptibility_share": [0.5, 0.2, 0.0],
                           "n_hazard_points": [3, 1, 0], "n_reservoirs": 0, "n_facilities": 2, "n_projects": 1,
                           "drivers": ["隐患点密度、威胁人数", "临河区域占比", "无突出因素"], "geometry_quality": "authoritative"},
                          geometry=[box(107 + i / 10, 30, 107.1 + i / 10, 30.1) for i in range(3)], crs=4490)
    for h in SCORES:
        df[f"{h}_level"] = [2, 3, 4]
    return df


def test_the_composite_card_adds_up_by_hand() -> None:
    risk = riskview.reclassify(_risk(), choice="composite", scheme="fixed")
    assert list(risk["level"]) == [2, 2, 3]  # .62 and .536 >= .45 较大, .25 >= .25 一般
    ex = riskview.explain(risk, "甲镇", choice="composite", scheme="fixed")
    assert list(ex.parts["norm"].round(6)) == [1.0, 0.2, 0.6]
    assert list(ex.parts["weighted"].round(6)) == [0.4, 0.07, 0.15]
    table = riskview.card_table(ex, choice="composite", lang="zh")
    assert list(table.columns) == ["组成", "权重", "值", "全县最小–最大", "归一化", "权重×归一化"]
    assert table.iloc[1].tolist() == ["洪涝", 0.35, 0.2, "0.1–0.6", 0.2, 0.07]
    assert riskview.card_lines(ex, choice="composite", scheme="fixed", lang="zh") == (
        "加权和 0.620 = 综合风险得分 0.620", "0.62 ≥ 阈值 0.45 → 较大")
    mid = riskview.explain(riskview.reclassify(_risk(), choice="geological", scheme="fixed"), "乙镇", choice="geological", scheme="fixed")
    assert list(mid.parts["weighted"].round(6)) == [0.175, 0.15, 0.14]
    assert riskview.card_lines(mid, choice="geological", scheme="fixed", lang="zh") == ("加权和 0.465 = 地质灾害得分 0.465", "0.47 ≥ 阈值 0.45 → 较大")
    assert riskview.card_table(mid, choice="geological", lang="en")["Component"].tolist() == [
        "hazard-point density", "people threatened", "susceptible area"]
    low = riskview.explain(riskview.reclassify(_risk(), choice="geological", scheme="fixed"), "丙乡", choice="geological", scheme="fixed")
    assert riskview.card_lines(low, choice="geological", scheme="fixed", lang="en")[1] == "0.00 < threshold 0.25 → Low"


def test_quantile_card_names_the_class_range() -> None:
    # 3 values, 3 quantile classes: upper bounds at the 1/3 and 2/3 quantiles of [0, .465, 1] = .31, .643
    risk = riskview.reclassify(_risk(), choice="geological", scheme="quantiles")
    ex = riskview.explain(risk, "乙镇", choice="geological", scheme="quantiles")
    assert riskview.card_lines(ex, choice="geological", scheme="quantiles", lang="zh")[1] == "0.47 在 分位数区间 (0.31, 0.64] 内 → 较大"


def test_legend_block_is_titled_after_the_choice_and_ordered_highest_first() -> None:
    risk = riskview.reclassify(_risk(), choice="flood", scheme="quantiles", lang="zh")
    block = riskview.legend_block(risk, choice="flood", scheme="quantiles", lang="zh")
    assert block["title"] == "洪涝风险等级(分位数)"
    # three values, three quantile classes padded at the bottom: .6 重大, .2 较大, .1 低 (一般 is empty and not listed)
    assert [r[1].split()[0] for r in block["rows"]] == ["重大", "较大", "低"]
    legend = json.dumps({"blocks": [{"layer": "risk_townships", "title": "乡镇综合风险", "rows": []},
                                    {"layer": "county", "title": "县界", "rows": [["#222", "县界"]]}], "notes": []})
    merged = json.loads(riskview.with_legend_block(legend, block))
    assert [b["title"] for b in merged["blocks"]] == ["洪涝风险等级(分位数)", "县界"]


def test_table_headers_and_values_in_each_language() -> None:
    risk = riskview.reclassify(_risk(), choice="forest_fire", scheme="fixed", lang="en")
    en = riskview.township_table(risk, choice="forest_fire", lang="en")
    assert list(en.columns[:4]) == ["Township", "Risk level", "Forest fire score", "Composite score"]
    assert list(en["Township"]) == ["丙乡", "甲镇", "乙镇"]  # highest forest-fire score first
    assert list(en["Risk level"]) == ["Major", "High", "Low"]
    assert list(en["Key drivers"]) == ["none stands out", "hazard-point density, people threatened", "area near rivers"]
    zh = riskview.township_table(riskview.reclassify(_risk(), choice="composite", scheme="fixed"), lang="zh")
    assert list(zh.columns) == ["乡镇", "风险等级", "综合风险得分", "地质灾害得分", "洪涝得分", "森林火灾得分", "隐患点数", "水库数",
                                "设施数", "项目数", "主要因素"]


def test_a_click_fills_the_screening_point_and_picks_the_township() -> None:
    risk = _risk()
    fill = riskview.click_fill({"lat": 30.05, "lng": 107.15}, risk)
    assert fill == riskview.ClickFill("107.150000", "30.050000", "乙镇")
    assert riskview.click_fill({"lat": 31.0, "lng": 107.15}, risk).town is None
    assert riskview.click_fill(None, risk) is None and riskview.click_fill({"lat": None, "lng": None}, risk) is None


def test_raster_messages_name_the_file_and_the_fix() -> None:
    err = RasterTooLargeError("dem.tif", 20_000, 20_000, 1, 1_600_000_000, limit=MAX_PIXELS, limit_bytes=MAX_DECODED_BYTES)
    assert riskview.raster_error_text(err, "dem.tif", "zh").startswith("dem.tif 有 20000 × 20000 像元,超过上限 100,000,000 像元")
    assert "gdal_translate" in riskview.raster_error_text(err, "dem.tif", "en")
    assert riskview.raster_error_text(NotARasterError("x"), "a.tif", "zh") == "a.tif 不是可读取的 GeoTIFF 文件,请上传 .tif 栅格。"
    assert riskview.raster_error_text(CRSError("x"), "b.tif", "en").startswith("b.tif has no usable CRS (none, or a local one")
    assert riskview.raster_error_text(GeoError("c.tif: something else; fix it."), "c.tif", "zh") == "c.tif: something else; fix it."


def test_an_unknown_risk_layer_is_an_option_error_naming_the_choices() -> None:
    with pytest.raises(OptionError, match=r"Unknown risk layer 'wind'; use one of \['composite', 'geological'"):
        riskview.reclassify(_risk(), choice="wind", scheme="fixed")


@pytest.mark.usefixtures("built_workspaces")
def test_density_comes_from_the_shown_points_only() -> None:
    from layers.views import mapview as view

    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    assert riskview.kde_overlay(apply_quality(frames, QualityOptions()), crs) is None  # 垫江's hazard points are all demo
    url, (minx, miny, maxx, maxy) = riskview.kde_overlay(apply_quality(frames, QualityOptions(show_demo=True)), crs)
    assert url.startswith("data:image/png;base64,") and 107 < minx < maxx < 108 and 29.9 < miny < maxy < 30.6


def test_inputs_text_counts_position_classes() -> None:
    pts = gpd.GeoDataFrame({"kind": ["hazard_point"] * 3, "geometry_quality": ["synthetic", "synthetic", "approximate"],
                            "geometry_source": ["seeded", "seeded", "county centre: the plan states no location"],
                            "source_doc": "plan"}, geometry=gpd.points_from_xy([107.0] * 3, [30.0] * 3), crs=4490)
    text = riskview.inputs_text({"geohazards": pts}, "geological", "zh")
    assert text.startswith("全县输入(各乡镇得分相互归一化):依据 3 个隐患点,其中 1 个位置未知(县城中心占位)、2 个合成示意;依据 0 个易发区")
    assert text.endswith("位置未知的要素未计入。")


@pytest.mark.usefixtures("built_workspaces")
def test_the_map_draws_the_chosen_levels_and_no_placeholder() -> None:
    from layers.views import mapview as view

    data = apply_quality(view.load_frames("500231"), QualityOptions())
    risk = riskview.reclassify(data["risk_townships"], choice="flood", scheme="natural_breaks")
    shown = riskview.map_frames(data, risk, lang="zh")
    table = riskview.township_table(risk, choice="flood", lang="zh")
    colour = dict(zip(riskview.level_names("zh"), ["#d7191c", "#fdae61", "#ffff33", "#2c7bb6"], strict=True))
    assert dict(zip(shown["risk_townships"]["name"], shown["risk_townships"]["_c"], strict=True)) == {
        n: colour[lv] for n, lv in zip(table["乡镇"], table["风险等级"], strict=True)}
    assert len(data["reservoirs"]) == 13 and len(shown["reservoirs"]) == 2  # 11 reservoirs have no known position
    assert riskview.not_drawn(data, "zh") == "位置未知(县城中心占位)、未上图:水库 11"
