"""一乡一图: a multi-page PDF atlas, one page per township (map with neighbours greyed, risk
levels per hazard, tables of what lies inside)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from pyproj import CRS

from layers.export import ProgressFn, Sheet, map_figure
from layers.risk import HAZARD_ZH, HAZARDS

ATLAS_LAYERS = ("county", "townships", "rivers", "geohazards", "reservoirs", "facilities", "projects", "forest_fire")
TABLE_ROWS = 5


def _inside(frames: Mapping[str, gpd.GeoDataFrame], layer: str, area) -> gpd.GeoDataFrame:  # noqa: ANN001
    g = frames[layer]
    pts = g.geometry.representative_point()
    return g[pts.within(area)]


def _table(fig, rect, title: str, g: gpd.GeoDataFrame, cols: list[str]) -> None:  # noqa: ANN001
    ax = fig.add_axes(rect)
    ax.axis("off")
    ax.set_title(f"{title}(共{len(g)}项)", fontsize=8, loc="left")
    if g.empty:
        ax.text(0, 0.8, "无", fontsize=7)
        return
    cells = [[str(v)[:18] if v is not None else "" for v in row] for row in g[cols].head(TABLE_ROWS).itertuples(index=False)]
    tbl = ax.table(cellText=cells, colLabels=cols, loc="upper left", cellLoc="left")
    tbl.auto_set_font_size(False)
    tbl.set_fontsize(5.5)
    tbl.scale(1, 0.8)


def township_page(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, name: str, county_name: str, sheet: Sheet):  # noqa: ANN201
    """One atlas page for township ``name``."""
    towns = frames["townships"]
    focus = towns[towns["name"] == name]
    area = focus.geometry.iloc[0]
    minx, miny, maxx, maxy = focus.to_crs(crs).total_bounds
    pad = 0.15 * max(maxx - minx, maxy - miny)
    shown = {k: frames[k] for k in ATLAS_LAYERS if k in frames and len(frames[k])}
    page = Sheet(f"{county_name} · {name}", "一乡一图", sheet.paper, "portrait", sheet.dpi, sheet.footer, sheet.lang, sheet.date)
    fig = map_figure(shown, crs, page, extent=(minx - pad, miny - pad, maxx + pad, maxy + pad), focus=focus)
    risk = frames["risk_townships"]
    row = risk[risk["name"] == name].iloc[0]
    levels = "  ".join(f"{HAZARD_ZH[h]}: {['重大', '较大', '一般', '低'][int(row[f'{h}_level']) - 1]}" for h in HAZARDS)
    fig.text(0.05, 0.872, f"综合风险: {row['level_name']} ({row['composite']:.2f})   {levels}", fontsize=9)
    # the tables replace the legend block of the portrait sheet
    for ax in fig.axes[1:]:
        ax.remove()
    specs = [("地灾隐患点", "geohazards", ["name", "hazard_type", "risk_level"]), ("水库", "reservoirs", ["name", "action", "status"]),
             ("应急设施", "facilities", ["name", "kind", "status"]), ("规划项目", "projects", ["name", "lead_dept", "status"])]
    for i, (title, layer, cols) in enumerate(specs):
        g = _inside(frames, layer, area)
        if layer == "geohazards":
            g = g[g["kind"].isin(["hazard_point", "hazard_site"])]
        _table(fig, (0.05 + (i % 2) * 0.47, 0.115 - (i // 2) * 0.105, 0.43, 0.085), title, g, cols)
    return fig


def export_atlas(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, out: Path, *, county_name: str, sheet: Sheet | None = None,
                 progress: ProgressFn | None = None) -> Path:
    """Write the atlas PDF (one page per township, in risk order, highest first)."""
    sheet = sheet or Sheet(title=county_name, dpi=100)
    names = list(frames["risk_townships"].sort_values("composite", ascending=False)["name"])
    out.parent.mkdir(parents=True, exist_ok=True)
    with PdfPages(out) as pdf:
        for i, name in enumerate(names, start=1):
            fig = township_page(frames, crs, name, county_name, sheet)
            pdf.savefig(fig)
            plt.close(fig)
            if progress:
                progress(i, len(names), name)
    return out
