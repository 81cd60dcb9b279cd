"""What a unit should do next quarter (việc cần làm), and what each thing done would be worth.

For one unit and period, from its own figures, its status per target and its
city index, one row per action:

- ``target``: a target the unit lags on (behind or at risk): the value to reach
  by the next quarter (the city's expected path at its end) and by the deadline,
  in the target's own terms — for a ratio, how many more of the numerator at this
  quarter's volume ("khoảng 120 hồ sơ trực tuyến");
- ``yesno``: a yes/no item answered "Chưa" (reported, or assessed);
- ``step``: an index item scored by steps or a threshold, below its maximum: the
  value of the next step;
- ``assessed``: an assessed item below its maximum at verification;
- ``evidence``: an item scored 0 at verification for want of the evidence the
  framework requires;
- ``penalty``: penalty points the office gave (điểm trừ);
- ``submission``: a missing or late quarterly report, or no assessment sheet;
- ``task``: a programme task the unit leads that is overdue and not completed (compute.tasks), with the
  days since its deadline; no index effect.

Each action with an index effect is rescored: the unit's index as if that action
alone were done (everyone else unchanged), the gain in points and in value, and
the rank it would then likely have. Beside each value, the median of the unit's
peers (the units its framework ranks with it). :func:`outlook` adds the band now
and the band within reach (every action done). Pure DataFrame functions; the
sentences are in :mod:`dxreport.publish.scorecard_report`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from dxreport.compute import status as status_
from dxreport.compute.scoring import band, component_points, shown_total
from dxreport.compute.unit_index import PeriodScores, score_period
from dxreport.domain.config import Indicator, Programme
from dxreport.domain.frameworks import Component, Framework
from dxreport.domain.periods import Period
from dxreport.domain.units import active_on

TARGET, YESNO, STEP, ASSESSED, EVIDENCE, PENALTY, SUBMISSION, TASK = (
    "target", "yesno", "step", "assessed", "evidence", "penalty", "submission", "task")
KIND_ORDER = [TARGET, YESNO, EVIDENCE, ASSESSED, STEP, PENALTY, TASK, SUBMISSION]
KIND_LABELS = {
    TARGET: "Chỉ tiêu chậm tiến độ",
    YESNO: "Mục có/chưa cần khắc phục",
    STEP: "Tiêu chí chưa đạt bậc cao nhất",
    ASSESSED: "Tiêu chí chưa đạt điểm tối đa",
    EVIDENCE: "Thiếu tài liệu kiểm chứng",
    PENALTY: "Điểm trừ",
    SUBMISSION: "Gửi báo cáo",
    TASK: "Nhiệm vụ quá hạn",
}
COLUMNS = ["unit", "kind", "item", "name", "indicator", "measure", "unit_of_measure", "current", "needed", "needed_deadline",
           "numerator", "denominator", "extra", "extra_deadline", "extra_unit", "peer_median", "target", "status",
           "deadline", "period", "gain_points", "gain", "total_if_fixed", "points_if_fixed", "rank_if_fixed",
           "band_if_fixed", "note"]


@dataclass(frozen=True)
class Fix:
    """What would change if an action were done: reported values, verified values, evidence given."""

    indicators: dict[str, float] = field(default_factory=dict)
    verified: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.indicators or self.verified or self.evidence)

    def plus(self, other: "Fix") -> "Fix":
        return Fix({**self.indicators, **other.indicators}, {**self.verified, **other.verified},
                   tuple(dict.fromkeys(self.evidence + other.evidence)))


@dataclass(frozen=True)
class Audience:
    """A framework's units in one period, scored: what a unit is ranked among."""

    fw: Framework
    period: str
    units: list[str]
    scores: PeriodScores
    observations: pd.DataFrame  # the period's observations of these units
    assessments: pd.DataFrame  # the period's assessment rows of this framework and these units

    @property
    def totals(self) -> pd.Series:
        return self.scores.scored[self.fw.total.code]


