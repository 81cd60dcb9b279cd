"""The city's own index over its units, computed from the store's observations.

Each city framework (``data/frameworks/<city>-dvi-*.yaml``) names the unit
kinds it scores (``audience``) and how each component's measured value comes
from the quarterly indicators or from the assessment sheets. Departments and
communes report different indicators, so each framework ranks its own units
only. A component without data (no submission, no assessment sheet, or a zero
denominator) is not counted as zero: the unit has no index that period and no
rank, and ``missing`` says why.

Self-assessment and verification (tự đánh giá, thẩm định): an assessed item has
the unit's self-assessed value and the office's verified value (blank: the
self-assessed value accepted). The index is computed twice — on the
self-assessed values (``self_*`` columns) and on the verified ones — and ranks
on the verified values. At verification an item the framework marks
``evidence_required`` scores 0 when the unit gave no evidence. Items computed
from the quarterly reports count the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dxreport.compute.scoring import band, from_leaf_points, leaf_points, rank_on
from dxreport.domain.config import Indicator
from dxreport.domain.errors import ConfigError
from dxreport.domain.frameworks import Framework
from dxreport.domain.periods import Period
from dxreport.domain.succession import carry_history
from dxreport.domain.units import active_on


def check_inputs(fw: Framework, indicators: dict[str, Indicator], path: Path | str) -> None:
    """Every indicator a component reads exists and is reported by the framework's units."""
    for c in fw.leaves():
        if c.input is None:
            raise ConfigError(path, f"components[{c.code}].input", "bộ chỉ số của thành phố cần cách tính từ chỉ tiêu báo cáo")
        for code in c.input.indicators():
            if code not in indicators:
                raise ConfigError(path, f"components[{c.code}].input", f"chỉ tiêu '{code}' không có trong indicators.yaml")
            if not set(indicators[code].reported_by) & set(fw.audience):
                raise ConfigError(path, f"components[{c.code}].input",
                                  f"chỉ tiêu '{code}' không do các đơn vị loại {', '.join(fw.audience)} báo cáo")


def measured_values(observations: pd.DataFrame, fw: Framework, period: str, unit_codes: list[str]) -> pd.DataFrame:
    """Each component's measured value per unit in ``period`` (a value, or numerator ÷ denominator).

    Assessed items (``input: {assessed: …}``) are left empty here: :func:`assessed_values` has them.
    """
    rows = observations[(observations["period"] == period) & observations["unit"].isin(unit_codes)]
    rows = rows.dropna(subset=["value"]).drop_duplicates(["unit", "indicator"])
    wide = rows.pivot(index="unit", columns="indicator", values="value").reindex(index=unit_codes)
    out = {}
    for c in fw.leaves():
        assert c.input is not None
        if c.input.assessed:
            out[c.code] = pd.Series(np.nan, index=wide.index)
        elif c.input.indicator:
            out[c.code] = wide.get(c.input.indicator, pd.Series(np.nan, index=wide.index))
        else:
            num = wide.get(c.input.numerator, pd.Series(np.nan, index=wide.index))
            den = wide.get(c.input.denominator, pd.Series(np.nan, index=wide.index))
            out[c.code] = num / den.where(den != 0)
    values = pd.DataFrame(out, index=unit_codes)
    values.index.name = "unit"
    return values


ASSESSMENT_COLUMNS = ["framework", "unit", "period", "item", "self_value", "evidence", "verified_value"]


