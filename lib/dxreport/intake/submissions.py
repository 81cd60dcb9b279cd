"""From a unit's file to stored observations: check every problem, then store all or nothing.

``check_file`` reads and validates one .xlsx or .csv and returns its problems
(all of them); ``ingest`` stores the clean files, one transaction each, and
records the problems of the rejected ones. Files already seen (same sha256)
are not read again, so ingesting a folder twice costs only the hashing.

Two kinds of file come in: a unit's quarterly workbook (sheet ``BaoCao``) and an
assessment sheet of the city's index (sheet ``DanhGia``,
:mod:`dxreport.intake.assessment`); a file is checked and stored as what it says
it is.
"""

from __future__ import annotations

import logging
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from dxreport.domain import fmt
from dxreport.domain.config import load_indicators, load_programme
from dxreport.domain.digest import sha256_file
from dxreport.domain.errors import UsageError
from dxreport.domain.problems import Problem, Rejected, problem
from dxreport.domain.units import load_units
from dxreport.intake import assessment, tasksheet, xlsxfile
from dxreport.intake.readers import ReadError, read_csv, read_xlsx
from dxreport.intake.validate import Expected, Parsed, validate
from dxreport.intake.workbook import CITY_PROPERTY, DATA_SHEET, HEADER_ROW, HELP_SHEET

log = logging.getLogger(__name__)
COLUMNS = ["indicator", "value", "note", "sheet", "row"]
ACCEPTED_SUFFIXES = (".xlsx", ".csv")
_SAVE_AS_XLSX = "mở tệp bằng Excel (hoặc LibreOffice Calc) và chọn Lưu thành 'Sổ làm việc Excel (*.xlsx)', rồi gửi lại tệp .xlsx"
# Spreadsheets a unit may send in a format intake does not read, and what to do about each.
REFUSED_SUFFIXES = {
    ".xls": ("tệp Excel 97–2003 (.xls) không được nhận", _SAVE_AS_XLSX),
    ".xlsm": ("sổ làm việc có macro (.xlsm) không được nhận", _SAVE_AS_XLSX + "; biểu mẫu không cần macro"),
    ".xlsb": ("sổ làm việc nhị phân (.xlsb) không được nhận", _SAVE_AS_XLSX),
    ".xltx": ("tệp mẫu Excel (.xltx) không được nhận", _SAVE_AS_XLSX),
    ".ods": ("bảng tính OpenDocument (.ods, LibreOffice/OpenOffice) không được nhận",
             "trong LibreOffice Calc chọn Tệp → Lưu thành, kiểu 'Excel 2007-365 (.xlsx)', rồi gửi lại tệp .xlsx"),
    ".numbers": ("bảng tính Numbers (.numbers) không được nhận", "trong Numbers chọn Tệp → Xuất sang → Excel (.xlsx)"),
}
SPREADSHEET_SUFFIXES = frozenset(ACCEPTED_SUFFIXES) | frozenset(REFUSED_SUFFIXES)


@dataclass(frozen=True)
class Submission:
    path: Path
    sha256: str
    unit: str
    period: str
    submitted_on: date | None
    template_version: str
    observations: pd.DataFrame  # indicator, value, note, sheet, row
    preparer_name: str | None = None  # whom the office calls about this file (templates from version 2)
    preparer_phone: str | None = None
    task_reports: pd.DataFrame | None = None  # the NhiemVu sheet (tasksheet.RECORD_COLUMNS); None without one


@dataclass(frozen=True)
class Checked:
    """One file after checking: its problems, and the submission when there are none."""

    path: Path
    sha256: str
    parsed: Parsed | assessment.Parsed | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def is_assessment(self) -> bool:
        return isinstance(self.parsed, assessment.Parsed)

    def submission(self) -> Submission:
        if self.problems or self.parsed is None:
            raise Rejected(self.problems)
        p = self.parsed
        tasks = pd.DataFrame(p.task_records, columns=tasksheet.RECORD_COLUMNS) if p.task_records is not None else None
        return Submission(self.path, self.sha256, p.unit, p.period, p.submitted_on, p.template_version,
                          pd.DataFrame(p.records, columns=COLUMNS), p.preparer_name, p.preparer_phone, tasks)


