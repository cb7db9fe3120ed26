"""Every page at the three screen widths planners use (1024, 1440, 1920 px), saved into test-artifacts/
to be looked at; each must show its title and the data-status banner and no error. The page 变更记录 shows
no features, so no banner: it is shot over a private workspace with one change, whose small map must appear."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
from harness import OfflinePage, start_app
from shapely.geometry import Point

from layers.store.gpkg import UserChange
from layers.store.workspace import open_workspace

pytestmark = pytest.mark.e2e
PAGES = (("", "风险一张图"), ("risk", "风险区划"), ("coverage", "设施覆盖分析"))


@pytest.mark.parametrize("width", [1024, 1440, 1920])
@pytest.mark.parametrize(("path", "title"), PAGES)
def test_page_at_width_shows_title_banner_and_no_error(offline_page, path: str, title: str, width: int) -> None:
    p = offline_page
    p.page.set_viewport_size({"width": width, "height": 900})
    p.page.goto(f"{p.url}{path}?adcode=500231")
    p.page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    p.map_frame()
    p.page.wait_for_timeout(1500)  # let the map paint
    assert p.page.locator('[data-testid="stException"]').count() == 0
    banner = p.page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="当前显示")
    assert banner.count() >= 1, "the data-status banner is missing"
    p.page.screenshot(path=str(p.shot(f"page_{path or 'map'}_{width}")), full_page=True)
    assert p.blocked == []


@pytest.fixture(scope="module")
def history_app(built_workspaces: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """The app over a private copy of 垫江 in which 全胜水库 was moved (one changeset): (url, its id)."""
    folder = tmp_path_factory.mktemp("history_e2e")
    shutil.copy(built_workspaces / "500231.gpkg", folder / "500231.gpkg")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ONEMAP_WORKSPACES", str(folder))
        ws = open_workspace("500231")
        row = ws.layer("reservoirs").query("name == '全胜水库'").copy()
        row["geometry"] = [Point(107.40, 30.30)]
        cs = ws.commit([UserChange("reservoirs", upsert=gpd.GeoDataFrame(row, crs=4490))], user="张三", action="edit", reason="现场核实")
    proc, url = start_app(folder)
    yield url, cs.id
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("width", [1024, 1440, 1920])
def test_history_page_at_width_shows_the_change_with_its_small_map(browser, history_app: tuple[str, int], width: int) -> None:  # noqa: ANN001
    url, changeset = history_app
    p = OfflinePage(browser, url)
    p.page.set_viewport_size({"width": width, "height": 900})
    p.page.goto(f"{url}history?adcode=500231")
    p.page.get_by_role("heading", name="变更记录").first.wait_for(timeout=60_000)
    p.map_frame()  # the small before/after map of the moved reservoir
    p.page.wait_for_timeout(1500)
    assert p.page.locator('[data-testid="stException"]').count() == 0
    assert p.page.get_by_text("原因:现场核实").count() == 1
    assert p.page.locator(f".st-key-hist_undo_{changeset}").count() == 1
    p.page.screenshot(path=str(p.shot(f"page_history_{width}")), full_page=True)
    assert p.blocked == []
    p.page.close()
