"""一乡一图: a multi-page PDF atlas, one portrait page per township: the map (neighbours greyed,
names, legend), the risk level with the per-hazard scores and the indicator values behind them,
tables of what lies inside (in full, or the first rows then "…等N项"), and the data status.
Which layers are drawn and which are listed, with which columns, is read from the layer specs
(``atlas_map``, ``atlas_table``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox
from pyproj import CRS

from layers.analysis.risk import HAZARD_ZH, HAZARDS, INDICATOR_ZH, risk_config
from layers.catalog.i18n import pick, say
from layers.catalog.quality import class_label, data_status, inputs_note, is_placeholder, position_class, status_line
from layers.catalog.specs import SPECS
from layers.catalog.style import value_text
from layers.exports.printmap import draw_labels, legend_handles
from layers.exports.sheet import GAP_IN, MARGIN_IN, ProgressFn, Sheet, _block, _bottom, _has_approx, _map_axes, fit_legend, footer_lines, header, notes
from layers.exports.sheet import text as sheet_text

ATLAS_LAYERS = tuple(s.id for s in SPECS.values() if s.atlas_map)
HAZARD_EN_NAMES = {"geological": "Geohazard", "flood": "Flood", "forest_fire": "Forest fire"}
INDICATOR_EN = {
    "hazard_density": "hazard-point density", "people_threatened": "people threatened", "susceptibility_share": "susceptible area",
    "river_share": "area near rivers", "flood_key_areas": "flood key areas", "reservoirs_reinforced": "reservoirs under repair",
    "forest_share": "key forest area", "fire_sources": "scenic fire sources", "facility_distance": "forest to fire facility",
}
UNITS = {  # indicator -> (zh format, en format)
    "hazard_density": ("{:.2f} 个/km²", "{:.2f} /km²"), "people_threatened": ("{:.0f} 人", "{:.0f}"),
    "susceptibility_share": ("{:.0%}", "{:.0%}"), "river_share": ("{:.0%}", "{:.0%}"), "flood_key_areas": ("{:.0f} 处", "{:.0f}"),
    "reservoirs_reinforced": ("{:.0f} 座", "{:.0f}"), "forest_share": ("{:.0%}", "{:.0%}"), "fire_sources": ("{:.0f} 处", "{:.0f}"),
    "facility_distance": ("{:.1f} km", "{:.1f} km"),
}
COLUMNS = {  # column -> (zh header, en header)
    "name": ("名称", "Name"), "kind": ("类别", "Kind"), "hazard_type": ("灾种", "Hazard"), "risk_level": ("风险等级", "Risk"),
    "action": ("规划措施", "Action"), "status": ("状态", "Status"), "lead_dept": ("牵头部门", "Lead dept."),
    "_pos": ("位置", "Position"),
}
TABLES = tuple((s.id, s.atlas_table.columns, s.atlas_table.widths, s.atlas_table.what) for s in SPECS.values() if s.atlas_table)
"""(layer, columns, relative column widths, (zh what, en what)) of the page's tables, in spec order (2 x 2)."""
TEXT = {
    "subtitle": ("一乡一图", "Township atlas"),
    "composite": ("综合风险", "Composite risk"),
    "hazard": ("灾种", "Hazard"), "score": ("得分", "Score"), "level": ("等级", "Level"), "indicators": ("指标值", "Indicator values"),
    "weights": ("综合得分 = {w},再在县内各乡镇间归一化到 0–1;等级按阈值 ≥{l1} 重大、≥{l2} 较大、≥{l3} 一般,其余为低。",
                "Composite = {w}, re-normalised to 0–1 across the county's townships; level: ≥{l1} Major, ≥{l2} High, "
                "≥{l3} Moderate, else Low."),
    "count": ("{what}(共{n}项)", "{what} ({n})"),
    "none": ("无", "none"),
    "unknown": ("全县另有 {n} 项规划未给位置(县城中心占位),未列入", "{n} more in the county have no position in the plan, not listed"),
}
TABLE_FONT = 6.0


