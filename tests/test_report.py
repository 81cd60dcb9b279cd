"""The city report and scorecard built in-process (no kernel): determinism, escaping, fonts, PDF/A, annex."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from dxreport.compute import status
from dxreport.execute import pipeline
from dxreport.execute.workspace import open_city
from dxreport.publish import analyst_text, render
from openpyxl import load_workbook
from pypdf import PdfReader

PERIOD = "2026-Q3"
INJECTED = '<script>alert("x")</script> {{ 7*7 }} <img src=x onerror=alert(1)>'


def build(ws, out: Path) -> dict[str, Path]:
    tables = pipeline.city_tables(ws, PERIOD, status.Thresholds())
    charts = pipeline.city_charts(ws, tables)
    return pipeline.write_city(ws, tables, charts, period=PERIOD, report_date="2026-10-05",
                               document_number="<b>12</b>", sample_data=True, out=out)


@pytest.fixture(scope="module")
def workspace(root, tmp_path_factory):
    """The sample submissions, with one unit's note replaced by markup and a template expression."""
    base = tmp_path_factory.mktemp("ws")
    submissions = base / "submissions"
    shutil.copytree(root / "data" / "sample" / "danang", submissions)
    path = submissions / PERIOD / "SKHCN.xlsx"
    wb = load_workbook(path)
    ws = wb["BaoCao"]
    ws.cell(10, 7, INJECTED)  # first data row, column G: "Ghi chú, tài liệu kiểm chứng"
    wb.save(path)
    return open_city("danang", root, submissions, base / "store.duckdb")


@pytest.fixture(scope="module")
def built(workspace, tmp_path_factory):
    return build(workspace, tmp_path_factory.mktemp("out"))


def test_same_inputs_same_html_bytes(workspace, built, tmp_path):
    again = build(workspace, tmp_path)
    assert again["html"].read_bytes() == built["html"].read_bytes()
    assert "<svg" in built["html"].read_text(encoding="utf-8")  # charts included in the comparison


def test_unit_text_and_parameters_are_inert(built):
    html = built["html"].read_text(encoding="utf-8")
    assert "<script" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html and ">49<" not in html
    assert "Số: &lt;b&gt;12&lt;/b&gt;/BC-SKHCN" in html


def test_html_is_self_contained_and_vietnamese(built):
    html = built["html"].read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and 'name="viewport"' in html
    assert not re.search(r'(src|href)\s*=\s*"(https?:)?//', html)
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "@media print" in html and "@media screen and (max-width" in html


def test_pdf_is_pdfa_2b_with_metadata_and_embedded_fonts(built):
    reader = PdfReader(built["pdf"])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert reader.metadata.title == "Báo cáo Tình hình thực hiện chuyển đổi số Quý III/2026"
    assert "/OutputIntents" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_margins_follow_decree_30(built):
    """Body text starts 30 mm from the left edge and ends at least 15 mm from the right (A4, points)."""
    mm = 72 / 25.4
    reader = PdfReader(built["pdf"])
    xs: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            xs.append(cm[4] + tm[4] * cm[0])

    for page in reader.pages:
        assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
        page.extract_text(visitor_text=visit)
    body = [x for x in xs if x > 1]
    assert min(body) >= 30 * mm - 0.5
    assert max(body) <= 595.28 - 15 * mm


