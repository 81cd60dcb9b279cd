"""Reading a unit's workbook into observations with provenance (file, sheet, row)."""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from .errors import DataError
from .periods import Period, PeriodError
from .workbook import COL_CODE, COL_NOTE, COL_VALUE, DATA_SHEET, HEADER_ROW, META_FIRST_ROW, META_ROWS, TEMPLATE_VERSION


@dataclass(frozen=True)
class Submission:
    path: Path
    sha256: str
    unit: str
    period: str
    submitted_on: date | None
    template_version: str
    observations: pd.DataFrame  # indicator, value, note, sheet, row


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _text(value) -> str:
    return unicodedata.normalize("NFC", str(value)).strip() if value is not None else ""


def read_submission(path: Path) -> Submission:
    """Parse one workbook; any problem is a :class:`DataError` naming sheet, row and column."""
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many kinds for a broken file
        raise DataError(path, f"không mở được tệp Excel ({type(e).__name__})", hint="gửi lại tệp .xlsx theo biểu mẫu") from None
    try:
        if DATA_SHEET not in wb.sheetnames:
            raise DataError(path, f"không có trang '{DATA_SHEET}'", hint="dùng đúng biểu mẫu, không đổi tên trang")
        ws = wb[DATA_SHEET]
        rows = list(ws.iter_rows(values_only=True))
    finally:
        wb.close()
    meta: dict[str, object] = {}
    for offset, (label, key) in enumerate(META_ROWS.items()):
        r = META_FIRST_ROW + offset
        row = rows[r - 1] if len(rows) >= r else ()
        if not row or _text(row[0]) != label:
            raise DataError(path, f"thiếu thông tin '{label}'", sheet=DATA_SHEET, row=r, column="A")
        meta[key] = row[1] if len(row) > 1 else None
    version = _text(meta["template_version"])
    if version != TEMPLATE_VERSION:
        raise DataError(path, f"phiên bản biểu mẫu '{version}' không được hỗ trợ", sheet=DATA_SHEET,
                        row=META_FIRST_ROW + 4, column="B", hint=f"dùng biểu mẫu {TEMPLATE_VERSION}")
    try:
        period = Period.parse(_text(meta["period"])).id
    except PeriodError as e:
        raise DataError(path, str(e), sheet=DATA_SHEET, row=META_FIRST_ROW + 2, column="B") from None
    submitted = meta["submitted_on"]
    submitted_on = submitted.date() if isinstance(submitted, datetime) else submitted if isinstance(submitted, date) else None
    records = []
    for r, row in enumerate(rows[HEADER_ROW:], start=HEADER_ROW + 1):
        code = _text(row[COL_CODE - 1]) if len(row) >= COL_CODE else ""
        if not code:
            continue
        value = row[COL_VALUE - 1] if len(row) >= COL_VALUE else None
        if isinstance(value, str) and value.strip() == "":
            value = None
        if value is not None and not isinstance(value, (int, float)):
            raise DataError(path, f"giá trị '{value}' của chỉ tiêu {code} không phải là số", sheet=DATA_SHEET, row=r, column="E")
        note = _text(row[COL_NOTE - 1]) if len(row) >= COL_NOTE else ""
        records.append({"indicator": code, "value": None if value is None else float(value), "note": note, "sheet": DATA_SHEET, "row": r})
    return Submission(
        path=path,
        sha256=sha256_of(path),
        unit=_text(meta["unit"]),
        period=period,
        submitted_on=submitted_on,
        template_version=version,
        observations=pd.DataFrame(records, columns=["indicator", "value", "note", "sheet", "row"]),
    )


def ingest(paths: list[Path], db: Path, root: Path | None = None, received_at: datetime | None = None) -> dict[str, int]:
    """Ingest workbooks into the store; returns counts of added and skipped files."""
    from . import store

    counts = {"added": 0, "skipped": 0}
    with store.connect(db) as con:
        known = store.known_sha256(con)
        for path in sorted(paths):
            digest = sha256_of(path)
            if digest in known:
                counts["skipped"] += 1
                continue
            sub = read_submission(path)
            name = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
            revision = store.add_submission(
                con, file=name, sha256=sub.sha256, unit=sub.unit, period=sub.period,
                submitted_on=sub.submitted_on, received_at=received_at or datetime.now(),
                template_version=sub.template_version, observations=sub.observations,
            )
            counts["added" if revision else "skipped"] += 1
            known.add(digest)
    return counts
