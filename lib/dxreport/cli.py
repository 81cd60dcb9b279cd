"""The ``dxreport`` command. Messages are Vietnamese; no traceback reaches the user."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from dxreport.domain.errors import DxError

# jsonschema (under nbformat, under papermill) imports rfc3987_syntax when it is installed (jupyter-events
# asks for it) only to check the "iri" format, which no notebook schema uses; that import builds dozens of
# Lark parsers and cost 2.0 s of every `dxreport` start here (python-jsonschema/jsonschema#1428). Marked
# absent, jsonschema leaves that one format unchecked.
sys.modules.setdefault("rfc3987_syntax", None)

# argparse's own words, in Vietnamese: it looks them up through its module-level gettext alias.
_ARGPARSE_VI = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "hiện hướng dẫn này rồi thoát",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "expected one argument": "cần một giá trị",
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "tùy chọn mơ hồ: %(option)s có thể là %(matches)s",
    "not allowed with argument %s": "không dùng cùng với %s",
}
argparse._ = lambda text: _ARGPARSE_VI.get(text, text)

# One module per sub-command under dxreport/commands/, each with register(subparsers).
COMMANDS = ["run", "cycle", "template", "check", "ingest", "score", "new_city", "check_config", "sample", "check_framework"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # usage errors: exit 2, in Vietnamese
        self.print_usage(sys.stderr)
        sys.stderr.write(f"dxreport: lỗi cú pháp lệnh: {message}\n")
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dxreport", description="Báo cáo tình hình thực hiện chuyển đổi số theo kỳ.")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"dxreport.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    try:
        return int(args.func(args) or 0)
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
