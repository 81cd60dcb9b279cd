"""``dxreport ingest FILE… [--db PATH]``: store clean submissions; record the problems of the others.

Each file is stored whole or not at all. Exit 1 when any file was rejected.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from dxreport.commands.check import add_common, city_dir, submission_files


def _ingest(args: argparse.Namespace) -> int:
    from dxreport.domain import paths
    from dxreport.domain.config import load_city
    from dxreport.domain.errors import ConfigError
    from dxreport.intake import submissions as intake

    root = paths.find_root()
    files = submission_files(args.files)
    cdir = city_dir(args, files)
    if args.db:
        db = Path(args.db)
    else:
        database = load_city(cdir).database
        if database is None:
            raise ConfigError(cdir / "city.yaml", "database", "chưa khai báo kho số liệu của thành phố; ghi khóa này, hoặc dùng --db")
        db = root / database
    result = intake.ingest(files, db, root=root, city_dir=cdir, engine=args.reader)
    for checked in result.rejected:
        for p in checked.problems:
            print(p.line())
    c = result.counts
    shown = db.relative_to(root) if db.is_absolute() and db.is_relative_to(root) else db
    print(f"Kho {shown}: đã nhận {c['added']} tệp mới, bỏ qua {c['skipped']} tệp đã có, từ chối {c['rejected']} tệp.")
    return 1 if result.rejected else 0


def register(sub) -> None:
    p = sub.add_parser("ingest", help="đưa tệp số liệu hợp lệ vào kho; tệp có lỗi bị từ chối và ghi lại lỗi")
    add_common(p)
    p.add_argument("--db", help="tệp DuckDB của kho (mặc định: khóa database trong city.yaml của thành phố)")
    p.set_defaults(func=_ingest)