def audience(observations: pd.DataFrame, assessments: pd.DataFrame | None, fw: Framework, units: pd.DataFrame,
             period: str) -> Audience:
    """Score every unit of ``fw``'s audience in ``period`` once (the peers every unit's actions compare with)."""
    present = active_on(units, Period.parse(period).end)
    codes = present[present["kind"].isin(fw.audience)]["code"].tolist()
    obs = observations[(observations["period"] == period) & observations["unit"].isin(codes)]
    if assessments is None or assessments.empty:
        assessments = pd.DataFrame(columns=["framework", "unit", "period", "item", "self_value", "evidence", "verified_value"])
    own = assessments[(assessments["framework"] == fw.id) & (assessments["period"] == period) & assessments["unit"].isin(codes)]
    return Audience(fw, period, codes, score_period(obs, fw, period, codes, own), obs, own)


# Rescoring ----------------------------------------------------------------------------------------


def rescore_many(aud: Audience, cases: list[tuple[str, Fix]]) -> list[float]:
    """Each (unit, fix)'s total (0..1) if that fix alone were done, everyone else unchanged: one scoring for all.

    Every case becomes a unit of its own (``unit#n``) with the unit's figures as changed by the fix, so a
    city's what-ifs cost one pass over the framework rather than one per action.
    """
    if not cases:
        return []
    obs_parts, sheet_parts, codes = [], [], []
    own_obs = {u: aud.observations[aud.observations["unit"] == u] for u in {u for u, _ in cases}}
    own_sheet = {u: aud.assessments[aud.assessments["unit"] == u] for u in own_obs}
    for n, (unit, fix) in enumerate(cases):
        code = f"{unit}#{n}"
        codes.append(code)
        obs = own_obs[unit].assign(unit=code)
        if fix.indicators:
            obs = obs[~obs["indicator"].isin(fix.indicators.keys())]
            obs = pd.concat([obs, pd.DataFrame({"unit": code, "indicator": list(fix.indicators), "period": aud.period,
                                                "value": list(fix.indicators.values())})], ignore_index=True)
        obs_parts.append(obs)
        sheet = own_sheet[unit].assign(unit=code)
        touched = set(fix.verified) | set(fix.evidence)
        if touched:
            sheet = sheet.copy()
            for item in touched - set(sheet["item"]):
                sheet = pd.concat([sheet, pd.DataFrame([{"framework": aud.fw.id, "unit": code, "period": aud.period, "item": item,
                                                          "self_value": np.nan, "evidence": "", "verified_value": np.nan}])],
                                  ignore_index=True)
            for item in touched:
                hit = sheet["item"] == item
                if item in fix.verified:
                    sheet.loc[hit, "verified_value"] = fix.verified[item]
                if item in fix.evidence or aud.fw.item(item).evidence_required:
                    sheet.loc[hit, "evidence"] = sheet.loc[hit, "evidence"].fillna("").replace("", "(bổ sung)")
        sheet_parts.append(sheet)
    obs_all = pd.concat(obs_parts, ignore_index=True)
    sheets_all = pd.concat(sheet_parts, ignore_index=True) if sheet_parts else None
    scored = score_period(obs_all, aud.fw, aud.period, codes, sheets_all).scored[aud.fw.total.code]
    return [float(scored[c]) for c in codes]


def rescore(aud: Audience, unit: str, fix: Fix) -> float:
    """The unit's total (0..1) if ``fix`` were done, everyone else unchanged."""
    return rescore_many(aud, [(unit, fix)])[0]


def likely_rank(aud: Audience, unit: str, total: float) -> int | None:
    """The competition rank ``total`` would have among the unit's peers as they stand (published totals compared)."""
    if total is None or math.isnan(total):
        return None
    others = aud.totals.drop(index=unit, errors="ignore").dropna()
    shown = shown_total(total, aud.fw)
    return 1 + int(sum(shown_total(v, aud.fw) > shown for v in others))


# Gathering the actions ----------------------------------------------------------------------------


def _ceil(x: float) -> int:
    return int(math.ceil(x - 1e-9))


def _unit_values(aud_obs: pd.DataFrame, unit: str) -> dict[str, float]:
    own = aud_obs[(aud_obs["unit"] == unit) & aud_obs["value"].notna()]
    return dict(zip(own["indicator"], own["value"].astype(float)))


def _median(values: pd.Series) -> float | None:
    values = pd.to_numeric(values, errors="coerce").dropna()
    return None if values.empty else float(values.median())


def _row(unit: str, kind: str, item: str, name: str, **fields) -> dict:
    row = dict.fromkeys(COLUMNS)
    row.update(unit=unit, kind=kind, item=item, name=name, **fields)
    return row


