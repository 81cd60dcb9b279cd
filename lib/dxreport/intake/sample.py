"""Seeded generator of a city's sample submissions (DỮ LIỆU MẪU), from the city's own files.

Real quarterly measurements are not public, so sample workbooks are made here
from a fixed seed: city-wide levels moving along each target's path from its
baseline, a per-unit effect so some units lag, a few missing and late
submissions. Everything about the city comes from ``data/cities/<city>/``: its
units, its indicators, its targets, and optionally ``sample.yaml``, which tunes
the levels and sizes (:class:`SampleRecipe`). The same files and seed give the
same bytes.

Units that lead programme tasks report their progress on the workbook's second sheet
(:mod:`dxreport.intake.sample_tasks`, a generator of its own as well).

The same run makes each unit's assessment sheet of the city's index, when a
framework of the city has assessed items (``<period>/danh-gia/<unit>.xlsx``:
self-assessed values, evidence, the office's verified values), from a seed of its
own, so the workbooks' values do not depend on them. A unit that sent no workbook
sent no sheet; one that sent late gets the office's penalty points for it.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np
from pydantic import Field

from dxreport.domain.config import (
    City,
    Indicator,
    Programme,
    _Strict,
    load_city,
    load_indicators,
    load_model,
    load_programme,
)
from dxreport.domain.errors import ConfigError
from dxreport.domain.periods import Period, PeriodError, period_range
from dxreport.domain.units import TOP_KINDS, active_on, indicators_for, load_units
from dxreport.domain import frameworks
from dxreport.domain.frameworks import Framework
from dxreport.intake.assessment import ItemRow, value_kind, write_assessment
from dxreport.intake.sample_tasks import TaskProgress
from dxreport.intake.workbook import JumpWarning, Row, place_name, write_workbook

SEED = 20260930
RECIPE_FILE = "sample.yaml"
PACE = 0.95  # sample levels keep to 95 % of each target's path, so some units and targets fall behind
DEFAULT_LEVEL = (0.6, 0.8)  # a share, index, yes/no or ratio with no target to follow
DEFAULT_SIZES = {"department": 2500, "district": 9000, "ward": 3500, "commune": 1800, "special_zone": 100}
DEFAULT_POPULATION = {"district": 150_000, "ward": 60_000, "commune": 35_000, "special_zone": 1_000}


class SampleRecipe(_Strict):
    """``sample.yaml``: how this city's sample workbooks are made (every key optional)."""

    seed: int = SEED
    periods: str | None = None  # "2025-Q1:2026-Q3", the default of --periods
    missing_last_period: list[str] = []  # units that have not sent the last period
    levels: dict[str, tuple[float, float]] = {}  # city-wide level at the first and last period (shares, yes/no, ratios)
    sizes: dict[str, dict[str, int]] = {}  # a count's typical value per unit kind
    population: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_POPULATION))
    population_shares: dict[str, float] = {}  # a count as a share of the unit's population
    per_population: dict[str, int] = {}  # a count of one per N residents (at least 5)
    series: dict[str, tuple[int, int]] = {}  # a count that starts at a value and grows by a step each period
    of: dict[str, str] = {}  # a count as its level × another count
    notes: list[str] = []  # notes a unit may write beside a count ("" = none); default: a generic list


def load_recipe(city_dir: Path) -> SampleRecipe:
    path = Path(city_dir) / RECIPE_FILE
    return load_model(SampleRecipe, path, "tệp cách tạo dữ liệu mẫu") if path.is_file() else SampleRecipe()


def parse_periods(text: str, source: str = "--periods") -> list[Period]:
    """``2025-Q1:2026-Q3`` → the quarters from the first to the last, inclusive."""
    first, sep, last = (text or "").partition(":")
    try:
        periods = period_range(first.strip(), (last if sep else first).strip())
    except (PeriodError, ValueError) as e:
        raise ConfigError(source, None, f"khoảng kỳ '{text}' không hợp lệ ({e}); viết dạng 2025-Q1:2026-Q3") from None
    if not periods:
        raise ConfigError(source, None, f"khoảng kỳ '{text}' rỗng: kỳ đầu phải trước kỳ cuối")
    return list(periods)


