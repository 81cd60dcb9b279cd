"""Scoring a framework: component rules, aggregation up the levels, competition ranks, merges.

Pure functions over DataFrames indexed by unit with one column per framework
code. Values are kept at full precision; :func:`publish` rounds to the 4
decimals the ministry publishes, and ties for ranking are decided on those
published values (two provinces shown with the same value share a rank).
Weights the sources do not give are never guessed: asking for a level that
needs them raises :class:`ScoringError`.

From components, the scoring goes through points: each item's points by its
rule (:func:`leaf_points`), a group's and a main index's points as sums, the
bonus and penalty each capped, and the total's points kept within 0 and the
maximum (:func:`from_leaf_points`); values are points ÷ points possible. A
city framework reported in points (``total.report_as: points``) ranks on its
points to 2 decimals (:func:`rank_on`), the DTI on values to 4.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from dxreport.domain.errors import DxError
from dxreport.domain.frameworks import LEVEL_LABELS, Component, Framework

DECIMALS = 4


class ScoringError(DxError):
    """A level cannot be computed from the values given with this framework."""


# Component rules ---------------------------------------------------------------------------------

def component_points(component: Component, value: float) -> float:
    """Points a component earns for its measured ``value`` (NaN stays NaN: no data is not zero)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    top = component.points
    if top is None:
        raise ScoringError(f"Chỉ số thành phần {component.code}: chưa rõ điểm tối đa, không tính được điểm")
    x = float(value)
    if component.rule == "ratio":  # a/b × maximum
        return min(max(x, 0.0), 1.0) * top
    if component.rule == "yesno":
        return top if x >= 0.5 else 0.0
    if component.rule == "points":  # the assessor's points, within 0 and the maximum
        return min(max(x, 0.0), top)
    if component.rule == "step":  # the highest step reached
        reached = [s.points for s in component.steps or [] if x >= s.at_least]
        return max(reached, default=0.0)
    if component.rule == "threshold":
        met = x >= component.threshold if component.direction == "at_least" else x <= component.threshold  # type: ignore[operator]
        return top if met else 0.0
    # linear: 0 at ``base``, full points at ``target`` (either direction), clamped
    share = (x - component.base) / (component.target - component.base)  # type: ignore[operator]
    return min(max(share, 0.0), 1.0) * top


def _weighted(values: pd.DataFrame, weights: dict[str, float]) -> pd.Series:
    """Σ value × weight ÷ Σ weight over codes with a non-zero weight (a missing value gives NaN)."""
    codes = [c for c, w in weights.items() if w]
    w = pd.Series({c: weights[c] for c in codes}, dtype=float)
    part = values[codes].astype(float)
    achieved = part.mul(w, axis=1).sum(axis=1, min_count=len(codes))
    achieved[part.isna().any(axis=1)] = np.nan
    return achieved / w.sum()


def _unknown(what: str, codes: list[str], fw: Framework, target: str) -> ScoringError:
    return ScoringError(
        f"Bộ chỉ số {fw.id}: không tính được {target} từ {what} vì nguồn chưa cho điểm tối đa của "
        f"{', '.join(codes)} (ghi null trong tệp bộ chỉ số); hãy nhập giá trị ở cấp cao hơn thay vì đoán trọng số"
    )


