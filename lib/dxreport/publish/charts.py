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

import html
import io
import re
import textwrap
import warnings
from pathlib import Path

import matplotlib
import matplotlib.patches

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from dxreport.compute.status import STATUS_LABELS, STATUS_ORDER  # noqa: E402
from dxreport.domain import fmt  # noqa: E402

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


def to_svg(fig: plt.Figure, key: str = "", alt: str = "", *, close: bool = True, tight: bool = True) -> str:
    """Serialise and close ``fig`` (``close=False``: keep it, e.g. for :func:`to_png`); warnings about missing
    glyphs become errors. ``tight=False`` keeps the figure's own size (one drawing pass instead of two, for a
    figure laid out to fit).

    With ``key`` every element id (and every reference to one) is prefixed ``<key>-``, so that several
    charts inline in one HTML document never share an id (matplotlib names glyphs, clip paths and hatches
    the same in every figure). With ``alt`` the ``<svg>`` is an image named for a screen reader
    (``role="img"``, ``aria-label`` and a ``<title>``).
    """
    buf = io.StringIO()
    with warnings.catch_warnings(), matplotlib.rc_context({"svg.hashsalt": key or "dxreport"}):
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight" if tight else None)
    if close:
        plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]  # drop the XML prolog and doctype so it can sit inline in HTML
    if key:
        svg = prefix_ids(svg, key)
    if alt:
        label = html.escape(alt, quote=True)
        head = svg.index(">") + 1
        svg = svg[:head - 1] + f' role="img" aria-label="{label}">' + f"<title>{label}</title>" + svg[head:]
    return svg


_ID_REFS = re.compile(r'(\bid="|href="#|url\(#)([^"\)]+)')


def prefix_ids(svg: str, key: str) -> str:
    """Every ``id`` of ``svg`` and every reference to it (``href="#…"``, ``url(#…)``) prefixed ``<key>-``."""
    return _ID_REFS.sub(lambda m: f"{m.group(1)}{key}-{m.group(2)}", svg)


def to_png(fig: plt.Figure, dpi: int = 200, *, tight: bool = True) -> bytes:
    """The figure as PNG at print resolution (for the Word file), closed after; no date in its metadata."""
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight" if tight else None)
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
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, fmt.number(v),
                        ha="center", va="center", fontsize=9, color="black",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85})
        left = [a + b for a, b in zip(left, values)]
    ax.invert_yaxis()
    ax.set_xlabel("Số chỉ tiêu")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: fmt.number(v)))
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(ncol=3, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.35 if len(pillars) > 2 else -0.5), frameon=False)
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


HEATMAP_ROWS = 40  # units per heat map: at 0,2 inch a row, one A4 page at print size with 7,5-point text


def status_heatmap(matrix: pd.DataFrame, row_labels: list[str]) -> plt.Figure:
    """Units (rows) × targets (columns) coloured by status, with a letter in each cell for grey print.

    Drawn to fit the A4 text width with the unit names beside it, so its 7,5-point text prints at that size; split a long list
    of units with :func:`heatmap_parts` first.
    """
    from matplotlib.colors import ListedColormap

    keys = list(STATUS_COLOURS)
    codes = matrix.apply(lambda col: col.map(lambda k: keys.index(k) if isinstance(k, str) else float("nan")))
    n_rows, n_cols = matrix.shape
    fig, ax = plt.subplots(figsize=(5.4, 1.0 + 0.2 * n_rows))
    ax.imshow(codes.to_numpy(dtype=float), cmap=ListedColormap([STATUS_COLOURS[k] for k in keys]), vmin=-0.5,
              vmax=len(keys) - 0.5, aspect="auto", interpolation="nearest")
    for i in range(n_rows):
        for j in range(n_cols):
            key = matrix.iat[i, j]
            if isinstance(key, str):
                ax.text(j, i, STATUS_SYMBOLS[key], ha="center", va="center", fontsize=7.5,
                        color="white" if key in DARK_STATUSES else "black")
    ax.set_xticks(range(n_cols), list(matrix.columns), rotation=90, fontsize=7.5)
    ax.set_yticks(range(n_rows), [textwrap.shorten(lab, 38, placeholder="…") for lab in row_labels], fontsize=7.5)
    ax.set_xticks([x - 0.5 for x in range(1, n_cols)], minor=True)
    ax.set_yticks([y - 0.5 for y in range(1, n_rows)], minor=True)
    ax.grid(which="minor", color="white", linewidth=0.8)
    ax.tick_params(which="both", length=0)
    ax.xaxis.tick_top()
    present = {k for k in matrix.stack().unique() if isinstance(k, str)}
    handles = [matplotlib.patches.Patch(facecolor=STATUS_COLOURS[k], edgecolor="black", linewidth=0.4,
                                        label=f"{STATUS_SYMBOLS[k]} – {STATUS_LABELS[k]}") for k in keys if k in present]
    ax.legend(handles=handles, ncol=3, fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.02), frameon=False)
    return fig


def heatmap_parts(kinds: pd.Series, kind_groups: dict[str, tuple[str, ...]], rows: int = HEATMAP_ROWS) -> list[tuple[str, list[str]]]:
    """The units of ``kinds`` (unit code → kind, in report order) split for heat maps that stay legible.

    First by group of kinds (``kind_groups``: label → kinds; e.g. departments, then wards and communes),
    then into parts of at most ``rows`` units of about equal size. Returns ``(label, unit codes)`` per part;
    a group in several parts is labelled ``label (phần k/n)``.
    """
    out = []
    for label, members in kind_groups.items():
        codes = [u for u, k in kinds.items() if k in members]
        if not codes:
            continue
        parts = -(-len(codes) // rows)
        size = -(-len(codes) // parts)
        for k in range(parts):
            chunk = codes[k * size:(k + 1) * size]
            out.append((label if parts == 1 else f"{label} (phần {k + 1}/{parts})", chunk))
    return out
