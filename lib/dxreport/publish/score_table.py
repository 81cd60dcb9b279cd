"""The ``score`` command's output: published values (4 decimals, half-up) and ranks as CSV."""

from __future__ import annotations

import csv
import io

import pandas as pd

from dxreport.compute.scoring import publish
from dxreport.publish import csv_safe


def to_csv(table: pd.DataFrame) -> str:
    """``unit``, codes to 4 decimals (half-up, as published), ``rank``; ranked order.

    A unit's name is text from the input: one that would start a spreadsheet formula gets a leading quote.
    """
    out = table.sort_values("rank", kind="stable", na_position="last")
    lines = io.StringIO()
    writer = csv.writer(lines, lineterminator="\n")
    codes = [c for c in out.columns if c != "rank"]
    writer.writerow(["unit", *codes, "rank"])
    for unit, row in out.iterrows():
        cells = ["" if pd.isna(row[c]) else f"{publish(row[c]):.4f}" for c in codes]
        writer.writerow([csv_safe.cell(unit), *cells, "" if pd.isna(row["rank"]) else int(row["rank"])])
    return lines.getvalue()
