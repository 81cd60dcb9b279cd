"""``dxreport score --framework ID | --framework-file F.yaml  INPUT [--merge MAP] [--output OUT]``: compute and rank index values.

A framework published in points (``total.report_as: points``) adds its points and, with bands, each unit's band.

The reading and checking of INPUT and MAP is in :mod:`dxreport.intake.score_input`,
imported only when this command runs, so other commands start without pandas.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dxreport.domain import paths
from dxreport.domain.errors import ConfigError


def _score(args: argparse.Namespace) -> int:
    from dxreport.compute import scoring
    from dxreport.domain import frameworks
    from dxreport.intake.score_input import parse_input, parse_merge
    from dxreport.publish.score_table import to_csv

    if args.framework_file:  # a file the user names: loaded and checked as it is, never looked up by id
        path = Path(args.framework_file)
        if path.is_dir() or path.suffix.lower() not in (".yaml", ".yml"):
            raise ConfigError(path, None, "--framework-file cần chỉ đến một tệp bộ chỉ số .yaml")
        fw = frameworks.load_file(path)
    else:
        fw = frameworks.load(args.framework, paths.find_root())
    source = Path(args.input)
    for given, option in ((source, "INPUT"), (Path(args.merge) if args.merge else None, "--merge")):
        if given is not None and given.is_dir():
            raise ConfigError(given, None, f"{option} là một thư mục; cần chỉ đến một tệp .csv hoặc .xlsx")
    output = Path(args.output) if args.output else None
    if output is not None and output.is_dir():
        raise ConfigError(output, None, "--output là một thư mục; cần chỉ đến tệp CSV sẽ ghi, ví dụ ket-qua.csv")
    values, level = parse_input(source, fw)
    if args.merge:
        values = scoring.merge(values, parse_merge(Path(args.merge), values.index))
    text = to_csv(scoring.score(values, fw, level), ("points", *(a.code for a in fw.adjustments())))
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise ConfigError(output, None, f"không ghi được tệp kết quả ({e.strerror or e})") from None
    else:
        sys.stdout.write(text)
    return 0


def register(sub) -> None:
    p = sub.add_parser("score", help="tính và xếp hạng chỉ số (DTI…) từ giá trị ở một cấp")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--framework", metavar="ID", help="mã bộ chỉ số trong data/frameworks, ví dụ dti-2022")
    which.add_argument("--framework-file", metavar="TỆP", help="tệp bộ chỉ số .yaml ở nơi khác (ví dụ bộ chỉ số đang soạn)")
    p.add_argument("input", metavar="INPUT", help="tệp CSV (UTF-8) hoặc XLSX: cột 'unit' và một cột cho mỗi mã chỉ số")
    p.add_argument("--merge", metavar="MAP", help="tệp CSV 'unit,into' (hoặc bảng kế thừa 'predecessor,successor'): "
                   "gộp đơn vị bằng trung bình cộng giá trị trước khi tính")
    p.add_argument("--output", metavar="OUT", help="tệp CSV kết quả (mặc định: in ra màn hình)")
    p.set_defaults(func=_score)