def test_excel_annex_has_numbers_not_text(built):
    wb = load_workbook(built["annex"])
    ws = wb["TinhTrangChiTieu"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Mã", "Chỉ tiêu", "Trụ cột"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 19  # every target of the programme, the superseded one included
    actual = header.index("Kết quả")
    assert all(isinstance(r[actual], (int, float)) and not isinstance(r[actual], bool) for r in rows)
    assert ws.cell(2, actual + 1).number_format == "0.0%"


def test_summary_sentences_state_only_table_figures(workspace, built):
    import pandas as pd
    from dxreport.domain import fmt
    from dxreport.publish import narrative

    table = pd.read_csv(built["html"].parent / "status.csv")
    shown = table[~(table["final"] & table["superseded_by"].notna())]  # CT19 is told in CT01's row
    html = built["html"].read_text(encoding="utf-8")
    running, final = shown[~shown["final"]], shown[shown["final"]]
    assert f"{fmt.count(len(shown))} chỉ tiêu chuyển đổi số được theo dõi" in html
    assert f"{fmt.count(len(running))} chỉ tiêu đang thực hiện: " in html
    for key, count in running["status"].value_counts().items():
        assert f"{fmt.count(count)} chỉ tiêu {narrative.IN_SENTENCE[key]}" in html
    missed = int((final["status"] == "missed").sum())
    assert f"{fmt.count(len(final))} chỉ tiêu đã hết hạn" in html and missed == len(final)
    good = int(shown["status"].isin(status.GOOD).sum())
    assert f"{fmt.count(good)}/{fmt.count(len(shown))}" in html


def test_missing_glyph_fails_instead_of_substituting(root):
    fonts = root / "data" / "fonts"
    render.check_glyphs("<p>Ước tính ổn định, ưu tiên, Đặng Thị Hường</p>", fonts)
    with pytest.raises(render.MissingGlyphError) as e:
        render.check_glyphs("<p>Thành phố 漢</p>", fonts)
    assert "U+6F22" in str(e.value)
    # glyphs inside inline SVG are drawn as paths by matplotlib and not checked here
    render.check_glyphs("<svg><text>漢</text></svg><p>ổn</p>", fonts)


def test_analyst_text_is_plain_data_by_section():
    sections = analyst_text.parse(
        "<!-- ghi chú -->\nMở đầu\n\n## I. Công tác chỉ đạo, điều hành\nĐoạn một\ndòng tiếp.\n\n- Việc một\n  tiếp tục\n"
        "- <b>Việc hai</b>\n\n### Mục con\n1. Bước\n\n# VII. Đề xuất, kiến nghị\n- [[đề xuất]]\n")
    assert sections["mo-dau"] == [{"kind": "p", "text": "Mở đầu"}]
    assert sections["I"] == [
        {"kind": "p", "text": "Đoạn một dòng tiếp."},
        {"kind": "ul", "items": ["Việc một tiếp tục", "<b>Việc hai</b>"]},
        {"kind": "h", "text": "Mục con"},
        {"kind": "ul", "items": ["Bước"]},
    ]
    assert analyst_text.placeholders(sections["VII"]) == ["đề xuất"]
    problems = analyst_text.final_problems(sections)
    assert "mục V (Tồn tại, hạn chế và nguyên nhân) còn trống" in problems
    assert any(p.startswith("mục VII (Đề xuất, kiến nghị) còn 01 chỗ chưa viết: [[đề xuất]]") for p in problems)
    marked = analyst_text.with_marks(sections["VII"])[0]["items"][0]
    assert marked == [{"text": "đề xuất", "placeholder": True}]


def test_sample_text_is_complete_for_a_final_report(root):
    path = analyst_text.text_file(root / "params", "danang", "2026-Q3")
    sections = analyst_text.load(path)
    assert analyst_text.final_problems(sections) == []
    analyst_text.check_final(path, sections)  # does not raise


def test_scorecard_builds_and_is_deterministic(workspace, tmp_path):
    table = pipeline.unit_table(workspace, "P-HCH", PERIOD, status.Thresholds())
    a = pipeline.write_scorecard(workspace, "P-HCH", table, "", period=PERIOD, report_date="2026-10-05", sample_data=True, out=tmp_path / "a")
    b = pipeline.write_scorecard(workspace, "P-HCH", table, "", period=PERIOD, report_date="2026-10-05", sample_data=True, out=tmp_path / "b")
    assert a["html"].read_bytes() == b["html"].read_bytes()
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(a["pdf"]).pages).split())
    assert "Phường Hải Châu" in text and "PHIẾU ĐÁNH GIÁ" in text and "Tình hình gửi số liệu" in text
    # Two pages, and a third for a unit that leads programme tasks (P-HCH leads NV17, listed with its evidence).
    assert "Nhiệm vụ đơn vị chủ trì" in text and "NV17" in text and "Công văn số" in text
    assert len(PdfReader(a["pdf"]).pages) <= 3


def test_pdf_leaves_no_weasyprint_font_folder(root, tmp_path, monkeypatch):
    # WeasyPrint copies @font-face fonts into a temporary folder that only its __del__ removes; a kernel killed
    # at the end of a batch never runs it, so write_pdf removes it itself.
    import tempfile

    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    out = tmp_path / "x.pdf"
    render.write_pdf("<p>Báo cáo</p>", out, root / "data" / "fonts", tmp_path, "Thử")
    assert out.stat().st_size > 1000
    assert not list(temp.glob("weasyprint-*")), "WeasyPrint's font folder was left behind"


def test_every_figure_is_named_linked_to_its_data_and_ids_are_unique(built):
    """The inline SVG charts carry no duplicate id; each figure is named for a screen reader and links its CSV."""
    import html as html_
    from collections import Counter
    from html.parser import HTMLParser

    import pandas as pd

    html = built["html"].read_text(encoding="utf-8")
    ids: Counter = Counter()
    figures: list[dict] = []

    class Reader(HTMLParser):
        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if "id" in a:
                ids[a["id"]] += 1
            if tag == "figure":
                figures.append({"svg": None, "csv": None})
            elif tag == "svg" and figures and figures[-1]["svg"] is None:
                figures[-1]["svg"] = a
            elif tag == "a" and "chart-data" in (a.get("class") or "") and figures:
                figures[-1]["csv"] = a["href"]

    Reader().feed(html)
    assert sum(ids.values()) > 1000 and [i for i, n in ids.items() if n > 1] == []
    assert len(figures) >= 10
    for f in figures:
        assert f["svg"]["role"] == "img" and len(f["svg"]["aria-label"]) > 40
        data = pd.read_csv(built["html"].parent / html_.unescape(f["csv"]))
        assert len(data) >= 1
