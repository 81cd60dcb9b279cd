"""Seeded generator of the sample city's submissions (DỮ LIỆU MẪU).

Real quarterly measurements are not public, so the sample workbooks are made
here from a fixed seed: city-wide trajectories towards the real targets, a
per-unit effect so some units lag, a few missing and late submissions. Running
it twice gives the same values.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import numpy as np

from dxreport.domain.config import Indicator, load_city, load_indicators
from dxreport.domain.periods import period_range
from dxreport.domain.units import active_on, indicators_for, load_units
from dxreport.intake.workbook import Row, write_workbook

SEED = 20260930
FIRST, LAST = "2025-Q1", "2026-Q3"

# City-wide level of each share at the first and last sample quarter.
TRAJECTORY: dict[str, tuple[float, float]] = {
    "HS_TT": (0.78, 0.86),
    "PHI_TT": (0.40, 0.55),
    "DAU_MOI": (0.80, 0.93),
    "DL_MO": (0.55, 0.80),
    "TO_CNS": (0.70, 0.95),
    "DS_LD_SMART": (0.86, 0.96),
    "DS_LD_TKSO": (0.80, 0.97),
    "DS_15_TKTT": (0.80, 0.93),
    "DS_15_KNS": (0.62, 0.80),
    "DS_18_CKS": (0.30, 0.53),
    "THON_BR": (0.93, 0.995),
    "DVC_TOANTRINH": (0.86, 1.0),
    "DVSNC_TT": (0.45, 0.58),
    "TB_1GB": (0.16, 0.31),
    "TB_SMART": (0.87, 0.93),
    "KTS_GRDP": (0.19, 0.225),
    "DN_HDDT": (0.68, 0.82),
    "TRAM_5G": (0.14, 0.47),  # share of TRAM_4G
}
SIZE = {"department": 2500, "district": 9000, "ward": 3500, "commune": 1800, "special_zone": 100}
POPULATION = {"district": 150_000, "ward": 60_000, "commune": 35_000, "special_zone": 1_000}
NOTES = [
    "Số liệu trích từ Hệ thống thông tin giải quyết thủ tục hành chính thành phố",
    "Tài liệu kiểm chứng: báo cáo của đơn vị, lưu tại bộ phận một cửa",
    "Theo số liệu của Công an thành phố (tài khoản định danh điện tử)",
    "",
    "",
    "",
]


def _level(code: str, step: int, steps: int) -> float:
    start, end = TRAJECTORY[code]
    return start + (end - start) * step / max(steps - 1, 1)


def generate(city_dir: Path, out_dir: Path, seed: int = SEED) -> list[Path]:
    """Write one workbook per active unit and sample quarter under ``out_dir/<period>/``."""
    rng = np.random.default_rng(seed)
    city = load_city(city_dir)
    units = load_units(city_dir)
    indicators = load_indicators(city_dir)
    periods = period_range(FIRST, LAST)
    effect = {code: rng.normal(0, 0.04) for code in units.index}
    scale = {code: rng.uniform(0.5, 1.6) for code in units.index}
    previous: dict[tuple[str, str], float | int] = {}
    written: list[Path] = []
    for step, period in enumerate(periods):
        _, cutoff_end = city.cutoff.rule().window(period)
        deadline = cutoff_end + timedelta(days=city.submission_deadline_days)
        for unit in active_on(units, period.end).itertuples():
            if unit.kind == "city":
                continue
            # A few units miss a quarter; two miss the latest one.
            skip = rng.random() < 0.04 or (period == periods[-1] and unit.code in ("SDL", "X-BNA"))
            values = _unit_values(unit, indicators_for(unit.code, units, indicators), step, len(periods), effect, scale, rng)
            late = rng.random() < 0.12
            submitted = deadline + timedelta(days=int(rng.integers(1, 12))) if late else deadline - timedelta(days=int(rng.integers(0, 6)))
            if skip:
                continue
            rows = []
            for code, value in values.items():
                note = NOTES[int(rng.integers(0, len(NOTES)))] if indicators[code].kind == "count" else ""
                rows.append(Row(indicators[code], value, previous.get((unit.code, code)), note))
                previous[(unit.code, code)] = value
            path = out_dir / period.id / f"{unit.code}.xlsx"
            write_workbook(path, unit=unit.code, unit_name=unit.name, period=period.id, rows=rows, submitted_on=submitted)
            written.append(path)
    return written


def _share(code: str, unit: str, step: int, steps: int, effect: dict[str, float], rng: np.random.Generator) -> float:
    return float(np.clip(_level(code, step, steps) + effect[unit] + rng.normal(0, 0.01), 0.0, 1.0))


def _unit_values(unit, items: list[Indicator], step, steps, effect, scale, rng) -> dict[str, float | int]:
    out: dict[str, float | int] = {}
    base = {i.code: i for i in items}
    population = POPULATION.get(unit.kind, 0) * scale[unit.code]
    for i in items:
        code = i.code
        if i.kind == "yesno":
            out[code] = int(rng.random() < _level(code, step, steps) + effect[unit.code])
        elif i.kind == "share":
            out[code] = round(float(np.clip(_level(code, step, steps) + rng.normal(0, 0.005), 0, 1)), 4)
        elif code in ("HS_TONG", "PHI_TONG"):
            out[code] = int(SIZE[unit.kind] * scale[unit.code] * rng.uniform(0.85, 1.15))
        elif code == "TRAM_4G":
            out[code] = 3000 + 40 * step
        elif code == "TRAM_5G":
            out[code] = int((3000 + 40 * step) * _level("TRAM_5G", step, steps))
        elif code in ("DS_LD", "DS_15", "DS_18"):
            share = {"DS_LD": 0.62, "DS_15": 0.78, "DS_18": 0.74}[code]
            out[code] = int(population * share * (1 + 0.003 * step))
        elif code == "THON_TONG":
            out[code] = max(5, int(population / 2500))
    for i in items:
        if i.not_above and i.code not in out:
            out[i.code] = int(round(out[i.not_above] * _share(i.code, unit.code, step, steps, effect, rng)))
    return {code: out[code] for code in base}  # keep the indicator order of the template


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    out = root / "data" / "sample" / "danang"
    paths = generate(root / "data" / "cities" / "danang", out)
    print(f"Đã tạo {len(paths)} tệp mẫu trong {out}")


if __name__ == "__main__":
    main()
