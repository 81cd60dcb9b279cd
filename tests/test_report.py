"""The city report and scorecard built in-process (no kernel): determinism, escaping, fonts, PDF/A, annex."""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import htmlcheck
import pagefill
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


def test_pdf_is_pdfa_2a_with_metadata_and_embedded_fonts(built):
    reader = PdfReader(built["pdf"])
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp) and re.search(r"pdfaid:conformance(>|=\")A", xmp)
    assert reader.trailer["/Root"]["/Lang"] == "vi"
    assert reader.metadata.title == "Báo cáo Tình hình thực hiện chuyển đổi số Quý III/2026"
    assert "/OutputIntents" in reader.trailer["/Root"]
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def _structure(reader: PdfReader) -> list[dict]:
    """Every element of the PDF's structure tree (depth first)."""
    found: list[dict] = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        found.append(node)
        kids = node.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and kid.get("/Type") != "/OBJR":
                stack.append(kid)
    return found


def test_pdf_is_tagged_with_headings_tables_and_figures_with_alt_text(built):
    """PDF/A-2a: the structure tree holds the headings, the tables with their header cells, and each chart as a
    Figure with its alternative text (the chart's own, or its caption)."""
    reader = PdfReader(built["pdf"])
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"] in (True, "true")
    elements = _structure(reader)
    kinds = [e.get("/S") for e in elements]
    assert {"/H1", "/H2", "/H3", "/Table", "/TH", "/TD", "/Figure", "/Caption"} <= set(kinds)
    html = built["html"].read_text(encoding="utf-8")
    alts = sorted(str(e["/Alt"]) for e in elements if e.get("/S") == "/Figure")
    # each chart's <title>: its own alternative text, else its caption (render.titled_figures)
    titles = [re.search(r"<svg\b[^>]*>.*?<title>(.*?)</title>", f, re.S) for f in re.findall(r"<figure\b.*?</figure>", html, re.S)]
    assert len(alts) == html.count("<figure") and all(titles) and all(a.strip() for a in alts)
    assert alts == sorted(unescape(t.group(1)) for t in titles)


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler's pdfinfo is not installed")
def test_pdfinfo_reads_the_pdf_as_tagged(built):
    info = subprocess.run(["pdfinfo", str(built["pdf"])], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)


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
    # Two pages, and a third for a unit that leads programme tasks (P-HCH leads NV17, listed with its evidence);
    # one more since a table keeps at least three rows together at a page break (issue 17). The pages before the
    # last are more than half full.
    assert "Nhiệm vụ đơn vị chủ trì" in text and "NV17" in text and "Công văn số" in text
    found = pagefill.pages(a["pdf"]) if pagefill.PDFTOTEXT else []
    assert len(PdfReader(a["pdf"]).pages) <= 4 and pagefill.holes(found) == []
    assert a["pdf"].read_bytes() == b["pdf"].read_bytes()  # tagged (PDF/A-2a) and still byte-stable
    assert {"/H1", "/H2", "/Table"} <= {e.get("/S") for e in _structure(PdfReader(a["pdf"]))}


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


# ---------------------------------------------------------------- navigation in the HTML (issue 17)

def test_toc_and_in_page_links_reach_their_anchors(built):
    html = built["html"].read_text(encoding="utf-8")
    parsed = htmlcheck.parse(html)
    ids = {i for i, _ in parsed.ids}
    anchors = [h[1:] for h in htmlcheck.links(html) if h.startswith("#")]
    assert {"muc-I", "muc-II", "muc-III", "muc-IV", "muc-V", "muc-VI", "muc-VII", "phu-luc"} <= set(anchors)
    assert set(anchors) <= ids
    # the files published with the report are linked, relatively, from its HTML
    hrefs = set(htmlcheck.links(html))
    assert {"report.pdf", "report.docx", "annex.xlsx", "trace.csv", "nguon-so-lieu.html",
            "chat-luong-so-lieu/report.html"} <= hrefs
    for name in ("report.pdf", "report.docx", "annex.xlsx", "trace.csv", "nguon-so-lieu.html"):
        assert (built["html"].parent / name).is_file()


def test_every_id_is_unique_in_the_html_outputs(built):
    for page in (built["html"], built["trace_page"]):
        assert htmlcheck.duplicate_ids(page.read_text(encoding="utf-8"), svg=True) == [], page.name


