"""The unit's workbook as LibreOffice prints it, and a filled one printed and read back.

LibreOffice Calc runs headless (``soffice --convert-to pdf``, Debian package
``libreoffice-calc-nogui``, installed by .ci/run) with the project's Liberation
Serif (``data/fonts``) made visible to it, as a LibreOffice install has it: the
metric twin it puts in place of Times New Roman. poppler (``pdfinfo``,
``pdftotext -bbox-layout``, ``pdffonts``, ``pdftoppm``) reads the PDF back. Without
them the tests skip and say which tool is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
import unitbook
from conftest import ROOT
from dxreport import store
from dxreport.domain import fmt
from dxreport.intake.workbook import (
    DATA_SHEET,
    HEADERS,
    META_ROWS,
    PREPARER_ROWS,
    SIGNERS,
    TEMPLATE_VERSION,
    yes_no_word,
)
from openpyxl import load_workbook

TOOLS = ("soffice", "pdfinfo", "pdftotext", "pdffonts", "pdftoppm")
_missing = [t for t in TOOLS if shutil.which(t) is None]
pytestmark = pytest.mark.skipif(
    bool(_missing),
    reason=f"needs {', '.join(_missing)}: apt-get install libreoffice-calc-nogui poppler-utils (.ci/run does it as root)",
)
_X = "{http://www.w3.org/1999/xhtml}"
MM = 72 / 25.4
A4_LANDSCAPE = (841.89, 595.28)


class Office:
    """LibreOffice headless with its own profile and the shipped fonts; ``office(xlsx, out_dir)`` prints to PDF."""

    def __init__(self, env: dict[str, str], profile: str):
        self.env, self.profile = env, profile

    def __call__(self, xlsx: Path, out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        done = self.run("--convert-to", "pdf", "--outdir", str(out_dir), str(xlsx))
        pdf = out_dir / (xlsx.stem + ".pdf")
        assert pdf.exists(), done.stdout + done.stderr
        return pdf

    def run(self, *args: str, profile: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation={profile or self.profile}", *args],
                              capture_output=True, text=True, env=self.env, timeout=180)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Office:
    base = tmp_path_factory.mktemp("office")
    fonts = base / "fonts.conf"
    fonts.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{ROOT / "data" / "fonts"}</dir>
  <cachedir>{base / "fc-cache"}</cachedir>
</fontconfig>
""", encoding="utf-8")
    return Office({**os.environ, "FONTCONFIG_FILE": str(fonts), "HOME": str(base)}, (base / "profile").as_uri())


Word = tuple[str, float, float, float, float]  # text, xMin, yMin, xMax, yMax


@dataclass(frozen=True)
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    words: tuple[Word, ...] = ()


@dataclass
class Page:
    number: int
    width: float
    height: float
    blocks: list[list[Line]]
    words: list[Word]

    @property
    def text(self) -> str:
        """Each block's lines joined: a cell wrapped over lines reads as one text; blocks apart."""
        return " | ".join(" ".join(line.text for line in block) for block in self.blocks)

    def has(self, label: str) -> bool:
        """The label printed whole: in the page's text, or down one column of a block (pdftotext may put a
        wrapped cell's lines, and even its neighbour's words, on lines of their own order). Compared without
        white space: a line may break after a hyphen ('1234/QĐ-' / 'UBND')."""
        want = "".join(label.split())
        if want in "".join(self.text.split()):
            return True
        for block in self.blocks:
            for i, first in enumerate(block):
                below = (w[0] for line in block[i + 1:] for w in line.words if w[1] < first.x1 and w[3] > first.x0)
                if want in "".join("".join([first.text, *below]).split()):
                    return True
        return False

    def line(self, label: str) -> Line:
        for block in self.blocks:
            for line in block:
                if label in line.text:
                    return line
        raise AssertionError(f"'{label}' not printed on page {self.number}")