def target_actions(unit: str, period: str, table: pd.DataFrame, programme: Programme, indicators: dict[str, Indicator],
                   values: dict[str, float], peers: pd.DataFrame) -> list[tuple[dict, Fix]]:
    """Targets the unit lags on (behind, at risk): the value to reach next quarter and by the deadline.

    ``table``: the unit's status table (:func:`dxreport.compute.scorecard.unit_status`); ``values``: the unit's
    reported values this period; ``peers``: the peers' own values per target (target, unit, actual).
    Yes/no targets (a share of units) are left to :func:`yesno_actions`.
    """
    out = []
    p = Period.parse(period)
    targets = {t.code: t for t in programme.targets}
    for r in table.to_dict("records") if len(table) else []:
        if r["status"] not in (status_.BEHIND, status_.AT_RISK) or r["measure_kind"] == "share_of_units":
            continue
        t = targets[r["code"]]
        nxt, _ = status_.expected_at(t, min(p.next.end, t.deadline))
        peer = peers[peers["target"] == t.code]["actual"] if len(peers) else pd.Series(dtype=float)
        row = _row(unit, TARGET, t.code, t.name, measure=t.measure.kind, unit_of_measure=t.unit_of_measure,
                   current=r["value"], needed=nxt, needed_deadline=t.target, target=t.code, status=r["status"],
                   deadline=t.deadline, period=p.next.id, peer_median=_median(peer))
        fix = Fix()
        m = t.measure
        if m.kind == "ratio" and m.numerator in values and values.get(m.denominator):
            num, den = values[m.numerator], values[m.denominator]
            increase = t.direction == "increase"
            want = (lambda share: _ceil(share * den)) if increase else (lambda share: math.floor(share * den + 1e-9))
            row.update(indicator=m.numerator, numerator=num, denominator=den, extra=want(nxt) - num,
                       extra_deadline=want(t.target) - num,
                       extra_unit=indicators[m.numerator].short_name or indicators[m.numerator].unit_of_measure)
            fix = Fix(indicators={m.numerator: float(want(nxt))})
        elif m.kind == "value" and m.indicator:
            row.update(indicator=m.indicator)
            fix = Fix(indicators={m.indicator: float(nxt)})
        out.append((row, fix))
    return out


def _peer_values(aud: Audience, code: str) -> pd.Series:
    return aud.scores.measured[code] if code in aud.scores.measured.columns else pd.Series(dtype=float)


def yesno_actions(unit: str, aud: Audience | None, table: pd.DataFrame, programme: Programme,
                  indicators: dict[str, Indicator], values: dict[str, float], peer_obs: pd.DataFrame) -> list[tuple[dict, Fix]]:
    """Yes/no items answered 'Chưa': the reported ones (index items and yes/no targets) and the assessed ones."""
    out = []
    by_target = {r["code"]: r for r in table.to_dict("records")} if len(table) else {}
    seen = set()
    reported_items: dict[str, Component] = {}
    if aud is not None:
        reported_items = {c.input.indicator: c for c in aud.fw.leaves()
                          if c.rule == "yesno" and c.input is not None and c.input.indicator}
    yes_no_targets = {t.measure.indicator: t for t in programme.targets if t.measure.kind == "share_of_units"}
    for code in list(reported_items) + [c for c in yes_no_targets if c not in reported_items]:
        if code in seen or values.get(code) is None or values[code] >= 0.5:
            continue
        seen.add(code)
        item = reported_items.get(code)
        t = yes_no_targets.get(code)
        r = by_target.get(t.code) if t else None
        peers = peer_obs[peer_obs["indicator"] == code]["value"]
        name = item.name if item is not None else (t.name if t else indicators[code].name)
        running = r is not None and not r["final"]  # an expired target's final result is no call to act
        out.append((_row(unit, YESNO, item.code if item is not None else code, name, indicator=code, measure="yesno",
                         unit_of_measure="", current=0.0, needed=1.0, needed_deadline=1.0, peer_median=_median(peers),
                         target=t.code if running else None, status=r["status"] if running else None,
                         deadline=t.deadline if running else None),
                    Fix(indicators={code: 1.0})))
    if aud is None or unit not in aud.scores.measured.index:
        return out
    for c in aud.fw.components():
        if c.rule != "yesno" or not c.assessed:
            continue
        value = aud.scores.measured.loc[unit, c.code]
        if pd.isna(value) or value >= 0.5:
            continue
        out.append((_row(unit, YESNO, c.code, c.name, measure="yesno", unit_of_measure="", current=float(value), needed=1.0,
                         needed_deadline=1.0, peer_median=_median(_peer_values(aud, c.code)), note=c.assessed),
                    Fix(verified={c.code: 1.0}, evidence=(c.code,) if c.evidence_required else ())))
    return out


