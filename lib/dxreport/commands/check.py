"""``dxreport check FILE…``: list every problem of unit submissions, store nothing.

Exit 0 when every file is clean, 1 when any file has a problem, 2 for a usage error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dxreport.intake.readers import ENGINES


def submission_files(names: list[str]) -> list[Path]:
    """Files named, and the spreadsheets inside named folders; a missing name is a usage error.

    Spreadsheets in a format intake does not accept (.xls, .xlsm, .ods…) are listed too, so that
    each is reported with what to do instead of being passed over in silence.
    """
    from dxreport.intake.submissions import SPREADSHEET_SUFFIXES

    out: list[Path] = []
    for name in names:
        p = Path(name)
        if p.is_dir():
            out += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SPREADSHEET_SUFFIXES
                          and not f.name.startswith(("~$", ".~lock")))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(2, "không tìm thấy", name)
    return out


def city_dir(args: argparse.Namespace, files: list[Path]) -> Path:
    from dxreport.domain import paths
    from dxreport.intake import submissions as intake

    return intake.resolve_city(files, paths.find_root(), args.city)


def _check(args: argparse.Namespace) -> int:
    from dxreport.intake import submissions as intake

    files = submission_files(args.files)
    expected = intake.expected_for(city_dir(args, files))
    bad = problems = 0
    for f in files:
        checked = intake.check_file_safely(f, expected, args.reader)
        for p in checked.problems:
            print(p.line())
        bad += not checked.ok
        problems += len(checked.problems)
    print(f"Đã kiểm tra {len(files)} tệp: {len(files) - bad} hợp lệ, {bad} có vấn đề ({problems} vấn đề).")
    return 1 if bad else 0


def add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", metavar="TỆP", help="tệp .xlsx/.csv của đơn vị, hoặc thư mục chứa chúng")
    p.add_argument("--city", help="mã thành phố trong data/cities (mặc định: mã ghi trong tệp do biểu mẫu tạo, "
                   "hoặc thành phố duy nhất đã cấu hình)")
    p.add_argument("--reader", choices=ENGINES, default="calamine", help="bộ đọc Excel (mặc định: calamine)")


def register(sub) -> None:
    p = sub.add_parser("check", help="kiểm tra tệp số liệu của đơn vị, liệt kê mọi lỗi, không ghi vào kho")
    add_common(p)
    p.set_defaults(func=_check)
