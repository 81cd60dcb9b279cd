"""Vietnamese sentences generated from the computed tables (plain text, no markup).

Every figure a sentence states comes from the table passed in, so the text can
never disagree with the report's tables.
"""

from __future__ import annotations

import pandas as pd

from . import fmt
from .status import AT_RISK, BEHIND, MET, NO_DATA, ON_TRACK, STATUS_LABELS


def status_summary(table: pd.DataFrame, period: str) -> str:
    total = len(table)
    counts = table["status"].value_counts()
    parts = [
        f"{counts.get(key, 0)} chỉ tiêu {STATUS_LABELS[key].lower()}"
        for key in (MET, ON_TRACK, BEHIND, AT_RISK, NO_DATA)
        if counts.get(key, 0)
    ]
    text = f"{fmt.period_label(period)}, thành phố theo dõi {total} chỉ tiêu chuyển đổi số"
    if parts:
        text += ": " + ", ".join(parts[:-1]) + (" và " if len(parts) > 1 else "") + parts[-1]
    return text + "."


def risk_summary(table: pd.DataFrame) -> str:
    risky = table[table["status"] == AT_RISK]
    if risky.empty:
        return "Không có chỉ tiêu nào có nguy cơ không đạt."
    names = "; ".join(f"{r.code} – {r.name} (đạt {fmt.measure(r.actual, r.unit_of_measure)}, mục tiêu {fmt.measure(r.target, r.unit_of_measure)})" for r in risky.itertuples())
    return f"Các chỉ tiêu có nguy cơ không đạt: {names}."
