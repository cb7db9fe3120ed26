"""The page 规划入图 in a real browser: a short plan text (written here) is uploaded, every row is accepted,
the inventory is saved and the workspace built, and the map page then draws the new reservoir. The app
runs over a private copy of the built 垫江 workspace (and a private plans folder), so nothing else is
disturbed. Screenshots at 1440 px: the review and the map."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import OfflinePage, app_over_copy, eval_until

pytestmark = pytest.mark.e2e
DOC = "垫江府发〔2026〕7号"
PLAN = f"""2026年全县防灾减灾工作要点
{DOC}
一、防汛抗旱
（一）水库安全
1. 实施沙坪镇新桥水库除险加固，2026年完成，投资300万元。
二、森林防火
（一）基础设施
在沙坪镇新建森林消防蓄水池6口。
"""
RESERVOIRS = "() => (window.onemap && window.onemap.reservoirs) ? window.onemap.reservoirs.count : -1"


@pytest.fixture(scope="module")
def private_app(template_500231: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from app_over_copy(template_500231, tmp_path_factory.mktemp("plan_e2e"))


def _count(p: OfflinePage, predicate, tries: int = 300) -> int:  # noqa: ANN001
    return int(eval_until(p, RESERVOIRS, predicate, tries=tries))


def _click_until(page, name: str, done) -> None:  # noqa: ANN001
    """Click the button ``name`` until the locator ``done`` shows (a click during a rerun is lost)."""
    for _ in range(4):
        button = page.get_by_role("button", name=name, exact=True)
        if button.count():
            button.first.click()
        try:
            done.first.wait_for(timeout=30_000)
            return
        except Exception:  # noqa: BLE001 - lost click: try again
            assert page.locator('[data-testid="stException"]').count() == 0
    raise AssertionError(f"nothing happened after clicking {name!r}")


def test_upload_accept_all_build_and_the_map_draws_the_new_items(browser, private_app: str, tmp_path: Path) -> None:  # noqa: ANN001
    p = OfflinePage(browser, private_app)
    page = p.page
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(private_app + "?adcode=500231")
    before = _count(p, lambda n: n >= 0)
    page.goto(private_app + "plan_intake?adcode=500231")
    plan = tmp_path / "2026年工作要点.txt"
    plan.write_text(PLAN, encoding="utf-8")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(plan))
    page.get_by_text("提取结果:", exact=False).wait_for(timeout=90_000)
    _click_until(page, "采纳", page.get_by_text(re.compile(r"提取结果:(\d+) 行,已采纳 \1 行")))  # every row accepted
    page.get_by_text("原文对照(地名高亮)", exact=True).click()
    page.locator("mark").first.wait_for(timeout=10_000)
    page.get_by_label("操作人").fill("垫江县应急局 王五")
    page.get_by_label("操作人").press("Enter")
    page.wait_for_timeout(1500)
    page.set_viewport_size({"width": 1440, "height": 1800})
    page.wait_for_timeout(1000)
    page.screenshot(path=str(p.shot("plan_intake_500231_zh_1440")), full_page=True)
    _click_until(page, "保存清单并生成地图", page.get_by_text(f"已保存 {DOC}", exact=False))
    assert page.locator('[data-testid="stException"]').count() == 0
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(private_app + "?adcode=500231")
    after = _count(p, lambda n: n > before)
    assert after == before + 1
    page.wait_for_timeout(1500)
    p.shot("plan_intake_map_500231_zh_1440")
    assert p.blocked == []  # nothing outside 127.0.0.1 was asked for
