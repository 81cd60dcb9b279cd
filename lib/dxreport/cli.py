"""The ``dxreport`` command. Messages are Vietnamese; no traceback reaches the user."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from . import paths
from .errors import ConfigError, DxError

DEFAULT_PARAMS = Path("params") / "danang-2026-Q3.yaml"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2, in Vietnamese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"dxreport: lỗi cú pháp lệnh: {message}\n")
        sys.exit(2)


def _cmd_run(args: argparse.Namespace) -> int:
    from .run import check, run_one

    root = paths.find_root()
    files = [Path(p) for p in args.params] or [root / DEFAULT_PARAMS]
    # Validate every parameters file before any kernel starts.
    for f in files:
        check(f, root)
    for f in files:
        result = run_one(f, root)
        print(f"Đã tạo báo cáo: {result.output_dir.relative_to(root)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dxreport", description="Báo cáo tình hình thực hiện chuyển đổi số theo kỳ.")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="chạy sổ tính và xuất báo cáo cho một hoặc nhiều tệp tham số")
    run.add_argument("params", nargs="*", help=f"tệp tham số YAML (mặc định: {DEFAULT_PARAMS})")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return int(args.func(args) or 0)
    except ConfigError as e:
        print(f"dxreport: {e}", file=sys.stderr)
        return e.exit_code
    except DxError as e:
        print(f"dxreport: {e}", file=sys.stderr)
        return e.exit_code
    except FileNotFoundError as e:
        print(f"dxreport: không tìm thấy tệp hoặc thư mục: {e.filename or e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("dxreport: đã dừng theo yêu cầu", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
