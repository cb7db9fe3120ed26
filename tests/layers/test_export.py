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

from layers import view
from layers.__main__ import main
from layers.dataexport import export_data, shapefile_field_names
from layers.export import Sheet, map_figure
from layers.exportcli import atlas, export
from layers.riskstore import workspace_crs

pytestmark = pytest.mark.usefixtures("built_workspaces")
ART = Path(__file__).resolve().parents[2] / "test-artifacts"


def _poppler(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize(("paper", "orientation", "dpi", "mm"), [("A4", "landscape", 150, (297, 210)), ("A3", "portrait", 100, (297, 420))])
def test_png_size_is_paper_times_dpi(paper: str, orientation: str, dpi: int, mm: tuple[int, int]) -> None:
    ART.mkdir(exist_ok=True)
    out = export("500231", "png", ART / f"dianjiang_{paper}_{orientation}.png", paper=paper, orientation=orientation, dpi=dpi,
                 footer="内部资料 仅供会议使用")
    w, h = Image.open(out).size
    assert abs(w - mm[0] / 25.4 * dpi) <= 1 and abs(h - mm[1] / 25.4 * dpi) <= 1


def test_pdf_embeds_cjk_font_and_text_is_extractable() -> None:
    out = export("500110", "pdf", ART / "qijiang_A4.pdf", title="綦江区风险一张图", footer="仅供会议使用")
    fonts = _poppler("pdffonts", str(out))
    cjk = [line for line in fonts.splitlines() if "CJK" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk)  # the "emb" column
    text = _poppler("pdftotext", str(out), "-")
    assert "綦江区风险一张图" in text and "仅供会议使用" in text and "綦江府发〔2022〕6号" in text
    assert "位置示意" in text  # approximate/synthetic features are shown, so the note is there


def test_atlas_has_one_nonblank_page_per_township(tmp_path: Path) -> None:
    seen = []
    out = atlas("510821", ART / "wangcang_atlas.pdf", progress=lambda i, n, name: seen.append((i, n)))
    pages = int(re.search(r"Pages:\s+(\d+)", _poppler("pdfinfo", str(out))).group(1))
    assert pages == 17 and seen[-1] == (17, 17)
    subprocess.run(["pdftoppm", "-r", "20", "-png", str(out), str(tmp_path / "p")], check=True, capture_output=True)
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 17
    for png in pngs:
        assert (np.asarray(Image.open(png).convert("L")) < 200).mean() > 0.01, png.name
    assert "一乡一图" in _poppler("pdftotext", "-f", "1", "-l", "1", str(out), "-")


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
    out = export("500231", "html", ART / "dianjiang_map.html")
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
    assert main(["export", "500231", "--format", "png", "--out", str(tmp_path / "x.png"), "--layers", "roads"]) == 2
    assert "Layers ['roads'] are not in workspace 500231" in capsys.readouterr().err
