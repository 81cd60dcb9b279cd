"""Reading numbers as Vietnamese units type them: ``1.234,5``, ``85%``, ``85 %``, ``0,85``.

Strict on purpose: ``0.85`` or ``1,234`` typed the English way are refused
(never silently read as 85 or 1,234), because a wrong guess would change a
figure the office publishes. Every refusal says how to write the number.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

_SPACES = "\u00a0\u202f\u2007\u2009 "  # no-break, narrow no-break, figure and thin spaces
_MINUS = "-\u2212\u2013"  # hyphen-minus, minus sign, en dash
_GROUPED = re.compile(r"^\d{1,3}(?:\.\d{3})+$")  # 1.234 or 1.234.567
_SPACED = re.compile(r"^\d{1,3}(?: \d{3})+$")  # 1 234 567
_PLAIN = re.compile(r"^\d+$")
_ENGLISH = re.compile(r"^\d{1,3}(?:,\d{3})+\.\d+$|^\d{1,3}(?:,\d{3}){2,}$")  # 1,234.5 or 1,234,567


class NumberError(ValueError):
    """Text that is not a number in the Vietnamese form; ``str()`` is a Vietnamese explanation."""


def clean(text: str) -> str:
    """NFC, the various spaces made plain and trimmed."""
    text = unicodedata.normalize("NFC", text)
    for s in _SPACES:
        text = text.replace(s, " ")
    return text.strip()


def parse_number(text: str) -> Decimal:
    """``1.234,5`` → ``Decimal('1234.5')``; decimal comma, optional thousands dots or spaces."""
    raw = clean(text)
    if not raw:
        raise NumberError("ô trống")
    sign = 1
    body = raw
    if body[0] in _MINUS or body[0] == "+":
        sign = -1 if body[0] in _MINUS else 1
        body = body[1:].lstrip()
    if _ENGLISH.match(body):
        whole_en, _, fraction_en = body.partition(".")
        vietnamese = whole_en.replace(",", ".") + ("," + fraction_en if fraction_en else "")
        raise NumberError(f"'{raw}' viết theo kiểu tiếng Anh (dấu phẩy hàng nghìn, dấu chấm thập phân); kiểu Việt Nam là {vietnamese}")
    whole, comma, fraction = body.partition(",")
    if "," in fraction:
        raise NumberError(f"'{raw}' có nhiều hơn một dấu phẩy thập phân")
    if comma and not _PLAIN.match(fraction):
        raise NumberError(f"'{raw}' không phải là số (sau dấu phẩy thập phân chỉ được có chữ số)")
    if _PLAIN.match(whole):
        digits = whole
    elif _GROUPED.match(whole) or _SPACED.match(whole):
        digits = whole.replace(".", "").replace(" ", "")
    elif re.match(r"^\d*\.\d+$", whole) and not comma:
        raise NumberError(f"'{raw}' dùng dấu chấm thập phân; viết theo kiểu Việt Nam với dấu phẩy, ví dụ {whole.replace('.', ',')}")
    elif re.match(r"^[\d. ]+$", whole):
        raise NumberError(f"'{raw}': dấu chấm phân cách hàng nghìn phải đứng sau mỗi nhóm 3 chữ số, ví dụ 1.234.567")
    else:
        raise NumberError(f"'{raw}' không phải là số")
    try:
        value = Decimal(digits + ("." + fraction if comma else ""))
    except InvalidOperation:  # pragma: no cover - the patterns above only let digits through
        raise NumberError(f"'{raw}' không phải là số") from None
    return sign * value


def parse_share(text: str) -> Decimal:
    """A share typed as ``85%``, ``85 %``, ``85,5%`` or as a fraction ``0,85`` → ``Decimal('0.85')``.

    A bare number above 1 (``85``) is refused: it is not clear whether 85% or
    8500% was meant, and the template asks for the % sign.
    """
    raw = clean(text)
    if raw.endswith("%"):
        if not raw[:-1].strip():
            raise NumberError("chỉ có dấu %, thiếu con số")
        return parse_number(raw[:-1]) / 100
    value = parse_number(raw)
    if abs(value) > 1:
        raise NumberError(f"'{raw}' thiếu dấu %; ghi {raw}% nếu là tỷ lệ phần trăm, hoặc ghi dạng thập phân từ 0 đến 1")
    return value
