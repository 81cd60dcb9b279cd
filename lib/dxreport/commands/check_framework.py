"""``dxreport check-framework TỆP…``: check framework files (bộ chỉ số) before they are used.

Each file is loaded as a run would load it: schema, codes, points that add up, bands,
bonus and penalty caps. A good file prints one line saying what it holds; a bad one the
file, the key and what is wrong. Exit 0 when every file is good, 2 when any is not.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def _check(args: argparse.Namespace) -> int:
    from dxreport.domain import fmt, frameworks
    from dxreport.domain.errors import ConfigError

    bad = 0
    for name in args.files:
        path = Path(name)
        try:
            fw = frameworks.load_file(path)
        except ConfigError as e:
            print(f"dxreport: {e}")
            bad += 1
            continue
        parts = [f"{len(fw.indices)} chỉ số chính", f"{len(fw.components())} tiêu chí",
                 f"tổng {fmt.number_auto(fw.total.points)} điểm"]
        if fw.bands:
            parts.append("xếp loại: " + ", ".join(f"{b.name} từ {fmt.number_auto(b.at_least)}" for b in fw.bands))
        for a in fw.adjustments():
            parts.append(f"{a.name.lower()} tối đa {fmt.number_auto(a.cap)} điểm")
        if fw.assessed_items():
            parts.append(f"{len(fw.assessed_items())} mục đánh giá trên phiếu")
        print(f"{path}: hợp lệ ({'; '.join(parts)}).")
    return 2 if bad else 0


def register(sub) -> None:
    p = sub.add_parser("check-framework", help="kiểm tra tệp bộ chỉ số (.yaml): điểm, mã, xếp loại, mức trần điểm thưởng, điểm trừ")
    p.add_argument("files", nargs="+", metavar="TỆP", help="tệp bộ chỉ số .yaml")
    p.set_defaults(func=_check)
