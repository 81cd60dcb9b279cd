"""CSV cells that a spreadsheet will not run: text from a unit's input never starts a formula.

A unit named ``=cmd|' /C calc'!A0`` in a file given to ``dxreport score`` came out as
is in its CSV, which Excel or LibreOffice would read as a formula when the CSV is
opened. As OWASP recommends ("CSV Injection"), a text cell that begins with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote, which
spreadsheets show as text; numbers are written as numbers, untouched.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """``value`` made safe to open in a spreadsheet (text only; anything else as it was)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells (and text column names) are made safe with :func:`cell`."""
    out = table.copy()
    for name in out.columns:
        if out[name].dtype == object or pd.api.types.is_string_dtype(out[name].dtype):
            out[name] = out[name].map(cell)
    out.columns = [cell(c) for c in out.columns]
    return out