def _t(key: str, lang: str, **values: object) -> str:
    return say(TEXT, key, lang, **values)


def level_name(level: int, lang: str) -> str:
    return risk_config()["levels"]["names_zh" if lang == "zh" else "names_en"][int(level) - 1]


def _inside(frames: Mapping[str, gpd.GeoDataFrame], layer: str, area) -> gpd.GeoDataFrame:  # noqa: ANN001
    g = frames.get(layer)
    if g is None or g.empty:
        return gpd.GeoDataFrame(columns=["name", "geometry"], geometry="geometry", crs=4490)
    table = SPECS[layer].atlas_table
    g = g[g.geometry.geom_type == "Point"] if table and table.points_only else g
    return g[g.geometry.representative_point().within(area)]


def township_features(frames: Mapping[str, gpd.GeoDataFrame], name: str) -> dict[str, gpd.GeoDataFrame]:
    """What the page of township ``name`` lists, by table layer: the features whose representative
    point lies in the township's polygon as ``frames['townships']`` has it (an imported boundary, or the
    Voronoi cell), placeholders left out (no page can list them)."""
    towns = frames["townships"]
    area = towns.loc[towns["name"] == name].geometry.union_all()
    inside = {k: _inside(frames, k, area) for k, *_ in TABLES}
    return {k: g[~is_placeholder(g)] for k, g in inside.items()}


