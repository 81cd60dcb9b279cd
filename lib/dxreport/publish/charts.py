"""Charts as SVG strings, drawn with matplotlib in the project's own font.

Text is drawn as paths with Liberation Sans 2.x (shipped in ``data/fonts``), so
diacritics look the same in every viewer and in the PDF; a missing glyph raises
instead of leaving a box. The shipped files are registered by file under a family
name of their own, :data:`FONT_FAMILY`, as the PDF's serif is: asked for "Liberation
Sans", matplotlib could pick a system's Liberation Sans 1.x (Debian's
fonts-liberation, which Chromium and LibreOffice bring), which has no Vietnamese
letters, and which file won changed from run to run. Status colours come with hatches so they stay apart
when printed in grey. The SVG is made byte-stable (fixed hash salt, no date).
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import matplotlib.patches

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from dxreport.compute.status import STATUS_LABELS, STATUS_ORDER  # noqa: E402

FONT_FAMILY = "dxreport Sans"  # the shipped Liberation Sans 2.x files, under a name no system font has
STATUS_COLOURS = {
    "met": "#1a7f37",
    "on_track": "#4c9be8",
    "behind": "#e3a008",
    "at_risk": "#c62828",
    "exceeded": "#0b4f1c",
    "achieved": "#1a7f37",
    "missed": "#7f1d1d",
    "no_data": "#bdbdbd",
}
STATUS_HATCHES = {"met": "", "on_track": "//", "behind": "..", "at_risk": "xx", "exceeded": "++", "achieved": "",
                  "missed": "\\\\", "no_data": "--"}
DARK_STATUSES = ("met", "at_risk", "exceeded", "achieved", "missed")  # white text on them

_registered: set[Path] = set()


def use_fonts(fonts_dir: Path) -> None:
    """Register the shipped fonts with matplotlib by file, under :data:`FONT_FAMILY` (once per process)."""
    import dataclasses

    from matplotlib.ft2font import FT2Font

    added = False
    for path in sorted(fonts_dir.glob("LiberationSans-*.ttf")):
        if path not in _registered:
            entry = font_manager.ttfFontProperty(FT2Font(str(path)))
            font_manager.fontManager.ttflist.append(dataclasses.replace(entry, name=FONT_FAMILY))
            _registered.add(path)
            added = True
    if added:
        font_manager.fontManager._findfont_cached.cache_clear()
    matplotlib.rcParams.update({
        "font.family": FONT_FAMILY,
        "svg.fonttype": "path",
        "svg.hashsalt": "dxreport",
        "font.size": 10,
    })


def to_svg(fig: plt.Figure) -> str:
    """Serialise and close ``fig``; warnings about missing glyphs become errors."""
    buf = io.StringIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog and doctype so it can sit inline in HTML


def to_png(fig: plt.Figure, dpi: int = 200) -> bytes:
    """The figure as PNG at print resolution (for the Word file), closed after; no date in its metadata."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def status_by_group(counts: pd.DataFrame, groups: dict[str, str]) -> plt.Figure:
    """Stacked horizontal bars: number of targets per group of the plan (in its order) and status."""
    pillars = [g for g in groups if g in counts.index]
    labels = [groups[g] for g in pillars]
    fig, ax = plt.subplots(figsize=(6.3, 0.6 + 0.55 * len(pillars)))
    left = [0] * len(pillars)
    for status in STATUS_ORDER:
        values = [int(counts.loc[p, status]) if status in counts.columns else 0 for p in pillars]
        if not any(values):
            continue  # only the statuses that occur, so the legend names nothing absent
        bars = ax.barh(labels, values, left=left, color=STATUS_COLOURS[status], hatch=STATUS_HATCHES[status],
                       edgecolor="black", linewidth=0.5, label=STATUS_LABELS[status])
        for bar, v in zip(bars, values):
            if v:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(v),
                        ha="center", va="center", fontsize=9, color="black",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.set_xlabel("Số chỉ tiêu")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(pillars) > 2 else -0.5), frameon=False)
    return fig


