"""The exported interactive HTML opens from disk with no network and paints the layers."""

from __future__ import annotations

from pathlib import Path

import pytest

from layers.exportcli import export

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