def _next_step(c: Component, value: float) -> float | None:
    """The smallest measured value that earns more points than ``value`` does (steps and thresholds)."""
    now = component_points(c, value)
    if c.rule == "step":
        higher = sorted(s.at_least for s in c.steps or [] if s.points > now)
        return higher[0] if higher else None
    if c.rule == "threshold" and now < (c.points or 0):
        return c.threshold
    return None


def index_item_actions(unit: str, aud: Audience, indicators: dict[str, Indicator],
                       values: dict[str, float]) -> list[tuple[dict, Fix]]:
    """Index items below their maximum: the next step of a reported item, assessed items, missing evidence, penalties.

    Yes/no items answered 'Chưa' are :func:`yesno_actions`'; continuous reported items (ratios, linear) are
    followed through the targets that measure them.
    """
    out: list[tuple[dict, Fix]] = []
    fw, s = aud.fw, aud.scores
    if unit not in s.measured.index:
        return out
    for c in fw.components():
        value, points = s.measured.loc[unit, c.code], s.points.loc[unit, c.code]
        if pd.isna(value) or c.points is None:
            continue
        share = c.value_range() == (0.0, 1.0) and c.rule != "yesno"
        measure = "yesno" if c.rule == "yesno" else ("points" if c.rule == "points" else ("share" if share else "number"))
        uom = "%" if share else ""
        peer = _median(_peer_values(aud, c.code))
        lacks_evidence = c.code in s.no_evidence.columns and bool(s.no_evidence.loc[unit, c.code])
        if lacks_evidence and component_points(c, value) > 0:  # the evidence alone would give the verified value its points
            own = s.self_measured.loc[unit, c.code]
            out.append((_row(unit, EVIDENCE, c.code, c.name, measure=measure, unit_of_measure=uom, current=own, needed=own,
                             needed_deadline=own, peer_median=peer, note=c.evidence or ""),
                        Fix(evidence=(c.code,))))
            continue
        if points >= c.points - 1e-9 or c.rule == "yesno":  # a yes/no item at 'Chưa' is yesno_actions'
            continue
        if c.assessed:
            full = {"ratio": 1.0, "linear": c.target, "points": c.points}.get(c.rule or "")
            full = full if full is not None else _next_step(c, value)
            if full is None:
                continue
            out.append((_row(unit, ASSESSED, c.code, c.name, measure=measure, unit_of_measure=uom, current=value, needed=full,
                             needed_deadline=full, peer_median=peer, note=c.assessed),
                        Fix(verified={c.code: float(full)}, evidence=(c.code,) if c.evidence_required else ())))
            continue
        step = _next_step(c, value)
        if step is None or c.input is None:
            continue
        row = _row(unit, STEP, c.code, c.name, measure=measure, unit_of_measure=uom, current=value, needed=step,
                   needed_deadline=step, peer_median=peer)
        if c.input.numerator and values.get(c.input.denominator or ""):
            num, den = values.get(c.input.numerator, 0.0), values[c.input.denominator]  # type: ignore[index]
            want = _ceil(step * den)
            row.update(indicator=c.input.numerator, numerator=num, denominator=den, extra=want - num, extra_deadline=want - num,
                       extra_unit=indicators[c.input.numerator].short_name or indicators[c.input.numerator].unit_of_measure)
            fix = Fix(indicators={c.input.numerator: float(want)})
        elif c.input.indicator:
            row.update(indicator=c.input.indicator)
            fix = Fix(indicators={c.input.indicator: float(step)})
        else:
            continue
        out.append((row, fix))
    for c in fw.penalty.items if fw.penalty is not None else []:
        points = s.points.loc[unit, c.code]
        if pd.isna(points) or points <= 0:
            continue
        out.append((_row(unit, PENALTY, c.code, c.name, measure="points", unit_of_measure="", current=float(points),
                         needed=0.0, needed_deadline=0.0, peer_median=_median(s.points[c.code])),
                    Fix(verified={c.code: 0.0})))
    return out


