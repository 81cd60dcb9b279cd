"""The container of an .xlsx file, looked at before and beside any cell reader.

Cheap checks first: size (before opening), empty, an OLE/CFB header (a password-
encrypted workbook or an old .xls renamed), a zip that does not open (truncated
download) or is not a workbook, and the archive's own account of its parts: how
many, and how large once uncompressed (a 200 KB "zip bomb" can hold 3 million
rows). Then a direct look at the sheet XML for what the fast value reader does
not report: sheet names, formula cells, merged cells, error cells (``#DIV/0!``,
which the value reader returns as a blank) and how far the cells reach, both as
the sheet declares it (``<dimension ref>``) and as its cells actually are. The
cell reader allocates the whole range from A1 to the farthest cell, so one cell
at XFD1048576 would abort the process: a sheet reaching beyond :data:`MAX_ROWS`
or :data:`MAX_COLUMNS` is refused here, before any reader touches it. Every part
is read with a bound, whatever its header claims. Reading the XML with regular
expressions keeps this at a few milliseconds a file.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from dxreport.domain import fmt
from dxreport.domain.problems import Problem, problem

MAX_BYTES = 50 * 1024 * 1024  # the file as received
MAX_UNCOMPRESSED = 200 * 1024 * 1024  # all its parts, uncompressed (pictures included)
MAX_PART_BYTES = 20 * 1024 * 1024  # one XML part uncompressed (a form's data sheet is about 30 KB)
MAX_PARTS = 2000
MAX_ROWS = 10_000  # a data sheet lists a unit's indicators: a few dozen rows
MAX_COLUMNS = 100  # column CV; the form has 7
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
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s[^>]*?ref="([^"]*)"')
_RANGE_END = re.compile(r"^\$?([A-Z]{1,3})?\$?(\d+)?$")
# Row and cell start tags, in document order: the reader places a cell without ``r`` after the previous one.
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*)>")
_R_ATTR = re.compile(rb'\sr="\$?([A-Z]*)\$?(\d*)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*?\st="e"[^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>', re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
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
class ErrorCell:
    sheet: str
    column: str
    row: int
    value: str  # as Excel shows it: #DIV/0!, #N/A, #VALUE!…


@dataclass(frozen=True)
class Layout:
    sheets: list[str]
    formulas: list[Formula]
    merges: list[Merge]
    errors: list[ErrorCell] = field(default_factory=list)


class Refused(Exception):
    """The workbook is refused before any reader opens it; ``problem`` says why, for the unit."""

    def __init__(self, found: Problem):
        super().__init__(found.message)
        self.problem = found


def column_letters(number: int) -> str:
    """1 → A, 26 → Z, 27 → AA, 16384 → XFD."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def column_number(letters: str) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


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
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return problem(path, "tệp bị hỏng hoặc chưa được tải về hết (không giải nén được)",
                       hint="tải lại hoặc lưu lại tệp từ máy của đơn vị rồi gửi lại")
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        return problem(path, "tệp nén không phải là sổ làm việc Excel", hint="gửi đúng tệp biểu mẫu .xlsx đã điền")
    return archive_problem(path, infos)


_TOO_BIG_HINT = ("chỉ giữ lại biểu mẫu BaoCao: xóa hình ảnh, trang tính thừa và các dòng, cột thừa ngoài biểu mẫu, "
                 "lưu lại rồi gửi lại; nếu không sửa được, điền lại vào biểu mẫu trống")


def _mb(size: int) -> str:
    return fmt.number(size / 1024 / 1024, 1 if size < 10 * 1024 * 1024 else 0)


def archive_problem(path: Path, infos: list[zipfile.ZipInfo]) -> Problem | None:
    """Caps on the parts the archive declares, read from its directory before anything is uncompressed."""
    if len(infos) > MAX_PARTS:
        return problem(path, f"tệp nén có {fmt.number(len(infos))} phần (giới hạn {fmt.number(MAX_PARTS)}), "
                             "không phải một biểu mẫu bình thường", hint=_TOO_BIG_HINT)
    total = sum(i.file_size for i in infos)
    if total > MAX_UNCOMPRESSED:
        return problem(path, f"tệp giải nén ra {_mb(total)} MB (giới hạn {_mb(MAX_UNCOMPRESSED)} MB)", hint=_TOO_BIG_HINT)
    for i in infos:
        if i.filename.endswith((".xml", ".rels")) and i.file_size > MAX_PART_BYTES:
            return problem(path, f"phần '{i.filename}' của tệp giải nén ra {_mb(i.file_size)} MB "
                                 f"(giới hạn {_mb(MAX_PART_BYTES)} MB): trang tính có quá nhiều ô", hint=_TOO_BIG_HINT)
    return None


