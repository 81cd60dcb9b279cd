"""The same document as an editable Word file (python-docx), from the same plain-data context as the HTML.

Offices draft, comment and edit in Word before the leader signs, so the report
comes as ``report.docx`` too: A4 with Nghị định 30's margins, the font named
"Times New Roman" (13 pt) so Word uses it, the header block as a borderless
table, page numbers from page 2 as a field, real Word headings (the navigation
pane works), tables whose header row repeats and whose rows do not split,
charts as print-resolution images with their captions, Nơi nhận and the
signature block. Nothing here decides content: every text comes from the
context the templates read, or from the same formatters.

python-docx is used rather than a .docx template (docxtpl) because the report's
tables have a variable shape (groups, audiences, sections present or not) that
is plainer to build in code than to express in Word's template syntax.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Iterable

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dxreport.domain import fmt
from dxreport.publish.annex import stable_xlsx

FONT = "Times New Roman"
SIZE = Pt(13)
TEXT_WIDTH = Mm(210 - 30 - 15)
DRAFT_MARK = "DỰ THẢO"


# ---------------------------------------------------------------- document, styles, page


def _font(element_style, size=SIZE, bold: bool | None = None, italic: bool | None = None) -> None:
    f = element_style.font
    f.name = FONT
    f.size = size
    f.color.rgb = RGBColor(0, 0, 0)
    if bold is not None:
        f.bold = bold
    if italic is not None:
        f.italic = italic
    rpr = element_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):  # a theme font would win over the name
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def new_document(*, draft: bool, sample_mark: str) -> Document:
    """A4, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 13 pt; headings as Word headings."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    styles = doc.styles
    _font(styles["Normal"])
    normal = styles["Normal"].paragraph_format
    normal.space_before, normal.space_after, normal.line_spacing = Pt(3), Pt(3), 1.15
    for level, (size, italic) in enumerate([(13, False), (13, True), (13, True), (13, True)], start=1):
        style = styles[f"Heading {level}"]
        _font(style, Pt(size), bold=level <= 2, italic=italic)
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(8), Pt(4)
        style.paragraph_format.keep_with_next = True
    _font(styles["Caption"], Pt(11), bold=False, italic=True)
    _page_marks(section, draft=draft, sample_mark=sample_mark)
    core = doc.core_properties  # no clock and no machine's user in the file: same inputs, same bytes
    core.author = core.last_modified_by = "dxreport"
    core.revision = 1
    return doc


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE): Word and LibreOffice compute it; the cached text is a placeholder."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._r.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            run._r.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._r.append(el)


def _mark_line(paragraph, left: str, right: str) -> None:
    """DỰ THẢO on the left and the sample mark on the right of a header line (a right tab stop)."""
    stops = paragraph.paragraph_format.tab_stops
    for inherited in (Mm(82.55), Mm(165.1)):  # the Header style's centre and right stops would catch the tab
        stops.add_tab_stop(inherited, WD_TAB_ALIGNMENT.CLEAR)
    stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    if left:
        r = paragraph.add_run(left)
        r.bold = True
        r.font.size = Pt(11)
    if right:
        paragraph.add_run("\t")
        r = paragraph.add_run(right)
        r.bold, r.font.size, r.font.color.rgb = True, Pt(9), RGBColor(0xB0, 0x00, 0x20)


def _page_marks(section, *, draft: bool, sample_mark: str) -> None:
    """Page numbers centred at the top from page 2 (NĐ 30); DỰ THẢO and the sample mark on every page."""
    section.different_first_page_header_footer = True
    first = section.first_page_header.paragraphs[0]
    _mark_line(first, DRAFT_MARK if draft else "", sample_mark)
    other = section.header.paragraphs[0]
    _mark_line(other, DRAFT_MARK if draft else "", sample_mark)
    number = section.header.add_paragraph()
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(number, "PAGE")


# ---------------------------------------------------------------- building blocks


