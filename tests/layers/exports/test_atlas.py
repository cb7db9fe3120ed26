"""一乡一图 pages: level and indicator values behind it, tables in the page's language with honest
counts, no demo rows when demo is off, legend, names, data status, the user's title; no block over
the map frame."""

from __future__ import annotations

import itertools
import re

import matplotlib.pyplot as plt
import pytest

from layers.analysis.risk import compute_risk
from layers.analysis.riskstore import workspace_crs
from layers.catalog.quality import QualityOptions, is_demo
from layers.exports.atlas import TABLES, risk_rows, table_rows, township_page
from layers.exports.service import shown_frames
from layers.exports.sheet import Sheet

pytestmark = pytest.mark.usefixtures("built_workspaces")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _page(town: str = "桂溪街道", lang: str = "zh", q: QualityOptions | None = None, title: str = "垫江县防汛会商图"):  # noqa: ANN202
    frames = shown_frames("500231", q)
    fig = township_page(frames, workspace_crs("500231"), town, "垫江县", Sheet(title, lang=lang, dpi=60, footer="内部资料"))
    fig.canvas.draw()
    return frames, fig


def _cells(fig, layer: str) -> tuple[list[str], list[list[str]]]:  # noqa: ANN001
    ax = next(a for a in fig.axes if a.get_gid() == f"table:{layer}")
    if not ax.tables:
        return [], []
    cells = ax.tables[0].get_celld()
    nrow, ncol = max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1
    grid = [[cells[r, c].get_text().get_text() for c in range(ncol)] for r in range(nrow)]
    return grid[0], grid[1:]


def _gid_text(fig, gid: str) -> str:  # noqa: ANN001
    return next(a for a in fig.findobj(lambda a: a.get_gid() == gid)).get_text()


def test_page_uses_the_users_title_and_language_and_shows_legend_labels_and_status() -> None:
    frames, fig = _page()
    assert _gid_text(fig, "title") == "垫江县防汛会商图 · 桂溪街道"
    assert any(a.get_gid() == "legend" for a in fig.findobj(lambda a: True))
    labels = {t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label:townships"}
    assert "桂溪街道" in labels and len(labels) >= 3  # the township and its neighbours are named
    assert _gid_text(fig, "disclaimer").startswith("当前显示")
    plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_tables_are_in_the_page_language_and_the_count_matches_the_rows(lang: str) -> None:
    frames, fig = _page(lang=lang)
    for layer, cols, *_ in TABLES:
        head, rows = _cells(fig, layer)
        title = _gid_text(fig, f"tabletitle:{layer}")
        n = int(re.search(r"(\d+)", title).group(1))
        if not rows:
            assert n == 0
            continue
        assert not set(head) & {"name", "hazard_type", "risk_level", "action", "status", "kind", "lead_dept"}
        assert all(CJK.search(h) for h in head) if lang == "zh" else not any(CJK.search(h) for h in head)
        coded = [i for i, c in enumerate(cols) if c not in ("name", "lead_dept")]  # names and departments are data text
        values = {r[i] for r in rows if not r[0].startswith("…") for i in coded}
        assert not values & {"planned", "completed", "approximate", "synthetic", "treatment_work", "shelter"} or lang == "en"
        if lang == "en":
            assert not [v for v in values if CJK.search(v)]
        more = [r[0] for r in rows if r[0].startswith("…")]
        if more:  # truncated: the last row says how many there are in all
            assert more[0] == (f"…等{n}项" if lang == "zh" else f"… {n} in all") and rows[-1][0] == more[0]
        else:
            assert len(rows) == n
    plt.close(fig)


def test_no_demo_feature_is_listed_when_demo_is_off() -> None:
    frames = shown_frames("500231")
    assert not is_demo(frames["geohazards"]).any()
    demo_names = set(shown_frames("500231", QualityOptions(show_demo=True))["geohazards"].pipe(lambda g: g[is_demo(g)])["name"])
    for town in ("桂溪街道", "沙坪镇"):
        _, fig = _page(town)
        _, rows = _cells(fig, "geohazards")
        assert not {r[0] for r in rows} & demo_names
        plt.close(fig)


def test_truncated_table_lists_first_rows_then_the_total() -> None:
    frames = shown_frames("500231")
    g = frames["facilities"].head(30)
    rows = table_rows(g, "facilities", ("name", "kind", "status", "_pos"), "zh", fit=8)
    assert len(rows) == 8 and rows[-1][0] == "…等30项" and rows[0][0] == g["name"].iloc[0]
    assert rows[0][1] == "防汛重点区域" and rows[0][2] == "规划" and rows[0][3] in ("近似位置", "合成示意")
    full = table_rows(g.head(5), "facilities", ("name", "kind", "status", "_pos"), "zh", fit=8)
    assert len(full) == 5


def test_risk_block_gives_score_level_and_indicator_values_in_the_page_language() -> None:
    frames = shown_frames("500231")
    row = frames["risk_townships"].set_index("name").loc["新民镇"]
    zh = risk_rows(row, "zh")
    assert zh[0][:2] == ["综合风险", f"{row['composite']:.2f}"] and zh[0][2] in ("重大", "较大", "一般", "低")
    assert zh[1][0] == "地质灾害" and f"{row['geological_score']:.2f}" == zh[1][1]
    assert "隐患点密度" in zh[1][3] and "威胁人数" in zh[1][3] and "易发区占比" in zh[1][3]
    assert "临河区域占比" in zh[2][3] and "距防火设施远" in zh[3][3]
    en = risk_rows(row, "en")
    assert en[0][2] in ("Major", "High", "Moderate", "Low") and "people threatened" in en[1][3]
    assert not any(CJK.search(c) for r in en for c in r)


def test_risk_block_and_tables_do_not_cross_the_map_frame() -> None:
    _, fig = _page("沙坪镇")
    r = fig.canvas.get_renderer()
    blocks = {a.get_gid(): a.get_window_extent(r) for a in fig.findobj(lambda a: isinstance(a.get_gid(), str) and
              a.get_gid().split(":")[0] in ("map", "risk", "weights", "legend", "title", "subtitle", "table", "tabletitle",
                                            "tablenote", "disclaimer", "footer"))}
    assert "risk" in blocks and "legend" in blocks
    for (ga, a), (gb, b) in itertools.combinations(blocks.items(), 2):
        assert not a.overlaps(b), (ga, gb)
    plt.close(fig)


def test_levels_follow_the_shown_features_when_synthetic_is_hidden() -> None:
    q = QualityOptions(show_synthetic=False)
    frames = shown_frames("500231", q)
    expected = compute_risk(frames, workspace_crs("500231")).townships.set_index("name")
    _, fig = _page("桂溪街道", q=q)
    ax = next(a for a in fig.axes if a.get_gid() == "risk")
    cells = ax.tables[0].get_celld()
    assert cells[1, 1].get_text().get_text() == f"{expected.loc['桂溪街道', 'composite']:.2f}"
    assert cells[1, 2].get_text().get_text() == ["重大", "较大", "一般", "低"][int(expected.loc["桂溪街道", "level"]) - 1]
    plt.close(fig)


def test_cells_are_clipped_to_their_column() -> None:
    from layers.exports.atlas import clip

    assert clip("住房和城乡建设委员会", 6) == "住房和城乡…"  # five characters and the mark fit six widths
    assert clip("Material depot", 10) == "Material depot" and clip("Material depot", 6).endswith("…")
    assert clip("规划", 6) == "规划"