def page_names(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    """The townships of the atlas, one page each, in risk order (highest composite first)."""
    return list(frames["risk_townships"].sort_values("composite", ascending=False)["name"])


def _value(layer: str, col: str, v: object, lang: str) -> str:
    text = value_text(layer, col, v, lang)
    return "-" if text is None else text


def clip(s: str, em: float) -> str:
    """``s`` cut to about ``em`` character widths (a CJK character is one, Latin about half), "…" marking a cut."""
    width = 0.0
    for i, ch in enumerate(s):
        width += 1.0 if ord(ch) > 0x2E80 else 0.55
        if width > em:
            return s[: max(i - 1, 1)] + "…"
    return s


def table_rows(g: gpd.GeoDataFrame, layer: str, cols: tuple[str, ...], lang: str, fit: int,
               widths_em: tuple[float, ...] | None = None) -> list[list[str]]:
    """Cell texts of a feature table in ``lang``: every row if they fit in ``fit`` rows, else the
    first ``fit - 1`` rows and a last row "…等N项". ``widths_em`` clips each column to its width."""
    shown = g.assign(_pos=position_class(g).map(lambda c: class_label(c, lang)))
    values = shown.reindex(columns=list(cols)).to_numpy(dtype=object)
    ems = widths_em or (22.0,) * len(cols)
    rows = [[clip(_value(layer, c, v, lang), em) for c, v, em in zip(cols, r, ems, strict=True)] for r in values]
    if len(rows) > fit:
        rows = [*rows[: max(fit - 1, 0)], [sheet_text("more", lang, n=len(rows)), *[""] * (len(cols) - 1)]]
    return rows


def _table(fig: Figure, renderer: RendererBase, rect: tuple[float, float, float, float], layer: str, g: gpd.GeoDataFrame,
           unknown: int, lang: str) -> None:
    _, cols, widths, what = next(t for t in TABLES if t[0] == layer)
    x, y, w, h = rect
    label = pick(what, lang)
    title = _t("count", lang, what=label[:1].upper() + label[1:], n=len(g))
    note = inputs_note(g, lang, what=what) if len(g) else ""
    if unknown:
        note = f"{note}{';' if lang == 'zh' else '; '}{_t('unknown', lang, n=unknown)}" if note else _t("unknown", lang, n=unknown)
    head = _block(fig, renderer, [title], x=x, y=y + h, width=w, size=8, gid=f"tabletitle:{layer}")
    top = _bottom(head, fig, renderer)
    if note:
        top = _bottom(_block(fig, renderer, [note], x=x, y=top - 0.002, width=w, size=5.5, gid=f"tablenote:{layer}", color="#8a3b00"), fig, renderer)
    ax = fig.add_axes((x, y, w, max(top - y - 0.004, 0.01)), gid=f"table:{layer}")
    ax.axis("off")
    if g.empty:
        ax.text(0, 1, _t("none", lang), fontsize=TABLE_FONT + 1, va="top")
        return
    row_in = TABLE_FONT * 1.75 / 72
    fit = max(int(ax.get_position().height * fig.get_size_inches()[1] / row_in) - 1, 2)
    width_pt = w * fig.get_size_inches()[0] * 72
    cells = table_rows(g, layer, cols, lang, fit, tuple(f * width_pt / TABLE_FONT - 1.2 for f in widths))
    n = len(cells) + 1
    frac = min(1.0, n * row_in / (ax.get_position().height * fig.get_size_inches()[1]))
    tbl = ax.table(cellText=cells, colLabels=[pick(COLUMNS[c], lang) for c in cols], colWidths=list(widths),
                   bbox=Bbox.from_bounds(0, 1 - frac, 1, frac), cellLoc="left")
    tbl.auto_set_font_size(False)
    tbl.set_fontsize(TABLE_FONT)
    for (r, _), cell in tbl.get_celld().items():
        cell.set_linewidth(0.3)
        cell.PAD = 0.03
        if r == 0:
            cell.set_facecolor("#eeeeee")


def _fmt(ind: str, v: float, lang: str) -> str:
    v = v / 1000 if ind == "facility_distance" else v
    return pick(UNITS[ind], lang).format(float(v))


def risk_rows(row: pd.Series, lang: str) -> list[list[str]]:
    """Composite and per-hazard rows: hazard, score, level, the hazard's indicator values."""
    cfg = risk_config()
    out = [[_t("composite", lang), f"{row['composite']:.2f}", level_name(row["level"], lang), ""]]
    for hz in HAZARDS:
        inds = ("; " if lang != "zh" else ";").join(
            f"{INDICATOR_ZH[k] if lang == 'zh' else INDICATOR_EN[k]} {_fmt(k, row[k], lang)}" for k in cfg[hz]["weights"])
        out.append([HAZARD_ZH[hz] if lang == "zh" else HAZARD_EN_NAMES[hz], f"{row[f'{hz}_score']:.2f}",
                    level_name(row[f"{hz}_level"], lang), inds])
    return out


def weights_line(lang: str) -> str:
    cfg = risk_config()
    w = cfg["composite"]["weights"]
    names = HAZARD_ZH if lang == "zh" else HAZARD_EN_NAMES
    terms = " + ".join(f"{w[h]:.2f}×{names[h]}" for h in HAZARDS)
    lv = cfg["levels"]
    return _t("weights", lang, w=terms, l1=lv["level1"], l2=lv["level2"], l3=lv["level3"])


def _risk_block(fig: Figure, renderer: RendererBase, rect: tuple[float, float, float, float], row: pd.Series, lang: str) -> float:
    """The risk table at the top of ``rect`` (x, bottom, width, top); returns the block's bottom."""
    x, _, w, top = rect
    rows = risk_rows(row, lang)
    h_in = (len(rows) + 1) * 0.2
    hf = h_in / fig.get_size_inches()[1]
    ax = fig.add_axes((x, top - hf, w, hf), gid="risk")
    ax.axis("off")
    tbl = ax.table(cellText=rows, colLabels=[_t(k, lang) for k in ("hazard", "score", "level", "indicators")],
                   colWidths=[0.12, 0.07, 0.08, 0.73], bbox=Bbox.from_bounds(0, 0, 1, 1), cellLoc="left")
    tbl.auto_set_font_size(False)
    tbl.set_fontsize(7)
    colors = risk_config()["levels"]["colors"]
    for (r, c), cell in tbl.get_celld().items():
        cell.set_linewidth(0.3)
        cell.PAD = 0.02 if c == 3 else 0.06
        if r == 0:
            cell.set_facecolor("#eeeeee")
        elif c == 2:
            level = row["level"] if r == 1 else row[f"{HAZARDS[r - 2]}_level"]
            cell.set_facecolor(colors[int(level) - 1] + "99")
    note = _block(fig, renderer, [weights_line(lang)], x=x, y=top - hf - 0.004, width=w, size=6, gid="weights", color="#444")
    return _bottom(note, fig, renderer)


def _placeholders(frames: Mapping[str, gpd.GeoDataFrame], layer: str) -> int:
    """Items of ``layer`` the plan does not locate: they could lie in any township, so no page lists them."""
    g = frames.get(layer)
    return 0 if g is None or g.empty else int(is_placeholder(g).sum())


def township_page(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, name: str, county_name: str, sheet: Sheet) -> Figure:
    """One atlas page for township ``name``; ``sheet`` gives title, language, paper, dpi and footer."""
    from layers.exports.sheet import use_cjk_font

    use_cjk_font()
    lang = sheet.lang
    towns = frames["townships"]
    focus = towns[towns["name"] == name]
    w, h = Sheet("", paper=sheet.paper, orientation="portrait").size_inches()
    fig = plt.figure(figsize=(w, h), dpi=sheet.dpi)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg
    title = f"{sheet.title or county_name} · {name}"
    top = header(fig, renderer, title, _t("subtitle", lang), scale=0.9)
    mx, my = MARGIN_IN / w, MARGIN_IN / h
    shown = {k: frames[k] for k in ATLAS_LAYERS if k in frames and len(frames[k])}
    listed = township_features(frames, name)
    # bottom up: footer and data status, the four tables, the risk block, then the map
    status = status_line(data_status(listed, list(listed)), lang)
    notes_top = notes(fig, renderer, (mx, my, 1 - 2 * mx), [
        ("footer", footer_lines(sheet), 8, "#b30000"),
        ("disclaimer", [status, *([sheet_text("quality", lang)] if _has_approx(shown) else [])], 6, "#8a3b00"),
    ])
    metric = {k: v.to_crs(crs) for k, v in shown.items()}
    map_h = 0.43
    map_rect = (mx, top - map_h, 0.66 - mx, map_h)
    minx, miny, maxx, maxy = focus.to_crs(crs).total_bounds
    pad = 0.12 * max(maxx - minx, maxy - miny)
    ax = _map_axes(fig, metric, map_rect, lang, extent=(minx - pad, miny - pad, maxx + pad, maxy + pad), focus=focus.to_crs(crs))
    draw_labels(ax, metric, renderer, fontsize=7)
    fit_legend(fig, renderer, legend_handles(metric, lang, approx=_has_approx(shown)), x=0.68, top=top, bottom=top - map_h,
               width=0.32 - mx, title=sheet_text("legend", lang), layouts=[(6, 1), (5, 1), (5, 2), (4.5, 2)])
    risk = frames["risk_townships"]
    row = risk[risk["name"] == name].iloc[0]
    risk_bottom = _risk_block(fig, renderer, (mx, 0, 1 - 2 * mx, top - map_h - GAP_IN / h), row, lang)
    tables_top, tables_bottom = risk_bottom - GAP_IN / h, notes_top
    th = (tables_top - tables_bottom - GAP_IN / h) / 2
    tw = (1 - 2 * mx - 0.03) / 2
    for i, (layer, *_) in enumerate(TABLES):
        rect = (mx + (i % 2) * (tw + 0.03), tables_top - (i // 2 + 1) * th - (i // 2) * GAP_IN / h, tw, th)
        _table(fig, renderer, rect, layer, listed[layer], _placeholders(frames, layer), lang)
    return fig


def export_atlas(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, out: Path, *, county_name: str, sheet: Sheet | None = None,
                 progress: ProgressFn | None = None) -> Path:
    """Write the atlas PDF (one page per township, in risk order, highest first)."""
    sheet = sheet or Sheet(title=county_name, dpi=100)
    names = page_names(frames)
    out.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(out) as pdf:
        for i, name in enumerate(names, start=1):
            fig = township_page(frames, crs, name, county_name, sheet)
            pdf.savefig(fig)
            plt.close(fig)
            if progress:
                progress(i, len(names), name)
    return out
