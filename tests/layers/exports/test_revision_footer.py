"""A printed map can be traced: the footer of a sheet and of an atlas page names the workspace
revision it was drawn from and that revision's date (the time of its changeset)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from shapely.geometry import Point

from layers.edits.edit import edit_feature
from layers.exports.atlas import page_names, township_page
from layers.exports.service import default_layers, shown_frames
from layers.exports.sheet import Sheet, footer_lines, map_figure, revision_stamp
from layers.store.workspace import open_workspace

ADCODE = "500231"


def _footer(fig) -> str:  # noqa: ANN001
    fig.canvas.draw()
    return "".join(next(a for a in fig.findobj(lambda a: a.get_gid() == "footer")).get_text().split())  # wrapped lines joined


def test_the_stamp_is_the_revision_and_the_time_of_its_changeset(private_workspaces: Path) -> None:
    ws = open_workspace(ADCODE)
    built = ws.changesets()[-1]
    assert revision_stamp(ws) == {"workspace": ADCODE, "revision": 1, "revision_time": built.time[:16].replace("T", " ")}
    cs = edit_feature(ws, "reservoirs", "dj21-018", geometry=Point(107.40, 30.30), user="张三", reason="核实")
    stamp = revision_stamp(open_workspace(ADCODE))
    assert (stamp["revision"], stamp["revision_time"]) == (cs.revision, cs.time[:16].replace("T", " "))
    assert footer_lines(Sheet("t", footer="内部资料", **stamp)) == ["内部资料", f"数据版本:工作区 500231 第 2 版({stamp['revision_time']})"]
    assert footer_lines(Sheet("t", lang="en", **stamp)) == [f"Data: workspace 500231, revision 2 ({stamp['revision_time']})"]
    assert footer_lines(Sheet("t")) == []  # a sheet that does not know its workspace says nothing false


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sheet_and_atlas_page_footers_carry_it(private_workspaces: Path, lang: str) -> None:
    ws = open_workspace(ADCODE)
    edit_feature(ws, "reservoirs", "dj21-018", values={"status": "completed"}, user="张三", reason="验收")
    ws = open_workspace(ADCODE)
    stamp = revision_stamp(ws)
    frames = shown_frames(ws)
    shown = {k: frames[k] for k in default_layers(frames) if len(frames[k])}
    sheet = Sheet("垫江县风险一张图", dpi=50, footer="仅供会议使用", lang=lang, **stamp)
    line = footer_lines(sheet)[1]
    assert line == (f"数据版本:工作区 500231 第 2 版({stamp['revision_time']})" if lang == "zh" else
                    f"Data: workspace 500231, revision 2 ({stamp['revision_time']})")
    want = "".join(line.split())
    fig = map_figure(shown, ws.metric_crs, sheet)
    text = _footer(fig)
    assert text.startswith("仅供会议使用") and want in text
    box = next(a for a in fig.findobj(lambda a: a.get_gid() == "footer")).get_window_extent(fig.canvas.get_renderer())
    w, h = fig.get_size_inches() * fig.dpi
    assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= w and box.y1 <= h
    page = township_page(frames, ws.metric_crs, page_names(frames)[0], ws.name, sheet)
    assert want in _footer(page)
    plt.close("all")