def _notes(city: City, recipe: SampleRecipe) -> list[str]:
    return recipe.notes or [
        f"Số liệu trích từ Hệ thống thông tin giải quyết thủ tục hành chính {city.locality}",
        "Tài liệu kiểm chứng: báo cáo của đơn vị, lưu tại bộ phận một cửa",
        f"Theo số liệu của Công an {city.locality} (tài khoản định danh điện tử)",
        "",
        "",
        "",
    ]


def target_levels(programme: Programme, indicators: dict[str, Indicator], periods: list[Period]) -> dict[str, tuple[float, float]]:
    """Levels that follow the targets: each measured indicator moves along its target's path (at :data:`PACE`)."""
    out: dict[str, tuple[float, float]] = {}
    for t in programme.targets:
        code = t.measure.numerator if t.measure.kind == "ratio" else t.measure.indicator
        if not code or code in out or code not in indicators:
            continue
        if indicators[code].kind == "count" and t.measure.kind != "ratio":
            continue  # a count is sized, not levelled
        if indicators[code].kind == "count" and indicators[code].not_above != t.measure.denominator:
            continue
        ends = []
        span = (t.deadline - t.baseline.date).days
        for p in (periods[0], periods[-1]):
            share = min(max((p.end - t.baseline.date).days / span, 0.0), 1.0)  # of the way from baseline to deadline
            ends.append(float(np.clip(t.baseline.value + (t.target - t.baseline.value) * share * PACE, 0.0, 1.0)))
        out[code] = (ends[0], ends[1])
    return out


ASSESSMENT_SEED_OFFSET = 18  # the assessment sheets draw from a generator of their own (seed + 18)
ASSESSMENT_FOLDER = "danh-gia"
ASSESSOR = "Nguyễn Văn Mẫu, Phòng Chuyển đổi số (dữ liệu mẫu)"
# Self-assessed yes/no items and shares at the first and last sample period, city-wide.
ASSESSED_LEVEL = {"yesno": (0.75, 0.95), "share": (0.70, 0.90)}
EVIDENCE = ["Kế hoạch số {n}/KH-{unit} ngày {day}", "Quyết định số {n}/QĐ-{unit} ngày {day}",
            "Tệp trích xuất hệ thống, gửi kèm phiếu", "Danh sách kèm theo, lưu tại đơn vị"]


def _assessed_frameworks(city_dir: Path) -> list[Framework]:
    """The city's index frameworks with items assessed on a sheet (none outside a project)."""
    return [fw for fw in frameworks.for_city_dir(city_dir) if fw.assessed_items()]


