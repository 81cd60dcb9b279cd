"""Benchmark: ingest 1,000 unit workbooks of 100 rows each into a fresh store.

The workbooks are generated first (seeded, in a temporary folder, with the same
``workbook.write_workbook`` units receive) for a synthetic city of 1,000 units
and 100 indicators; only the ingest is timed: hashing, checking every rule,
and storing. Both cell readers are measured; the default (calamine) is the
figure reported as ``intake_1000_s``. Target: ≤ 30 s on a 2-core machine.

Run: ``python bench/intake_1000.py`` (writes bench/out/intake_1000.json), or
import it and call :func:`run`.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))  # runnable without installing the package

from dxreport.domain.config import Indicator  # noqa: E402
from dxreport.intake import submissions as intake  # noqa: E402
from dxreport.intake.workbook import Row, write_workbook  # noqa: E402

SEED = 1000
UNITS, ROWS, PERIOD = 1000, 100, "2026-Q3"
OUT = ROOT / "bench" / "out" / "intake_1000.json"


def _indicators() -> list[dict]:
    """100 indicators: 40 totals, 40 parts bounded by them, 12 shares, 8 yes/no."""
    out: list[dict] = []
    for n in range(40):
        out.append({"code": f"T{n:02d}", "name": f"Tổng số hồ sơ loại {n}", "unit_of_measure": "hồ sơ", "kind": "count", "reported_by": ["department"]})
        out.append({"code": f"P{n:02d}", "name": f"Số hồ sơ trực tuyến loại {n}", "unit_of_measure": "hồ sơ", "kind": "count",
                    "reported_by": ["department"], "not_above": f"T{n:02d}"})
    out += [{"code": f"S{n:02d}", "name": f"Tỷ lệ dịch vụ số {n}", "unit_of_measure": "%", "kind": "share", "reported_by": ["department"]} for n in range(12)]
    out += [{"code": f"Y{n:02d}", "name": f"Có nền tảng số {n} (1 = có; 0 = chưa)", "unit_of_measure": "", "kind": "yesno", "reported_by": ["department"]} for n in range(8)]
    return out


def make_city(city_dir: Path) -> None:
    city_dir.mkdir(parents=True)
    shutil.copyfile(ROOT / "data" / "cities" / "danang" / "city.yaml", city_dir / "city.yaml")
    (city_dir / "indicators.yaml").write_text(yaml.safe_dump({"indicators": _indicators()}, allow_unicode=True), encoding="utf-8")
    lines = ["code,name,kind,parent,valid_from,valid_to", "BENCH,Thành phố thử nghiệm,city,,,"]
    lines += [f"U{n:04d},Đơn vị thử nghiệm số {n},department,BENCH,," for n in range(UNITS)]
    (city_dir / "units.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_unit(args: tuple[int, str]) -> None:
    n, out_dir = args
    rng = np.random.default_rng([SEED, n])
    rows = []
    totals: dict[str, int] = {}
    for spec in _indicators():
        i = Indicator(**spec)
        if i.kind == "count" and not i.not_above:
            value: float | int = totals.setdefault(i.code, int(rng.integers(100, 50_000)))
        elif i.kind == "count":
            value = int(totals[i.not_above] * rng.uniform(0.3, 1.0))
        elif i.kind == "share":
            value = round(float(rng.uniform(0.2, 1.0)), 4)
        else:
            value = int(rng.random() < 0.7)
        rows.append(Row(i, value, None, "Số liệu của đơn vị" if rng.random() < 0.2 else ""))
    write_workbook(Path(out_dir) / PERIOD / f"U{n:04d}.xlsx", unit=f"U{n:04d}", unit_name=f"Đơn vị thử nghiệm số {n}",
                   period=PERIOD, rows=rows, submitted_on=date(2026, 9, 20))


def generate(base: Path) -> tuple[Path, list[Path]]:
    city_dir = base / "cities" / "bench"
    make_city(city_dir)
    out = base / "submissions"
    with ProcessPoolExecutor() as pool:
        list(pool.map(_write_unit, [(n, str(out)) for n in range(UNITS)], chunksize=25))
    return city_dir, sorted(out.rglob("*.xlsx"))


def _time_ingest(files: list[Path], db: Path, city_dir: Path, engine: str) -> float:
    started = time.perf_counter()
    result = intake.ingest(files, db, city_dir=city_dir, engine=engine)
    elapsed = time.perf_counter() - started
    if result.counts["added"] != len(files):
        raise RuntimeError(f"{engine}: {result.counts}; first problem: {result.rejected[0].problems[0].line()}")
    return elapsed


def run() -> dict:
    """Generate the corpus, time the ingest with each reader; returns the figures (seconds)."""
    with tempfile.TemporaryDirectory(prefix="dxreport-bench-") as tmp:
        base = Path(tmp)
        started = time.perf_counter()
        city_dir, files = generate(base)
        generated = time.perf_counter() - started
        figures = {
            engine: _time_ingest(files, base / f"{engine}.duckdb", city_dir, engine)
            for engine in ("calamine", "openpyxl")
        }
    return {
        "intake_1000_s": round(figures["calamine"], 2),
        "intake_1000_openpyxl_s": round(figures["openpyxl"], 2),
        "files": len(files),
        "rows_per_file": ROWS,
        "generation_s": round(generated, 2),
    }


def main() -> None:
    result = run()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"Ingest {result['files']} workbooks × {result['rows_per_file']} rows: {result['intake_1000_s']:.1f} s with calamine, "
          f"{result['intake_1000_openpyxl_s']:.1f} s with openpyxl read-only (generation {result['generation_s']:.0f} s, not counted)")


if __name__ == "__main__":
    main()