def paragraph(doc, text: str = "", *, bold=False, italic=False, align=None, indent=True, size=None, keep=False):
    p = doc.add_paragraph()
    if text:
        r = p.add_run(text)
        r.bold, r.italic = bold, italic
        if size:
            r.font.size = Pt(size)
    if align == "center":
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif align == "right":
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    else:
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            p.paragraph_format.first_line_indent = Mm(10)
    if keep:
        p.paragraph_format.keep_with_next = True
    return p


def runs(p, parts: list[dict[str, Any]]) -> None:
    """The analyst's text runs; a ``[[…]]`` placeholder stays visible and highlighted for the editor."""
    for part in parts:
        if part["placeholder"]:
            r = p.add_run(f"[[{part['text']}]]")
            highlight = OxmlElement("w:highlight")
            highlight.set(qn("w:val"), "yellow")
            r._r.get_or_add_rPr().append(highlight)
        else:
            p.add_run(part["text"])


def blocks(doc, items: Iterable[dict[str, Any]]) -> None:
    """Blocks from :func:`dxreport.publish.analyst_text.with_marks`."""
    for b in items:
        if b["kind"] == "ul":
            for item in b["items"]:
                p = paragraph(doc)
                p.add_run("- ")
                runs(p, item)
        elif b["kind"] == "h":
            h = doc.add_heading(level=3)
            runs(h, b["runs"])
        else:
            runs(paragraph(doc), b["runs"])


def bullets(doc, lines: Iterable[str]) -> None:
    for line in lines:
        paragraph(doc, f"- {line}")


def _cell_text(cell, text: str, *, bold=False, italic=False, align=None, size=11, muted: str = "") -> None:
    cell.text = ""
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Mm(0)
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(1)
    r = p.add_run(text)
    r.bold, r.italic, r.font.size = bold, italic, Pt(size)
    if muted:
        m = p.add_run("\n" + muted)
        m.italic, m.font.size = True, Pt(size - 1.5)
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}.get(align, WD_ALIGN_PARAGRAPH.LEFT)


def _row_flags(row, *, header: bool) -> None:
    """A header row repeats on every page; no row splits across pages."""
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.append(cant)
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def table(doc, header: list[str], rows: list[list[Any]], widths_mm: list[float], *, numeric: set[int] = frozenset(),
          size: float = 11, shade=None) -> None:
    """A bordered table; ``rows`` cells are text or (text, muted second line); ``shade(row)`` colours the last cell."""
    t = doc.add_table(rows=1, cols=len(header))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for i, text in enumerate(header):
        _cell_text(t.rows[0].cells[i], text, bold=True, align="center", size=size)
        _shade(t.rows[0].cells[i], "EEEEEE")
    _row_flags(t.rows[0], header=True)
    for values in rows:
        cells = t.add_row().cells
        for i, value in enumerate(values):
            text, muted = (value if isinstance(value, tuple) else (value, ""))
            _cell_text(cells[i], "" if text is None else str(text), align="right" if i in numeric else None,
                       size=size, muted=muted)
        _row_flags(t.rows[-1], header=False)
    set_widths(t, widths_mm)
    if shade is not None:
        for values, row in zip(rows, t.rows[1:]):
            colour = shade(values)
            if colour:
                _shade(row.cells[-1], colour)
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


def set_widths(t, widths_mm: list[float]) -> None:
    """Column widths in the grid (LibreOffice reads these) and in every cell (Word reads these)."""
    scale = min(1.0, 165 / sum(widths_mm))
    for i, w in enumerate(widths_mm):
        t.columns[i].width = Mm(w * scale)
        for cell in t.columns[i].cells:
            cell.width = Mm(w * scale)