def generate(city_dir: Path, out_dir: Path, periods: list[Period] | None = None, seed: int | None = None, *,
             workbooks: bool = True, assessments: bool = True) -> list[Path]:
    """Write one workbook per reporting unit and period under ``out_dir/<period>/``, and each unit's assessment
    sheet of the city's index under ``out_dir/<period>/danh-gia/``; returns their paths. Either can be left out
    (``workbooks``, ``assessments``): the draws of the other stay the same."""
    city_dir = Path(city_dir)
    recipe = load_recipe(city_dir)
    city = load_city(city_dir)
    units = load_units(city_dir)
    indicators = load_indicators(city_dir)
    if periods is None:
        if recipe.periods is None:
            raise ConfigError(city_dir / RECIPE_FILE, "periods", "chưa có khoảng kỳ mẫu; dùng --periods 2025-Q1:2026-Q3")
        periods = parse_periods(recipe.periods, str(city_dir / RECIPE_FILE))
    levels = {**target_levels(load_programme(city_dir), indicators, periods), **recipe.levels}
    notes = _notes(city, recipe)
    rng = np.random.default_rng(recipe.seed if seed is None else seed)
    assessing = np.random.default_rng((recipe.seed if seed is None else seed) + ASSESSMENT_SEED_OFFSET)
    assessed = _assessed_frameworks(city_dir) if assessments else []
    effect = {code: rng.normal(0, 0.04) for code in units.index}
    scale = {code: rng.uniform(0.5, 1.6) for code in units.index}
    previous: dict[tuple[str, str], float | int] = {}
    written: list[Path] = []
    maker = _Values(recipe, levels, len(periods))
    progress = TaskProgress(load_programme(city_dir).tasks, periods, recipe.seed if seed is None else seed)
    rule = city.jumps  # the workbook's orange warning follows the city's own rule, as `dxreport template` writes it
    jump = JumpWarning(relative=rule.relative, min_absolute=rule.min_absolute, share_points=rule.share_points)
    for step, period in enumerate(periods):
        _, cutoff_end = city.cutoff.rule().window(period)
        deadline = cutoff_end + timedelta(days=city.submission_deadline_days)
        for unit in active_on(units, period.end).itertuples():
            if unit.kind in TOP_KINDS:
                continue
            items = indicators_for(unit.code, units, indicators)
            if not items:
                continue
            # A few units miss a quarter; those the recipe names miss the latest one.
            skip = rng.random() < 0.04 or (period == periods[-1] and unit.code in recipe.missing_last_period)
            values = maker.unit_values(unit, items, step, effect, scale, rng)
            late = rng.random() < 0.12
            submitted = deadline + timedelta(days=int(rng.integers(1, 12))) if late else deadline - timedelta(days=int(rng.integers(0, 6)))
            if skip:
                continue
            rows = []
            for code, value in values.items():
                note = notes[int(rng.integers(0, len(notes)))] if indicators[code].kind == "count" else ""
                rows.append(Row(indicators[code], value, previous.get((unit.code, code)), note))
                previous[(unit.code, code)] = value
            path = out_dir / period.id / f"{unit.code}.xlsx"
            if workbooks:
                write_workbook(path, unit=unit.code, unit_name=unit.name, period=period.id, rows=rows, submitted_on=submitted,
                               place=place_name(unit.kind, unit.name, city.place), jump=jump, city=city.code,
                               tasks=progress.rows(unit.code, period, submitted))
                written.append(path)
            for fw in assessed:
                if unit.kind in fw.audience:
                    sheet = out_dir / period.id / ASSESSMENT_FOLDER / f"{unit.code}.xlsx"
                    items = _assessment_rows(fw, unit.code, period, step, len(periods), effect[unit.code], late, assessing)
                    write_assessment(sheet, framework=fw, unit=unit.code, unit_name=unit.name, period=period.id, rows=items,
                                     assessor=ASSESSOR, assessed_on=deadline + timedelta(days=10), city=city.code)
                    written.append(sheet)
    return written