def read_pdf(pdf: Path) -> list[Page]:
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = []
    for n, page in enumerate(ET.fromstring(xml).iter(_X + "page"), start=1):
        blocks, words = [], []
        for block in page.iter(_X + "block"):
            lines = []
            for line in block.iter(_X + "line"):
                ws = [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax"))) for w in line.iter(_X + "word")]
                words += ws
                lines.append(Line(" ".join(w[0] for w in ws), *(float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")),
                                  tuple(ws)))
            blocks.append(lines)
        pages.append(Page(n, float(page.get("width")), float(page.get("height")), blocks, words))
    return pages


def sheet_pages(pages: list[Page]) -> list[Page]:
    """The pages of the data sheet (the tasks sheet, whose header row repeats on each of its pages, and the help sheet
    print after them)."""
    return [p for p in pages if not p.has("HƯỚNG DẪN ĐIỀN BIỂU") and not p.has("Mã nhiệm vụ")]


_ABOVE = set("\u0300\u0301\u0302\u0303\u0306\u0309")  # grave, acute, circumflex, tilde, breve, hook (not horn, dot below)


def _marked_capital(word: str) -> bool:
    """A capital carrying a mark above it (Á, Ể, Ố, Ủ...): the first thing a short row cuts off."""
    return any(ch.isupper() and _ABOVE & set(unicodedata.normalize("NFD", ch)[1:]) for ch in word)


def unclipped_marks(pdf: Path, page: Page, dpi: int = 200) -> list[tuple[str, int]]:
    """(word, dark pixels) of every word with a marked capital, counting ink in the band its marks occupy.

    The band runs from the font's ascent down 0.2 em (capitals end at 0.66 em, their
    marks reach 0.98 em): a row too short for the text clips exactly this band away.
    """
    from PIL import Image

    png = pdf.with_name(f"{pdf.stem}-marks")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page.number), "-l", str(page.number), "-singlefile", "-gray",
                    "-png", str(pdf), str(png)], check=True)
    img = Image.open(png.with_suffix(".png")).convert("L")
    k = dpi / 72
    out = []
    for text, x0, y0, x1, y1 in page.words:
        if _marked_capital(text):
            em = (y1 - y0) / 1.107  # Liberation Serif: ascent + descent = 1.107 em
            box = (int(x0 * k), int(y0 * k), int(x1 * k) + 1, int((y0 + 0.2 * em) * k) + 1)
            out.append((text, sum(1 for p in img.crop(box).tobytes() if p < 128)))
    return out


def fonts_of(pdf: Path) -> set[str]:
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    return {row.split()[0].split("+", 1)[-1] for row in rows if row.strip()}