LINE_STYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]


def trend_lines(series: list[dict], periods: list[str], period_labels: list[str], title: str = "") -> plt.Figure:
    """Lines of several targets' values (as %) over the last quarters; markers and dashes tell them apart in grey.

    ``series``: ``[{"label": str, "values": [float | None, …]}]`` aligned with ``periods``.
    """
    fig, ax = plt.subplots(figsize=(6.3, 3.0))
    x = list(range(len(periods)))
    for n, s in enumerate(series):
        ys = [None if v is None else v * 100 for v in s["values"]]
        ax.plot(x, [float("nan") if y is None else y for y in ys], LINE_STYLES[n % 4], marker=MARKERS[n % 8],
                color="black" if n % 2 == 0 else "#555555", linewidth=1.2, markersize=4, label=s["label"])
    ax.set_xticks(x, period_labels)
    ax.set_ylabel("%")
    ax.grid(axis="y", linewidth=0.4, color="#cccccc")
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.15), frameon=False)
    return fig


STATUS_SYMBOLS = {"met": "Đ", "on_track": "T", "behind": "C", "at_risk": "N", "exceeded": "V", "achieved": "Đ",
                  "missed": "K", "no_data": "–"}


def heatmap_legend(statuses: list[str]) -> list[dict[str, str]]:
    """The letters of :func:`status_heatmap` with their labels, for the statuses given (one entry per letter)."""
    out: dict[str, list[str]] = {}
    for key in STATUS_ORDER:
        if key in statuses:
            out.setdefault(STATUS_SYMBOLS[key], []).append(STATUS_LABELS[key].lower())
    return [{"symbol": s, "label": " / ".join(labels)} for s, labels in out.items()]


def status_heatmap(matrix: pd.DataFrame, row_labels: list[str]) -> plt.Figure:
    """Units (rows) × targets (columns) coloured by status, with a letter in each cell for grey print."""
    from matplotlib.colors import ListedColormap

    keys = list(STATUS_COLOURS)
    codes = matrix.apply(lambda col: col.map(lambda k: keys.index(k) if isinstance(k, str) else float("nan")))
    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(6.3, 0.9 + 0.22 * n_rows))
    ax.imshow(codes.to_numpy(dtype=float), cmap=ListedColormap([STATUS_COLOURS[k] for k in keys]), vmin=-0.5,
              vmax=len(keys) - 0.5, aspect="auto", interpolation="nearest")
    for i in range(n_rows):
        for j in range(n_cols):
            key = matrix.iat[i, j]
            if isinstance(key, str):
                ax.text(j, i, STATUS_SYMBOLS[key], ha="center", va="center", fontsize=6.5,
                        color="white" if key in DARK_STATUSES else "black")
    ax.set_xticks(range(n_cols), list(matrix.columns), rotation=90, fontsize=7)
    ax.set_yticks(range(n_rows), row_labels, fontsize=7)
    ax.set_xticks([x - 0.5 for x in range(1, n_cols)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n_rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="both", length=0)
    ax.xaxis.tick_top()
    present = {k for k in matrix.stack().unique() if isinstance(k, str)}
    handles = [matplotlib.patches.Patch(facecolor=STATUS_COLOURS[k], edgecolor="black", linewidth=0.4,
                                        label=f"{STATUS_SYMBOLS[k]} – {STATUS_LABELS[k]}") for k in keys if k in present]
    ax.legend(handles=handles, ncol=3, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.02), frameon=False)
    return fig


