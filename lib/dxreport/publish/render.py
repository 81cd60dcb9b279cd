"""Jinja rendering of plain-data contexts to HTML, and HTML to PDF with WeasyPrint.

Autoescape is on and undefined names are errors, so a unit's text can never
become markup and a missing field never renders as an empty string.
"""

from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from dxreport.domain import fmt
from dxreport.domain.errors import DxError


def environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt.jinja_filters())
    return env


LONG_PLACE = 15  # characters of a place name beyond which the date line is set for length (13 pt, one line)


def document_context(*, city: Any, period: str, report_date: Any, title: str, sample_mark: str,
                     document_number: str = "") -> dict[str, Any]:
    """What every report's header block (NĐ 30/2020) reads: issuing body, number, place and date, title, sample mark.

    A document without a number is a draft: ``draft`` puts "DỰ THẢO" on every page of every format.
    Also what the city's files say about the document around it: how a sentence names the city itself
    (``locality``: thành phố, tỉnh), the recipients (Nơi nhận), and whether the place name is long enough
    (``Thành phố Hồ Chí Minh``, which NĐ 30 wants in full) to need the header's long date line.
    """
    return {
        "draft": not document_number,
        "lang": "vi",
        "city": city.model_dump(mode="json"),
        "locality": city.locality,
        "recipients": city.recipient_lines(),
        "place_long": len(city.place) > LONG_PLACE,
        "period": str(period),
        "period_label": fmt.period_label(period),
        "report_date": str(report_date),
        "document_number": document_number,
        "sample_mark": sample_mark,
        "title": title,
    }


def attachment_line(kind: str, code: str, city: Any, document_number: str, report_date: Any) -> str:
    """NĐ 30's attachment heading: ``Kèm theo Báo cáo số    /BC-SKHCN ngày 05 tháng 10 năm 2026 của Sở Khoa học và Công nghệ``."""
    number = document_number or "\u00a0" * 6
    return (f"Kèm theo {kind} số {number}/{code}-{city.issuing_body_short} {fmt.date_admin(report_date)} "
            f"của {city.issuing_body_name or city.issuing_body}")


def render_html(templates_dir: Path, template: str, context: dict[str, Any]) -> str:
    return titled_figures(environment(templates_dir).get_template(template).render(**context))


_FIGURE = re.compile(r"<figure\b[^>]*>.*?</figure>", re.S)
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_CAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption>", re.S)
_TAG = re.compile(r"<[^>]+>")


def titled_figures(html: str) -> str:
    """Give each inline SVG chart of a ``<figure>`` its caption as ``<title>``, the chart's alternative text.

    A screen reader reads it in the HTML, and WeasyPrint puts it as the ``/Alt`` of the figure in the tagged
    PDF's structure tree. The caption is already escaped markup: its tags are dropped, its entities kept. A
    chart that brings its own title keeps it.
    """
    def one(match: re.Match[str]) -> str:
        figure = match.group(0)
        caption = _CAPTION.search(figure)
        svg = _SVG_OPEN.search(figure)
        if not caption or not svg or "<title" in figure[svg.end():]:
            return figure
        alt = " ".join(_TAG.sub("", caption.group(1)).split())
        return f"{figure[:svg.end()]}<title>{alt}</title>{figure[svg.end():]}" if alt else figure

    return _FIGURE.sub(one, html)


def font_face_css(fonts_dir: Path) -> str:
    """@font-face rules pointing at the shipped Liberation Serif files (for WeasyPrint)."""
    faces = [("Regular", "normal", "normal"), ("Bold", "bold", "normal"), ("Italic", "normal", "italic"), ("BoldItalic", "bold", "italic")]
    rules = []
    for name, weight, style in faces:
        url = (fonts_dir / f"LiberationSerif-{name}.ttf").resolve().as_uri()
        rules.append(
            f'@font-face {{ font-family: "Report Serif"; src: url("{url}"); font-weight: {weight}; font-style: {style}; }}'
        )
    return "\n".join(rules)


PDF_VARIANT = "pdf/a-2a"


def write_pdf(html: str, path: Path, fonts_dir: Path, base_url: Path, title: str) -> None:
    """Render ``html`` to ``path`` with the shipped fonts embedded."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    html = _without_file_links(html)
    try:
        css = CSS(string=font_face_css(fonts_dir), font_config=font_config)
        document = HTML(string=html, base_url=str(base_url)).render(stylesheets=[css], font_config=font_config)
        document.metadata.title = title
        document.metadata.authors = ["dxreport"]
        document.metadata.lang = "vi"
        # PDF/A-2a: an archive format that is also tagged (headings, tables, figures with their alternative text in
        # the structure tree, for screen readers and reflow), with Unicode text; WeasyPrint embeds the fonts and an
        # sRGB output intent. The embedded fonts are
        # subsets saved by fontTools, which stamps the time of saving into each one's 'head' table unless
        # SOURCE_DATE_EPOCH is set: every build's PDF differed in those bytes.
        with _source_date_epoch(FONT_TIMESTAMP):
            document.write_pdf(str(path), pdf_variant=PDF_VARIANT, uncompressed_pdf=False)
    finally:
        # WeasyPrint copies the @font-face fonts into a temporary folder that only its __del__ removes, which a
        # kernel killed at the end of a batch never runs: 1.5 MB left in /tmp per PDF (706 MB found here).
        folder = getattr(font_config, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


_FILE_LINK = re.compile(r'(<a\b[^>]*?)\s+href="(?!#|https?:|mailto:)[^"]*"')


def _without_file_links(html: str) -> str:
    """The HTML's links to files beside it (scorecards, sources page, CSV) left out of the PDF: WeasyPrint would
    resolve them against the folder the PDF is written in (a staging folder: other bytes each build), and on paper
    they lead nowhere. Links within the document (``#…``) and to the web stay."""
    return _FILE_LINK.sub(r"\1", html)


FONT_TIMESTAMP = 946684800  # 2000-01-01T00:00:00Z, as in the annex: no build's clock in its outputs


@contextmanager
def _source_date_epoch(seconds: int) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) while a PDF is written; whatever it was before, after."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(seconds)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


class MissingGlyphError(DxError):
    """The report font lacks a character: fail instead of letting WeasyPrint substitute another font."""


class _Text(HTMLParser):
    """Collects the text a reader sees, skipping <style>, <script> and inline SVG (drawn as paths)."""

    SKIP = {"style", "script", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chars: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.chars.update(data)


def _cmap(font_path: Path) -> frozenset[int]:
    stat = font_path.stat()
    return _cmap_of(font_path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _cmap_of(font_path: Path, mtime_ns: int, size: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(font_path), lazy=True) as font:
        return frozenset(font.getBestCmap())


# Keyed by the font file's identity and immutable, so a warm kernel keeps it from one report to the next.
_cmap_of.survives_reset = True


def check_glyphs(html: str, fonts_dir: Path) -> None:
    """Every visible character of ``html`` (and of the page-margin texts) must be in the report serif."""
    parser = _Text()
    parser.feed(html)
    chars = parser.chars | set("DỮ LIỆU MẪU0123456789")
    for face in ("Regular", "Bold", "Italic", "BoldItalic"):
        cmap = _cmap(fonts_dir / f"LiberationSerif-{face}.ttf")
        missing = sorted(c for c in chars if not c.isspace() and ord(c) not in cmap)
        if missing:
            listed = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:10])
            raise MissingGlyphError(f"Phông chữ Liberation Serif {face} không có ký tự: {listed}. Hãy sửa văn bản nguồn (có thể do gõ sai bảng mã).")
