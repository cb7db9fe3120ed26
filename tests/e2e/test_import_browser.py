"""The page 数据导入 in a real browser: a hazard ledger (made in code) is uploaded through the file
uploader, one column role is overridden, the report and the preview appear, the import is committed, and
the map page and the coverage page then count the new points. The app runs over a private copy of the built 垫江 workspace, so
the commit disturbs no other test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import ARTIFACTS, OfflinePage, app_over_copy, eval_until
from playwright.sync_api import expect

from tests.ledgers import hazard_ledger_xlsx

pytestmark = pytest.mark.e2e
HEADER = ["序号", "统一编号", "隐患点名称", "乡镇(街道)", "灾害类型", "威胁人数", "经度", "纬度"]
ROWS = [
    [1, "DJ-E2E-001", "黄家湾滑坡", "桂溪街道", "滑坡", 12, "107°21′15.3″", "30°19′48.0″"],
    [2, "DJ-E2E-002", "石板沟崩塌", "沙坪镇", "崩塌", 5, "107度25分0秒", "30度15分0秒"],
    [3, "DJ-E2E-003", "大堰塘不稳定斜坡", "新民镇", "不稳定斜坡", 3, 107.4, 30.4],
]
PREVIEW = """() => { let n = 0; window.map.eachLayer(l => { if (l.feature && !('fid' in (l.feature.properties || {})) && l.getLatLng) n++; });
    return n; }"""
HAZARDS = "() => (window.onemap && window.onemap.geohazards) ? window.onemap.geohazards.count : -1"


@pytest.fixture(scope="module")
def private_app(template_500231: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from app_over_copy(template_500231, tmp_path_factory.mktemp("import_e2e"))


def _ledger(path: Path) -> Path:
    path.write_bytes(hazard_ledger_xlsx(ROWS, HEADER))
    return path


def _eval(p: OfflinePage, script: str, predicate, arg=None, tries: int = 300):  # noqa: ANN001, ANN202
    return eval_until(p, script, predicate, arg, tries)


def _choose(page, label: str, option: str) -> None:  # noqa: ANN001
    """Pick ``option`` in the selectbox labelled ``label``. The list of 29 roles is virtualised, so the
    box is filtered first; a rerun that redraws the box while typing closes it, so this tries again."""
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=label).locator("input").first
    for _ in range(5):
        box.click()
        page.wait_for_timeout(300)
        box.fill(option[:4])
        choice = page.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=5_000)
            choice.click()
            return
        except Exception:  # noqa: BLE001 - closed by a rerun: open it again
            page.keyboard.press("Escape")
    raise AssertionError(f"option {option!r} never appeared in {label!r}")


def _hazard_points_on_coverage(p: OfflinePage, url: str) -> int:
    """The number of hazard points the coverage page's figure rests on ("依据 N 个地灾隐患点")."""
    p.page.goto(url + "coverage?adcode=500231")
    _choose(p.page, "需求对象", "地灾隐患点")
    note = p.page.get_by_text(re.compile(r"依据 \d+ 个地灾隐患点")).first
    note.wait_for(timeout=60_000)
    return int(re.search(r"依据 (\d+) 个地灾隐患点", note.inner_text()).group(1))


def _sign(page, user: str, reason: str) -> None:  # noqa: ANN001
    """Type the importer's name and reason until 导入 is enabled. Text typed while a rerun redraws the
    fields can be dropped by the browser (a machine busy with other tests makes this likely); the page
    then keeps 导入 disabled and says why, so type it again, as a user would."""
    button = page.get_by_role("button", name="导入", exact=True)
    for _ in range(3):
        page.get_by_label("导入人").fill(user)
        page.get_by_label("导入原因(必填)").fill(reason)
        page.get_by_label("导入原因(必填)").press("Enter")
        try:
            expect(button).to_be_enabled(timeout=20_000)
            return
        except AssertionError:
            assert page.locator('[data-testid="stException"]').count() == 0
    fields = [page.get_by_label(label).input_value() for label in ("导入人", "导入原因(必填)")]
    notes = page.locator('[data-testid="stCaptionContainer"]').all_inner_texts()
    page.screenshot(path=str(ARTIFACTS / "import_disabled.png"), full_page=True)
    raise AssertionError(f"导入 stayed disabled after the name and reason were typed three times: fields {fields}, notes {notes}")


