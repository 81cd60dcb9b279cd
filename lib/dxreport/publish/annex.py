"""The Excel annex (phụ lục) beside the PDF: the report's tables as real numbers, for analysts.

Values stay numeric (shares as 0..1 with a percent format) so a reader can
recompute; headers are Vietnamese; one sheet per table.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from dxreport.domain import fmt

STATUS_COLUMNS = [
    ("code", "Mã", None), ("name", "Chỉ tiêu", None), ("pillar", "Trụ cột", None), ("unit_of_measure", "Đơn vị tính", None),
    ("baseline", "Giá trị cơ sở", "share"), ("baseline_date", "Ngày cơ sở", "date"), ("target", "Mục tiêu", "share"),
    ("deadline", "Hạn", "date"), ("actual", "Kết quả", "share"), ("previous", "Quý trước", "share"),
    ("change", "Thay đổi", "share"), ("expected", "Kỳ vọng", "share"), ("progress", "Tiến độ đạt được", "pct"),
    ("expected_progress", "Tiến độ kỳ vọng", "pct"), ("status_label", "Tình trạng", None),
    ("projected", "Dự báo đến hạn", "share"), ("units", "Số đơn vị có số liệu", "int"), ("responsible", "Cơ quan chủ trì", None),
    ("source", "Căn cứ", None),
]


def _write_sheet(ws, frame: pd.DataFrame, columns: list[tuple[str, str, str | None]], share_rows=None) -> None:
    for c, (_, title, _) in enumerate(columns, start=1):
        cell = ws.cell(1, c, title)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(frame.to_dict("records"), start=2):
        percent_row = share_rows(row) if share_rows else True
        for c, (key, _, kind) in enumerate(columns, start=1):
            value = row.get(key)
            if value is not None and not isinstance(value, str) and pd.isna(value):
                value = None
            cell = ws.cell(r, c, value)
            if kind == "share" and percent_row:
                cell.number_format = "0.0%"
            elif kind == "share" and row.get("unit_of_measure") == fmt.INDEX_UNIT:
                cell.number_format = "0.0000"
            elif kind == "pct":
                cell.number_format = "0%"
            elif kind == "date":
                cell.number_format = "DD/MM/YYYY"
            elif kind == "index":
                cell.number_format = "0.0000"
            elif kind == "points":
                cell.number_format = "0.00"
    for c, (key, title, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = 50 if key == "name" else max(10, len(title) + 2)
    ws.freeze_panes = "B2"


def write_annex(path: Path, status: pd.DataFrame, extra: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write the annex workbook: sheet 'TinhTrangChiTieu' plus one sheet per extra table (as given).

    Decimal columns of an extra table are shown to 4 decimals (index values), or to 2 for the columns
    its ``attrs["points"]`` names (points on a framework's scale).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "TinhTrangChiTieu"
    _write_sheet(ws, status, STATUS_COLUMNS, share_rows=lambda row: row.get("unit_of_measure") == "%")
    for name, frame in (extra or {}).items():
        sheet = wb.create_sheet(name[:31])
        in_points = set(frame.attrs.get("points", ()))
        _write_sheet(sheet, frame, [(c, c, ("points" if c in in_points else "index") if frame[c].dtype.kind == "f" else None)
                                    for c in frame.columns])
        for n, c in enumerate(frame.columns, start=1):  # text columns (unit names, notes) as wide as their text, up to 50
            if frame[c].dtype.kind not in "fiub" and len(frame):
                longest = max(len(str(v)) for v in frame[c] if v is not None)
                sheet.column_dimensions[get_column_letter(n)].width = min(50, max(sheet.column_dimensions[get_column_letter(n)].width, longest + 2))
    wb.properties.creator = "dxreport"
    wb.properties.created = FIXED_TIME
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(stable_xlsx(buffer.getvalue()))
    return path


FIXED_TIME = datetime(2000, 1, 1)
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def stable_xlsx(data: bytes) -> bytes:
    """The same workbook with no clock in it: openpyxl stamps the save time into docProps/core.xml
    ('modified') and into every zip entry, so two builds of the same annex differed in bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + rb"\g<2>", content)
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = item.external_attr
            dst.writestr(entry, content)
    return out.getvalue()
