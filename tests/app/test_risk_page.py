"""AppTest of the risk page: what is drawn follows what is chosen, the card adds up, the screening and
the uploads answer in the user's language."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from affine import Affine
from streamlit.testing.v1 import AppTest

from layers.analysis.risk import risk_config

pytestmark = pytest.mark.usefixtures("built_workspaces")
PAGE = str(Path(__file__).resolve().parents[2] / "ui" / "risk.py")
LV = risk_config()["levels"]
COLOUR = {**dict(zip(LV["names_zh"], LV["colors"], strict=True)), **dict(zip(LV["names_en"], LV["colors"], strict=True))}


def _run(adcode: str = "500231", lang: str = "zh") -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=90)
    at.session_state["adcode"], at.session_state["lang"] = adcode, lang
    return at.run()


def _table(at: AppTest, first: str = "乡镇") -> pd.DataFrame:
    return next(d.value for d in at.dataframe if d.value.columns[0] == first and len(d.value) > 10)


def test_risk_page_runs_with_a_banner_and_one_row_per_township() -> None:
    at = _run()
    assert not at.exception
    spec = at.session_state["risk_spec"]
    assert spec["choice"] == "composite" and spec["scheme"] == "fixed"
    assert len(_table(at)) == 26
    assert "合成" in at.warning[0].value  # the data-status banner under the title
    assert not [m for m in at.metric if m.delta]  # a static score has no delta arrow


@pytest.mark.parametrize("choice", ["composite", "geological", "flood", "forest_fire"])
def test_every_township_is_drawn_in_the_colour_of_its_level_in_the_table(choice: str) -> None:
    at = _run()
    at.radio(key="risk_choice").set_value(choice).run()
    seen = set()
    for scheme in ("fixed", "natural_breaks", "quantiles"):
        at.radio(key="risk_scheme").set_value(scheme).run()
        table = _table(at)
        drawn = at.session_state["risk_spec"]["colours"]
        assert drawn == {n: COLOUR[lv] for n, lv in zip(table["乡镇"], table["风险等级"], strict=True)}
        seen.add(tuple(sorted(drawn.items())))
    assert len(seen) > 1  # the schemes give different maps


def test_flood_recolours_the_map_and_the_card_follows_the_hazard() -> None:
    at = _run()
    composite = dict(at.session_state["risk_spec"]["colours"])
    at.radio(key="risk_choice").set_value("flood").run()
    spec = at.session_state["risk_spec"]
    assert spec["legend"] == "洪涝风险等级(固定阈值)"
    assert spec["colours"] != composite  # the stored composite no longer wins
    table = _table(at)
    town = at.selectbox(key="risk_town").value
    row = table[table["乡镇"] == town].iloc[0]
    assert at.metric[0].value == f"{row['风险等级']} {row['洪涝得分']:.2f}"  # the chosen hazard's number, not the composite
    assert list(table.columns[:4]) == ["乡镇", "风险等级", "洪涝得分", "综合风险得分"]
    assert table["洪涝得分"].is_monotonic_decreasing


def test_the_card_adds_up_on_wangcang() -> None:
    at = _run("510821")
    at.selectbox(key="risk_town").set_value("英萃镇").run()
    card = next(d.value for d in at.dataframe if d.value.columns[0] == "组成")
    assert list(card["组成"]) == ["地质灾害", "洪涝", "森林火灾"] and list(card["权重"]) == [0.4, 0.35, 0.25]
    score = at.session_state["risk_card"]["score"]
    assert card["权重×归一化"].sum() == pytest.approx(score, abs=0.002)
    lines = [x.value for x in at.text]
    m = re.fullmatch(r"加权和 (\d\.\d{3}) = 综合风险得分 (\d\.\d{3})", lines[0])
    assert m and float(m[1]) == pytest.approx(score, abs=0.001) and m[2] == f"{score:.3f}"
    level = LV["names_zh"][at.session_state["risk_card"]["level"] - 1]
    assert lines[1].endswith(f"→ {level}") and f"{score:.2f}" in lines[1]


def test_english_page_is_english() -> None:
    at = _run("510821", "en")
    table = _table(at, "Township")
    assert list(table.columns[:3]) == ["Township", "Risk level", "Composite score"]
    assert set(table["Risk level"]) <= set(LV["names_en"])
    assert at.session_state["risk_spec"]["legend"] == "Composite risk level (Fixed thresholds)"
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in "".join(table["Key drivers"]))


def test_screening_a_point_shows_the_checklist_in_chinese() -> None:
    at = _run()
    at.text_input(key="scr_lon").input("107°21'")
    at.text_input(key="scr_lat").input("30°20'")
    at.button(key="scr_run").click().run()
    assert not at.exception
    result = next(d.value for d in at.dataframe if d.value.columns[0] == "检查项")
    assert list(result["检查项"])[:2] == ["空间管控规则", "最近地灾隐患点"]
    assert "演示" not in result.iloc[1, 1]  # demo points are off by default and never the nearest
    assert result["依据"].str.startswith("依据").sum() >= 4


@pytest.mark.parametrize(("lang", "lon", "message"), [
    ("zh", "106.7", "点 (106.7, 29.0) [wgs84] 不在垫江县内"),
    ("en", "106.7", "Point (106.7, 29.0) [wgs84] lies outside"),
    ("zh", "东经一百度", "无法识别经度“东经一百度”"),
    ("en", "abc", "Cannot read the Longitude “abc”"),
])
def test_screening_errors_are_in_the_users_language(lang: str, lon: str, message: str) -> None:
    at = _run(lang=lang)
    at.text_input(key="scr_lon").input(lon)
    at.text_input(key="scr_lat").input("29.0")
    at.button(key="scr_run").click().run()
    assert not at.exception and message in at.error[0].value


def _tiff(width: int, height: int) -> bytes:
    with rasterio.MemoryFile() as mem:
        with mem.open(driver="GTiff", width=width, height=height, count=1, dtype="float32", crs="EPSG:4545",
                      transform=Affine(100, 0, 420_000, 0, -100, 3_370_000), tiled=True, compress="deflate", sparse_ok=True,
                      nodata=-9999.0) as dst:
            if width * height <= 1_000_000:
                dst.write(np.ones((height, width), dtype="float32"), 1)
        return mem.read()


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="risk_upload").set_value((name, data, "image/tiff"))
    return at.run()


def test_a_huge_upload_is_refused_in_chinese_and_leaves_no_file() -> None:
    before = set(Path(tempfile.gettempdir()).glob("onemap-upload-*"))
    at = _upload(_run(), "huge.tif", _tiff(20_000, 20_000))
    assert not at.exception
    assert at.error[0].value.startswith("huge.tif 有 20000 × 20000 像元,超过上限 100,000,000 像元,未读取。请先建金字塔")
    assert tempfile.gettempdir() not in at.error[0].value
    assert set(Path(tempfile.gettempdir()).glob("onemap-upload-*")) == before


def test_a_non_tiff_upload_says_so() -> None:
    at = _upload(_run(lang="en"), "notes.tif", b"just text")
    assert at.error[0].value == "notes.tif is not a readable GeoTIFF; upload a .tif raster."


def test_a_small_upload_is_overlaid_and_summarised() -> None:
    at = _upload(_run(), "ones.tif", _tiff(300, 300))
    assert not at.exception and at.session_state["risk_spec"]["images"] == 1
    summary = next(d.value for d in at.dataframe if "均值" in d.value.columns)
    assert summary["均值"].dropna().eq(1.0).all() and summary["读取像元数"].sum() > 0


def test_kde_overlay_follows_the_shown_points() -> None:
    at = _run()
    at.checkbox(key="risk_kde").check().run()
    assert at.session_state["risk_spec"]["images"] == 0  # 垫江's only hazard points are demo points, hidden by default
    at.session_state["q_demo"] = True
    at.run()
    assert at.session_state["risk_spec"]["images"] == 1
