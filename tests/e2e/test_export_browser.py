"""The exported interactive HTML opens from disk with no network and paints the layers."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from layers.exports.service import export

pytestmark = pytest.mark.e2e


def test_exported_html_paints_offline_from_a_file(browser, tmp_path: Path, built_workspaces) -> None:
    out = export("500231", "html", tmp_path / "map.html")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    requested: list[str] = []

    def route(r) -> None:  # noqa: ANN001
        if r.request.url.startswith(("file:", "data:")):
            r.fallback()
        else:
            requested.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.goto(out.as_uri())
    page.wait_for_function("() => { for (const k in window) { if (k.startsWith('map_') && window[k] && window[k].eachLayer) return true; } return false; }")
    n = page.evaluate("""() => { let n = 0; for (const k in window) { const m = window[k];
        if (k.startsWith('map_') && m && m.eachLayer) m.eachLayer(l => { if (l.feature) n++; }); } return n; }""")
    assert n >= 26 + 1 + 18 + 13  # townships, county, rivers, reservoirs at least
    page.screenshot(path=str(Path(__file__).resolve().parents[2] / "test-artifacts" / "exported_html.png"))
    assert requested == []
    page.close()


def test_pdf_exported_after_hiding_hazards_in_the_map_has_no_hazards(offline_page, tmp_path: Path) -> None:
    """One visibility state: a layer switched off in the in-map panel is not on the exported sheet."""
    import subprocess

    p = offline_page
    p.page.goto(p.url)
    p.wait_features(lambda c: c["layers"].get("geohazards", 0) > 0)
    p.page.wait_for_timeout(1500)
    sidebar_box = p.page.locator('[data-testid="stSidebar"] [data-testid="stCheckbox"]').filter(has_text="地质灾害").locator("input")
    p.map_frame().locator('.onemap-panel input[data-layer="geohazards"]').click()
    for _ in range(300):
        if not sidebar_box.is_checked():
            break
        p.page.wait_for_timeout(100)
    assert not sidebar_box.is_checked()
    p.page.get_by_text("导出(会议出图/数据下载)").click()
    p.page.get_by_text("PDF 文档", exact=True).click()
    pdf_choice = p.page.get_by_role("radio", name="PDF 文档")
    for _ in range(100):  # the choice has reached the page before the export is asked for
        if pdf_choice.is_checked():
            break
        p.page.wait_for_timeout(100)
    download_button = p.page.get_by_role("button", name="⬇ 500231.pdf")
    for _ in range(3):  # a click during the rerun the format choice started can be lost: click again
        p.page.get_by_role("button", name="生成导出文件").click()
        try:
            download_button.wait_for(timeout=60_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        raise AssertionError("the PDF was never offered for download")
    p.shot("export_panel_after_map_toggle")
    with p.page.expect_download() as dl:
        download_button.click()
    pdf = tmp_path / "sheet.pdf"
    dl.value.save_as(pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "乡镇(街道)" in text and "水库" in text
    assert "地质灾害" not in text and "治理工程" not in text
