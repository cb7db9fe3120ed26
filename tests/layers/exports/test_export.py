"""Exports: sizes, embedded CJK fonts, extractable Chinese text, non-blank pages, a true scale bar,
shapefile round trip, offline HTML. Samples are kept in test-artifacts/ for a human look."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from PIL import Image
from pyproj import Geod

from layers.__main__ import main
from layers.analysis.riskstore import workspace_crs
from layers.catalog.quality import QualityOptions, is_demo
from layers.exports.data import export_data, shapefile_field_names
from layers.exports.service import ExportError, atlas, export, map_html, shown_frames
from layers.exports.sheet import Sheet, map_figure
from layers.store.workspace import open_workspace
from layers.views import mapview as view
from layers.views.mapview import Filters, apply_filters

pytestmark = pytest.mark.usefixtures("built_workspaces")
ART = Path(__file__).resolve().parents[3] / "test-artifacts"


def _poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(("paper", "orientation", "dpi", "mm"), [("A4", "landscape", 150, (297, 210)), ("A3", "portrait", 100, (297, 420))])
def test_png_size_is_paper_times_dpi(paper: str, orientation: str, dpi: int, mm: tuple[int, int]) -> None:
    ART.mkdir(exist_ok=True)
    out = export("500231", "png", ART / f"dianjiang_{paper}_{orientation}.png", paper=paper, orientation=orientation, dpi=dpi, overwrite=True,
                 footer="内部资料 仅供会议使用")
    w, h = Image.open(out).size
    assert abs(w - mm[0] / 25.4 * dpi) <= 1 and abs(h - mm[1] / 25.4 * dpi) <= 1


def test_pdf_embeds_cjk_font_and_text_is_extractable() -> None:
    out = export("500110", "pdf", ART / "qijiang_A4.pdf", title="綦江区风险一张图", footer="仅供会议使用", overwrite=True)
    fonts = _poppler("pdffonts", str(out))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # the "emb" column
    text = _poppler("pdftotext", str(out), "-").replace("\n", "")
    assert "綦江区风险一张图" in text and "仅供会议使用" in text and "綦江府发〔2022〕6号" in text
    assert "位置示意" in text  # approximate/synthetic features are shown, so the note is there
    ws = open_workspace("500110")
    made = next(c for c in ws.changesets() if c.revision == ws.revision)
    assert f"数据版本:工作区 500110 第 {ws.revision} 版({made.time[:16].replace('T', ' ')})" in text  # a printed map can be traced


def test_atlas_has_one_nonblank_page_per_township(tmp_path: Path) -> None:
    seen = []
    out = atlas("510821", ART / "wangcang_atlas.pdf", progress=lambda i, n, name: seen.append((i, n)), overwrite=True)
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(out))).group(1))
    assert pages == 17 and seen[-1] == (17, 17)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(out), str(tmp_path / "p")], check=True, capture_output=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 17
    for png in pngs:
        assert (np.asarray(Image.open(png).convert("L")) < 200).mean() > 0.01, png.name
    first = _poppler("pdftotext", "-f", "1", "-l", "1", str(out), "-")
    assert "一乡一图" in first and f"数据版本:工作区 510821 第 {open_workspace('510821').revision} 版" in first.replace("\n", "")


def test_scale_bar_matches_a_known_ground_distance() -> None:
    frames = view.load_frames("500231")
    crs = workspace_crs("500231")
    fig = map_figure({k: frames[k] for k in ("county", "townships")}, crs, Sheet("t", dpi=100))
    fig.canvas.draw()
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_gid() == "scalebar"]
    (x0, _), (x1, _) = ax.transData.transform([(bars[0].get_x(), 0), (bars[-1].get_x() + bars[-1].get_width(), 0)])
    bar_px, bar_m = x1 - x0, sum(b.get_width() for b in bars)
    seats = frames["township_seats"].set_index("name")
    a, b = seats.loc["桂溪街道"], seats.loc["普顺镇"]
    ground_m = Geod(ellps="GRS80").inv(a["seat_lon"], a["seat_lat"], b["seat_lon"], b["seat_lat"])[2]
    pa, pb = gpd.GeoSeries([a.geometry, b.geometry], crs=4490).to_crs(crs)
    px = np.hypot(*(ax.transData.transform((pb.x, pb.y)) - ax.transData.transform((pa.x, pa.y))))
    # metres per pixel from the scale bar vs. from a geodesic distance: GK scale error here < 0.1 %
    assert bar_m / bar_px == pytest.approx(ground_m / px, rel=0.003)


def test_shapefile_round_trip_keeps_chinese_and_maps_long_names(tmp_path: Path) -> None:
    frames = view.load_frames("500231")
    out = export_data({"reservoirs": frames["reservoirs"]}, "shp", tmp_path / "res.zip")
    names = zipfile.ZipFile(out).namelist()
    assert {"reservoirs.shp", "reservoirs.dbf", "reservoirs.cpg", "reservoirs_fields.csv"} <= set(names)
    back = gpd.read_file(f"zip://{out}!reservoirs.shp")
    assert set(back["name"]) == set(frames["reservoirs"]["name"]) and "全胜水库" in set(back["name"])
    mapping = shapefile_field_names(list(frames["reservoirs"].columns.drop("geometry")))
    assert all(len(v.encode()) <= 10 for v in mapping.values()) and len(set(mapping.values())) == len(mapping)
    assert mapping["geometry_quality"] == "geometry_q" and mapping["geometry_source"] == "geometry_s"
    # a collision after truncation gets a numbered name
    assert shapefile_field_names(["threatened_people", "threatened_property_wan"]) == {
        "threatened_people": "threatened", "threatened_property_wan": "threaten_1"}
    assert back["geometry_q"].tolist() == frames["reservoirs"]["geometry_quality"].tolist()


def test_html_needs_no_external_url(tmp_path: Path) -> None:
    out = export("500231", "html", ART / "dianjiang_map.html", overwrite=True)
    html = out.read_text(encoding="utf-8")
    external = re.findall(r"<(?:script|link)[^>]+(?:src|href)=[\"'](https?:)?//", html)
    assert external == []
    assert "Leaflet 1.9.4" in html and "L.map(" in html  # library inlined, map script present
    assert "全胜水库" in html  # the layer data travels inside the file (UTF-8)


@pytest.mark.parametrize(("fmt", "suffix"), [("gpkg", "gpkg"), ("geojson", "zip"), ("csv", "csv"), ("xlsx", "xlsx")])
def test_data_formats(tmp_path: Path, fmt: str, suffix: str) -> None:
    layers = ["reservoirs", "rivers"] if fmt in ("gpkg", "geojson") else ["reservoirs"]
    out = export("500231", fmt, tmp_path / f"x.{suffix}", layers=layers)
    assert out.stat().st_size > 0


def test_cli_export_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "500231", "--format", "png", "--out", str(tmp_path / "x.png"), "--layers", "roads", "--lang", "en"]) == 2
    assert "Layers ['roads'] are not in workspace 500231" in capsys.readouterr().err
    assert main(["export", "500231", "--format", "png", "--out", str(tmp_path / "x.png"), "--layers", "roads"]) == 2
    assert "工作空间 500231 中没有图层 ['roads']" in capsys.readouterr().err


HOSTILE = '=HYPERLINK("http://evil.example/x","点击")'


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    import csv
    import io

    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_xlsx_and_zipped_csv_keep_formula_names_as_text(tmp_path: Path) -> None:
    import openpyxl

    res = shown_frames("500231")["reservoirs"].copy()
    res.loc[res.index[0], "name"] = HOSTILE
    rows = _csv_rows(export_data({"reservoirs": res}, "csv", tmp_path / "r.csv").read_bytes())
    assert rows[0]["name"] == "'" + HOSTILE and rows[1]["name"] == res["name"].iloc[1]
    assert float(rows[0]["lon"]) == pytest.approx(float(rows[0]["lon"]))  # numbers stay numbers
    ws = openpyxl.load_workbook(export_data({"reservoirs": res}, "xlsx", tmp_path / "r.xlsx"))["reservoirs"]
    header = [c.value for c in ws[1]]
    cell = ws.cell(row=2, column=header.index("name") + 1)
    assert cell.value == "'" + HOSTILE and cell.data_type == "s"
    assert isinstance(ws.cell(row=2, column=header.index("lon") + 1).value, float)
    z = export_data({"reservoirs": res, "rivers": shown_frames("500231")["rivers"]}, "csv", tmp_path / "r.zip")
    assert _csv_rows(zipfile.ZipFile(z).read("reservoirs.csv"))[0]["name"] == "'" + HOSTILE


def test_html_export_carries_a_hostile_name_only_as_text() -> None:
    from html.parser import HTMLParser

    frames = dict(shown_frames("500231"))
    res = frames["reservoirs"].copy()
    res.loc[res.index[0], "name"] = "<img src=x onerror=alert(1)>"
    frames["reservoirs"] = res
    html = map_html(frames, ["county", "reservoirs"], "zh")
    live: list[tuple[str, list]] = []

    class Tags(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:  # script bodies are not parsed as tags
            if tag == "img" or any(k.startswith("on") for k, _ in attrs):
                live.append((tag, attrs))

    Tags().feed(html)
    assert live == []
    assert "onerror=alert(1)" in html  # the name travels, as data


def test_exports_leave_out_demo_by_default_and_follow_the_switches_and_filters(tmp_path: Path) -> None:
    def n(**kw: object) -> int:
        return len(_csv_rows(export("500231", "csv", tmp_path / "g.csv", layers=["geohazards"], overwrite=True, **kw).read_bytes()))

    assert n() == 384 - 120  # demo off, as in the app
    assert n(quality=QualityOptions(show_demo=True)) == 384
    assert n(quality=QualityOptions(show_synthetic=False)) == 17
    base = shown_frames("500231")
    landslides = len(apply_filters(base, Filters(hazard_types=("monitoring",)))["geohazards"])
    assert 0 < landslides < 264 and n(filters=Filters(hazard_types=("monitoring",))) == landslides
    assert not is_demo(base["geohazards"]).any()


def test_hiding_synthetic_recomputes_the_township_risk() -> None:
    from layers.analysis.risk import compute_risk

    q = QualityOptions(show_synthetic=False)
    frames = shown_frames("500231", q)
    expected = compute_risk(frames, workspace_crs("500231")).townships
    assert frames["risk_townships"]["composite"].tolist() == expected["composite"].tolist()
    assert frames["risk_townships"]["composite"].tolist() != view.load_frames("500231")["risk_townships"]["composite"].tolist()


def test_sheet_shows_exactly_the_given_layers(tmp_path: Path) -> None:
    out = export("500231", "pdf", tmp_path / "base.pdf", layers=["county", "townships"], dpi=72)
    text = _poppler("pdftotext", str(out), "-")
    assert "乡镇(街道)" in text and "县界" in text
    for other in ("地质灾害", "水库", "河流水系", "治理工程", "隐患点"):
        assert other not in text, other


@pytest.mark.parametrize(("lang", "message"), [("zh", "没有可导出的图层:请先在图层列表中勾选至少一个图层。"),
                                               ("en", "No layer to export: tick at least one layer first.")])
def test_exporting_no_layer_is_an_error_in_the_users_language(tmp_path: Path, lang: str, message: str) -> None:
    with pytest.raises(ExportError, match=message.replace("(", r"\(")) as err:
        export("500231", "png", tmp_path / "x.png", layers=[], lang=lang)
    assert err.value.text(lang) == message


def test_cli_export_demo_and_no_synthetic_flags(tmp_path: Path) -> None:
    out = tmp_path / "g.csv"
    assert main(["export", "500231", "--format", "csv", "--out", str(out), "--layers", "geohazards"]) == 0
    assert len(_csv_rows(out.read_bytes())) == 264
    assert main(["export", "500231", "--format", "csv", "--out", str(out), "--layers", "geohazards", "--demo", "--force"]) == 0
    assert len(_csv_rows(out.read_bytes())) == 384
    assert main(["export", "500231", "--format", "csv", "--out", str(out), "--layers", "geohazards", "--no-synthetic", "--force"]) == 0
    assert len(_csv_rows(out.read_bytes())) == 17


def test_cli_atlas_in_english_with_a_title(tmp_path: Path) -> None:
    out = tmp_path / "a.pdf"
    assert main(["atlas", "500231", "--out", str(out), "--lang", "en", "--title", "Flood meeting", "--dpi", "40"]) == 0
    first = _poppler("pdftotext", "-f", "1", "-l", "1", str(out), "-")
    assert "Flood meeting · " in first and "Township atlas" in first and "Composite risk" in first
    assert "一乡一图" not in first and "综合风险" not in first


@pytest.mark.parametrize(("fmt", "layers", "name"), [("csv", ["reservoirs", "rivers"], "两层.csv"), ("geojson", ["reservoirs", "rivers"], "两层.geojson"),
                                                     ("shp", ["reservoirs"], "水库.shp")])
def test_an_export_that_is_a_zip_needs_a_zip_name(tmp_path: Path, fmt: str, layers: list[str], name: str) -> None:
    with pytest.raises(ExportError, match=r"导出为一个 ZIP 压缩包:请把输出文件名改为以 \.zip 结尾\(如 .*\.zip\),或只导出一个图层") as err:
        export("500231", fmt, tmp_path / name, layers=layers)
    assert re.search(r"is written as one ZIP archive: give an output name ending in \.zip \(e\.g\. .*\.zip\)", err.value.text("en"))
    assert not list(tmp_path.iterdir())  # refused before anything is written
    assert str(tmp_path) not in err.value.text("zh") + err.value.text("en")  # no server path in the message
    out = export("500231", fmt, tmp_path / "ok.zip", layers=layers)
    assert zipfile.is_zipfile(out)
    assert export("500231", "csv", tmp_path / "one.csv", layers=["reservoirs"]).read_bytes()[:3] == b"\xef\xbb\xbf"  # one layer: a CSV
