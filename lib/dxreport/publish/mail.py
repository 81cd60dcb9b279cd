"""Messages of the quarterly cycle, in Vietnamese, and their sending through a real SMTP server.

The standard library does it all: :class:`email.message.EmailMessage` with the
SMTP policy encodes Vietnamese subjects and names (RFC 2047) and UTF-8 bodies;
:mod:`smtplib` talks to the office's server, with STARTTLS and login when the
city's file asks for them. The password is read from an environment variable
named in that file, never from a file in the project.
"""

from __future__ import annotations

import mimetypes
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone
from pathlib import Path

from dxreport.domain import fmt
from dxreport.domain.errors import ConfigError


@dataclass(frozen=True)
class Outgoing:
    """One message to send: who, what, and its idempotence key in the cycle's log."""

    key: str
    to: list[tuple[str, str]]  # (display name, address)
    subject: str
    body: str
    attachments: tuple[Path, ...] = ()


def _address(name: str, email: str) -> Address:
    local, _, domain = email.partition("@")
    return Address(display_name=name, username=local, domain=domain)


def build(message: Outgoing, sender: tuple[str, str], today: date) -> EmailMessage:
    """An :class:`EmailMessage` ready for SMTP; attachments read now, with their own content types."""
    msg = EmailMessage()
    msg["From"] = _address(*sender)
    msg["To"] = [_address(n, e) for n, e in message.to]
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(datetime(today.year, today.month, today.day, 8, tzinfo=timezone.utc))
    msg["Message-ID"] = make_msgid(idstring=message.key.replace(":", ".").replace("/", "."), domain=sender[1].partition("@")[2] or None)
    msg.set_content(message.body)
    for path in message.attachments:
        kind, _ = mimetypes.guess_type(path.name)
        if path.suffix == ".docx":
            kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        maintype, subtype = (kind or "application/octet-stream").split("/", 1)
        msg.add_attachment(path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name)
    return msg


@dataclass(frozen=True)
class Server:
    host: str
    port: int = 25
    starttls: bool = False
    user: str = ""
    password_env: str = ""
    timeout: float = 30.0

    def password(self) -> str:
        if not self.user:
            return ""
        value = os.environ.get(self.password_env or "", "")
        if not value:
            raise ConfigError("city.yaml", "cycle.mail.password_env",
                              f"máy chủ thư cần đăng nhập ({self.user}) nhưng biến môi trường "
                              f"'{self.password_env}' chưa có mật khẩu")
        return value


def send(server: Server, messages: list[EmailMessage]) -> list[str | None]:
    """Send over one connection; per message None when accepted, else the reason (the cycle retries it next time)."""
    results: list[str | None] = []
    try:
        with smtplib.SMTP(server.host, server.port, timeout=server.timeout) as smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, server.password())
            for msg in messages:
                try:
                    refused = smtp.send_message(msg)
                    results.append(None if not refused else f"máy chủ từ chối: {', '.join(refused)}")
                except smtplib.SMTPException as e:
                    results.append(f"không gửi được ({e})")
    except (OSError, smtplib.SMTPException) as e:
        reason = f"không kết nối được máy chủ thư {server.host}:{server.port} ({e})"
        results += [reason] * (len(messages) - len(results))
    return results


# ---------------------------------------------------------------- the messages of the cycle


def reminder(*, key: str, unit: tuple[str, str], period_label: str, deadline: date, today: date, office: str,
             inbox_hint: str) -> Outgoing:
    """Đôn đốc: a unit that has not sent its workbook, before or after the deadline."""
    name, email = unit
    days = (deadline - today).days
    when = (f"còn {fmt.number(days)} ngày nữa đến hạn" if days > 0 else "hôm nay là hạn cuối" if days == 0
            else f"đã quá hạn {fmt.number(-days)} ngày")
    subject = f"Đôn đốc gửi số liệu chuyển đổi số {period_label} – {name}"
    body = (f"Kính gửi: {name}\n\n"
            f"Đến {fmt.date_admin(today)}, {office} chưa nhận được biểu số liệu chuyển đổi số {period_label} của đơn vị. "
            f"Hạn gửi là {fmt.date_admin(deadline)} ({when}).\n\n"
            f"Đề nghị đơn vị hoàn thành biểu mẫu và gửi về {inbox_hint}. Biểu mẫu trống của kỳ này do {office} cung cấp; "
            f"mọi vướng mắc xin liên hệ cán bộ đầu mối chuyển đổi số của {office}.\n\n"
            f"Thư này được gửi tự động; đơn vị đã gửi số liệu sau thời điểm trên xin bỏ qua.\n")
    return Outgoing(key=key, to=[unit], subject=subject, body=body)


def scorecard(*, key: str, unit: tuple[str, str], period_label: str, office: str, files: list[Path], draft: bool) -> Outgoing:
    """Each unit its scorecard (PDF, and Word when there is one)."""
    name, _ = unit
    kind = "dự thảo " if draft else ""
    subject = f"Phiếu đánh giá kết quả chuyển đổi số {period_label} – {name}"
    body = (f"Kính gửi: {name}\n\n"
            f"{office} gửi đơn vị {kind}phiếu đánh giá kết quả chuyển đổi số {period_label} (tệp đính kèm), lập từ số liệu "
            f"đơn vị đã gửi. Đề nghị đơn vị rà soát; nếu số liệu chưa chính xác, gửi lại biểu mẫu đã sửa để được cập nhật.\n")
    return Outgoing(key=key, to=[unit], subject=subject, body=body, attachments=tuple(files))


def office_summary(*, key: str, office: tuple[str, str], period_label: str, lines: list[str], links: list[str],
                   draft: bool) -> Outgoing:
    """The office: what the cycle built and sent, with where the reports are."""
    kind = "Dự thảo báo cáo" if draft else "Báo cáo"
    subject = f"{kind} chuyển đổi số {period_label} đã được lập"
    body = (f"{kind} tình hình thực hiện chuyển đổi số {period_label} đã được lập tự động.\n\n"
            + "\n".join(f"- {line}" for line in lines) + "\n\nCác tệp:\n" + "\n".join(f"- {link}" for link in links) + "\n")
    return Outgoing(key=key, to=[office], subject=subject, body=body)