def submission_actions(unit: str, history: list[dict], next_deadline: date, has_sheet: bool | None,
                       period: str) -> list[dict]:
    """Missing or late quarterly reports in the unit's history window, and a missing assessment sheet this period."""
    out = []
    for h in history:
        if h["state"] == "missing":
            out.append(_row(unit, SUBMISSION, h["period"], f"Báo cáo số liệu {h['period']}", measure="text",
                            current="missing", needed="on_time", deadline=next_deadline, period=h["period"]))
        elif h["state"] == "late":
            out.append(_row(unit, SUBMISSION, h["period"], f"Báo cáo số liệu {h['period']}", measure="text",
                            current="late", needed="on_time", deadline=next_deadline, period=h["period"],
                            note=str(h.get("days_late") or "")))
    if has_sheet is False:
        out.append(_row(unit, SUBMISSION, "DANH_GIA", f"Phiếu tự đánh giá {period}", measure="text", current="missing",
                        needed="on_time", deadline=next_deadline, period=period))
    return out


def task_actions(unit: str, task_status: pd.DataFrame | None, next_deadline: date | None, period: str) -> list[dict]:
    """The overdue tasks ``unit`` leads (``task_status``: :func:`dxreport.compute.tasks.task_status`), longest overdue
    first: complete them, with the percent reported and the days since the deadline."""
    from dxreport.compute.tasks import overdue

    if task_status is None or task_status.empty:
        return []
    late = overdue(task_status[task_status["lead"] == unit])
    return [_row(unit, TASK, r["code"], r["name"], measure="task", current=r["percent"], needed="done",
                 deadline=next_deadline, period=period, note=str(int(r["days_overdue"])))
            for r in late.to_dict("records")]


@dataclass(frozen=True)
class Plan:
    """A unit's actions (``COLUMNS``, largest index gain first) and its outlook (:func:`outlook`'s keys)."""

    actions: pd.DataFrame
    outlook: dict


