"""The document an office files: sections, the analyst's text, draft and final, and the Word file.

The Word file is read back with python-docx (structure, fonts, page setup, headings,
repeated header rows, the page-number field, DỰ THẢO) and, where LibreOffice is
installed, converted to PDF and read as a person would read it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from dxreport.compute import status
from dxreport.domain.errors import ConfigError
from dxreport.execute import pipeline, run
from dxreport.execute.workspace import open_city
from dxreport.publish import analyst_text

PERIOD = "2026-Q3"
ROOT = Path(__file__).resolve().parents[1]
SOFFICE = shutil.which("soffice")
PDFTOTEXT = shutil.which("pdftotext")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def draft(root, tmp_path_factory):
    """The sample city report without a document number: a draft."""
    base = tmp_path_factory.mktemp("draft")
    ws = open_city("danang", root, root / "data" / "sample" / "danang", base / "store.duckdb")
    tables = pipeline.city_tables(ws, PERIOD, status.Thresholds())
    charts = pipeline.city_charts(ws, tables)
    ranking = pipeline.city_ranking(ws, PERIOD)
    written = pipeline.write_city(ws, tables, charts, period=PERIOD, report_date="2026-10-05", document_number="",
                                  sample_data=True, out=base / "out", ranking=ranking)
    return {"ws": ws, "tables": tables, "charts": charts, "ranking": ranking, "written": written, "base": base}


def _h2(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)]


def test_sections_of_a_real_report_in_order(draft):
    html = draft["written"]["html"].read_text(encoding="utf-8")
    titles = [t for t in _h2(html) if t != "PHỤ LỤC"]
    assert titles == [f"{k}. {v.upper()}" for k, v in analyst_text.SECTIONS.items()]
    assert "Thực hiện Kế hoạch số 21/KH-UBND tháng 09/2025 của Ủy ban nhân dân thành phố" in html
    assert "Sở Khoa học và Công nghệ báo cáo tình hình thực hiện chuyển đổi số Quý III/2026 như sau:" in html
    # the analyst's text, not a generated draft, in I, V, VI, VII (the sample's file is complete)
    assert 'class="auto-note"' not in html and "[[" not in html
    assert "Tổ chức 01 cuộc họp giao ban chuyên đề" in html  # I
    assert "Nguyên nhân của các tồn tại, hạn chế nêu trên" in html  # V
    assert "Kiến nghị Bộ Khoa học và Công nghệ" in html  # VII
    assert "(Kèm theo Báo cáo số" in html and "/BC-SKHCN ngày 05 tháng 10 năm 2026 của Sở Khoa học và Công nghệ)" in html


def test_a_draft_says_so_on_every_page(draft):
    from pypdf import PdfReader

    pages = PdfReader(draft["written"]["pdf"]).pages
    assert len(pages) > 5
    assert all("DỰ THẢO" in p.extract_text() for p in pages)


def test_silent_sections_show_generated_drafts_with_placeholders(draft, tmp_path):
    ws = draft["ws"]
    text = tmp_path / "text.md"
    text.write_text("## I. Công tác chỉ đạo, điều hành\n\nĐã họp Ban Chỉ đạo.\n", encoding="utf-8")
    written = pipeline.write_city(ws, draft["tables"], draft["charts"], period=PERIOD, report_date="2026-10-05",
                                  document_number="", sample_data=True, out=tmp_path / "out", text_file=text)
    html = written["html"].read_text(encoding="utf-8")
    assert "Đã họp Ban Chỉ đạo." in html
    assert html.count('class="auto-note"') == 3  # V, VI, VII are drafts from the tables
    assert '<mark class="placeholder">[[Nguyên nhân chung: khách quan, chủ quan]]</mark>' in html
    assert "Đôn đốc Văn phòng Ủy ban nhân dân thành phố" not in html or "CT07" in html
    # a final build with the same text is refused, the sections named
    with pytest.raises(ConfigError) as e:
        pipeline.write_city(ws, draft["tables"], draft["charts"], period=PERIOD, report_date="2026-10-05",
                            document_number="15", sample_data=True, out=tmp_path / "final", text_file=text)
    assert "mục V (Tồn tại, hạn chế và nguyên nhân) còn trống" in str(e.value)
    assert not (tmp_path / "final").exists()


def test_final_run_is_refused_before_any_kernel_while_a_placeholder_remains(tmp_path):
    params = tmp_path / "danang-2026-Q3.yaml"
    params.write_text((ROOT / "params" / "danang-2026-Q3.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = analyst_text.text_file(tmp_path, "danang", PERIOD)
    text.write_text((ROOT / "params" / "danang-2026-Q3.text.md").read_text(encoding="utf-8")
                    .replace("Tổ chức 01 cuộc họp", "[[số cuộc họp]] cuộc họp"), encoding="utf-8")
    with pytest.raises(ConfigError, match="document_number"):
        run.check(params, ROOT, final=True)  # --final without a number
    numbered = params.read_text(encoding="utf-8").replace('document_number: ""', 'document_number: "15"')
    params.write_text(numbered, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        run.check(params, ROOT)
    assert "mục I (Công tác chỉ đạo, điều hành) còn 01 chỗ chưa viết: [[số cuộc họp]]" in str(e.value)
    result = subprocess.run([sys.executable, "-m", "dxreport.cli", "run", str(params), "--no-scorecards"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2, result.stderr
    assert "chưa thể ban hành báo cáo chính thức" in result.stderr and "Traceback" not in result.stderr


def test_word_file_reads_back_as_the_same_document(draft):
    path = draft["written"]["docx"]
    doc = Document(str(path))
    section = doc.sections[0]
    mm = [round(x.mm, 1) for x in (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
                                   section.left_margin, section.right_margin)]
    assert mm == [210, 297, 20, 20, 30, 15]  # A4, NĐ 30 margins
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size == Pt(13)
    fonts = doc.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Times New Roman" and fonts.get(qn("w:asciiTheme")) is None
    html = draft["written"]["html"].read_text(encoding="utf-8")
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [t for t in _h2(html) if t != "PHỤ LỤC"]  # a navigation pane lists the same sections
    assert {p.style.name for p in doc.paragraphs} >= {"Heading 1", "Heading 2", "Heading 3", "Heading 4", "Caption"}
    # the header block is a borderless table holding Quốc hiệu and Tiêu ngữ
    head = doc.tables[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in head.cell(0, 1).text and "Độc lập - Tự do - Hạnh phúc" in head.cell(0, 1).text
    assert "Số:" in head.cell(1, 0).text and "/BC-SKHCN" in head.cell(1, 0).text
    # data tables repeat their header row and keep rows whole
    data = [t for t in doc.tables if t.rows[0].cells[0].text in ("Mã", "Hạng", "Nội dung", "Đơn vị")]
    assert len(data) >= 6
    for t in data:
        tr_pr = t.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
    status_codes = re.findall(r'<td class="code" data-label="Mã">(CT\d+)</td>', html)
    docx_codes = [t.cell(r, 0).text for t in data if t.rows[0].cells[0].text == "Mã" for r in range(1, len(t.rows))]
    assert [c for c in docx_codes if c in status_codes][:len(status_codes)] == status_codes  # same rows, same order
    # page numbers from page 2 as a field; DỰ THẢO on every page's header
    assert section.different_first_page_header_footer
    assert "PAGE" in "".join(el.text or "" for el in section.header._element.iter(qn("w:instrText")))
    assert "DỰ THẢO" in section.header.paragraphs[0].text and "DỰ THẢO" in section.first_page_header.paragraphs[0].text
    assert any(p.text.startswith("Nơi nhận") for t in doc.tables for c in t._cells for p in c.paragraphs)


def _figcaptions(html: str) -> list[str]:
    """The HTML's figure captions as a reader reads them, without the link to the figure's CSV."""
    found = []
    for cap in re.findall(r"<figcaption>(.*?)</figcaption>", html, re.S):
        cap = re.sub(r"<a [^>]*>.*?</a>", "", cap, flags=re.S)
        found.append(" ".join(unescape(re.sub(r"<[^>]+>", "", cap)).split()))
    return found


def test_word_file_carries_the_figures_of_the_html_with_their_numbers_captions_and_alt_text(draft):
    html = draft["written"]["html"].read_text(encoding="utf-8")
    doc = Document(str(draft["written"]["docx"]))
    captions = [" ".join(p.text.split()) for p in doc.paragraphs if p.style.name == "Caption"]
    expected = _figcaptions(html)
    assert len(expected) >= 10  # Hình 1, the paths and bullets of each group, the heat maps, the ranking's
    assert captions == expected
    assert [int(re.match(r"Hình (\d+)\.", c).group(1)) for c in captions] == list(range(1, len(captions) + 1))
    pictures = doc.inline_shapes
    assert len(pictures) == len(captions)
    descr = [s._inline.docPr.get("descr") or "" for s in pictures]
    assert all(descr)
    figures = re.findall(r'<figure class="chart[^"]*"[^>]*>(.*?)</figure>', html, re.S)
    alts = [unescape(re.search(r'<svg[^>]*aria-label="([^"]*)"', f).group(1)) for f in figures]
    assert descr == alts  # each picture says what its SVG says to a screen reader


def test_word_file_is_byte_stable(draft, tmp_path):
    ws = draft["ws"]
    again = pipeline.write_city(ws, draft["tables"], draft["charts"], period=PERIOD, report_date="2026-10-05",
                                document_number="", sample_data=True, out=tmp_path / "again", ranking=draft["ranking"])
    assert again["docx"].read_bytes() == draft["written"]["docx"].read_bytes()


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="LibreOffice (libreoffice-writer-nogui) or poppler-utils is not installed")
def test_libreoffice_opens_the_word_file_and_prints_the_same_sections(draft, tmp_path):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(draft["written"]["docx"])], check=True, capture_output=True, timeout=240)
    text = subprocess.run([PDFTOTEXT, "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")
    assert len(pages) >= 8
    assert all("DỰ THẢO" in p for p in pages)  # the header of every page
    assert all(re.search(rf"^\s*{n}\s*$", p, re.M) for n, p in enumerate(pages, start=1) if n > 1)  # page numbers from 2
    for title in analyst_text.SECTIONS.values():
        assert title.upper() in text
    assert "Bảng tổng hợp các chỉ tiêu" in text and "Nơi nhận" in text and "CT07" in text