def _shade(cell, colour: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def layout_table(doc, rows: int, widths_mm: list[float]):
    """A borderless table that only lays out (header block, signature), its columns fixed."""
    t = doc.add_table(rows=rows, cols=len(widths_mm))
    _no_borders(t)
    t.autofit = False
    set_widths(t, widths_mm)
    return t


def _no_borders(t) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    t._tbl.tblPr.append(borders)


def _rule(p, inset_twips: int) -> None:
    """The short rule under the issuing body and the Tiêu ngữ: an empty, tiny, bottom-bordered paragraph, inset both sides."""
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(2)
    p_pr = p._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    border.append(bottom)
    p_pr.append(border)
    indent = OxmlElement("w:ind")
    indent.set(qn("w:left"), str(inset_twips))
    indent.set(qn("w:right"), str(inset_twips))
    p_pr.append(indent)


def header_block(doc, ctx: dict[str, Any], doc_code: str | None) -> None:
    """NĐ 30's header: issuing body | Quốc hiệu, Tiêu ngữ; số/ký hiệu | place and date — a borderless table."""
    city = ctx["city"]
    t = layout_table(doc, 2, [68, 97])
    left, right = t.rows[0].cells
    _cell_text(left, city["issuing_body_parent"].upper(), align="center", size=12)
    p = left.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(city["issuing_body"].upper())
    r.bold, r.font.size = True, Pt(12)
    _rule(left.add_paragraph(), 1000)
    _cell_text(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center", size=12)
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run("Độc lập - Tự do - Hạnh phúc")
    r.bold, r.font.size = True, Pt(13)
    _rule(right.add_paragraph(), 750)
    number, place = t.rows[1].cells
    if doc_code:
        _cell_text(number, f"Số: {ctx['document_number'] or chr(0xA0) * 6}/{doc_code}-{city['issuing_body_short']}",
                   align="center", size=13)
    else:
        number.text = ""
    _cell_text(place, f"{city['place']}, {fmt.date_admin(ctx['report_date'])}", italic=True, align="center",
               size=13 if ctx.get("place_long") else 13.5)  # a place NĐ 30 wants in full: 13 pt, as the HTML


def title(doc, kind: str, text: str) -> None:
    paragraph(doc, kind, bold=True, align="center", size=14)
    paragraph(doc, text, bold=True, align="center", size=14)


def figure(doc, png: bytes | None, caption: str, width_mm: float = 160, alt: str = "") -> None:
    """A chart as an image at print resolution, its caption under it; ``alt``: the picture's description (its alt text)."""
    if not png:
        return
    shape = doc.add_picture(io.BytesIO(png), width=Mm(min(width_mm, 165)))
    if alt:
        shape._inline.docPr.set("descr", alt)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    cap = doc.add_paragraph(caption, style="Caption")
    cap.alignment = WD_ALIGN_PARAGRAPH.CENTER


def signature(doc, ctx: dict[str, Any], recipients: list[str]) -> None:
    """Nơi nhận on the left, the signer on the right, as NĐ 30 lays them out."""
    city = ctx["city"]
    t = layout_table(doc, 1, [80, 85])
    left, right = t.rows[0].cells
    _cell_text(left, "Nơi nhận:", bold=True, italic=True, size=12)
    for i, r in enumerate(recipients):
        p = left.add_paragraph()
        run = p.add_run(f"- {r}{';' if i < len(recipients) - 1 else '.'}")
        run.font.size = Pt(11)
        p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    _cell_text(right, city["signer_title"], bold=True, align="center", size=13)
    for _ in range(4):
        right.add_paragraph()
    p = right.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    r = p.add_run(city.get("signer_name") or "")
    r.bold = True


def page_break(doc) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def save(doc, path: Path) -> Path:
    """Saved with no clock in it (zip entry times, core properties), so two builds give the same bytes."""
    buf = io.BytesIO()
    doc.save(buf)
    Path(path).write_bytes(stable_xlsx(buf.getvalue()))  # the same zip normalisation as the Excel annex
    return Path(path)


STATUS_FILL = {"met": "D7F0DC", "on_track": "DBE9FB", "behind": "FDEFC8", "at_risk": "F9D4D4", "exceeded": "B9E4C3",
               "achieved": "D7F0DC", "missed": "F2B8B8", "no_data": "EEEEEE"}  # the report's CSS colours
