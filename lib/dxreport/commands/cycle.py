"""``dxreport cycle --city CODE [--today DATE] [--dry-run] [--json FILE]``: the day's reminders, builds and mail.

Meant for a scheduler (cron, a systemd timer) once a day. Exit codes: 0 done (or
nothing due), 1 an action failed and will be retried by the next call, 2 a usage
or configuration error.
"""

from __future__ import annotations

import argparse
import re
from datetime import date
from pathlib import Path

from dxreport.domain import paths

STATUS_WORDS = {"planned": "sẽ làm", "done": "đã làm", "failed": "LỖI", "skipped": "bỏ qua"}


def _cycle(args: argparse.Namespace) -> int:
    from dxreport.domain.errors import ConfigError
    from dxreport.execute import kernel_template
    from dxreport.execute.cycle import run_cycle

    root = paths.find_root()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", args.city) or args.city not in paths.configured_cities(root):
        raise ConfigError("--city", None, f"không có thành phố '{args.city}'; các thành phố đã cấu hình: "
                                          f"{', '.join(paths.configured_cities(root)) or 'chưa có'}")
    try:
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError:
        raise ConfigError("--today", None, f"'{args.today}' không phải ngày dạng YYYY-MM-DD") from None
    started = False
    if not args.dry_run:
        kernel_template.start(kernel_template.KERNEL, str(paths.notebooks_dir(root)))
        started = True
    try:
        summary = run_cycle(root, args.city, today, dry_run=args.dry_run, workers=args.jobs or None)
    finally:
        if started:
            kernel_template.stop()
    head = "Kế hoạch" if args.dry_run else "Chu trình"
    print(f"{head} ngày {today.isoformat()} của {args.city}: {len(summary.actions)} việc")
    for o in summary.actions:
        print(f"  [{STATUS_WORDS[o.status]}] {o.action.detail}" + (f" — {o.detail}" if o.detail and o.detail != o.action.detail else ""))
    if not summary.actions:
        print("  không có việc nào đến hạn (hoặc đã làm trong lần chạy trước)")
    if args.json:
        text = summary.to_json()
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return summary.exit_code()


def register(sub) -> None:
    p = sub.add_parser("cycle", help="việc trong ngày của chu trình báo cáo quý: nhắc đơn vị, nhập tệp, lập báo cáo, gửi thư")
    p.add_argument("--city", required=True, metavar="MÃ", help="mã thành phố (data/cities/<mã>)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="ngày chạy (mặc định: hôm nay)")
    p.add_argument("--dry-run", action="store_true", help="chỉ in kế hoạch, không gửi, không lập, không ghi sổ")
    p.add_argument("--json", metavar="TỆP", help="ghi bản tóm tắt dạng JSON (cho hệ thống giám sát); '-' in ra màn hình")
    p.add_argument("-j", "--jobs", type=int, default=0, help="số báo cáo lập song song")
    p.set_defaults(func=_cycle)
    return p
