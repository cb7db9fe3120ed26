"""Drawing primitives of the static map: layers styled like the web map, scale bar, north arrow, legend.

Everything about a layer (draw order, colours, which names are written) comes from its spec and
``layers.catalog.style``, as for the web map; this module never imports the web renderer."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import geopandas as gpd
import matplotlib.patheffects as pe
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from layers.catalog.quality import position_class
from layers.catalog.specs import SPECS, get_spec, in_draw_order
from layers.catalog.style import style_columns

GREY = "#d9d9d9"
DENSE_POINTS = 1500
LABEL_OFFSETS = ((0, 0), (0, 1), (0, -1), (1, 0), (-1, 0))  # centred, then above/below/right/left (in box sizes)
FEATURE_LABEL_SPAN_M = 25_000  # features with name_labels="detail" (reservoirs) are named when the map spans less than this
LABEL_POSITIONS = ("authoritative", "surveyed", "gazetteer", "approximate")  # a placeholder/synthetic/demo position gets no name


def draw_layers(ax: Axes, frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, focus: gpd.GeoDataFrame | None = None) -> None:
    """Draw every layer (metric CRS) with the web map's colours; approximate/synthetic ones hollow
    and dashed. With ``focus``, everything outside it is greyed (atlas neighbours)."""
    for layer_id in in_draw_order(frames):
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
        ax.text(bx + frac * length, by + 2.2 * h, f"{frac * length / div:g}", ha="center", va="bottom", fontsize=7, zorder=10,
                gid="scalebar")
    ax.text(bx + length + 0.01 * (x1 - x0), by, unit, fontsize=7, va="bottom", zorder=10, gid="scalebar")
    return length


def draw_north_arrow(ax: Axes) -> None:
    """North arrow in the upper left (Gauss-Krüger grid north; meridian convergence < 1° here)."""
    ax.annotate("N", xy=(0.06, 0.95), xytext=(0.06, 0.84), xycoords="axes fraction", ha="center", va="center", fontsize=12,
                arrowprops={"facecolor": "black", "width": 4, "headwidth": 12, "headlength": 12}, zorder=10, gid="north")


def _groups(st: pd.DataFrame, gdf: gpd.GeoDataFrame) -> list:
    """(colour, label) groups; risk classes from 重大 down to 低 (by level), others by colour."""
    groups = list(st.groupby(["_c", "_l"], sort=True))
    if "level" in gdf:
        groups.sort(key=lambda kv: int(gdf.loc[kv[1].index, "level"].min()))
    return groups


def legend_handles(frames: Mapping[str, gpd.GeoDataFrame], lang: str, *, approx: bool) -> list:
    """One legend entry per (layer, colour) in use, plus the approximate-position symbol."""
    handles: list = []
    for layer_id in in_draw_order(frames):
        gdf = frames[layer_id]
        if gdf.empty:
            continue
        st = style_columns(layer_id, gdf, lang)
        handles.append(Patch(facecolor="none", edgecolor="none", label=f"【{get_spec(layer_id).label(lang)}】"))
        types = gdf.geometry.geom_type
        for (color, label), grp in _groups(st, gdf):
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


def _box(text: Text, renderer: RendererBase, pad: float) -> Bbox:
    return text.get_window_extent(renderer).padded(pad)


def place_labels(ax: Axes, items: list[tuple[float, float, str]], renderer: RendererBase, *, fontsize: float, gid: str,
                 obstacles: Sequence[Bbox] = (), pad: float = 1.5) -> tuple[list[Text], list[str]]:
    """Greedy collision-free labels: each item (x, y in data units, text), in the given priority order,
    tries a centred box then one box above/below/right/left of its point; the first box that lies
    inside the map frame and overlaps no earlier label or ``obstacles`` is kept, else the label is
    dropped. Returns (placed texts, dropped names). The axes limits must be final (``apply_aspect``).

    Each label is measured once from the font (no text layout; its box only moves) and tested against
    all boxes taken so far at once; only placed labels become artists (857 province townships: 6 s -> 0.2 s)."""
    frame = ax.get_window_extent(renderer)
    taken = np.full((len(obstacles) + len(items), 4), np.nan)
    for i, o in enumerate(obstacles):
        taken[i] = (o.x0, o.y0, o.x1, o.y1)
    n = len(obstacles)
    placed, dropped = [], []
    prop = FontProperties(size=fontsize)
    centres = ax.transData.transform(np.array([(x, y) for x, y, _ in items], dtype=float).reshape(-1, 2))
    to_data = ax.transData.inverted()
    for (_, _, name), (cx, cy) in zip(items, centres, strict=True):
        w, h, _ = renderer.get_text_width_height_descent(name, prop, ismath=False)
        h *= 1.2  # line height, as a Text box has
        for dx, dy in LABEL_OFFSETS:
            px, py = cx + dx * (w + 2), cy + dy * (h + 1)
            box = (px - w / 2 - pad, py - h / 2 - pad, px + w / 2 + pad, py + h / 2 + pad)
            inside = frame.x0 <= box[0] and box[2] <= frame.x1 and frame.y0 <= box[1] and box[3] <= frame.y1
            t_ = taken[:n]
            if inside and not np.any((t_[:, 0] < box[2]) & (box[0] < t_[:, 2]) & (t_[:, 1] < box[3]) & (box[1] < t_[:, 3])):
                pos = tuple(float(v) for v in to_data.transform((px, py)))
                placed.append(ax.text(*pos, name, ha="center", va="center", fontproperties=prop, color="#222", zorder=12, gid=gid,
                                      clip_on=True, path_effects=[pe.withStroke(linewidth=2.2, foreground="white")]))
                taken[n] = box
                n += 1
                break
        else:
            dropped.append(name)
    return placed, dropped


def _named(gdf: gpd.GeoDataFrame) -> list[tuple[float, float, str]]:
    pts = gdf.geometry.representative_point()
    return [(p.x, p.y, str(n)) for p, n in zip(pts, gdf["name"], strict=True)]


def label_items(frames: Mapping[str, gpd.GeoDataFrame], *, span_m: float) -> dict[str, list[tuple[float, float, str]]]:
    """What gets a name on a static map (metric frames), by the specs' ``name_labels``: every feature
    of an "always" layer (townships; largest first, at its representative point) and, at larger
    scales, the features of a "detail" layer (reservoirs) whose position is known."""
    out: dict[str, list[tuple[float, float, str]]] = {}
    for layer_id in (k for k in SPECS if k in frames and len(frames[k])):
        gdf, how = frames[layer_id], SPECS[layer_id].name_labels
        if how == "always":
            out[layer_id] = _named(gdf.assign(_a=gdf.area).sort_values("_a", ascending=False))
        elif how == "detail" and span_m <= FEATURE_LABEL_SPAN_M:
            out[layer_id] = _named(gdf[position_class(gdf).isin(LABEL_POSITIONS)])
    return out


def draw_labels(ax: Axes, frames: Mapping[str, gpd.GeoDataFrame], renderer: RendererBase, *, fontsize: float = 7.0) -> dict[str, list[str]]:
    """Township names (and named features at large scales) without collisions; the scale bar and
    north arrow are kept free. Returns the names dropped per layer."""
    obstacles = [a.get_window_extent(renderer) for a in (*ax.patches, *ax.texts) if a.get_gid() in ("scalebar", "north")]
    x0, x1 = ax.get_xlim()
    dropped = {}
    for layer_id, items in label_items(frames, span_m=x1 - x0).items():
        size = fontsize if SPECS[layer_id].name_labels == "always" else fontsize - 1
        placed, dropped[layer_id] = place_labels(ax, items, renderer, fontsize=size, gid=f"label:{layer_id}", obstacles=obstacles)
        obstacles += [_box(t, renderer, 1.5) for t in placed]
    return dropped
