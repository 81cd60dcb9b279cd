"""How full each page of a PDF is, read back with poppler's ``pdftotext -bbox``.

A page's used height is the distance from the top of the text area (below the top margin, where the page
number and the draft and sample marks sit) to the bottom of its lowest word, as a share of the text area's
height. Charts are drawn as paths, so a figure counts through its caption below it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

MM = 72 / 25.4
TOP = 20 * MM  # report.css: @page margin 20mm 15mm 20mm 30mm
BOTTOM = 20 * MM
PDFTOTEXT = shutil.which("pdftotext")

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@dataclass(frozen=True)
class Page:
    number: int
    used: float  # 0..1 of the text area's height
    first_words: str  # the first words in the text area: where a page starts


def pages(pdf: Path) -> list[Page]:
    xml = subprocess.run([PDFTOTEXT, "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    out = []
    for n, (_, height, body) in enumerate(_PAGE.findall(xml), start=1):
        area = float(height) - TOP - BOTTOM
        words = sorted((float(y0), float(x0), float(y1), w) for x0, y0, _, y1, w in _WORD.findall(body) if float(y0) >= TOP - 1)
        lowest = max((y1 for _, _, y1, _ in words), default=TOP)
        out.append(Page(n, min(max((lowest - TOP) / area, 0.0), 1.0), " ".join(w for *_, w in words[:4])))
    return out


def exempt(found: list[Page], annex_starts: tuple[str, ...] = ("PHỤ LỤC",)) -> set[int]:
    """Pages allowed to be short: the last page, and the page before each annex (which starts a new page)."""
    allowed = {found[-1].number} if found else set()
    for page in found[1:]:
        if page.first_words.startswith(annex_starts):
            allowed.add(page.number - 1)
    return allowed


def before_a_chart(found: list[Page]) -> set[int]:
    """Pages followed by a page that opens with a chart: a chart is drawn, not text, so the first words of such a
    page are the caption under it ("Hình …"). A chart taller than the rest of a page cannot be split."""
    return {p.number - 1 for p in found[1:] if p.first_words.startswith("Hình ")}


def holes(found: list[Page], *, limit: float = 0.5, charts_exempt: bool = False) -> list[Page]:
    """Pages more than ``1 - limit`` empty, but for those :func:`exempt` (and :func:`before_a_chart`) allows."""
    allowed = exempt(found) | (before_a_chart(found) if charts_exempt else set())
    return [p for p in found if p.used < limit and p.number not in allowed]


def table(found: list[Page]) -> str:
    allowed, charts = exempt(found), before_a_chart(found)
    lines = ["| trang | chiều cao đã dùng | |", "|---:|---:|---|"]
    for p in found:
        lines.append(f"| {p.number} | {p.used * 100:.0f} % | {'cuối phần / trước phụ lục' if p.number in allowed else 'trước một hình' if p.number in charts else ''} |")
    return "\n".join(lines)