def assessed_values(assessments: pd.DataFrame | None, fw: Framework, period: str,
                    unit_codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The assessed items of ``period``: (self-assessed values, verified values, no-evidence mask), unit × item.

    ``assessments`` as from :func:`dxreport.store.load_assessments`. A self-assessed item's
    verified value is the office's, or the self-assessed one where the office left it blank; an
    item assessed by the office has the office's value on both sides. The mask is True where
    the item requires evidence and the unit gave none (the item then scores 0 at verification).
    """
    items = fw.assessed_items()
    codes = [c.code for c in items]
    empty = pd.DataFrame(np.nan, index=pd.Index(unit_codes, name="unit"), columns=codes)
    mask = pd.DataFrame(False, index=empty.index, columns=codes)
    if assessments is None or assessments.empty or not codes:
        return empty, empty.copy(), mask
    rows = assessments[(assessments["framework"] == fw.id) & (assessments["period"] == period)
                       & assessments["unit"].isin(unit_codes) & assessments["item"].isin(codes)]
    if rows.empty:
        return empty, empty.copy(), mask
    rows = rows.drop_duplicates(["unit", "item"]).assign(
        has=lambda r: r["evidence"].fillna("").astype(str).str.strip() != "", one=1.0)
    wide = rows.pivot(index="unit", columns="item", values=["self_value", "verified_value", "has", "one"])
    pivot = lambda column: wide[column].reindex(index=unit_codes, columns=codes)  # noqa: E731
    own = pivot("self_value").astype(float)
    checked = pivot("verified_value").astype(float)
    evidence = pivot("has")
    present = pivot("one").notna()
    verified = checked.where(checked.notna(), own)
    self_side = own.copy()
    for c in items:
        if c.assessed == "office":
            self_side[c.code] = verified[c.code]
        if c.evidence_required and c.assessed == "self":
            mask[c.code] = present[c.code] & ~evidence[c.code].fillna(False).astype(bool)
    self_side.index.name = verified.index.name = "unit"
    return self_side, verified, mask


@dataclass(frozen=True)
class PeriodScores:
    """One period's index of a framework's units, self-assessed and verified, with what it rests on."""

    measured: pd.DataFrame  # unit × item: verified measured values (reported items and assessed ones)
    self_measured: pd.DataFrame  # unit × item: self-assessed measured values
    points: pd.DataFrame  # unit × item: points at verification (0 for items lacking required evidence)
    self_points: pd.DataFrame  # unit × item: points as self-assessed
    no_evidence: pd.DataFrame  # unit × assessed item: True where required evidence is missing
    scored: pd.DataFrame  # indices, pillars, bonus/penalty blocks, total: verified
    self_scored: pd.DataFrame  # the same, self-assessed


def score_period(observations: pd.DataFrame, fw: Framework, period: str, unit_codes: list[str],
                 assessments: pd.DataFrame | None = None) -> PeriodScores:
    """Score ``unit_codes`` in ``period``: reported items from ``observations``, assessed ones from ``assessments``."""
    reported = measured_values(observations, fw, period, unit_codes)
    own, verified, mask = assessed_values(assessments, fw, period, unit_codes)
    measured = reported.copy()
    self_measured = reported.copy()
    for code in own.columns:
        measured[code] = verified[code].to_numpy()
        self_measured[code] = own[code].to_numpy()
    points = leaf_points(measured, fw)
    for code in mask.columns:
        points.loc[mask[code].to_numpy() & points[code].notna().to_numpy(), code] = 0.0
    self_points = leaf_points(self_measured, fw)
    return PeriodScores(measured, self_measured, points, self_points, mask,
                        from_leaf_points(points, fw), from_leaf_points(self_points, fw))


def _sorted_periods(periods) -> list[str]:
    return [p.id for p in sorted(Period.parse(p) for p in set(periods))]


def unit_index(observations: pd.DataFrame, fw: Framework, units: pd.DataFrame, periods: list[str] | None = None,
               succession: pd.DataFrame | None = None, assessments: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per unit and period: main-index values, the total, its rank, and the change since the previous period.

    The total is the verified one; ``points`` is it on the framework's scale and ``band`` its
    band; ``self_total``/``self_points`` are the self-assessed total, ``bonus`` and ``penalty``
    the capped points of those blocks (0 without them). ``assessments`` from
    :func:`dxreport.store.load_assessments` (``None``: a framework with assessed items ranks no one).

    ``observations`` as from :func:`dxreport.store.load_observations` (``unit``,
    ``indicator``, ``period``, ``value``); ``units`` from
    :func:`dxreport.domain.units.load_units`. Units are those of the framework's kinds
    that exist on the period's last day. ``rank_change`` is previous rank minus
    rank (positive = moved up); it is empty for a unit that did not exist or
    had no rank in the previous period (e.g. the wards created on 01/7/2025).
    ``previous_total`` and ``total_change`` compare the total with the previous
    period's; with ``succession`` (:func:`dxreport.domain.succession.load_succession`)
    a new unit is compared with what its predecessors scored (``previous_from``
    names them), so the series survives the reorganisation. Ranks are not
    carried: a rank among 7 districts and one among 13 wards do not compare.
    """
    all_periods = _sorted_periods(observations["period"])
    index_codes = fw.codes("index") + fw.codes("pillar") + [fw.total.code]
    scored_periods = all_periods
    if periods is not None:  # only what is asked for and the period before each (for the changes)
        wanted = {Period.parse(p).id for p in periods}
        scored_periods = [p for i, p in enumerate(all_periods)
                          if p in wanted or (i + 1 < len(all_periods) and all_periods[i + 1] in wanted)]
    frames = []
    for period in scored_periods:
        present = active_on(units, Period.parse(period).end)
        present = present[present["kind"].isin(fw.audience)]
        codes = present["code"].tolist()
        if not codes:
            continue
        scores = score_period(observations, fw, period, codes, assessments)
        scored = scores.scored.copy()
        total = scored[fw.total.code]
        scored["points"] = total * fw.total.points
        scored["band"] = total.map(lambda v: band(v, fw))
        scored["self_total"] = scores.self_scored[fw.total.code]
        scored["self_points"] = scored["self_total"] * fw.total.points
        scored["bonus"] = scored[fw.bonus.code] if fw.bonus else 0.0
        scored["penalty"] = scored[fw.penalty.code] if fw.penalty else 0.0
        scored["rank"] = rank_on(total, fw)
        required = scores.measured[[c.code for c in fw.components()]]
        scored["missing"] = required.apply(lambda r: ", ".join(r.index[r.isna()]), axis=1)
        scored.insert(0, "period", period)
        scored.insert(1, "name", present["name"].reindex(codes).to_numpy())
        scored.insert(2, "kind", present["kind"].reindex(codes).to_numpy())
        frames.append(scored.reset_index())
    columns = ["period", "unit", "name", "kind", *index_codes, "points", "band", "self_total", "self_points", "bonus",
               "penalty", "rank", "previous_rank", "rank_change", "common_rank_change", "previous_total", "total_change",
               "previous_from", "missing"]
    if not frames:
        return pd.DataFrame(columns=columns)
    table = pd.concat(frames, ignore_index=True)
    previous = {p: all_periods[i - 1] if i else None for i, p in enumerate(all_periods)}
    before = table[["period", "unit", "rank"]].rename(columns={"rank": "previous_rank"})
    before["period"] = before["period"].map({v: k for k, v in previous.items() if v})
    table = table.merge(before.dropna(subset=["period"]), on=["period", "unit"], how="left")
    table["previous_rank"] = table["previous_rank"].astype("Int64")
    table["rank_change"] = (table["previous_rank"] - table["rank"]).astype("Int64")
    total = fw.total.code
    history = table[["unit", "period", total]]
    history = carry_history(history, succession, [total]) if succession is not None else history.assign(carried_from="")
    history = history.rename(columns={total: "previous_total", "carried_from": "previous_from"})
    history["period"] = history["period"].map({v: k for k, v in previous.items() if v})
    table = table.merge(history.dropna(subset=["period"]), on=["period", "unit"], how="left")
    table["previous_from"] = table["previous_from"].fillna("")
    table["total_change"] = table[total] - table["previous_total"]
    table["common_rank_change"] = common_rank_change(table)
    if periods is not None:
        table = table[table["period"].isin(periods)]
    return table[columns].sort_values(["period", "rank", "unit"], na_position="last", ignore_index=True)


def common_rank_change(table: pd.DataFrame) -> pd.Series:
    """The rank change among the units ranked in both periods only (like for like).

    A unit can climb because units above it left the ranking (no data this period); its
    ``rank_change`` is then positive while this one is not, and the report says so.
    """
    out = pd.Series(pd.NA, index=table.index, dtype="Int64")
    both = table["rank"].notna() & table["previous_rank"].notna()
    for _, part in table[both].groupby("period"):
        now = part["rank"].astype(float).rank(method="min")
        before = part["previous_rank"].astype(float).rank(method="min")
        out.loc[part.index] = (before - now).astype("Int64")
    return out


def ranking(table: pd.DataFrame, period: str) -> pd.DataFrame:
    """One period's rows of :func:`unit_index`, best first; units without an index last."""
    return table[table["period"] == period].sort_values(["rank", "unit"], na_position="last", ignore_index=True)


def ranking_rows(table: pd.DataFrame, fw: Framework, period: str) -> list[dict]:
    """One period's ranking as plain dicts for a template (values unrounded: the template formats them)."""
    def plain(v):
        return None if v is None or pd.isna(v) else (int(v) if isinstance(v, (int, np.integer)) else float(v))

    rows = []
    for d in ranking(table, period).to_dict("records"):
        rows.append({
            "unit": d["unit"], "name": d["name"], "kind": d["kind"],
            "indices": {c: plain(d[c]) for c in fw.codes("index") + fw.codes("pillar")},
            "total": plain(d[fw.total.code]), "points": plain(d["points"]), "band": d["band"] or None,
            "self_total": plain(d["self_total"]), "rank": plain(d["rank"]),
            "rank_change": plain(d["rank_change"]), "previous_total": plain(d["previous_total"]),
            "total_change": plain(d["total_change"]), "previous_from": d["previous_from"], "missing": d["missing"].split(", ") if d["missing"] else [],
        })
    return rows
