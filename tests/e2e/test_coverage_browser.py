"""The coverage page in a real browser: service areas and uncovered demand are painted."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_service_areas_and_gaps_paint(offline_page) -> None:
    p = offline_page
    p.page.goto(p.url + "coverage")
    counts = p.wait_features(lambda c: c["total"] > 100)
    frame = p.map_frame()
    kinds = frame.evaluate("""() => { const k = {svc: 0, gap: 0, site: 0};
        window.map.eachLayer(l => { const f = (l.feature && l.feature.properties.fid) || '';
            if (f.startsWith('svc-')) k.svc++; if (f.startsWith('gap-')) k.gap++; if (f.startsWith('site-')) k.site++; });
        return k; }""")
    assert kinds["svc"] == 44 and kinds["gap"] > 0 and kinds["site"] == 3, (kinds, counts)
    p.page.wait_for_timeout(1000)
    p.shot("coverage_water_tanks")
    assert p.blocked == []
