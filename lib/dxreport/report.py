"""The city quarterly report: from the status table to a plain-data context, HTML and PDF.

``city_context`` is pure (tables in, dict out); ``write_city_report`` writes the
files into the output folder it is given (the run's staging folder).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from . import charts, fmt, narrative, paths, render
from .config import PILLAR_NAMES, City
from .status import status_counts

SAMPLE_MARK = "DỮ LIỆU MẪU"
TEMPLATE = "city_quarterly.html.j2"


def _clean(value: Any) -> Any:
    """NaN → None so templates show the missing mark instead of 'nan'."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value


def status_rows(table: pd.DataFrame, units: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in table.to_dict("records"):
        row = {k: _clean(v) for k, v in r.items()}
        row["responsible_name"] = units.loc[row["responsible"], "name"] if row["responsible"] in units.index else row["responsible"]
        rows.append(row)
    return rows


def city_context(
    *,
    city: City,
    period: str,
    report_date: date | str,
    document_number: str,
    table: pd.DataFrame,
    units: pd.DataFrame,
    chart_svg: str,
    sample_data: bool,
) -> dict[str, Any]:
    rows = status_rows(table, units)
    counts = status_counts(table)
    return {
        "lang": "vi",
        "city": city.model_dump(mode="json"),
        "period": period,
        "period_label": fmt.period_label(period),
        "report_date": str(report_date),
        "document_number": document_number,
        "sample_mark": SAMPLE_MARK if sample_data else "",
        "title": f"Tình hình thực hiện chuyển đổi số {fmt.period_label(period)}",
        "summary": [narrative.status_summary(table, period), narrative.risk_summary(table)],
        "pillars": [
            {"code": code, "name": name, "rows": [r for r in rows if r["pillar"] == code],
             "counts": {k: int(v) for k, v in counts.loc[code].items()} if code in counts.index else {}}
            for code, name in PILLAR_NAMES.items()
        ],
        "chart_status_by_pillar": chart_svg,
    }


def write_city_report(context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    return write_report(TEMPLATE, context, output_dir, root)


def write_report(template: str, context: dict[str, Any], output_dir: Path, root: Path) -> dict[str, Path]:
    """Write report.html and report.pdf from ``template``; returns their paths."""
    output_dir.mkdir(parents=True, exist_ok=True)
    html = render.render_html(paths.templates_dir(root), template, context)
    html_path = output_dir / "report.html"
    html_path.write_text(html, encoding="utf-8")
    pdf_path = output_dir / "report.pdf"
    render.write_pdf(html, pdf_path, paths.fonts_dir(root), output_dir, title=f"Báo cáo {context['title']}")
    return {"html": html_path, "pdf": pdf_path}


def status_chart(table: pd.DataFrame, root: Path) -> str:
    charts.use_fonts(paths.fonts_dir(root))
    return charts.to_svg(charts.status_by_pillar(status_counts(table)))


DISPLAY_COLUMNS = {
    "code": "Mã",
    "name": "Chỉ tiêu",
    "pillar": "Trụ cột",
    "target": "Mục tiêu",
    "actual": "Kết quả",
    "change": "So với quý trước",
    "expected": "Kỳ vọng",
    "status_label": "Tình trạng",
}


def status_display(table: pd.DataFrame) -> pd.DataFrame:
    """The status table as a reader sees it in a notebook: Vietnamese headers, formatted values."""
    out = pd.DataFrame({
        "Mã": table["code"],
        "Chỉ tiêu": table["name"],
        "Trụ cột": table["pillar"],
        "Mục tiêu": [fmt.measure(v, u) for v, u in zip(table["target"], table["unit_of_measure"])],
        "Kết quả": [fmt.measure(v, u) for v, u in zip(table["actual"], table["unit_of_measure"])],
        "So với quý trước": [fmt.points(v) if u == "%" else fmt.signed(v, 2) for v, u in zip(table["change"], table["unit_of_measure"])],
        "Kỳ vọng": [fmt.measure(v, u) for v, u in zip(table["expected"], table["unit_of_measure"])],
        "Tình trạng": table["status_label"],
    })
    return out.set_index("Mã")


def write_tables(tables: dict[str, pd.DataFrame], output_dir: Path) -> dict[str, Path]:
    """The data behind the report, as UTF-8 CSV beside it (one file per table)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, frame in tables.items():
        path = output_dir / f"{name}.csv"
        frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", float_format="%.6g")
        written[name] = path
    return written


def unit_trend_chart(unit_table: pd.DataFrame, root: Path) -> str:
    """Trend of the unit's shares (targets in %) over the quarters of its history."""
    charts.use_fonts(paths.fonts_dir(root))
    shares = unit_table[unit_table["unit_of_measure"] == "%"] if len(unit_table) else unit_table
    if shares.empty:
        return ""
    periods = list(shares.iloc[0]["history"].keys())
    series = [{"label": f"{r.code}", "values": [r.history[p] for p in periods]} for r in shares.itertuples()]
    return charts.to_svg(charts.trend_lines(series, periods, [fmt.period_label(p) for p in periods]))