def test_status_rows_link_to_the_trace_rows_behind_their_figures(built):
    """Each running or expired target's row links to its section of the sources page, which lists exactly the rows
    trace.csv gives for that target: unit, file, sheet, row and revision."""
    import pandas as pd

    html = built["html"].read_text(encoding="utf-8")
    page = built["trace_page"].read_text(encoding="utf-8")
    trace = pd.read_csv(built["html"].parent / "trace.csv")
    targets = [h.split("#nguon-")[1] for h in htmlcheck.links(html) if h.startswith("nguon-so-lieu.html#nguon-")]
    table = pd.read_csv(built["html"].parent / "status.csv")
    shown = set(table[~(table["final"] & table["superseded_by"].notna())]["code"])  # CT19 is told in CT01's row
    assert sorted(set(targets)) == sorted(set(trace["target"]) & shown)
    page_ids = {i for i, _ in htmlcheck.parse(page).ids}
    sections = re.findall(r'<section class="trace-target" id="nguon-([^"]+)">(.*?)</section>', page, re.S)
    assert {f"nguon-{t}" for t in targets} <= page_ids
    for code, body in sections:
        rows = trace[trace["target"] == code]
        assert body.count("<tr>") - 1 == len(rows), code  # one row per trace row, below the header row
        for r in rows.itertuples():
            assert f'<td class="file">{r.file}</td><td>{r.sheet}</td><td class="num">{r.row}</td>' in body
        assert f"Nguồn số liệu: {len(rows)} dòng" in html


def test_unit_names_link_to_their_scorecards_and_links_stay_off_paper(built):
    html = built["html"].read_text(encoding="utf-8")
    cards = [h for h in htmlcheck.links(html) if h.startswith("don-vi/")]
    assert cards and all(re.fullmatch(r"don-vi/[A-Za-z0-9][A-Za-z0-9_-]*/report\.html", h) for h in cards)
    assert '<a class="unit-link" href="don-vi/P-HCH/report.html">Phường Hải Châu</a>' in html
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(built["pdf"]).pages).split())
    assert "Mục lục" not in text and "Tài liệu kèm theo" not in text and "Nguồn số liệu:" not in text
    # no link to a file beside the report in the PDF: WeasyPrint would make it absolute (the build's own folder)
    uris = [str(a.get_object()["/A"].get("/URI")) for page in PdfReader(built["pdf"]).pages
            for a in page.get("/Annots", []) if "/A" in a.get_object()]
    assert not [u for u in uris if u.startswith("file:") or "don-vi" in u]


def test_links_are_built_from_plain_codes_only():
    from dxreport.publish import navigation

    links = navigation.unit_links(["P-HCH", "SKHCN", "../etc", "<b>X</b>", "a b", ""], up="../")
    assert links == {"P-HCH": "../don-vi/P-HCH/report.html", "SKHCN": "../don-vi/SKHCN/report.html"}
    assert navigation.trace_href("CT01") == "nguon-so-lieu.html#nguon-CT01" and navigation.trace_href('x"y') is None


@pytest.mark.skipif(not htmlcheck.CHROMIUM, reason="Chromium is not installed")
def test_no_sideways_scroll_at_390_px_without_a_visible_hint(built):
    for page in (built["html"], built["trace_page"]):
        found = htmlcheck.phone_layout(page, 390)
        assert found["page"] <= 390, page.name  # the page itself never scrolls sideways
        assert found["boxes"], page.name  # the wide tables scroll in their own box…
        assert all("Vuốt ngang để xem thêm" in b["hint"] for b in found["boxes"]), found  # …under a visible hint


@pytest.mark.skipif(not pagefill.PDFTOTEXT, reason="poppler's pdftotext is not installed")
def test_no_page_of_the_report_is_more_than_half_empty(built):
    """Measured from the words' boxes (pdftotext -bbox): every page is at least half full but the last page of the
    body (before the annex) and the last page of all. A page before a chart taller than what is left of it is
    listed apart: a chart cannot be split (the charts' own size is issue 17's other part)."""
    found = pagefill.pages(built["pdf"])
    print(pagefill.table(found))
    assert len(found) >= 10
    assert pagefill.holes(found, charts_exempt=True) == []
    assert len(pagefill.holes(found)) <= 1  # at most the page before the status heat map (Hình 2)


def test_a_chart_without_its_own_title_takes_its_caption():
    html = ('<figure class="x"><svg viewBox="0 0 1 1"><path/></svg><figcaption>Hình 1. A &amp; <i>B</i>, '
            'Quý III/2026</figcaption></figure><figure><svg><title>own</title></svg><figcaption>Hình 2. C</figcaption></figure>')
    out = render.titled_figures(html)
    assert '<svg viewBox="0 0 1 1"><title>Hình 1. A &amp; B, Quý III/2026</title><path/>' in out
    assert out.count("<title>") == 2 and "<title>own</title>" in out
    assert render.titled_figures("<p>no figure</p>") == "<p>no figure</p>"


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
