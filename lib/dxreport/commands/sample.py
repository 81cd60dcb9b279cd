"""``dxreport sample --city C [--periods A:B] [--out DIR] [--chi-phieu-danh-gia]``: seeded sample workbooks for a configured city.

With the city's index frameworks having assessed items, each unit's assessment sheet too (``<period>/danh-gia/``);
``--chi-phieu-danh-gia`` writes those sheets alone.

Made from the city's own files (units, indicators, targets, optional
``sample.yaml``) into the project's ``data/sample/<city>/`` (or ``--out``); the
same files give the same bytes. Every workbook is marked as the city's, and the
reports built from them say DỮ LIỆU MẪU while the city's ``sample_data`` is true.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def choose_city(given: str | None, root: Path) -> str:
    """The city named, or the only one configured; otherwise a usage error listing them."""
    from dxreport.domain import paths
    from dxreport.domain.errors import UsageError
    from dxreport.intake.submissions import city_dir_named

    if given:
        return city_dir_named(given, root).name
    cities = paths.configured_cities(root)
    if len(cities) == 1:
        return cities[0]
    raise UsageError(f"chọn thành phố bằng --city; các thành phố đã cấu hình: {', '.join(cities) or 'chưa có'}")


def _sample(args: argparse.Namespace) -> int:
    from dxreport.domain import paths
    from dxreport.domain.config import load_city
    from dxreport.domain.errors import UsageError
    from dxreport.intake import sample

    root = paths.find_root()
    code = choose_city(args.city, root)
    city_dir = paths.city_dir(root, code)
    city = load_city(city_dir)
    out = Path(args.out).resolve() if args.out else root / "data" / "sample" / code
    if city.submissions and out == (root / city.submissions).resolve() and city.sample_data is False:
        raise UsageError(f"thư mục {city.submissions} chứa số liệu thật của {city.name} (sample_data: false trong "
                         "city.yaml); ghi dữ liệu mẫu vào thư mục khác bằng --out")
    periods = sample.parse_periods(args.periods) if args.periods else None
    written = sample.generate(city_dir, out, periods, seed=args.seed, workbooks=not args.sheets_only)
    shown = out.relative_to(root) if out.is_relative_to(root) else out
    done = sorted({(p.parent.parent if p.parent.name == sample.ASSESSMENT_FOLDER else p.parent).name for p in written})
    span = f"{done[0]}–{done[-1]}" if done else "không kỳ nào"
    print(f"Đã tạo {len(written)} tệp mẫu (DỮ LIỆU MẪU) của {city.name}, kỳ {span}, trong {shown}")
    if city.submissions is None or (root / city.submissions).resolve() != out:
        print(f"Lưu ý: city.yaml của {code} khai báo submissions: {city.submissions or '(chưa có)'}; để lập báo cáo "
              f"từ dữ liệu mẫu, ghi submissions: {shown} và sample_data: true")
    return 0


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' không phải số nguyên không âm")
    return value


def register(sub) -> None:
    p = sub.add_parser("sample", help="tạo tệp số liệu mẫu (có hạt giống cố định) cho một thành phố đã cấu hình")
    p.add_argument("--city", metavar="MÃ", help="mã thành phố trong data/cities (mặc định: thành phố duy nhất)")
    p.add_argument("--periods", metavar="ĐẦU:CUỐI", help="các kỳ, ví dụ 2025-Q1:2026-Q3 (mặc định: periods trong sample.yaml)")
    p.add_argument("--out", metavar="THƯ_MỤC", help="thư mục ghi (mặc định: data/sample/<mã> của dự án)")
    p.add_argument("--seed", type=_seed, help="hạt giống ngẫu nhiên (mặc định: seed trong sample.yaml, hoặc 20260930)")
    p.add_argument("--chi-phieu-danh-gia", dest="sheets_only", action="store_true",
                   help="chỉ tạo phiếu tự đánh giá và thẩm định chỉ số (thư mục <kỳ>/danh-gia), không ghi lại biểu báo cáo")
    p.set_defaults(func=_sample)
