"""``dxreport template --city C --period P [--unit U] [--out DIR] [--db PATH] [--danh-gia]``: blank workbooks for units.

One workbook per unit, listing exactly the indicators that unit reports (and, on a second sheet,
the programme tasks it leads), with
last period's value from the store when ``--db`` is given. With ``--danh-gia``,
the blank assessment sheets of the city's index instead (``<out>/danh-gia/<unit>.xlsx``:
one per unit a framework with assessed items scores).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dxreport.domain.errors import ConfigError


def _template(args: argparse.Namespace) -> int:
    from dxreport import store
    from dxreport.domain import paths
    from dxreport.domain.config import load_city, load_indicators
    from dxreport.domain.periods import Period, PeriodError
    from dxreport.domain.units import TOP_KINDS, active_on, indicators_for, load_units
    from dxreport.intake import submissions as intake
    from dxreport.intake.workbook import JumpWarning, blank_rows, place_name, write_workbook

    root = paths.find_root()
    city_dir = intake.city_dir_named(args.city, root)
    try:
        period = Period.parse(args.period)
    except PeriodError as e:
        raise ConfigError("--period", None, str(e)) from None
    city = load_city(city_dir)
    rule = city.jumps  # the city's rule, the one its reports apply, so the cell turns orange for what the office will query
    jump = JumpWarning(relative=rule.relative, min_absolute=rule.min_absolute, share_points=rule.share_points)
    units = load_units(city_dir)
    indicators = load_indicators(city_dir)
    active = active_on(units, period.end)
    active = active[~active["kind"].isin(TOP_KINDS)]
    if args.unit:
        if args.unit not in active.index:
            raise ConfigError(city_dir / "units.csv", args.unit, f"đơn vị không có hoặc không hoạt động trong kỳ {period.id}")
        active = active.loc[[args.unit]]
    previous: dict[tuple[str, str], float] = {}
    if args.db:
        if not Path(args.db).exists():
            raise ConfigError(args.db, None, "không tìm thấy kho dữ liệu")
        obs = store.load_observations(args.db, [period.previous.id])
        previous = {(u, i): v for u, i, v in zip(obs["unit"], obs["indicator"], obs["value"]) if v == v}
    out = Path(args.out) if args.out else root / "build" / "bieu-mau" / city_dir.name / period.id
    if args.danh_gia:
        from dxreport.domain import frameworks
        from dxreport.intake.assessment import write_assessment

        count = 0
        for fw in frameworks.for_city_dir(city_dir):
            if not fw.assessed_items():
                continue
            for unit in active[active["kind"].isin(fw.audience)].itertuples():
                write_assessment(out / "danh-gia" / f"{unit.code}.xlsx", framework=fw, unit=unit.code, unit_name=unit.name,
                                 period=period.id, city=city.code)
                count += 1
        print(f"Đã tạo {count} phiếu tự đánh giá kỳ {period.id} trong {out / 'danh-gia'}")
        return 0
    from dxreport.domain.config import load_programme
    from dxreport.intake.tasksheet import TaskRow, led_by

    tasks = load_programme(city_dir).tasks
    for unit in active.itertuples():
        items = indicators_for(unit.code, units, indicators)
        rows = blank_rows(items, {i.code: previous.get((unit.code, i.code)) for i in items})
        write_workbook(out / f"{unit.code}.xlsx", unit=unit.code, unit_name=unit.name, period=period.id, rows=rows,
                       place=place_name(unit.kind, unit.name, city.place), jump=jump, city=city_dir.name,
                       tasks=[TaskRow(t) for t in led_by(tasks, unit.code)])
    print(f"Đã tạo {len(active)} biểu mẫu kỳ {period.id} trong {out}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("template", help="tạo biểu mẫu Excel trống cho từng đơn vị trong một kỳ")
    p.add_argument("--city", required=True, help="mã thành phố trong data/cities")
    p.add_argument("--period", required=True, help="kỳ báo cáo, ví dụ 2026-Q4")
    p.add_argument("--unit", help="chỉ tạo cho một đơn vị (mã đơn vị)")
    p.add_argument("--out", help="thư mục ghi (mặc định: build/bieu-mau/<thành phố>/<kỳ>)")
    p.add_argument("--db", help="kho DuckDB để điền giá trị kỳ trước")
    p.add_argument("--danh-gia", action="store_true",
                   help="tạo phiếu tự đánh giá và thẩm định chỉ số của thành phố (thay cho biểu báo cáo số liệu)")
    p.set_defaults(func=_template)