def _peers(codes: list[str], period: str, programme: Programme, observations: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    peer_obs = observations[(observations["period"] == period) & observations["unit"].isin(codes)]
    by_target = status_.actuals(peer_obs, programme, [period], by_unit=True) if len(peer_obs) else pd.DataFrame(
        columns=["target", "period", "unit", "actual", "units"])
    return peer_obs, by_target


def gather(
    unit: str,
    period: str,
    *,
    aud: Audience | None,
    table: pd.DataFrame,
    programme: Programme,
    indicators: dict[str, Indicator],
    observations: pd.DataFrame,
    peers: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[tuple[dict, Fix]]:
    """The unit's actions with an index effect, each with its fix, not yet rescored (duplicates dropped).

    ``peers``: (the peers' observations this period, their own value per target), :func:`_peers`.
    """
    values = _unit_values(observations[observations["period"] == period], unit)
    peer_obs, peers_by_target = peers if peers is not None else _peers(aud.units if aud is not None else [unit],
                                                                       period, programme, observations)
    found = target_actions(unit, period, table, programme, indicators, values, peers_by_target)
    found += yesno_actions(unit, aud, table, programme, indicators, values, peer_obs)
    if aud is not None:
        found += index_item_actions(unit, aud, indicators, values)
    out, seen = [], set()
    for row, fix in found:
        if (row["kind"], row["item"]) not in seen:
            seen.add((row["kind"], row["item"]))
            out.append((row, fix))
    return out


def plans(units: list[str], period: str, *, aud: Audience | None, tables: dict[str, pd.DataFrame], programme: Programme,
          indicators: dict[str, Indicator], observations: pd.DataFrame, histories: dict[str, list[dict]] | None = None,
          next_deadline: date | None = None, task_status: pd.DataFrame | None = None) -> dict[str, "Plan"]:
    """:func:`plan` for several units of one audience, their what-ifs rescored together (a city's annex)."""
    shared = _peers(aud.units, period, programme, observations) if aud is not None else None
    gathered = {u: gather(u, period, aud=aud, table=tables.get(u, pd.DataFrame()), programme=programme,
                          indicators=indicators, observations=observations, peers=shared) for u in units}
    now = {u: float(aud.totals.get(u, np.nan)) if aud is not None else np.nan for u in units}
    cases = [(u, fix) for u in units for _, fix in gathered[u] if aud is not None and fix and not math.isnan(now[u])]
    results = iter(rescore_many(aud, cases) if aud is not None else [])
    combined_cases, out = [], {}
    for u in units:
        rows, combined, yes_no = [], Fix(), Fix()
        for row, fix in gathered[u]:
            if aud is not None and fix and not math.isnan(now[u]):
                after = next(results)
                row.update(total_if_fixed=after, points_if_fixed=after * aud.fw.total.points, gain=after - now[u],
                           gain_points=(after - now[u]) * aud.fw.total.points, rank_if_fixed=likely_rank(aud, u, after),
                           band_if_fixed=band(after, aud.fw))
                if after > now[u] + 1e-12:
                    combined = combined.plus(fix)
                    if row["kind"] == YESNO:
                        yes_no = yes_no.plus(fix)
            rows.append(row)
        has_sheet = None
        if aud is not None and aud.fw.assessed_items():
            has_sheet = bool((aud.assessments["unit"] == u).any())
        if next_deadline is not None:
            rows += submission_actions(u, (histories or {}).get(u, []), next_deadline, has_sheet, period)
        rows += task_actions(u, task_status, next_deadline, period)
        frame = pd.DataFrame(rows, columns=COLUMNS)
        if len(frame):
            frame["_gain"] = pd.to_numeric(frame["gain"], errors="coerce").fillna(-1.0)
            frame["_kind"] = frame["kind"].map(KIND_ORDER.index)
            frame = frame.sort_values(["_gain", "_kind", "item"], ascending=[False, True, True], kind="stable")
            frame = frame.drop(columns=["_gain", "_kind"]).reset_index(drop=True)
        out[u] = frame
        combined_cases.append((u, combined, yes_no))
    # the outlooks: everything done together, and the yes/no items together, again in one pass
    wanted = [(u, f) for u, c, y in combined_cases for f in (c, y) if aud is not None and f and not math.isnan(now[u])]
    together = dict(zip([(u, i) for u, c, y in combined_cases for i, f in enumerate((c, y))
                         if aud is not None and f and not math.isnan(now[u])], rescore_many(aud, wanted) if aud else []))
    return {u: Plan(out[u], outlook(aud, u, together.get((u, 0)), together.get((u, 1)),
                                    len(y.indicators) + len(y.verified)))
            for u, c, y in combined_cases}


def plan(
    unit: str,
    period: str,
    *,
    aud: Audience | None,
    table: pd.DataFrame,
    programme: Programme,
    indicators: dict[str, Indicator],
    observations: pd.DataFrame,
    history: list[dict] | None = None,
    next_deadline: date | None = None,
    task_status: pd.DataFrame | None = None,
) -> Plan:
    """Every action of ``unit`` for the quarter after ``period``, and where doing them all would take it.

    ``aud``: the unit's :func:`audience` (``None`` when no framework ranks it: no index gains); ``table``: its
    status table (:func:`dxreport.compute.scorecard.unit_status`); ``observations``: every unit's (the peers'
    medians); ``history``: :func:`dxreport.compute.scorecard.submission_history`; ``next_deadline``: the
    next report's deadline; ``task_status``: the programme's tasks (overdue ones the unit leads become actions).
    An action is rescored alone (``total_if_fixed``, ``gain``, ``rank_if_fixed``…);
    the outlook rescores them all together.
    """
    return plans([unit], period, aud=aud, tables={unit: table}, programme=programme, indicators=indicators,
                 observations=observations, histories={unit: history or []}, next_deadline=next_deadline,
                 task_status=task_status)[unit]


def unit_actions(unit: str, period: str, **kwargs) -> pd.DataFrame:
    """:func:`plan`'s actions only."""
    return plan(unit, period, **kwargs).actions


OUTLOOK_KEYS = ["total", "points", "band", "rank", "of", "peer_median_points", "reach_total", "reach_points", "reach_band",
                "reach_rank", "yesno_count", "yesno_total", "yesno_points", "yesno_rank", "yesno_band", "next_band",
                "next_band_points"]


def outlook(aud: Audience | None, unit: str, reach: float | None = None, yes_no: float | None = None,
            yes_no_count: int = 0) -> dict:
    """The unit's index now and within reach.

    ``reach``: its total with every action that gains done together (``None``: nothing to gain);
    ``yes_no``: with its ``yes_no_count`` yes/no items fixed together. Gives ``points``/``band``/``rank``
    now, out of ``of`` ranked peers; ``reach_*``; ``yesno_*``; the ``next_band`` above the current one
    and the points it starts at; the peers' median points.
    """
    if aud is None or pd.isna(aud.totals.get(unit, np.nan)):
        return dict.fromkeys(OUTLOOK_KEYS)
    fw = aud.fw
    now = float(aud.totals[unit])
    reach = now if reach is None else reach
    median = _median(aud.totals)
    current = band(now, fw)
    names = [b.name for b in fw.bands]
    above = fw.bands[names.index(current) + 1] if current in names and names.index(current) + 1 < len(names) else None
    return {
        "total": now, "points": now * fw.total.points, "band": current, "rank": likely_rank(aud, unit, now),
        "of": int(aud.totals.notna().sum()), "peer_median_points": None if median is None else median * fw.total.points,
        "reach_total": reach, "reach_points": reach * fw.total.points, "reach_band": band(reach, fw),
        "reach_rank": likely_rank(aud, unit, reach),
        "yesno_count": yes_no_count if yes_no is not None else 0,
        "yesno_total": yes_no, "yesno_points": None if yes_no is None else yes_no * fw.total.points,
        "yesno_rank": None if yes_no is None else likely_rank(aud, unit, yes_no),
        "yesno_band": None if yes_no is None else band(yes_no, fw),
        "next_band": above.name if above else None, "next_band_points": above.at_least if above else None,
    }


def verification(aud: Audience, unit: str) -> pd.DataFrame:
    """Per main index (and bonus, penalty: ``adjustment``, signed): points possible, self-assessed, verified, and
    the gap (self − verified). The totals are not sums of these rows: they stay within 0 and the maximum."""
    fw, s = aud.fw, aud.scores
    rows = []
    for i in fw.indices:
        leaves = [leaf.code for c in i.components for leaf in c.leaves()]
        own, checked = s.self_points.loc[unit, leaves], s.points.loc[unit, leaves]
        rows.append({"code": i.code, "name": i.name, "possible": i.points, "adjustment": False,
                     "self_points": None if own.isna().any() else float(own.sum()),
                     "verified_points": None if checked.isna().any() else float(checked.sum())})
    for a, sign in ((fw.bonus, 1), (fw.penalty, -1)):
        if a is not None:
            rows.append({"code": a.code, "name": a.name, "possible": sign * a.cap, "adjustment": True,
                         "self_points": sign * float(s.self_scored.loc[unit, a.code]),
                         "verified_points": sign * float(s.scored.loc[unit, a.code])})
    frame = pd.DataFrame(rows, columns=["code", "name", "possible", "adjustment", "self_points", "verified_points"])
    frame["gap"] = frame["self_points"] - frame["verified_points"]
    return frame


def item_gaps(aud: Audience, unit: str, limit: int | None = None) -> pd.DataFrame:
    """Items whose self-assessed and verified points differ, largest difference first: the unit's first fixes."""
    fw, s = aud.fw, aud.scores
    rows = []
    for c in fw.assessed_items():
        own, checked = s.self_points.loc[unit, c.code], s.points.loc[unit, c.code]
        if pd.isna(own) or pd.isna(checked) or abs(own - checked) < 1e-9:
            continue
        missing = c.code in s.no_evidence.columns and bool(s.no_evidence.loc[unit, c.code])
        rows.append({"code": c.code, "name": c.name, "group": fw.index_of(c.code).name, "self_points": float(own),
                     "verified_points": float(checked), "gap": float(own - checked),
                     "self_value": s.self_measured.loc[unit, c.code], "verified_value": s.measured.loc[unit, c.code],
                     "measure": "yesno" if c.rule == "yesno" else ("points" if c.rule == "points" else "share"),
                     "reason": "no_evidence" if missing else "verified_lower"})
    frame = pd.DataFrame(rows, columns=["code", "name", "group", "self_points", "verified_points", "gap", "self_value",
                                        "verified_value", "measure", "reason"])
    frame = frame.sort_values(["gap", "code"], ascending=[False, True], kind="stable", key=lambda c: c.abs() if c.name == "gap" else c)
    return frame.head(limit).reset_index(drop=True) if limit else frame.reset_index(drop=True)
