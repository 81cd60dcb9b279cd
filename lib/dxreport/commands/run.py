"""``dxreport run [PARAMS.yaml …]``: the city report and every unit's scorecard, in parallel."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from dxreport.domain import paths

STATUS_WORDS = {"built": "đã tạo", "unchanged": "không đổi, không tạo lại", "failed": "LỖI"}


def _run(args: argparse.Namespace) -> int:
    from dxreport.execute import kernel_template

    root = paths.find_root()
    if args.city or args.period:
        files = [_city_params(args, root)]
    else:
        files = [Path(p) for p in args.params] or [_default_params(root)]
    if not args.scheduler:  # kernels of this process: their template imports while the batch is planned
        kernel_template.start(kernel_template.KERNEL, str(paths.notebooks_dir(root)))
    try:
        return _run_started(args, root, files)
    finally:
        kernel_template.stop()


def _run_started(args: argparse.Namespace, root: Path, files: list[Path]) -> int:
    from tqdm import tqdm

    from dxreport.execute.batch import default_workers, run_batch, summary
    from dxreport.execute.run import plan
    from dxreport.publish.reports_index import write_index

    # every parameters file is validated (inside plan) before any kernel starts
    jobs = plan(files, root, scorecards=not args.no_scorecards, only_units=args.unit or None, final=args.final)
    workers = min(args.jobs or default_workers(), len(jobs))
    bar = tqdm(total=len(jobs), desc="Báo cáo", unit="báo cáo", file=sys.stderr, disable=args.quiet or None,
               dynamic_ncols=True)

    def progress(result) -> None:
        bar.update(1)
        if result.status == "failed":
            bar.write(f"LỖI {result.label}: {result.message}", file=sys.stderr)

    try:
        results = run_batch(jobs, root, workers=workers, executor=args.executor, scheduler=args.scheduler,
                            force=args.force, progress=progress)
    finally:
        bar.close()
    index = write_index(root)
    for r in results:
        if r.status != "failed" and (r.status == "built" or not args.quiet):
            print(f"{STATUS_WORDS[r.status]}: {r.output_dir}")
    counts = summary(results)
    print(f"Tổng cộng {len(results)} báo cáo: {counts['built']} đã tạo, {counts['unchanged']} không đổi, "
          f"{counts['failed']} lỗi. Danh mục: {index.relative_to(root)}")
    for r in results:
        if r.status == "failed":
            print(f"dxreport: {r.label}: {r.message}", file=sys.stderr)
    return 1 if counts["failed"] else 0


def _default_params(root: Path) -> Path:
    """No file named: the project's default run (data/cities/default.yaml), said on stderr."""
    from dxreport.domain.params import default_run

    path, _ = default_run(root)
    print(f"dxreport: không có tệp tham số, dùng lần chạy mặc định {path.relative_to(root)} "
          f"(ghi trong {paths.DEFAULT_RUN})", file=sys.stderr)
    return path


def _city_params(args: argparse.Namespace, root: Path) -> Path:
    """``--city CODE --period 2026-Q3|current|previous``: the run named by city and period, no file needed."""
    from datetime import date

    from dxreport.domain.config import load_city
    from dxreport.domain.errors import ConfigError
    from dxreport.domain.periods import PeriodError
    from dxreport.execute.cycle import resolve_period
    from dxreport.execute.run import params_for_city

    if args.params:
        raise ConfigError("--city/--period", None, "dùng hoặc tệp tham số, hoặc --city với --period, không dùng cả hai")
    if not (args.city and args.period):
        raise ConfigError("--city/--period", None, "cần cả --city và --period (kỳ, hoặc current / previous)")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.city) or args.city not in paths.configured_cities(root):
        raise ConfigError("--city", None, f"không có thành phố '{args.city}'; các thành phố đã cấu hình: "
                                          f"{', '.join(paths.configured_cities(root)) or 'chưa có'}")
    today = date.fromisoformat(args.today) if args.today else date.today()
    city = load_city(paths.city_dir(root, args.city))
    try:
        period = resolve_period(city, args.period, today)
    except PeriodError as e:
        raise ConfigError("--period", None, str(e)) from None
    return params_for_city(root, args.city, period.id, today)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' không phải số nguyên dương")
    return value


def register(sub) -> None:
    p = sub.add_parser("run", help="lập báo cáo thành phố và phiếu đánh giá của mọi đơn vị cho một hoặc nhiều tệp tham số")
    p.add_argument("params", nargs="*", help=f"tệp tham số YAML (mặc định: lần chạy ghi trong {paths.DEFAULT_RUN})")
    p.add_argument("--city", metavar="MÃ", help="lập báo cáo của thành phố này (cùng --period), không cần tệp tham số")
    p.add_argument("--period", metavar="KỲ", help="kỳ báo cáo: 2026-Q3, current (kỳ đang thu số liệu) hoặc previous (kỳ trước đó)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="ngày dùng để tính current/previous và ngày báo cáo (mặc định: hôm nay)")
    p.add_argument("-j", "--jobs", type=_jobs, default=0, help="số báo cáo lập song song (mặc định: số lõi CPU)")
    p.add_argument("--force", action="store_true", help="lập lại cả những báo cáo không có gì thay đổi")
    p.add_argument("--final", action="store_true",
                   help="báo cáo chính thức: cần số văn bản, và nội dung do chuyên viên viết không còn chỗ [[…]] hay mục trống")
    p.add_argument("--no-scorecards", action="store_true", help="không lập phiếu đánh giá của từng đơn vị")
    p.add_argument("--unit", action="append", metavar="MÃ", help="chỉ lập phiếu của đơn vị này (có thể lặp lại)")
    p.add_argument("--executor", choices=["local", "dask"], default="local", help="chạy trên máy này hoặc trên cụm Dask")
    p.add_argument("--scheduler", metavar="ĐỊA_CHỈ", help="địa chỉ bộ lập lịch Dask (mặc định: cụm cục bộ)")
    p.add_argument("-q", "--quiet", action="store_true", help="không hiện thanh tiến độ")
    p.set_defaults(func=_run)
