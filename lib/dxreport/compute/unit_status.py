"""Every unit's own status for the city's targets, and the city-wide views over them.

:func:`unit_tables` runs :func:`dxreport.compute.scorecard.unit_status` for each active
unit (sharing one pass of :func:`dxreport.compute.status.actuals`); the overview and the
units × targets matrix are summaries of those tables.
"""

from __future__ import annotations

import pandas as pd

from dxreport.compute import scorecard
from dxreport.compute.status import (
    AT_RISK,
    BEHIND,
    MET,
    NO_DATA,
    ON_TRACK,
    Thresholds,
    actuals,
)
from dxreport.domain.config import Programme
from dxreport.domain.periods import Period
from dxreport.domain.units import KIND_LABELS, active_on, indicators_for


def unit_tables(
    observations: pd.DataFrame, programme: Programme, units: pd.DataFrame, indicators: dict, period: str,
    thresholds: Thresholds, history_quarters: int,
) -> dict[str, pd.DataFrame]:
    """Each active unit's own status table (see :mod:`dxreport.compute.scorecard`)."""

    p = Period.parse(period)
    periods = [p.shift(-k).id for k in range(history_quarters - 1, -1, -1)]
    precomputed = (actuals(observations, programme, periods, by_unit=True), actuals(observations, programme, [p.id]))
    out = {}
    for u in active_on(units, p.end).itertuples():
        if u.kind == "city":
            continue
        reported = {i.code for i in indicators_for(u.code, units, indicators)}
        table = scorecard.unit_status(observations, programme, u.code, reported, period, thresholds, history_quarters,
                                      precomputed=precomputed)
        if len(table):
            out[u.code] = table
    return out


def unit_overview(tables: dict[str, pd.DataFrame], units: pd.DataFrame) -> pd.DataFrame:
    """Per unit: targets it contributes to and how many are met/on track, behind, at risk, without data."""
    rows = []
    for code, t in tables.items():
        counts = t["status"].value_counts()
        good = int(counts.get(MET, 0) + counts.get(ON_TRACK, 0))
        rows.append({
            "code": code, "name": units.loc[code, "name"], "kind": units.loc[code, "kind"],
            "kind_label": KIND_LABELS[units.loc[code, "kind"]], "targets": len(t), "good": good,
            "behind": int(counts.get(BEHIND, 0)), "at_risk": int(counts.get(AT_RISK, 0)), "no_data": int(counts.get(NO_DATA, 0)),
            "good_share": good / len(t) if len(t) else None,
        })
    columns = ["code", "name", "kind", "kind_label", "targets", "good", "behind", "at_risk", "no_data", "good_share"]
    return pd.DataFrame(rows, columns=columns)


def status_matrix(tables: dict[str, pd.DataFrame], programme: Programme) -> pd.DataFrame:
    """Units × targets of status keys (NaN where a unit does not contribute)."""
    codes = [t.code for t in programme.targets]
    matrix = pd.DataFrame({u: t.set_index("code")["status"] for u, t in tables.items()}).T
    return matrix.reindex(columns=[c for c in codes if c in matrix.columns])
