"""``dxreport new-city CODE [--name NAME] [--period P]``: the commented files of a new city or province.

Writes data/cities/CODE/ (city, units, indicators, programme, succession, the
sample recipe), an example index framework, a parameters file and the
analyst's text for one period; never overwrites. Values only the office knows
are marked "(điền …)"; ``dxreport check-config CODE`` lists what is left.
"""

from __future__ import annotations

import argparse


def _new_city(args: argparse.Namespace) -> int:
    from dxreport.domain import paths, skeleton

    root = paths.find_root()
    written = skeleton.write(root, args.code, args.name, args.period)
    print(f"Đã tạo bộ khung cấu hình của '{args.code}' ({len(written)} tệp):")
    for path in written:
        print(f"  {path.relative_to(root)}")
    print(f"Tiếp theo: điền các giá trị '(điền …)', rồi chạy: dxreport check-config {args.code}; "
          f"dxreport sample --city {args.code}; dxreport run {written[-2].relative_to(root)}. "
          "Hướng dẫn: docs/thanh-pho-moi.md")
    return 0


def register(sub) -> None:
    p = sub.add_parser("new-city", help="tạo bộ khung cấu hình (có chú thích) cho một tỉnh, thành phố mới")
    p.add_argument("code", metavar="MÃ", help="mã tỉnh, thành phố: chữ thường không dấu, chữ số và '-', ví dụ ma-tinh")
    p.add_argument("--name", metavar="TÊN", help='tên đầy đủ, bắt đầu bằng "Tỉnh" hoặc "Thành phố" (mặc định: để điền sau)')
    p.add_argument("--period", metavar="KỲ", help="quý của tệp tham số đầu tiên, ví dụ 2026-Q3 (mặc định: quý vừa qua)")
    p.set_defaults(func=_new_city)