def _commit(page) -> None:  # noqa: ANN001
    """Click 导入 and wait for the success line. A click that lands while a rerun redraws the button is
    lost; the button is still there then (a commit clears the upload and removes it), so click again."""
    button = page.get_by_role("button", name="导入", exact=True)
    done = page.get_by_text("已导入 隐患点一览表.xlsx:变更集", exact=False)
    for _ in range(3):
        if button.count():
            button.click()
        try:
            done.wait_for(timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - the click was lost: try again while the button is there
            assert page.locator('[data-testid="stException"]').count() == 0
    raise AssertionError("the import never reported its changeset")


def test_upload_override_preview_commit_and_the_map_counts_the_points(browser, private_app: str, tmp_path: Path) -> None:  # noqa: ANN001
    p = OfflinePage(browser, private_app)
    page = p.page
    page.goto(private_app + "?adcode=500231")
    before = _eval(p, HAZARDS, lambda n: n >= 0)
    covered_before = _hazard_points_on_coverage(p, private_app)
    page.goto(private_app + "data_import?adcode=500231")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(_ledger(tmp_path / "隐患点一览表.xlsx")))
    page.get_by_text("读取 3 行,可写入 3 个要素,跳过 0 行,问题 0 个", exact=False).wait_for(timeout=90_000)
    assert _eval(p, PREVIEW, lambda n: n == 3) == 3  # the three new points over the county
    page.get_by_text("改为", exact=True).click()
    _choose(page, "威胁人数", "其他(保留在来源记录中) (extra)")
    page.get_by_text("已改:威胁人数 → 其他(保留在来源记录中) (extra)", exact=True).wait_for(timeout=60_000)
    _sign(page, "规划局 张三", "2025年一览表")
    page.set_viewport_size({"width": 1440, "height": 2700})  # the whole wizard in one picture
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(p.shot("import_500231_zh_1440")), full_page=True)
    _commit(page)
    page.goto(private_app + "?adcode=500231")
    assert _eval(p, HAZARDS, lambda n: n == before + 3) == before + 3
    assert _hazard_points_on_coverage(p, private_app) == covered_before + 3  # the coverage page counts them too
    assert p.blocked == []
    page.close()


@pytest.mark.parametrize("width", [1024, 1920])
def test_the_wizard_at_width_with_a_township_boundary_file(browser, private_app: str, tmp_path: Path, width: int) -> None:  # noqa: ANN001
    from tests.layers.imports.test_townships import _three

    shp = _three(tmp_path)
    p = OfflinePage(browser, private_app)
    page = p.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(private_app + "data_import?adcode=500231")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(sorted(str(f) for f in shp.parent.glob("乡镇界.*")))
    page.get_by_text("读取 3 行", exact=False).wait_for(timeout=90_000)
    _choose(page, "目标图层", "乡镇(街道)")
    page.get_by_text("乡镇名称对照", exact=True).wait_for(timeout=60_000)
    page.get_by_text("文件中有、乡镇名单中没有的名称(1)", exact=True).wait_for(timeout=60_000)
    assert _eval(p, PREVIEW, lambda n: n >= 0) >= 0  # the preview map is there
    page.get_by_text("替换:隐藏该图层中", exact=False).wait_for(timeout=10_000)  # boundaries cannot be appended: replace is chosen
    page.set_viewport_size({"width": width, "height": 3200})  # the whole wizard in one picture
    page.wait_for_timeout(1500)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(p.shot(f"import_townships_500231_zh_{width}")), full_page=True)
    assert p.blocked == []
    page.close()
