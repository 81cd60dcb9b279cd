"""The container of an .xlsx file, looked at before and beside any cell reader.

Cheap checks first: size (before opening), empty, an OLE/CFB header (a password-
encrypted workbook or an old .xls renamed), a zip that does not open (truncated
download) or is not a workbook. Then a direct look at the sheet XML for what the
fast value reader does not report: sheet names, formula cells and merged cells.
Reading the XML with regular expressions keeps this at a few milliseconds a file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from dxreport.domain import fmt
from dxreport.domain.problems import Problem, problem

MAX_BYTES = 50 * 1024 * 1024
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED = "EncryptionInfo".encode("utf-16-le")

_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_CELL = re.compile(rb"<(?:\w+:)?c(\s[^>]*?)?(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f[^>]*>(.*?)</(?:\w+:)?f>", re.S)
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


@dataclass(frozen=True)
class Formula:
    sheet: str
    column: str
    row: int
    text: str


@dataclass(frozen=True)
class Merge:
    sheet: str
    first_column: str
    first_row: int
    last_column: str
    last_row: int


@dataclass(frozen=True)
class Layout:
    sheets: list[str]
    formulas: list[Formula]
    merges: list[Merge]


def size_problem(path: Path, size: int) -> Problem | None:
    if size == 0:
        return problem(path, "tệp rỗng (0 byte)", hint="lưu lại biểu mẫu đã điền rồi gửi lại")
    if size > MAX_BYTES:
        mb = fmt.number(size / 1024 / 1024)
        return problem(path, f"tệp quá lớn ({mb} MB, giới hạn 50 MB)",
                       hint="chỉ gửi biểu mẫu BaoCao, xóa hình ảnh hoặc trang tính thừa")
    return None


def container_problem(path: Path) -> Problem | None:
    """Why the file is not a readable .xlsx, or ``None``. Reads the size before opening."""
    found = size_problem(path, path.stat().st_size)
    if found:
        return found
    with open(path, "rb") as f:
        head = f.read(8)
        if head == OLE_MAGIC:
            f.seek(0)
            if _ENCRYPTED in f.read(MAX_BYTES):
                return problem(path, "tệp Excel được đặt mật khẩu (mã hóa) nên không đọc được",
                               hint="mở tệp, gỡ mật khẩu (Tệp → Thông tin → Bảo vệ sổ làm việc → Mã hóa bằng mật khẩu, xóa mật khẩu), lưu và gửi lại")
            return problem(path, "tệp là định dạng Excel 97–2003 (.xls) dù có đuôi .xlsx",
                           hint="mở bằng Excel và chọn Lưu thành 'Sổ làm việc Excel (*.xlsx)'")
    if head[:4] != ZIP_MAGIC:
        return problem(path, "nội dung tệp không phải là tệp Excel .xlsx (tệp giả hoặc sai định dạng)",
                       hint="gửi đúng tệp biểu mẫu .xlsx đã điền")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return problem(path, "tệp bị hỏng hoặc chưa được tải về hết (không giải nén được)",
                       hint="tải lại hoặc lưu lại tệp từ máy của đơn vị rồi gửi lại")
    if "xl/workbook.xml" not in names:
        return problem(path, "tệp nén không phải là sổ làm việc Excel", hint="gửi đúng tệp biểu mẫu .xlsx đã điền")
    return None


def _col(b: bytes) -> str:
    return b.decode("ascii")


def layout(path: Path) -> Layout:
    """Sheet names, formula cells and merged ranges, read straight from the XML parts."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
        sheets: list[str] = []
        formulas: list[Formula] = []
        merges: list[Merge] = []
        for s in book.iter(f"{_NS_MAIN}sheet"):
            name = s.get("name", "")
            sheets.append(name)
            target = targets.get(s.get(f"{_NS_REL}id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            try:
                data = z.read(part)
            except KeyError:
                continue
            if _FORMULA.search(data):
                for attrs, body in _CELL.findall(data):
                    if _FORMULA.search(body):
                        ref = _REF.search(attrs or b"")
                        text = _FORMULA_TEXT.search(body)
                        formulas.append(Formula(
                            name, _col(ref.group(1)) if ref else "?", int(ref.group(2)) if ref else 0,
                            text.group(1).decode("utf-8", "replace") if text else "",
                        ))
            for m in _MERGE.finditer(data):
                c1, r1, c2, r2 = m.groups()
                merges.append(Merge(name, _col(c1), int(r1), _col(c2 or c1), int(r2 or r1)))
    return Layout(sheets, formulas, merges)
