"""``dxreport run [PARAMS.yaml …]``: build reports from parameters files."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import paths

DEFAULT_PARAMS = Path("params") / "danang-2026-Q3.yaml"


def _run(args: argparse.Namespace) -> int:
    from ..run import check, run_one

    root = paths.find_root()
    files = [Path(p) for p in args.params] or [root / DEFAULT_PARAMS]
    for f in files:  # every parameters file is validated before any kernel starts
        check(f, root)
    for f in files:
        result = run_one(f, root)
        print(f"Đã tạo báo cáo: {result.output_dir.relative_to(root)}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("run", help="chạy sổ tính và xuất báo cáo cho một hoặc nhiều tệp tham số")
    p.add_argument("params", nargs="*", help=f"tệp tham số YAML (mặc định: {DEFAULT_PARAMS})")
    p.set_defaults(func=_run)