def leaf_points(values: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Points of every item that takes a value (main indices' items, bonus and penalty items), per unit.

    ``values`` has one column per item code; an absent column is no data (NaN), except for
    bonus and penalty items, where no entry means no bonus and no penalty (0).
    """
    out = {}
    adjustments = {c.code for c in fw.adjustment_items()}
    for c in fw.leaves():
        column = values[c.code] if c.code in values.columns else pd.Series(np.nan, index=values.index)
        points = column.map(lambda v, c=c: component_points(c, v)).astype(float)
        out[c.code] = points.fillna(0.0) if c.code in adjustments else points
    return pd.DataFrame(out, index=values.index, columns=[c.code for c in fw.leaves()])


def _sum_complete(points: pd.DataFrame, codes: list[str]) -> pd.Series:
    """Σ points over ``codes``; NaN when any is missing (no data is not zero)."""
    part = points[codes].to_numpy(dtype=float)
    return pd.Series(part.sum(axis=1), index=points.index)  # a NaN anywhere in a row makes its sum NaN


def group_points(points: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Points of every group of items (4.22 = Σ 4.22.x) and of every main index with items, per unit."""
    out = {}
    for index in fw.indices:
        for top in index.components:
            for _, node in top.walk():
                if node.is_group:
                    out[node.code] = _sum_complete(points, [leaf.code for leaf in node.leaves()])
        if index.components:
            out[index.code] = _sum_complete(points, [leaf.code for c in index.components for leaf in c.leaves()])
    return pd.DataFrame(out, index=points.index)


def adjustment_totals(points: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Each bonus or penalty block's points per unit, capped (``cap``); columns are the blocks' codes."""
    out = {}
    for a in fw.adjustments():
        out[a.code] = points[[c.code for c in a.items]].fillna(0.0).sum(axis=1).clip(upper=a.cap)
    return pd.DataFrame(out, index=points.index)


def indices_from_components(values: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Main-index values = points achieved ÷ points possible over each index's items (at any depth)."""
    return indices_from_points(leaf_points(values, fw), fw)


def indices_from_points(points: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """:func:`indices_from_components` from the items' points (:func:`leaf_points`, possibly overridden)."""
    out = {}
    sums = group_points(points, fw)
    for index in fw.indices:
        if not index.components:
            continue
        if not fw.components_complete(index):
            raise ScoringError(
                f"Bộ chỉ số {fw.id}: chỉ số chính {index.code} chưa có đủ chỉ số thành phần và điểm trong tệp "
                "bộ chỉ số, không tính được từ cấp chỉ số thành phần"
            )
        possible = sum(leaf.points for c in index.components for leaf in c.leaves())  # type: ignore[misc]
        out[index.code] = sums[index.code] / possible
    missing = [i.code for i in fw.indices if i.scored and i.code not in out]
    if missing:
        raise ScoringError(f"Bộ chỉ số {fw.id}: chỉ số chính {', '.join(missing)} không có chỉ số thành phần trong tệp "
                           "bộ chỉ số, không tính được từ cấp chỉ số thành phần")
    return pd.DataFrame(out, index=points.index)


def adjusted_total(base: pd.Series, adjustments: pd.DataFrame, fw: Framework) -> pd.Series:
    """The total's value after bonus and penalty: (base points + bonus − penalty) within 0..maximum, ÷ maximum."""
    if not fw.adjustments():
        return base
    top = fw.total.points
    points = base * top
    if fw.bonus is not None:
        points = points + adjustments[fw.bonus.code]
    if fw.penalty is not None:
        points = points - adjustments[fw.penalty.code]
    return (points.clip(lower=0.0, upper=top) / top).rename(base.name)


def from_leaf_points(points: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Main indices, pillars, bonus and penalty blocks and the total from the items' points."""
    indices = indices_from_points(points, fw).reindex(columns=fw.codes("index"))
    out = compute(indices, fw, "index")
    if fw.adjustments():
        adjustments = adjustment_totals(points, fw)
        out[fw.total.code] = adjusted_total(out[fw.total.code], adjustments, fw)
        out = pd.concat([out, adjustments], axis=1)
    return out


def pillars_from_indices(values: pd.DataFrame, fw: Framework) -> pd.DataFrame:
    """Each pillar is a view: points achieved within it ÷ points possible within it."""
    out = {}
    for p in fw.pillars:
        unknown = [c for c in p.indices if fw.index(c).points is None]
        if unknown:
            raise _unknown(LEVEL_LABELS["index"], unknown, fw, f"trụ cột {p.code}")
        out[p.code] = _weighted(values.reindex(columns=p.indices), {c: fw.index(c).points for c in p.indices})  # type: ignore[misc]
    return pd.DataFrame(out, index=values.index)


def total_from_indices(values: pd.DataFrame, fw: Framework) -> pd.Series:
    unknown = [i.code for i in fw.indices if i.points is None]
    if unknown:
        raise _unknown(LEVEL_LABELS["index"], unknown, fw, fw.total.code)
    weights = {i.code: i.points for i in fw.indices}
    return _weighted(values.reindex(columns=list(weights)), weights).rename(fw.total.code)  # type: ignore[arg-type]


def total_from_pillars(values: pd.DataFrame, fw: Framework) -> pd.Series:
    if fw.total.basis != "pillars":
        raise ScoringError(
            f"Bộ chỉ số {fw.id}: {fw.total.code} là tổng điểm các chỉ số chính; các trụ cột dùng chung chỉ số nền tảng "
            f"nên không cộng được thành {fw.total.code} — hãy nhập giá trị các chỉ số chính"
        )
    weights = {p.code: fw.pillar_points(p) for p in fw.pillars}
    unknown = [c for c, w in weights.items() if w is None]
    if unknown:
        raise _unknown(LEVEL_LABELS["pillar"], unknown, fw, fw.total.code)
    return _weighted(values, weights).rename(fw.total.code)  # type: ignore[arg-type]


def compute(values: pd.DataFrame, fw: Framework, level: str) -> pd.DataFrame:
    """Every level from ``level`` up: main indices, pillars, total (components are not repeated)."""
    if level == "component":
        return from_leaf_points(leaf_points(values, fw), fw)
    if level == "index":
        indices = values.reindex(columns=fw.codes("index"))
        pillars = pillars_from_indices(indices, fw)  # raises when an index's points are unknown
        if fw.total.basis == "indices":
            total = total_from_indices(indices, fw)
        else:
            total = total_from_pillars(pillars, fw)
        return pd.concat([indices, pillars, total.to_frame()], axis=1)
    if level == "pillar":
        pillars = values.reindex(columns=fw.codes("pillar"))
        return pd.concat([pillars, total_from_pillars(pillars, fw).to_frame()], axis=1)
    return values.reindex(columns=fw.codes("total"))


# Publishing and ranking -------------------------------------------------------------------------

def publish(value: float, decimals: int = DECIMALS) -> float:
    """Round half-up as published (0.800175 → 0.8002), ignoring float noise below 1e-10."""
    if value is None or math.isnan(value):
        return math.nan
    return float(Decimal(repr(round(float(value), 10))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def competition_rank(values: pd.Series, decimals: int = DECIMALS) -> pd.Series:
    """"1224" ranks on published values, highest first; a unit without a value gets no rank."""
    shown = values.map(lambda v: publish(v, decimals))
    return shown.rank(method="min", ascending=False).astype("Int64")


def points_of(value: pd.Series | float, fw: Framework):
    """A total's value (0..1) on the framework's own scale (× its maximum points)."""
    return value * fw.total.points


def rank_on(values: pd.Series, fw: Framework) -> pd.Series:
    """Competition ranks as the framework publishes its total: on points to 2 decimals, or on values to 4."""
    if fw.total.report_as == "points":
        return competition_rank(points_of(values, fw), fw.total.shown_decimals)
    return competition_rank(values, fw.total.shown_decimals)


def shown_total(value: float, fw: Framework) -> float:
    """The total as published: points rounded to the framework's decimals, or the value to 4."""
    if fw.total.report_as == "points":
        return publish(value * fw.total.points, fw.total.shown_decimals)
    return publish(value, fw.total.shown_decimals)


def band(value: float, fw: Framework) -> str | None:
    """The band's name for a total's value (0..1), judged on its published points; ``None`` without bands."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or not fw.bands:
        return None
    found = fw.band_of(publish(value * fw.total.points, 2 if fw.total.report_as == "points" else 6))
    return found.name if found else None


def score(values: pd.DataFrame, fw: Framework, level: str) -> pd.DataFrame:
    """Computed codes from ``level`` up, plus the competition ``rank`` on the total (and ``points``, ``band``
    for a framework published in points or with bands)."""
    out = compute(values, fw, level)
    if fw.total.report_as == "points":
        out["points"] = points_of(out[fw.total.code], fw)
    if fw.bands:
        out["band"] = out[fw.total.code].map(lambda v: band(v, fw))
    return out.assign(rank=rank_on(out[fw.total.code], fw))


# Merging units ----------------------------------------------------------------------------------

def merge(values: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Carry units onto their successors by averaging, before scoring.

    ``pairs`` has columns ``unit`` and ``into``. A successor's value is the mean
    of the values of every unit that went into it, itself included if it was a
    unit before (the ministry's rule for the merged provinces in DTI 2024). A
    unit listed with several successors (a split) passes its values to each.
    Units not listed stay as they are.
    """
    listed = set(pairs["unit"])
    keep = [(u, u) for u in values.index if u not in listed]
    links = pd.DataFrame(keep + list(zip(pairs["unit"], pairs["into"])), columns=["unit", "into"])
    links = links[links["unit"].isin(values.index)]
    joined = links.join(values, on="unit")
    merged = joined.drop(columns="unit").groupby("into", sort=False).mean()
    merged.index.name = values.index.name
    return merged