def ranking_bars(labels: list[str], values: list[float | None], ranks: list[int | None] | None = None,
                 highlight: str | None = None, title: str = "", xlabel: str = "Giá trị chỉ số",
                 width: float = 6.3, scale: float | None = None, decimals: int = 2) -> plt.Figure:
    """Horizontal bars of index values (0..1) in the order given, best first, each with its value and rank.

    With ``scale`` (a framework's maximum points) each bar is labelled with its points to ``decimals``
    and the axis counts points, as a city publishes a points index.

    Bars are grey; the ``highlight`` label is black and hatched, so it stands out in print.
    A unit without a value keeps its line, marked "Chưa có số liệu", instead of a zero bar.
    ``width`` is the plot's width in inches; the unit names are drawn to its left, so a page
    with long names is better served by a narrower plot (less scaling down of the text).
    """
    from dxreport.domain import fmt

    n = len(labels)
    names = [f"{r}. {lab}" if r is not None and not pd.isna(r) else f"–  {lab}"
             for lab, r in zip(labels, ranks or [None] * n)]
    fig, ax = plt.subplots(figsize=(width, 0.5 + 0.28 * n))
    for y, (label, value) in enumerate(zip(labels, values)):
        if value is None or pd.isna(value):
            ax.text(0.005, y, "Chưa có số liệu", va="center", fontsize=7, style="italic", color="#555555")
            continue
        strong = label == highlight
        ax.barh(y, float(value), color="#222222" if strong else "#9e9e9e", hatch="//" if strong else "",
                edgecolor="black", linewidth=0.4, height=0.7)
        shown = fmt.number(float(value) * scale, decimals) if scale else fmt.index(value)
        ax.text(float(value) + 0.01, y, shown, va="center", fontsize=7)
    ax.set_yticks(range(n), names, fontsize=7)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1.12)
    if scale:
        ax.set_xticks([0, 0.2, 0.4, 0.6, 0.8, 1], [fmt.number_auto(t * scale, 1) for t in (0, 0.2, 0.4, 0.6, 0.8, 1)], fontsize=7)
    else:
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], [fmt.number(t, 2) for t in (0, 0.25, 0.5, 0.75, 1)], fontsize=7)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.grid(axis="x", linewidth=0.4, color="#cccccc")
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def radar(axes: list[str], series: list[dict], title: str = "") -> plt.Figure:
    """Main-index values (0..1) of a few units or periods on one spider chart.

    ``axes``: one label per main index (at least 3). ``series``: ``[{"label": str,
    "values": [float | None, …]}]`` aligned with ``axes``; a missing value is
    drawn at 0 and named in the legend. Dashes and markers tell series apart in grey.
    """
    import math

    from dxreport.domain import fmt

    if len(axes) < 3:
        raise ValueError("biểu đồ radar cần ít nhất 3 trục")
    angles = [2 * math.pi * k / len(axes) for k in range(len(axes))]
    fig, ax = plt.subplots(figsize=(4.6, 4.6), subplot_kw={"projection": "polar"})
    ax.set_theta_offset(math.pi / 2)
    ax.set_theta_direction(-1)
    for n, s in enumerate(series):
        raw = list(s["values"])
        gaps = [a for a, v in zip(axes, raw) if v is None or pd.isna(v)]
        ys = [0.0 if v is None or pd.isna(v) else float(v) for v in raw]
        label = s["label"] + (f" (chưa có: {', '.join(gaps)})" if gaps else "")
        ax.plot(angles + angles[:1], ys + ys[:1], LINE_STYLES[n % 4], marker=MARKERS[n % 8], markersize=4,
                color="black" if n % 2 == 0 else "#666666", linewidth=1.2, label=label)
        if n == 0:
            ax.fill(angles + angles[:1], ys + ys[:1], color="#000000", alpha=0.08)
    import textwrap

    ax.set_xticks(angles, [textwrap.fill(a, 16) for a in axes], fontsize=7)
    ax.tick_params(axis="x", pad=10)
    for text, angle in zip(ax.get_xticklabels(), angles):  # labels lean away from the plot on both sides
        side = math.sin(angle)
        text.set_horizontalalignment("left" if side > 0.1 else "right" if side < -0.1 else "center")
    ax.set_ylim(0, 1)
    ticks = [0.25, 0.5, 0.75, 1]
    ax.set_yticks(ticks, [fmt.number(t, 2) for t in ticks], fontsize=6, color="#555555")
    ax.grid(linewidth=0.4, color="#bbbbbb")
    if title:
        ax.set_title(title, fontsize=10, pad=14)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    return fig