def read_part(path: Path, z: zipfile.ZipFile, name: str) -> bytes:
    """One XML part, never more than :data:`MAX_PART_BYTES` whatever the archive's directory claims."""
    with z.open(name) as f:
        data = f.read(MAX_PART_BYTES + 1)
    if len(data) > MAX_PART_BYTES:
        raise Refused(problem(path, f"phần '{name}' của tệp giải nén ra hơn {_mb(MAX_PART_BYTES)} MB "
                                    "(tệp nén khai sai kích thước)", hint=_TOO_BIG_HINT))
    return data


def _range_size(ref: str) -> tuple[int, int] | None:
    """(last row, last column) of a range like ``A1:XFD1048576``; None when it cannot be read."""
    end = ref.split(":")[-1].strip().upper()
    m = _RANGE_END.match(end)
    if not m or not (m[1] or m[2]):
        return None
    return (int(m[2]) if m[2] else 1_048_576, column_number(m[1]) if m[1] else 16_384)


def _extent(data: bytes) -> tuple[int, int, str]:
    """(last row, last column, first cell beyond the caps) of the sheet's cells, placing cells without ``r`` as a reader
    does. Rows without cells allocate nothing and are not counted."""
    last_row = last_col = row = col = 0
    for m in _ROW_OR_CELL.finditer(data):
        tag, attrs = m.groups()
        r = _R_ATTR.search(attrs)
        if tag == b"row":
            row = int(r[2]) if r and r[2] else row + 1
            col = 0
        else:
            if r and r[2]:
                row = int(r[2])
            col = column_number(r[1].decode("ascii")) if r and r[1] else col + 1
            if row > last_row or col > last_col:
                last_row, last_col = max(last_row, row), max(last_col, col)
                if row > MAX_ROWS or col > MAX_COLUMNS:
                    return last_row, last_col, f"{column_letters(col)}{row}"
    return last_row, last_col, ""


def extent_problem(path: Path, sheet: str, data: bytes) -> Problem | None:
    """A sheet that declares, or has, cells beyond :data:`MAX_ROWS` rows or :data:`MAX_COLUMNS` columns."""
    limit = f"giới hạn {fmt.number(MAX_ROWS)} dòng, {MAX_COLUMNS} cột (đến cột {column_letters(MAX_COLUMNS)})"
    m = _DIMENSION.search(data[:4096])
    declared = _range_size(m[1].decode("ascii", "replace")) if m else None
    if declared and (declared[0] > MAX_ROWS or declared[1] > MAX_COLUMNS):
        return problem(path, f"trang tính khai báo vùng dữ liệu {m[1].decode('ascii', 'replace')} "
                             f"({fmt.number(declared[0])} dòng, {fmt.number(declared[1])} cột), vượt {limit}",
                       sheet=sheet, hint=_TOO_BIG_HINT)
    rows, cols, cell_ref = _extent(data)
    if rows > MAX_ROWS or cols > MAX_COLUMNS:
        col_letters = re.match(r"[A-Z]+", cell_ref)[0]
        return problem(path, f"có ô {cell_ref} ở xa ngoài biểu mẫu, vượt {limit}", sheet=sheet,
                       row=int(cell_ref[len(col_letters):]), column=col_letters, hint=_TOO_BIG_HINT)
    return None


def _col(b: bytes) -> str:
    return b.decode("ascii")


def layout(path: Path) -> Layout:
    """Sheet names, formula cells and merged ranges, read straight from the XML parts."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(read_part(path, z, "xl/workbook.xml"))
        rels = ElementTree.fromstring(read_part(path, z, "xl/_rels/workbook.xml.rels"))
        if "xl/sharedStrings.xml" in z.namelist():  # read by the cell reader: bounded here first
            read_part(path, z, "xl/sharedStrings.xml")
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_NS_PKG}Relationship")}
        sheets: list[str] = []
        formulas: list[Formula] = []
        merges: list[Merge] = []
        errors: list[ErrorCell] = []
        for s in book.iter(f"{_NS_MAIN}sheet"):
            name = s.get("name", "")
            sheets.append(name)
            target = targets.get(s.get(f"{_NS_REL}id"), "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            try:
                data = read_part(path, z, part)
            except KeyError:
                continue
            found = extent_problem(path, name, data)
            if found:
                raise Refused(found)
            if b't="e"' in data:
                for attrs, body in _ERROR_CELL.findall(data):
                    if _FORMULA.search(body):
                        continue  # reported as a formula
                    ref = _REF.search(attrs)
                    value = _VALUE.search(body)
                    errors.append(ErrorCell(
                        name, _col(ref.group(1)) if ref else "?", int(ref.group(2)) if ref else 0,
                        value.group(1).decode("utf-8", "replace") if value else "#?",
                    ))
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
    return Layout(sheets, formulas, merges, errors)