@dataclass
class IngestResult:
    added: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    rejected: list[Checked] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "skipped": len(self.skipped), "rejected": len(self.rejected)}

    def __getitem__(self, key: str) -> int:  # the counts dict ingest used to return
        return self.counts[key]


def expected_for(city_dir: Path) -> Expected:
    from dxreport.domain import frameworks

    city_dir = Path(city_dir)
    found = {fw.id: fw for fw in frameworks.for_city_dir(city_dir)}  # for the assessment sheets of the city's index
    programme_tasks = {t.code: t for t in load_programme(city_dir).tasks}
    return Expected(load_units(city_dir), load_indicators(city_dir), found, tasks=programme_tasks)


_SAFE_CITY = re.compile(r"[a-z0-9][a-z0-9_-]*")


def city_dir_named(city: str, root: Path | None = None) -> Path:
    from dxreport.domain import paths as project

    base = Path(root) if root else project.find_root()
    # Looked up among the configured cities, never made into a path from what was typed (--city ../../x).
    cities = project.configured_cities(base)
    if not _SAFE_CITY.fullmatch(city) or city not in cities:
        raise UsageError(f"không có cấu hình cho thành phố '{city}' (hiện có: {', '.join(cities) or 'chưa có'}). "
                         "Mỗi thành phố là một thư mục data/cities/<mã>/ có city.yaml")
    return project.city_dir(base, city)


_STAMP_MAX_BYTES = 64 * 1024
_STAMP = re.compile(r'<property\b[^>]*\bname="' + re.escape(CITY_PROPERTY) + r'"[^>]*>\s*<(?:\w+:)?lpwstr\b[^>]*>([^<]*)</(?:\w+:)?lpwstr>')


def city_stamp(path: Path) -> str | None:
    """The city code a workbook was made for (written by ``dxreport template``/``sample``); None when it has none."""
    if Path(path).suffix.lower() != ".xlsx":
        return None
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("docProps/custom.xml")
            if info.file_size > _STAMP_MAX_BYTES:
                return None
            text = z.read(info).decode("utf-8", errors="replace")
    except (KeyError, OSError, zipfile.BadZipFile, RuntimeError, ValueError):
        return None
    m = _STAMP.search(text)
    return (m.group(1).strip() or None) if m else None


def _listed(counts: dict[str, int]) -> str:
    return ", ".join(f"{code} ({n} tệp)" for code, n in sorted(counts.items()))


def resolve_city(paths: list[Path], root: Path | None, city: str | None = None, given_by: str = "--city") -> Path:
    """The city whose configuration applies to these files: ``city`` if given, else the files' own stamp, else the
    only configured city. Disagreement, or a choice left open among several cities, is a usage error listing them."""
    from dxreport.domain import paths as project

    base = Path(root) if root else project.find_root()
    cities = project.configured_cities(base)
    stamps = {Path(p): s for p in paths if (s := city_stamp(Path(p)))}
    counts: dict[str, int] = {}
    for s in stamps.values():
        counts[s] = counts.get(s, 0) + 1
    if city:
        city_dir = city_dir_named(city, base)
        others = {p: s for p, s in stamps.items() if s != city}
        if others:
            first, other = next(iter(others.items()))
            raise UsageError(f"{len(others)} tệp được lập cho thành phố khác với '{city}' ({given_by}), ví dụ {first} "
                             f"ghi '{other}'. Các thành phố trong các tệp: {_listed(counts)}; chọn --city cho đúng, "
                             "hoặc kiểm tra riêng tệp của từng thành phố")
        return city_dir
    if len(counts) > 1:
        raise UsageError(f"các tệp thuộc nhiều thành phố: {_listed(counts)}; kiểm tra riêng từng thành phố với --city")
    if counts:
        return city_dir_named(next(iter(counts)), base)
    if len(cities) == 1:
        return project.city_dir(base, cities[0])
    if not cities:
        raise UsageError("dự án chưa có thành phố nào trong data/cities; tạo bằng lệnh: dxreport new-city MÃ")
    raise UsageError(f"các tệp không ghi mã thành phố và dự án có {len(cities)} thành phố: {', '.join(cities)}; "
                     "chọn bằng --city")


