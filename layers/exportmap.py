"""Drawing primitives of the static map: layers styled like the web map, scale bar, north arrow, legend."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from layers.render import DRAW_ORDER
from layers.specs import get_spec
from layers.style import style_columns

GREY = "#d9d9d9"
DENSE_POINTS = 1500


def _ordered(frames: Mapping[str, gpd.GeoDataFrame]) -> list[str]:
    return [k for k in DRAW_ORDER if k in frames] + [k for k in frames if k not in DRAW_ORDER]


def draw_layers(ax: Axes, frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, focus: gpd.GeoDataFrame | None = None) -> None:
    """Draw every layer (metric CRS) with the web map's colours; approximate/synthetic ones hollow
    and dashed. With ``focus``, everything outside it is greyed (atlas neighbours)."""
    for layer_id in _ordered(frames):
        gdf = frames[layer_id]
        if gdf.empty:
            continue
        st = style_columns(layer_id, gdf, lang)
        kinds = gdf.geometry.geom_type
        for approx in (0, 1):
            sel = (st["_q"] == approx)
            _polys(ax, gdf[sel & kinds.isin(["Polygon", "MultiPolygon"])], st[sel], approx)
            _lines(ax, gdf[sel & kinds.isin(["LineString", "MultiLineString"])], st[sel], approx)
            _points(ax, gdf[sel & (kinds == "Point")], st[sel], approx)
    if focus is not None and len(focus):
        outside = focus.geometry.union_all()
        xmin, ymin, xmax, ymax = ax.get_xlim()[0], ax.get_ylim()[0], ax.get_xlim()[1], ax.get_ylim()[1]
        mask = gpd.GeoSeries([outside.envelope.buffer(1e5).difference(outside)], crs=focus.crs)
        mask.plot(ax=ax, color="white", alpha=0.65, zorder=5)
        focus.boundary.plot(ax=ax, color="#000", linewidth=2.2, zorder=6)
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(ymin, ymax)


def _polys(ax: Axes, g: gpd.GeoDataFrame, st, approx: int) -> None:  # noqa: ANN001
    if g.empty:
        return
    s = st.loc[g.index]
    faces = [_rgba(c, fo * (0.5 if approx else 1.0)) for c, fo in zip(s["_c"], s["_fo"], strict=True)]
    g.plot(ax=ax, facecolor=faces, edgecolor=s["_c"].tolist(), linewidth=(s["_w"].clip(upper=2.5) * 0.6).tolist(),
           linestyle="--" if approx else "-", zorder=1)


def _lines(ax: Axes, g: gpd.GeoDataFrame, st, approx: int) -> None:  # noqa: ANN001
    if g.empty:
        return
    s = st.loc[g.index]
    g.plot(ax=ax, color=s["_c"].tolist(), linewidth=(s["_w"] * 0.7).tolist(), linestyle="--" if approx else "-", zorder=2)


def _points(ax: Axes, g: gpd.GeoDataFrame, st, approx: int) -> None:  # noqa: ANN001
    if g.empty:
        return
    s = st.loc[g.index]
    dense = min(1.0, (DENSE_POINTS / max(len(g), 1)) ** 0.5)  # thousands of points: smaller symbols, or they hide the map
    size = (s["_r"] * 1.6 * dense) ** 2 / 4
    if approx:
        ax.scatter(g.geometry.x, g.geometry.y, s=size.tolist(), facecolors="none", edgecolors=s["_c"].tolist(), linewidths=0.7,
                   linestyle="--", zorder=3)
    else:
        ax.scatter(g.geometry.x, g.geometry.y, s=size.tolist(), c=s["_c"].tolist(), edgecolors="white", linewidths=0.3, zorder=4)


def _rgba(color: str, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    r, g, b, _ = to_rgba(color)
    return (r, g, b, float(alpha))


def nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 x 10^n metres) of about a fifth of ``span_m``."""
    target = span_m / 5
    exp = 10 ** math.floor(math.log10(target))
    return max(m * exp for m in (1, 2, 5) if m * exp <= target)


def draw_scale_bar(ax: Axes) -> float:
    """A two-segment scale bar in the lower left; the axes are in metres. Returns its length (m)."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    length = nice_length(x1 - x0)
    bx, by, h = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0), 0.008 * (y1 - y0)
    for i in range(2):
        ax.add_patch(Rectangle((bx + i * length / 2, by), length / 2, h, facecolor="black" if i == 0 else "white",
                               edgecolor="black", linewidth=0.8, zorder=10, gid="scalebar"))
    unit, div = ("km", 1000.0) if length >= 1000 else ("m", 1.0)
    for frac in (0, 0.5, 1):
        ax.text(bx + frac * length, by + 2.2 * h, f"{frac * length / div:g}", ha="center", va="bottom", fontsize=7, zorder=10)
    ax.text(bx + length + 0.01 * (x1 - x0), by, unit, fontsize=7, va="bottom", zorder=10)
    return length


def draw_north_arrow(ax: Axes) -> None:
    """North arrow in the upper left (Gauss-Krüger grid north; meridian convergence < 1° here)."""
    ax.annotate("N", xy=(0.06, 0.95), xytext=(0.06, 0.84), xycoords="axes fraction", ha="center", va="center", fontsize=12,
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 12, "headlength": 12}, zorder=10)


def legend_handles(frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, approx: bool) -> list:
    """One legend entry per (layer, colour) in use, plus the approximate-position symbol."""
    handles: list = []
    for layer_id in _ordered(frames):
        gdf = frames[layer_id]
        if gdf.empty:
            continue
        st = style_columns(layer_id, gdf, lang)
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"【{get_spec(layer_id).label(lang)}】"))
        types = gdf.geometry.geom_type
        for (color, label), grp in st.groupby(["_c", "_l"], sort=True):
            geom = types.loc[grp.index[0]]
            if geom == "Point":
                handles.append(Line2D([], [], marker="o", linestyle="none", color=color, label=str(label), markersize=6))
            elif "Line" in geom:
                handles.append(Line2D([], [], color=color, linewidth=2, label=str(label)))
            else:
                handles.append(Patch(facecolor=color, edgecolor=color, alpha=0.6, label=str(label)))
    if approx:
        handles.append(Line2D([], [], marker="o", linestyle="--", markerfacecolor="none", color="#333",
                              label="位置示意(近似/合成)" if lang == "zh" else "approximate / synthetic position"))
    return handles
