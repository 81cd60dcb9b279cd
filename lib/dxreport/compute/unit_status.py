"""Every unit's own status for the city's targets, and the city-wide views over them.

:func:`unit_tables` runs :func:`dxreport.compute.scorecard.unit_status` for each active
unit (sharing one pass of :func:`dxreport.compute.status.actuals`); the overview and the
units × targets matrix are summaries of those tables.
"""

from __future__ import annotations

import pandas as pd

from dxreport.compute import scorecard
from dxreport.compute.status import AT_RISK, BEHIND, GOOD, MISSED, Thresholds, actuals, judged_periods
from dxreport.domain.config import Programme
from dxreport.domain.periods import Period
from dxreport.domain.units import KIND_LABELS, TOP_KINDS, active_on, indicators_for


def unit_tables(
    observations: pd.DataFrame, programme: Programme, units: pd.DataFrame, indicators: dict, period: str,
    thresholds: Thresholds, history_quarters: int,
) -> dict[str, pd.DataFrame]:
    """Each active unit's own status table (see :mod:`dxreport.compute.scorecard`)."""

    p = Period.parse(period)
    periods = judged_periods(programme, p, history_quarters)
    precomputed = (actuals(observations, programme, periods, by_unit=True), actuals(observations, programme, [p.id]))
    out = {}
    for u in active_on(units, p.end).itertuples():
        if u.kind in TOP_KINDS:
            continue
        reported = {i.code for i in indicators_for(u.code, units, indicators)}
        table = scorecard.unit_status(observations, programme, u.code, reported, period, thresholds, history_quarters,
                                      precomputed=precomputed)
        if len(table):
            out[u.code] = table
    return out


def unit_overview(tables: dict[str, pd.DataFrame], units: pd.DataFrame) -> pd.DataFrame:
    """Per unit: targets it contributes to, how many it sent data for this period, and how many of those are good.

    ``with_data`` counts the targets with the unit's own value in the period; ``good``, ``behind``,
    ``at_risk`` and ``missed`` count statuses among them, and ``good_share`` is ``good / with_data``
    (None when the unit sent nothing). A unit without data is never scored 0 % nor named best or worst.
    """
    rows = []
    for code, t in tables.items():
        own = t[t["value"].notna()] if len(t) else t
        counts = own["status"].value_counts()
        good = int(sum(counts.get(k, 0) for k in GOOD))
        with_data = len(own)
        rows.append({
            "code": code, "name": units.loc[code, "name"], "kind": units.loc[code, "kind"],
            "kind_label": KIND_LABELS[units.loc[code, "kind"]], "targets": len(t), "with_data": with_data,
            "good": good, "behind": int(counts.get(BEHIND, 0)), "at_risk": int(counts.get(AT_RISK, 0)),
            "missed": int(counts.get(MISSED, 0)), "no_data": len(t) - with_data,
            "good_share": good / with_data if with_data else None,
        })
    columns = ["code", "name", "kind", "kind_label", "targets", "with_data", "good", "behind", "at_risk", "missed",
               "no_data", "good_share"]
    return pd.DataFrame(rows, columns=columns)


def status_matrix(tables: dict[str, pd.DataFrame], programme: Programme) -> pd.DataFrame:
    """Units × targets of status keys (NaN where a unit does not contribute)."""
    codes = [t.code for t in programme.targets]
    matrix = pd.DataFrame({u: t.set_index("code")["status"] for u, t in tables.items()}).T
    return matrix.reindex(columns=[c for c in codes if c in matrix.columns])


BODY_UNITS = 40  # a report's body shows at most this many units in a chart or table of units; the annex has them all


def lagging_rows(matrix: pd.DataFrame, overview: pd.DataFrame, limit: int = BODY_UNITS) -> pd.DataFrame:
    """The status matrix's rows for the ``limit`` units that lag most (lowest share of targets met or on track,
    then most at risk, behind, missed; units without data last), in the matrix's own order; all rows if no more.

    For a city of 200 units: the heat map of the report's body shows the units that need attention.
    """
    if len(matrix) <= limit:
        return matrix
    ranked = overview.assign(has=overview["good_share"].notna()).sort_values(
        ["has", "good_share", "at_risk", "behind", "missed", "code"], ascending=[False, True, False, False, False, True])
    ranked = ranked[ranked["code"].isin(matrix.index)]
    keep = set(ranked["code"].head(limit))
    return matrix[[c in keep for c in matrix.index]]