def stamp_problem(path: Path, city: str) -> Problem | None:
    """A problem when the workbook was made for another city than the one it is checked against."""
    stamp = city_stamp(path)
    if stamp is None or stamp == city:
        return None
    return problem(path, f"tệp được lập theo biểu mẫu của thành phố '{stamp}', không phải '{city}'",
                   hint=f"gửi tệp vào thư mục số liệu của '{stamp}', hoặc dùng biểu mẫu của '{city}'")


def _layout_problems(path: Path, layout: xlsxfile.Layout, data_sheet: str = DATA_SHEET, help_sheet: str = HELP_SHEET) -> list[Problem]:
    out = []
    data_sheets = (data_sheet, tasksheet.SHEET) if data_sheet == DATA_SHEET else (data_sheet,)
    for name in layout.sheets:
        if name not in (*data_sheets, help_sheet):
            out.append(problem(path, f"trang tính '{name}' không thuộc biểu mẫu", sheet=name,
                               hint=f"xóa trang này, hoặc đổi lại tên gốc ({data_sheet}, {help_sheet}); số liệu chỉ ghi ở trang {data_sheet}"))
    for f in layout.formulas:
        if f.sheet in data_sheets:
            shown = f" (={f.text})" if f.text else ""
            out.append(problem(path, f"ô {f.column}{f.row} chứa công thức{shown}", sheet=f.sheet, row=f.row, column=f.column,
                               hint="thay công thức bằng giá trị: sao chép ô rồi Dán đặc biệt → Giá trị"))
    for e in layout.errors:
        if e.sheet in data_sheets:
            out.append(problem(path, f"ô {e.column}{e.row} chứa giá trị lỗi {e.value} của Excel, không phải số liệu",
                               sheet=e.sheet, row=e.row, column=e.column,
                               hint="sửa công thức gốc cho ra đúng giá trị rồi dán lại bằng Dán đặc biệt → Giá trị; "
                                    "nếu chưa có số liệu thì để trống ô"))
    header_rows = {assessment.SHEET: assessment.HEADER_ROW, DATA_SHEET: HEADER_ROW, tasksheet.SHEET: tasksheet.HEADER_ROW}
    for m in layout.merges:
        if m.sheet in data_sheets and m.last_row >= header_rows[m.sheet]:
            out.append(problem(path, f"các ô {m.first_column}{m.first_row}:{m.last_column}{m.last_row} bị gộp trong vùng số liệu",
                               sheet=m.sheet, row=m.first_row, column=m.first_column,
                               hint="bỏ gộp ô (Trang đầu → Gộp và Căn giữa → Hủy gộp ô) và ghi mỗi giá trị vào một ô"))
    return out


def _read_xlsx(path: Path, engine: str) -> tuple[list | None, str | None, list[Problem]]:
    found = xlsxfile.container_problem(path)
    if found:
        return None, None, [found]
    try:
        layout = xlsxfile.layout(path)
    except xlsxfile.Refused as e:  # too large to read safely: refused before any reader allocates it
        return None, None, [e.problem]
    except Exception as e:  # damaged XML inside a readable zip
        return None, None, [problem(path, f"tệp bị hỏng, không đọc được cấu trúc trang tính ({type(e).__name__})",
                                    hint="mở tệp bằng Excel, lưu lại rồi gửi lại")]
    if assessment.SHEET in layout.sheets and DATA_SHEET not in layout.sheets:  # an assessment sheet of the city's index
        problems = _layout_problems(path, layout, assessment.SHEET, assessment.HELP_SHEET)
        try:
            return read_xlsx(path, assessment.SHEET, engine), assessment.SHEET, problems
        except ReadError as e:
            return None, None, [*problems, problem(path, str(e), sheet=assessment.SHEET, hint="mở tệp bằng Excel, lưu lại rồi gửi lại")]
    problems = _layout_problems(path, layout)
    if DATA_SHEET not in layout.sheets:
        names = ", ".join(f"'{n}'" for n in layout.sheets) or "không có trang nào"
        return None, None, [problem(path, f"không có trang '{DATA_SHEET}' (tệp có: {names})",
                                    hint=f"dùng đúng biểu mẫu; nếu đã đổi tên trang số liệu, đổi lại thành {DATA_SHEET}")]
    try:
        grid = read_xlsx(path, DATA_SHEET, engine)
    except ReadError as e:
        return None, None, [*problems, problem(path, str(e), sheet=DATA_SHEET, hint="mở tệp bằng Excel, lưu lại rồi gửi lại")]
    task_grid = None
    if tasksheet.SHEET in layout.sheets:
        try:
            task_grid = read_xlsx(path, tasksheet.SHEET, engine)
        except ReadError as e:
            problems.append(problem(path, str(e), sheet=tasksheet.SHEET, hint="mở tệp bằng Excel, lưu lại rồi gửi lại"))
    return _Grids(grid, task_grid), DATA_SHEET, problems