def expected_labels(xlsx: Path) -> list[str]:
    """Every text the data sheet shows: title block, headers, each row's code, name, unit and last value, signatures."""
    ws = load_workbook(xlsx)[DATA_SHEET]
    labels = [ws["A1"].value, ws["A2"].value, *META_ROWS, *HEADERS, *SIGNERS, "(Ký, ghi rõ họ tên)",
              "(Ký tên, đóng dấu, ghi rõ họ tên)", *PREPARER_ROWS, TEMPLATE_VERSION]
    kinds = unitbook.KINDS
    for r in range(10, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if code:
            labels += [code, ws.cell(r, 3).value]
            if ws.cell(r, 4).value:
                labels.append(ws.cell(r, 4).value)
            before = ws.cell(r, 6).value
            if before is not None:
                labels.append({"count": fmt.number, "share": fmt.percent}.get(kinds[code], yes_no_word)(before))
    return labels


def _assert_printed_as_signed(pdf: Path, xlsx: Path, place: str, unit: str, name: str) -> Page:
    pages = read_pdf(pdf)
    sheet = sheet_pages(pages)
    assert len(sheet) == 1, f"the data sheet prints on {len(sheet)} pages"
    (page,) = sheet
    assert (round(page.width, 1), round(page.height, 1)) == (841.9, 595.3)  # A4 landscape
    missing = [label for label in expected_labels(xlsx) if not page.has(label)]
    assert not missing, f"not printed whole: {missing}"
    # One page wide: nothing beyond the margins (30 mm left, 15 mm right, less what LibreOffice centres).
    assert min(w[1] for w in page.words) >= 10 * MM and max(w[3] for w in page.words) <= page.width - 10 * MM
    # The signature block: place and date, both signers, and at least 20 mm of paper to sign and stamp.
    assert page.has(f"{place}, ngày …… tháng …… năm ……")
    room = page.line("Họ và tên:").y0 - page.line("(Ký, ghi rõ họ tên)").y1
    assert room >= 20 * MM, f"{room / MM:.0f} mm to sign"
    assert page.line(SIGNERS[1]).x0 > page.width / 2 > page.line(SIGNERS[0]).x1  # head of unit right, preparer left
    # Page header and footer: the unit and the period.
    top = [line.text for block in page.blocks for line in block if line.y1 < 20 * MM]
    assert f"{name} ({unit})" in top and "Quý IV/2026" in top and page.has("Trang 1")
    # Every font is the named Times New Roman's twin: no cell left to LibreOffice's own default.
    assert fonts_of(pdf) <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic", "LiberationSerif-BoldItalic"}
    # No mark clipped off a capital by a row too short for it.
    marks = unclipped_marks(pdf, page)
    assert len(marks) >= 8 and all(ink >= 3 for _, ink in marks), [m for m in marks if m[1] < 3]
    help_page = [p for p in pages if p.has("HƯỚNG DẪN ĐIỀN BIỂU")]
    assert len(help_page) == 1 and help_page[0].has("Không đổi tên trang tính, không thêm hoặc xóa dòng")
    return page


@pytest.mark.parametrize("unit, name, place", [("SNV", "Sở Nội vụ", "Đà Nẵng"), ("P-HCH", "Phường Hải Châu", "Hải Châu")])
def test_template_prints_one_page_with_every_label_whole_and_the_signature_block(office, sample_db, tmp_path, unit, name, place):
    xlsx = unitbook.template(tmp_path / unitbook.PERIOD, unit, sample_db)
    pdf = office(xlsx, tmp_path / "pdf")
    page = _assert_printed_as_signed(pdf, xlsx, place, unit, name)
    assert page.has("Kỳ trước")


def _check(*paths: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib"), "DXREPORT_ROOT": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "dxreport.cli", "check", *map(str, paths)], capture_output=True, text=True,
                          env=env, cwd=ROOT)


def test_filled_workbook_checks_clean_prints_and_is_read_back(office, sample_db, tmp_path):
    """The round trip: template → filled with openpyxl → `dxreport check` exit 0 → printed → the print shows what
    was typed, the jump in orange, the preparer → saved by LibreOffice and checked again, exit 0 → ingested: Có
    stored as 1, the preparer stored."""
    unit = unitbook.WARD
    blank = unitbook.template(tmp_path / "blank" / unitbook.PERIOD, unit, sample_db)
    xlsx = tmp_path / "filled" / unitbook.PERIOD / f"{unit}.xlsx"
    filled = unitbook.fill(blank, xlsx)
    done = _check(xlsx)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 hợp lệ, 0 có vấn đề" in done.stdout

    pdf = office(xlsx, tmp_path / "pdf")
    page = _assert_printed_as_signed(pdf, xlsx, "Hải Châu", unit, "Phường Hải Châu")
    for text in (unitbook.NAME, unitbook.PHONE, "18/12/2026", unitbook.JUMP_NOTE, fmt.number(filled[unitbook.JUMP_CODE])):
        assert page.has(text), text
    assert sum(line.text.count("Có") for block in page.blocks for line in block) >= 4  # two answers, two last answers
    # The jump cell is orange on paper, its neighbour (a 5 % rise) is not.
    jump = fmt.number(filled[unitbook.JUMP_CODE])
    calm = fmt.number(filled["HS_TT"])
    assert _fill_colour(pdf, page, jump)[2] < 200 < _fill_colour(pdf, page, calm)[2]

    # Saved again by LibreOffice (a unit that opens, prints and saves it there): still clean.
    resaved = tmp_path / "resaved" / unitbook.PERIOD
    resaved.mkdir(parents=True)
    office.run("--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(resaved), str(xlsx))
    done = _check(resaved / xlsx.name)
    assert done.returncode == 0, done.stdout + done.stderr

    db = tmp_path / "store.duckdb"
    shutil.copyfile(sample_db, db)
    from dxreport.intake import submissions as intake

    assert intake.ingest([xlsx], db, root=ROOT)["added"] == 1
    got = store.load_preparers(db).query("unit == @unit and period == @unitbook.PERIOD")
    assert got[["name", "phone"]].values.tolist() == [[unitbook.NAME, unitbook.PHONE]]
    stored = store.load_observations(db, [unitbook.PERIOD]).query("unit == @unit").set_index("indicator")["value"]
    assert stored["DAU_MOI"] == 1.0 and stored[unitbook.JUMP_CODE] == filled[unitbook.JUMP_CODE]


def _fill_colour(pdf: Path, page: Page, word: str, dpi: int = 100) -> tuple[int, int, int]:
    """The background colour just left of a printed number (right-aligned in its cell)."""
    from PIL import Image

    png = pdf.with_name(f"{pdf.stem}-colour")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page.number), "-l", str(page.number), "-singlefile", "-png",
                    str(pdf), str(png)], check=True)
    img = Image.open(png.with_suffix(".png")).convert("RGB")
    (x0, y0, x1, y1), = [w[1:] for w in page.words if w[0] == word][:1]
    k = dpi / 72
    return img.getpixel((int((x0 - 6) * k), int((y0 + y1) / 2 * k)))


