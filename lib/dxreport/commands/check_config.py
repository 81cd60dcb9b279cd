"""``dxreport check-config CODE``: every problem of a city's configuration, one line each (file, line, key).

Exit 0 when there is no error (remarks may be printed), 2 when there is any.
"""

from __future__ import annotations

import argparse


def _check_config(args: argparse.Namespace) -> int:
    from dxreport.domain import paths
    from dxreport.execute.config_check import check_city

    root = paths.find_root()
    codes = args.codes or paths.configured_cities(root)
    errors = 0
    for code in codes:
        findings = check_city(root, code)
        for f in findings:
            print(f.text())
        count = sum(f.error for f in findings)
        errors += count
        print(f"Cấu hình '{code}': {count} lỗi, {len(findings) - count} lưu ý.")
    return 2 if errors else 0


def register(sub) -> None:
    p = sub.add_parser("check-config", help="kiểm tra các tệp cấu hình của tỉnh, thành phố; nêu tệp, dòng, khóa của từng lỗi")
    p.add_argument("codes", nargs="*", metavar="MÃ", help="mã tỉnh, thành phố (mặc định: mọi tỉnh, thành phố đã cấu hình)")
    p.set_defaults(func=_check_config)