@dataclass(frozen=True)
class _Grids:
    """A workbook's data sheet and, when it has one, its tasks sheet."""

    data: list
    tasks: list | None


def _read_csv(path: Path) -> tuple[list | None, str | None, list[Problem]]:
    found = xlsxfile.size_problem(path, path.stat().st_size)
    if found:
        return None, None, [found]
    try:
        grid = read_csv(path)
    except ReadError as e:
        return None, None, [problem(path, str(e), hint="trong Excel chọn Lưu thành 'CSV UTF-8 (phân tách bằng dấu phẩy)'")]
    if len(grid) > xlsxfile.MAX_ROWS or any(len(row) > xlsxfile.MAX_COLUMNS for row in grid):
        return None, None, [problem(path, f"tệp có hơn {fmt.number(xlsxfile.MAX_ROWS)} dòng hoặc hơn {xlsxfile.MAX_COLUMNS} cột, "
                                          "không phải biểu mẫu báo cáo", hint="chỉ lưu trang BaoCao của biểu mẫu thành CSV UTF-8")]
    problems = [
        problem(path, f"ô {letters}{r} chứa công thức ({v})", row=r, column=letters, hint="ghi giá trị, không ghi công thức")
        for r, row in enumerate(grid, start=1) for c, v in enumerate(row, start=1)
        if isinstance(v, str) and v.startswith("=") and (letters := xlsxfile.column_letters(c))
    ]
    return grid, None, problems


def _name(path: Path, root: Path | None) -> str:
    """The file as recorded: relative to the project root when inside it."""
    full = path.resolve()
    if root and full.is_relative_to(Path(root).resolve()):
        return str(full.relative_to(Path(root).resolve()))
    return str(path)