def test_the_old_layout_printed_badly(office, tmp_path):
    """What the issue saw, so the checks above are known to catch it: a version-1 sample workbook prints on
    several pages, its labels cut, and with fonts LibreOffice chose."""
    from corpus import CLEAN

    pdf = office(CLEAN, tmp_path / "pdf")
    sheet = sheet_pages(read_pdf(pdf))
    assert len(sheet) > 1
    assert not any(p.has("Mã đơn vị") for p in sheet)
    assert not fonts_of(pdf) <= {"LiberationSerif", "LiberationSerif-Bold", "LiberationSerif-Italic"}
    marks = unclipped_marks(pdf, sheet[0])
    assert any(ink < 3 for _, ink in marks)  # the title's marks cut off by its row


def test_a_note_typed_in_libreoffice_grows_its_row(office, sample_db, tmp_path):
    """Rows a unit types in carry no custom height, so LibreOffice fits a long note (typed here by a Basic macro)."""
    xlsx = unitbook.template(tmp_path / unitbook.PERIOD, unitbook.WARD, sample_db)
    note = "Tăng do tiếp nhận thêm thủ tục đất đai từ 01/10/2026 theo Quyết định số 1234/QĐ-UBND của Ủy ban nhân dân"
    profile = tmp_path / "macro-profile"
    basic = profile / "user" / "basic" / "Standard"
    office.run("--terminate_after_init", profile=profile.as_uri())
    assert (basic / "script.xlb").exists(), "LibreOffice made no Basic library in its profile"
    (basic / "Module1.xba").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">
Sub TypeNote(src As String, dst As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden" : args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(src), "_blank", 0, args())
  doc.Sheets.getByName("{DATA_SHEET}").getCellRangeByName("G10").setString("{note}")
  Dim pdf(0) As New com.sun.star.beans.PropertyValue
  pdf(0).Name = "FilterName" : pdf(0).Value = "calc_pdf_Export"
  doc.storeToURL(ConvertToURL(dst), pdf())
  doc.close(True)
End Sub
</script:module>
""", encoding="utf-8")
    out = tmp_path / "typed.pdf"
    office.run(f'macro:///Standard.Module1.TypeNote("{xlsx}","{out}")', profile=profile.as_uri())
    assert out.exists(), "the macro did not print"
    (page,) = sheet_pages(read_pdf(out))
    assert page.has(note)