def _assessment_rows(fw: Framework, unit: str, period: Period, step: int, steps: int, effect: float, late: bool,
                     rng: np.random.Generator) -> list[ItemRow]:
    """A unit's self-assessment and the office's verification, item by item (sample values)."""
    out = []
    for item in fw.assessed_items():
        kind = value_kind(item)
        start, end = ASSESSED_LEVEL["yesno" if kind == "yesno" else "share"]
        level = start + (end - start) * step / max(steps - 1, 1) + effect
        if item in fw.adjustment_items():
            out.append(_office_adjustment(item, fw, late, rng))
            continue
        if item.assessed == "office":
            value = float(rng.random() < level + 0.05) if kind == "yesno" else round(float(np.clip(level + rng.normal(0, 0.05), 0, 1)), 3)
            out.append(ItemRow(item.code, None, "", value, ""))
            continue
        if kind == "yesno":
            own = float(rng.random() < level)
        else:
            own = round(float(np.clip(level + rng.normal(0, 0.06), 0, 1)), 3)
        evidence = ""
        if own and rng.random() < 0.9:
            evidence = EVIDENCE[int(rng.integers(0, len(EVIDENCE)))].format(
                n=int(rng.integers(10, 300)), unit=unit.split("-")[-1], day=f"{int(rng.integers(1, 28)):02d}/{period.start:%m/%Y}")
        verified, note = None, ""
        if own and kind == "yesno" and rng.random() < 0.08:
            verified, note = 0.0, "Văn bản chưa ban hành trong kỳ"
        elif own and kind != "yesno" and rng.random() < 0.3:
            verified, note = round(max(own - float(rng.uniform(0.05, 0.25)), 0.0), 3), "Số liệu kiểm chứng thấp hơn số tự đánh giá"
        if item.evidence_required and own and not evidence:
            note = "Thiếu tài liệu kiểm chứng"
        out.append(ItemRow(item.code, own, evidence, verified, note))
    return out


def _office_adjustment(item, fw: Framework, late: bool, rng: np.random.Generator) -> ItemRow:
    """Bonus and penalty items, set by the office: late reports cost points; bonuses and incidents are rare."""
    penalty = fw.penalty is not None and item in fw.penalty.items
    if item.rule == "points":  # reports sent late or sent back for correction
        value = (2.0 if late else 0.0) + (1.0 if rng.random() < 0.1 else 0.0)
        return ItemRow(item.code, None, "", value, "Gửi báo cáo quý chậm hạn" if late else "")
    chance = 0.03 if penalty else 0.1
    return ItemRow(item.code, None, "", float(rng.random() < chance), "")


class _Values:
    """One unit's values for one period, drawn in the order of its indicators."""

    def __init__(self, recipe: SampleRecipe, levels: dict[str, tuple[float, float]], steps: int):
        self.recipe, self.levels, self.steps = recipe, levels, steps

    def level(self, code: str, step: int) -> float:
        start, end = self.levels.get(code, DEFAULT_LEVEL)
        return start + (end - start) * step / max(self.steps - 1, 1)

    def unit_values(self, unit, items: list[Indicator], step: int, effect: dict[str, float], scale: dict[str, float],
                    rng: np.random.Generator) -> dict[str, float | int]:
        r = self.recipe
        out: dict[str, float | int] = {}
        population = r.population.get(unit.kind, 0) * scale[unit.code]
        for i in items:
            code = i.code
            if i.kind == "yesno":
                out[code] = int(rng.random() < self.level(code, step) + effect[unit.code])
            elif i.kind in ("share", "index"):
                out[code] = round(float(np.clip(self.level(code, step) + rng.normal(0, 0.005), 0, 1)), 4)
            elif i.not_above or code in r.of:
                continue  # after the count it is bounded by
            elif code in r.series:
                start, increment = r.series[code]
                out[code] = start + increment * step
            elif code in r.population_shares:
                out[code] = int(population * r.population_shares[code] * (1 + 0.003 * step))
            elif code in r.per_population:
                out[code] = max(5, int(population / r.per_population[code]))
            else:
                size = r.sizes.get(code, DEFAULT_SIZES).get(unit.kind, DEFAULT_SIZES.get(unit.kind, 1000))
                out[code] = int(size * scale[unit.code] * rng.uniform(0.85, 1.15))
        for i in items:
            if i.code in r.of and i.code not in out and r.of[i.code] in out:
                out[i.code] = int(out[r.of[i.code]] * self.level(i.code, step))
        for i in items:
            if i.not_above and i.code not in out:
                bound = out.get(i.not_above, 0)
                share = float(np.clip(self.level(i.code, step) + effect[unit.code] + rng.normal(0, 0.01), 0.0, 1.0))
                out[i.code] = int(round(bound * share))
        return {i.code: out[i.code] for i in items if i.code in out}  # keep the indicator order of the template