def check_file(path: Path, expected: Expected, engine: str = "calamine", sha256: str | None = None) -> Checked:
    """Every problem of one file; never raises for a bad file."""
    path = Path(path)
    digest = sha256 or sha256_file(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        grid, sheet, problems = _read_xlsx(path, engine)
    elif suffix == ".csv":
        grid, sheet, problems = _read_csv(path)
    elif suffix in REFUSED_SUFFIXES:
        what, hint = REFUSED_SUFFIXES[suffix]
        return Checked(path, digest, None, [problem(path, f"{what}; chỉ nhận tệp .xlsx (hoặc .csv)", hint=hint)])
    else:
        return Checked(path, digest, None, [problem(path, f"chỉ nhận tệp .xlsx hoặc .csv, không nhận tệp '{suffix or 'không đuôi'}'",
                                                     hint="gửi biểu mẫu .xlsx đã điền")])
    if grid is None:
        return Checked(path, digest, None, problems)
    if sheet == assessment.SHEET or (suffix == ".csv" and assessment.is_assessment(grid)):
        parsed_sheet = assessment.validate(grid, path, sheet, expected)
        return Checked(path, digest, parsed_sheet, sorted(problems + parsed_sheet.problems, key=_position))
    task_grid = None
    if isinstance(grid, _Grids):
        grid, task_grid = grid.data, grid.tasks
    parsed = validate(grid, path, sheet, expected)
    if task_grid is not None and parsed.unit:
        parsed.task_records, found = tasksheet.validate_tasks(task_grid, str(path), unit=parsed.unit, tasks=expected.tasks,
                                                              submitted_on=parsed.submitted_on)
        parsed.problems.extend(found)
    return Checked(path, digest, parsed, sorted(problems + parsed.problems, key=_position))


def _position(p: Problem) -> tuple:
    """Problems in reading order: the whole file first, then by row and column."""
    return (p.row is not None, p.sheet == tasksheet.SHEET, p.row or 0, p.column or "")


def check_file_safely(path: Path, expected: Expected, engine: str = "calamine", sha256: str | None = None) -> Checked:
    """:func:`check_file`, with any unforeseen failure turned into a problem: a bad file never stops a batch."""
    try:
        return check_file(path, expected, engine, sha256)
    except Exception as e:  # noqa: BLE001 - the user gets a line, never a traceback
        log.debug("check_file failed", exc_info=True)
        return Checked(Path(path), sha256 or "", None, [problem(path, f"không đọc được tệp ({type(e).__name__}: {e})",
                                                                 hint="mở tệp bằng Excel, lưu lại rồi gửi lại")])


def read_submission(path: Path, city_dir: Path | None = None, engine: str = "calamine") -> Submission:
    """One clean submission, or :class:`Rejected` listing every problem."""
    city_dir = city_dir or resolve_city([path], None)
    return check_file(Path(path), expected_for(city_dir), engine).submission()


def ingest(
    paths: list[Path],
    db: Path,
    root: Path | None = None,
    received_at: datetime | None = None,
    *,
    city_dir: Path | None = None,
    engine: str = "calamine",
) -> IngestResult:
    """Store the clean files (one transaction each) and record the problems of the others.

    A rejected file adds nothing to submissions or observations; its problems are
    appended to the ``problems`` table once per distinct file content.
    """
    from dxreport import store

    paths = sorted(Path(p) for p in paths)
    result = IngestResult()
    if not paths:
        return result
    digests: dict[Path, str] = {}
    for p in paths:
        try:
            digests[p] = sha256_file(p)
        except OSError as e:  # unreadable: reported like any other problem, never a traceback
            result.rejected.append(Checked(p, "", None, [problem(p, f"không đọc được tệp ({e.strerror or e})",
                                                                 hint="kiểm tra quyền truy cập tệp rồi chạy lại")]))
    paths = list(digests)
    known: set[str] = set()
    if Path(db).exists():
        with store.connect(db, read_only=True) as con:
            known = store.known_sha256(con)
    todo = [p for p in paths if digests[p] not in known]
    result.skipped.extend(p for p in paths if digests[p] in known)
    if not todo:
        return result  # an unreadable file is reported to the caller but leaves no row: it has no sha256
    city_dir = city_dir or resolve_city(todo, root)
    expected = expected_for(city_dir)
    checked = []
    for p in todo:
        wrong_city = stamp_problem(p, city_dir.name)
        checked.append(Checked(p, digests[p], None, [wrong_city]) if wrong_city else check_file_safely(p, expected, engine, digests[p]))
    with store.connect(db) as con:
        # Stamped under the store's write lock: revisions are numbered under it, so a later revision is never older.
        when = received_at or datetime.now()
        already_reported = store.known_problem_sha256(con)
        for c in checked:
            name = _name(c.path, root)
            if not c.ok:
                result.rejected.append(c)
                if c.sha256 not in already_reported:
                    store.add_problems(con, file=name, sha256=c.sha256, unit=c.parsed.unit if c.parsed else None,
                                       period=c.parsed.period if c.parsed else None, problems=c.problems, checked_at=when)
                    already_reported.add(c.sha256)
                continue
            if c.is_assessment:
                sheet = c.parsed
                assert isinstance(sheet, assessment.Parsed)
                revision = store.add_assessment(
                    con, file=name, sha256=c.sha256, framework=sheet.framework, unit=sheet.unit, period=sheet.period,
                    assessor=sheet.assessor, assessed_on=sheet.assessed_on, received_at=when,
                    template_version=sheet.template_version,
                    items=pd.DataFrame(sheet.records, columns=assessment.ITEM_COLUMNS),
                )
                (result.added if revision else result.skipped).append(c.path)
                continue
            sub = c.submission()
            revision = store.add_submission(
                con, file=name, sha256=sub.sha256, unit=sub.unit, period=sub.period,
                submitted_on=sub.submitted_on, received_at=when,
                template_version=sub.template_version, observations=sub.observations.fillna({"sheet": ""}),
                preparer_name=sub.preparer_name, preparer_phone=sub.preparer_phone, task_reports=sub.task_reports,
            )
            (result.added if revision else result.skipped).append(c.path)
    log.info("Ingest: %s", result.counts)
    return result
