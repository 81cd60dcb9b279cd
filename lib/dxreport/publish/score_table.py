"""The ``score`` command's output: published values (4 decimals, half-up) and ranks as CSV."""

from __future__ import annotations

import csv
import io

import pandas as pd

from dxreport.compute.scoring import publish
from dxreport.publish import csv_safe


def to_csv(table: pd.DataFrame, points_columns: tuple[str, ...] = ("points",)) -> str:
    """``unit``, codes to 4 decimals (half-up, as published), ``rank``; ranked order.

    A framework published in points adds ``points`` and one with bands ``band`` (its name)
    before ``rank``; ``points_columns`` (``points``, the bonus and penalty blocks) are written
    in points to 2 decimals. A unit's name is text from the input: one that would start a
    spreadsheet formula gets a leading quote.
    """
    out = table.sort_values("rank", kind="stable", na_position="last")
    lines = io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    codes = [c for c in out.columns if c != "rank"]
    writer.writerow(["unit", *codes, "rank"])
    for unit, row in out.iterrows():
        cells = [_cell(c, row[c], c in points_columns) for c in codes]
        writer.writerow([csv_safe.cell(unit), *cells, "" if pd.isna(row["rank"]) else int(row["rank"])])
    return lines.getvalue()


def _cell(code: str, value, in_points: bool) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if code == "band":
        return csv_safe.cell(value)
    if in_points:
        return f"{publish(value, 2):.2f}"
    return f"{publish(value):.4f}"
