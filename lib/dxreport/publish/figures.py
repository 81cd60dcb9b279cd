"""A chart as a report carries it: its SVG, its alternative text, and the table of the numbers it draws.

Each chart of a report is a :class:`Chart`: the SVG (ids prefixed by its key, so charts never share an id
in one HTML document), the Vietnamese text a screen reader says for it, its caption, and the data it
draws as a DataFrame, written beside the report as ``charts/<key>.csv`` (:func:`write_data`) and linked
from the figure. Templates get :meth:`Chart.context` (plain data), never the DataFrame.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pandas as pd

from dxreport.publish import charts, csv_safe

CHARTS_DIR = "charts"  # beside report.html: charts/<key>.csv


@dataclass
class Chart:
    key: str  # unique in its document: ids of the SVG and the CSV's name
    title: str  # the caption without its number
    alt: str  # what the chart shows, for a screen reader
    data: pd.DataFrame  # the numbers drawn, one row per mark, Vietnamese headers
    draw: Callable[[], plt.Figure] = field(repr=False)
    keep: bool = False  # keep the figure drawn for the SVG for :meth:`png` (drawn once)
    tight: bool = True  # False: the figure is laid out to its size (one drawing pass less)
    dpi: int = 200  # of the PNG
    raster: bool = False  # published as its PNG, in the HTML and the PDF (see :meth:`context`); no SVG drawn
    _svg: str | None = field(default=None, repr=False)
    _figure: plt.Figure | None = field(default=None, repr=False)
    _png: bytes | None = field(default=None, repr=False)
    _width_pt: float | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.raster:
            _ = self.svg  # drawn now, so that a chart that cannot be drawn fails where it is made

    @property
    def svg(self) -> str:
        if self._svg is None:
            fig = self._figure or self.draw()
            self._svg = charts.to_svg(fig, key=self.key, alt=self.alt, close=not self.keep, tight=self.tight)
            self._figure = fig if self.keep else None
        return self._svg

    @property
    def csv(self) -> str:
        return f"{CHARTS_DIR}/{self.key}.csv"

    def png(self) -> bytes:
        """The same chart at print resolution (for the Word file, and as the chart of a ``raster`` one), drawn once."""
        if self._png is None:
            fig, self._figure = self._figure or self.draw(), None
            self._width_pt = fig.get_figwidth() * 72
            self._png = charts.to_png(fig, dpi=self.dpi, tight=self.tight)
        return self._png

    def context(self) -> dict[str, Any]:
        """Plain data for a template: the SVG, or for a ``raster`` chart the PNG's path and printed width.

        A scorecard's chart (a panel per target, much text) is raster: WeasyPrint draws each glyph of an inline
        SVG as a path, and parses it even hidden — 1,6 s of CPU for that chart in a scorecard whose whole rest
        takes 0,5 s, times 200 scorecards.
        """
        out = {"key": self.key, "title": self.title, "alt": self.alt, "csv": self.csv}
        if self.raster:  # inline, as the SVGs are: an image file's name would reach the PDF through the folder it was
            # built in (WeasyPrint names an image by a hash of its URL), other bytes each build
            png = base64.b64encode(self.png()).decode("ascii")
            return {**out, "svg": "", "png": f"data:image/png;base64,{png}",
                    "width_pt": round(self._width_pt, 1) if self.tight is False and self._width_pt else None}
        return {**out, "svg": self.svg}


def contexts(found: dict[str, Any]) -> dict[str, Any]:
    """``found`` (charts, lists or dicts of them, by key) as plain data for a template."""
    def plain(value: Any) -> Any:
        if isinstance(value, Chart):
            return value.context()
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return plain(found)


def flatten(found: Any) -> list[Chart]:
    """Every :class:`Chart` in ``found`` (a chart, or dicts and lists of them), in order."""
    if isinstance(found, Chart):
        return [found]
    if isinstance(found, dict):
        return [c for v in found.values() for c in flatten(v)]
    if isinstance(found, (list, tuple)):
        return [c for v in found for c in flatten(v)]
    return []


def write_data(found: Iterable[Chart] | dict[str, Any], out: Path) -> dict[str, Path]:
    """Each chart's data as UTF-8 CSV in ``out/charts/<key>.csv``; returns the paths by ``chart_<key>``."""
    written = {}
    for chart in flatten(found if isinstance(found, dict) else list(found)):
        path = out / chart.csv
        path.parent.mkdir(parents=True, exist_ok=True)
        csv_safe.frame(chart.data).to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")
        written[f"chart_{chart.key}"] = path
    return written
