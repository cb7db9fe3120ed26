"""What every reader of the bureaus' files hands on: one table per sheet, layer or folder, with every
cell as the user typed it and every row numbered as the user sees it (Excel row, text line, or the
1-based feature number of a vector file), so any later message can say where to look."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd
from pyproj import CRS


@dataclass
class RawTable:
    """One sheet / layer / KML folder of a user's file, before any interpretation.

    ``frame``: header texts as columns (made unique: ``名称``, ``名称_2``), cells as ``str`` or None
    (never parsed: "001" stays "001"). ``rows``: for each frame row, its number in the user's program.
    ``geometry``: vector files only, in ``crs`` (declared by the file, or None). ``dropped``: rows left
    out on purpose with the reason (合计/小计 rows, empty rows), as (row, reason)."""

    file: str  # the file name as the user knows it (an archive member as "a.zip/b.shp"), never a server path
    sheet: str | None
    frame: pd.DataFrame
    rows: list[int]
    geometry: gpd.GeoSeries | None = None
    crs: CRS | None = None
    encoding: str | None = None
    sha256: str = ""
    header_row: int | None = None  # the row the header was found on (tables), as the user sees it
    dropped: list[tuple[int, str]] = field(default_factory=list)

    def where(self, i: int) -> str:
        """"file, sheet S, row N" for frame row ``i`` (0-based position)."""
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        parts.append(f"row {self.rows[i]}")
        return ", ".join(parts)
