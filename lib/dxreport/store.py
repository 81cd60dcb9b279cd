"""The DuckDB store: submissions and their observations, append-only, with revisions.

Nothing here updates or deletes a row. A resubmission of the same unit and
period is a new revision; computations read the ``latest_observations`` view
(every revision stays in ``observation_history``). A file already ingested (same
sha256) is skipped, so ingesting twice adds nothing. Rejected files leave their
problems in the append-only ``problems`` table for the data-quality report.
Who prepared a submission (name and phone under its table, templates from
version 2) is in ``preparers``, one row per submission that gives either.

What the quarterly cycle did (reminders sent, builds, outputs sent) is appended to
``cycle_log``, one row per attempt, so a second call the same day repeats nothing.

Assessment sheets (phiếu tự đánh giá và thẩm định: per framework, unit and
period, each item's self-assessed value, evidence and verified value, with who
verified it) are kept the same way in ``assessments`` and ``assessment_items``:
a new file for the same framework, unit and period is a new revision, computed
figures read ``latest_assessment_items``.

A unit's progress on the programme tasks it leads (the workbook's ``NhiemVu`` sheet) is kept
in ``task_reports``, rows of the submission they came with: a resubmission is a new revision
of them too (``task_report_history`` keeps every one), and ``latest_task_reports`` reads the
latest submission of each unit and period (a latest file without the sheet reports no task).

Tables added after the first stores (``problems``, ``preparers``, ``cycle_log``,
``assessments``, ``task_reports``) are created when a store is next opened for writing; readers
of an older store opened read-only get an empty frame for them.

DuckDB lets one process write a database file at a time, so every connection
takes a lock file beside it (``<db>.lock``, a ``filelock`` reader/writer lock
that works the same on Linux, macOS and Windows: shared to read, exclusive to
write) and waits for its turn instead of failing.

A file that is not a DuckDB database, a damaged one, or a DuckDB database of
something else is a :class:`StoreError` (exit 2) naming the file and what to
do, never a traceback; nothing is written into a database that is not a store.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import duckdb
import pandas as pd

from dxreport.domain.errors import DxError

if TYPE_CHECKING:
    from dxreport.domain.problems import Problem

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = float(os.environ.get("DXREPORT_LOCK_TIMEOUT", "120"))
PROBLEM_COLUMNS = ["file", "sha256", "unit", "period", "sheet", "row", "column", "message", "checked_at"]

SCHEMA = """
CREATE SEQUENCE IF NOT EXISTS submission_ids START 1;
CREATE TABLE IF NOT EXISTS submissions (
    submission_id    INTEGER PRIMARY KEY DEFAULT nextval('submission_ids'),
    file             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL UNIQUE,
    unit             VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    revision         INTEGER NOT NULL,
    submitted_on     DATE,
    received_at      TIMESTAMP NOT NULL,
    template_version VARCHAR NOT NULL,
    UNIQUE (unit, period, revision)
);
CREATE TABLE IF NOT EXISTS observations (
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    unit          VARCHAR NOT NULL,
    indicator     VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    value         DOUBLE,
    note          VARCHAR,
    sheet         VARCHAR NOT NULL,
    "row"         INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS problems (
    file       VARCHAR NOT NULL,
    sha256     VARCHAR NOT NULL,
    unit       VARCHAR,
    period     VARCHAR,
    sheet      VARCHAR,
    "row"      INTEGER,
    "column"   VARCHAR,
    message    VARCHAR NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS preparers (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions (submission_id),
    name          VARCHAR,
    phone         VARCHAR
);
CREATE TABLE IF NOT EXISTS cycle_log (
    day        DATE NOT NULL,
    action     VARCHAR NOT NULL,
    kind       VARCHAR NOT NULL,
    period     VARCHAR,
    unit       VARCHAR,
    status     VARCHAR NOT NULL,
    detail     VARCHAR NOT NULL,
    logged_at  TIMESTAMP NOT NULL
);
CREATE SEQUENCE IF NOT EXISTS assessment_ids START 1;
CREATE TABLE IF NOT EXISTS assessments (
    assessment_id    INTEGER PRIMARY KEY DEFAULT nextval('assessment_ids'),
    file             VARCHAR NOT NULL,
    sha256           VARCHAR NOT NULL UNIQUE,
    framework        VARCHAR NOT NULL,
    unit             VARCHAR NOT NULL,
    period           VARCHAR NOT NULL,
    revision         INTEGER NOT NULL,
    assessor         VARCHAR,
    assessed_on      DATE,
    received_at      TIMESTAMP NOT NULL,
    template_version VARCHAR NOT NULL,
    UNIQUE (framework, unit, period, revision)
);
CREATE TABLE IF NOT EXISTS assessment_items (
    assessment_id  INTEGER NOT NULL REFERENCES assessments (assessment_id),
    item           VARCHAR NOT NULL,
    self_value     DOUBLE,
    evidence       VARCHAR,
    verified_value DOUBLE,
    note           VARCHAR,
    sheet          VARCHAR NOT NULL,
    "row"          INTEGER NOT NULL
);
CREATE OR REPLACE VIEW latest_assessment_items AS
    SELECT a.framework, a.unit, a.period, i.item, i.self_value, i.evidence, i.verified_value, i.note,
           a.assessor, a.assessed_on, a.file, i.sheet, i."row", a.revision, a.sha256, a.received_at
    FROM assessment_items i JOIN assessments a USING (assessment_id)
    JOIN (SELECT framework, unit, period, max(revision) AS revision FROM assessments GROUP BY framework, unit, period) m
      USING (framework, unit, period, revision);
CREATE TABLE IF NOT EXISTS task_reports (
    submission_id INTEGER NOT NULL REFERENCES submissions (submission_id),
    unit          VARCHAR NOT NULL,
    period        VARCHAR NOT NULL,
    task          VARCHAR NOT NULL,
    status        VARCHAR,
    percent       DOUBLE,
    completed_on  DATE,
    evidence      VARCHAR,
    difficulties  VARCHAR,
    proposals     VARCHAR,
    disbursed     DOUBLE,
    sheet         VARCHAR NOT NULL,
    "row"         INTEGER NOT NULL
);
CREATE OR REPLACE VIEW observation_history AS
    SELECT o.unit, o.indicator, o.period, o.value, o.note, s.file, o.sheet, o."row",
           s.revision, s.sha256, s.submitted_on, s.received_at, o.submission_id
    FROM observations o JOIN submissions s USING (submission_id);
CREATE OR REPLACE VIEW latest_submissions AS
    SELECT s.* FROM submissions s
    JOIN (SELECT unit, period, max(revision) AS revision FROM submissions GROUP BY unit, period) m
      USING (unit, period, revision);
CREATE OR REPLACE VIEW task_report_history AS
    SELECT t.unit, t.period, t.task, t.status, t.percent, t.completed_on, t.evidence, t.difficulties, t.proposals,
           t.disbursed, s.file, t.sheet, t."row", s.revision, s.sha256, s.submitted_on, s.received_at, t.submission_id
    FROM task_reports t JOIN submissions s USING (submission_id);
CREATE OR REPLACE VIEW latest_task_reports AS
    SELECT t.unit, t.period, t.task, t.status, t.percent, t.completed_on, t.evidence, t.difficulties, t.proposals,
           t.disbursed, s.file, t.sheet, t."row", s.revision, s.sha256, s.submitted_on, s.received_at, t.submission_id
    FROM task_reports t JOIN latest_submissions s USING (submission_id);
CREATE OR REPLACE VIEW latest_observations AS
    SELECT o.unit, o.indicator, o.period, o.value, o.note, s.file, o.sheet, o."row",
           s.revision, s.sha256, s.submitted_on, s.received_at, o.submission_id
    FROM observations o JOIN latest_submissions s USING (submission_id);
"""


# The columns every store has had; a database without them is not a store.
REQUIRED_COLUMNS = {
    "submissions": {"submission_id", "file", "sha256", "unit", "period", "revision", "submitted_on", "received_at",
                    "template_version"},
    "observations": {"submission_id", "unit", "indicator", "period", "value", "note", "sheet", "row"},
}
# Raised by DuckDB for a file it cannot read as a database, or for damage found while reading it.
_DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException, duckdb.FatalException)
_WHAT_TO_DO = ("Cách xử lý: nếu đã chỉ nhầm tệp, chỉ lại đúng tệp kho (tùy chọn --db, hoặc khóa 'database' của tệp tham số); "
               "nếu kho bị hỏng, khôi phục tệp từ bản sao lưu, hoặc đổi tên tệp này rồi chạy lại 'dxreport ingest' với "
               "các tệp số liệu đã nhận để tạo lại kho (các tệp số liệu gốc không bị thay đổi).")


class StoreBusy(DxError):
    """Another process kept the store locked for longer than the timeout."""


class StoreError(DxError):
    """The store file cannot be used: not a DuckDB database, damaged, or the database of something else."""

    exit_code = 2

    def __init__(self, path: Path | str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"Kho dữ liệu {path}: {reason}. {_WHAT_TO_DO}")


def _reason(error: Exception) -> str:
    """DuckDB's own first line, for the technically minded, after the plain words."""
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return f"tệp không phải là kho DuckDB hoặc đã bị hỏng (DuckDB báo: {first})"


@contextmanager
def locked(path: Path, exclusive: bool, timeout: float | None = None) -> Iterator[None]:
    """Hold ``<db>.lock``: shared for readers, exclusive for the one writer (``filelock``, on every platform)."""
    from filelock import ReadWriteLock, Timeout

    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    lock_path = path.with_name(path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:  # its own instance per hold: threads of one process (a batch's workers) wait for each other too
        lock = ReadWriteLock(lock_path, is_singleton=False)
    except Exception as e:  # noqa: BLE001 - a lock file that is not a lock (overwritten by hand, say)
        raise StoreError(path, f"không dùng được tệp khóa {lock_path.name} ({e}); hãy xóa tệp khóa đó rồi chạy lại") from None
    hold = lock.write_lock if exclusive else lock.read_lock
    try:
        try:
            context = hold(timeout=0, blocking=False)
            context.__enter__()
        except Timeout:
            log.warning("Kho dữ liệu %s đang được tiến trình khác ghi; đang chờ (tối đa %d giây)…", path, timeout)
            try:
                context = hold(timeout=timeout)
                context.__enter__()
            except Timeout:
                raise StoreBusy(f"Kho dữ liệu {path} vẫn bận sau {timeout:.0f} giây chờ (tiến trình khác đang ghi); "
                                "hãy chạy lại lệnh sau ít phút") from None
        try:
            yield
        finally:
            context.__exit__(None, None, None)
    finally:
        lock.close()


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path, read_only: bool) -> None:
    """Refuse a database that is not a store before reading or writing it."""
    rows = con.execute("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'").fetchall()
    tables: dict[str, set[str]] = {}
    for table, column in rows:
        tables.setdefault(table, set()).add(column)
    if not tables and not read_only:
        return  # a new, empty database: it becomes a store
    for table, columns in REQUIRED_COLUMNS.items():
        if table not in tables:
            raise StoreError(path, f"tệp là một cơ sở dữ liệu DuckDB nhưng không phải kho số liệu của dxreport "
                                   f"(không có bảng '{table}')")
        missing = sorted(columns - tables[table])
        if missing:
            raise StoreError(path, f"tệp là một cơ sở dữ liệu DuckDB nhưng không phải kho số liệu của dxreport "
                                   f"(bảng '{table}' thiếu cột {', '.join(missing)})")


@contextmanager
def connect(path: Path | str, read_only: bool = False, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if path.is_dir():
        raise StoreError(path, "đây là một thư mục, không phải tệp kho DuckDB")
    if read_only and not path.exists():
        raise StoreError(path, "không tìm thấy tệp kho (chưa nhận tệp số liệu nào vào kho này)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path, exclusive=not read_only, timeout=timeout):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as e:
            raise StoreError(path, _reason(e)) from None
        try:
            try:
                _check_schema(con, path, read_only)
                if not read_only:
                    con.execute(SCHEMA)
            except _DAMAGE as e:
                raise StoreError(path, _reason(e)) from None
            try:
                yield con
            except _DAMAGE as e:  # damage found while reading: the same message, never a traceback
                raise StoreError(path, _reason(e)) from None
        finally:
            con.close()


def known_sha256(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Digests of every stored file: submissions and assessment sheets."""
    known = {row[0] for row in con.execute("SELECT sha256 FROM submissions").fetchall()}
    if _has_table(con, "assessments"):
        known |= {row[0] for row in con.execute("SELECT sha256 FROM assessments").fetchall()}
    return known


def known_problem_sha256(con: duckdb.DuckDBPyConnection) -> set[str]:
    if not _has_table(con, "problems"):  # a store written before the problems table existed
        return set()
    return {row[0] for row in con.execute("SELECT DISTINCT sha256 FROM problems").fetchall()}


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0])


def add_problems(
    con: duckdb.DuckDBPyConnection,
    *,
    file: str,
    sha256: str,
    unit: str | None,
    period: str | None,
    problems: "list[Problem]",
    checked_at: datetime,
) -> None:
    """Append a rejected file's problems (message includes how to fix it), in one transaction."""
    rows = [
        [file, sha256, unit or None, period or None, p.sheet, p.row, p.column,
         p.message + (f" Cách sửa: {p.hint}" if p.hint else ""), checked_at]
        for p in problems
    ]
    con.execute("BEGIN TRANSACTION")
    try:
        con.executemany(f"INSERT INTO problems VALUES ({', '.join('?' * len(PROBLEM_COLUMNS))})", rows)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def load_problems(source: "duckdb.DuckDBPyConnection | Path | str") -> pd.DataFrame:
    """Problems of rejected files, oldest first: file, sha256, unit, period, sheet, row, column, message, checked_at."""
    sql = ('SELECT file, sha256, unit, period, sheet, "row", "column", message, checked_at '
           'FROM problems ORDER BY checked_at, file, "row" NULLS FIRST')
    if isinstance(source, duckdb.DuckDBPyConnection):
        return _problems_frame(source, sql)
    with connect(source, read_only=True) as con:
        return _problems_frame(con, sql)


def _problems_frame(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    if not _has_table(con, "problems"):  # a store written before the problems table existed
        return pd.DataFrame(columns=PROBLEM_COLUMNS)
    return con.execute(sql).df()


def add_submission(
    con: duckdb.DuckDBPyConnection,
    *,
    file: str,
    sha256: str,
    unit: str,
    period: str,
    submitted_on,
    received_at,
    template_version: str,
    observations: pd.DataFrame,
    preparer_name: str | None = None,
    preparer_phone: str | None = None,
    task_reports: pd.DataFrame | None = None,
) -> int | None:
    """Append one submission, its observations and its task reports in one transaction; ``None`` if already stored.

    ``task_reports``: task, status, percent, completed_on, evidence, difficulties, proposals, disbursed, sheet, row.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        if con.execute("SELECT 1 FROM submissions WHERE sha256 = ?", [sha256]).fetchone():
            con.execute("ROLLBACK")
            return None
        revision = con.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM submissions WHERE unit = ? AND period = ?", [unit, period]
        ).fetchone()[0]
        submission_id = con.execute(
            """INSERT INTO submissions (file, sha256, unit, period, revision, submitted_on, received_at, template_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING submission_id""",
            [file, sha256, unit, period, revision, submitted_on, received_at, template_version],
        ).fetchone()[0]
        frame = observations.assign(submission_id=submission_id, unit=unit, period=period)[
            ["submission_id", "unit", "indicator", "period", "value", "note", "sheet", "row"]
        ]
        con.register("incoming", frame)
        con.execute("INSERT INTO observations SELECT * FROM incoming")
        con.unregister("incoming")
        if preparer_name or preparer_phone:
            con.execute("INSERT INTO preparers VALUES (?, ?, ?)", [submission_id, preparer_name or None, preparer_phone or None])
        if task_reports is not None and len(task_reports):
            tasks = task_reports.assign(submission_id=submission_id, unit=unit, period=period)
            tasks["completed_on"] = pd.to_datetime(tasks["completed_on"]).dt.date
            tasks = tasks.astype({"percent": "float64", "disbursed": "float64"})[TASK_REPORT_TABLE]
            con.register("incoming_tasks", tasks)
            con.execute("INSERT INTO task_reports SELECT * FROM incoming_tasks")
            con.unregister("incoming_tasks")
        con.execute("COMMIT")
        return revision
    except BaseException:
        con.execute("ROLLBACK")
        raise


def add_assessment(
    con: duckdb.DuckDBPyConnection,
    *,
    file: str,
    sha256: str,
    framework: str,
    unit: str,
    period: str,
    assessor: str | None,
    assessed_on,
    received_at,
    template_version: str,
    items: pd.DataFrame,
) -> int | None:
    """Append one assessment sheet and its items in one transaction; ``None`` if already stored.

    ``items``: item, self_value, evidence, verified_value, note, sheet, row.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        if con.execute("SELECT 1 FROM assessments WHERE sha256 = ?", [sha256]).fetchone():
            con.execute("ROLLBACK")
            return None
        revision = con.execute(
            "SELECT coalesce(max(revision), 0) + 1 FROM assessments WHERE framework = ? AND unit = ? AND period = ?",
            [framework, unit, period],
        ).fetchone()[0]
        assessment_id = con.execute(
            """INSERT INTO assessments (file, sha256, framework, unit, period, revision, assessor, assessed_on, received_at,
                                        template_version)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING assessment_id""",
            [file, sha256, framework, unit, period, revision, assessor or None, assessed_on, received_at, template_version],
        ).fetchone()[0]
        frame = items.assign(assessment_id=assessment_id)[
            ["assessment_id", "item", "self_value", "evidence", "verified_value", "note", "sheet", "row"]
        ]
        con.register("incoming_items", frame)
        con.execute("INSERT INTO assessment_items SELECT * FROM incoming_items")
        con.unregister("incoming_items")
        con.execute("COMMIT")
        return revision
    except BaseException:
        con.execute("ROLLBACK")
        raise


ASSESSMENT_COLUMNS = ["framework", "unit", "period", "item", "self_value", "evidence", "verified_value", "note", "assessor",
                      "assessed_on", "file", "sheet", "row", "revision"]


def load_assessments(path: Path | str, periods: list[str] | None = None) -> pd.DataFrame:
    """The latest assessment sheet's items per framework, unit and period (``ASSESSMENT_COLUMNS``).

    A store from before assessments existed gives an empty frame.
    """
    with connect(path, read_only=True) as con:
        if not _has_table(con, "assessments"):
            return pd.DataFrame(columns=ASSESSMENT_COLUMNS)
        sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in ASSESSMENT_COLUMNS)} FROM latest_assessment_items"
        params: list = []
        if periods:
            sql += " WHERE period IN (SELECT unnest(?))"
            params.append(list(periods))
        return con.execute(sql + ' ORDER BY framework, period, unit, "row"', params).df()


def load_observations(path: Path | str, periods: list[str] | None = None) -> pd.DataFrame:
    """Latest-revision observations, optionally for some periods only."""
    with connect(path, read_only=True) as con:
        sql = "SELECT * FROM latest_observations"
        params: list = []
        if periods:
            sql += " WHERE period IN (SELECT unnest(?))"
            params.append(list(periods))
        return con.execute(sql + " ORDER BY period, unit, indicator", params).df()


TASK_REPORT_TABLE = ["submission_id", "unit", "period", "task", "status", "percent", "completed_on", "evidence",
                     "difficulties", "proposals", "disbursed", "sheet", "row"]
TASK_REPORT_COLUMNS = ["unit", "period", "task", "status", "percent", "completed_on", "evidence", "difficulties",
                       "proposals", "disbursed", "file", "sheet", "row", "revision", "submitted_on", "received_at"]


def load_task_reports(path: Path | str, periods: list[str] | None = None, history: bool = False) -> pd.DataFrame:
    """Units' reports on their tasks (``TASK_REPORT_COLUMNS``): the latest submission's per unit and period, or every
    revision with ``history``. A store from before task reports existed gives an empty frame."""
    with connect(path, read_only=True) as con:
        if not _has_table(con, "task_reports"):
            return pd.DataFrame(columns=TASK_REPORT_COLUMNS)
        view = "task_report_history" if history else "latest_task_reports"
        sql = f"SELECT {', '.join(chr(34) + c + chr(34) for c in TASK_REPORT_COLUMNS)} FROM {view}"
        params: list = []
        if periods:
            sql += " WHERE period IN (SELECT unnest(?))"
            params.append(list(periods))
        return con.execute(sql + ' ORDER BY period, unit, task, revision', params).df()


PREPARER_COLUMNS = ["unit", "period", "revision", "name", "phone"]


def load_preparers(path: Path | str) -> pd.DataFrame:
    """Who prepared each unit's latest submission per period, and their phone: unit, period, revision, name, phone.

    A submission that named no one has no row; a store from before the table existed gives an empty frame.
    """
    with connect(path, read_only=True) as con:
        if not _has_table(con, "preparers"):
            return pd.DataFrame(columns=PREPARER_COLUMNS)
        return con.execute(
            "SELECT s.unit, s.period, s.revision, p.name, p.phone FROM latest_submissions s "
            "JOIN preparers p USING (submission_id) ORDER BY s.period, s.unit"
        ).df()


def load_submissions(path: Path | str) -> pd.DataFrame:
    with connect(path, read_only=True) as con:
        return con.execute("SELECT * FROM submissions ORDER BY period, unit, revision").df()


def fingerprint(path: Path | str) -> str:
    """sha256 of what the store holds (every submission and revision), so a report knows when its data changed.

    A file ingested from anywhere — not only the folder a parameters file
    names — changes it, and so makes the reports that read this store stale.
    """
    import hashlib

    path = Path(path)
    if not path.exists():
        return hashlib.sha256(b"").hexdigest()
    with connect(path, read_only=True) as con:
        rows = con.execute("SELECT submission_id, sha256, unit, period, revision FROM submissions ORDER BY submission_id").fetchall()
        if _has_table(con, "assessments"):  # a store without assessment sheets keeps the fingerprint it had
            sheets = con.execute("SELECT assessment_id, sha256, framework, unit, period, revision FROM assessments "
                                 "ORDER BY assessment_id").fetchall()
            if sheets:
                rows = [rows, sheets]
    return hashlib.sha256(repr(rows).encode("utf-8")).hexdigest()


CYCLE_LOG_COLUMNS = ["day", "action", "kind", "period", "unit", "status", "detail", "logged_at"]


def log_cycle(path: Path | str, rows: list[dict]) -> None:
    """Append what the cycle did (``status`` done or failed), one row per action attempted."""
    if not rows:
        return
    frame = pd.DataFrame(rows).reindex(columns=CYCLE_LOG_COLUMNS)
    frame["logged_at"] = frame["logged_at"].fillna(datetime.now().replace(microsecond=0))
    with connect(path) as con:
        con.register("new_rows", frame)
        con.execute("INSERT INTO cycle_log SELECT day, action, kind, period, unit, status, detail, logged_at FROM new_rows")
        con.unregister("new_rows")


def load_cycle_log(path: Path | str) -> pd.DataFrame:
    """Every cycle action recorded, oldest first (empty for a store that has never run a cycle)."""
    with connect(path, read_only=True) as con:
        if not _has_table(con, "cycle_log"):
            return pd.DataFrame(columns=CYCLE_LOG_COLUMNS)
        return con.execute("SELECT * FROM cycle_log ORDER BY logged_at, action").df()
