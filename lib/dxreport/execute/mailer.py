"""Sending the cycle's messages through the office's real SMTP server (the standard library's smtplib).

STARTTLS and login when the city's file asks for them; the password comes from the
environment variable that file names, never from a file in the project.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import Message

from dxreport.domain.config import MailServer
from dxreport.domain.errors import ConfigError

TIMEOUT_S = 30.0


def password(server: MailServer) -> str:
    if not server.user:
        return ""
    value = os.environ.get(server.password_env, "")
    if not value:
        raise ConfigError("city.yaml", "cycle.mail.password_env",
                          f"máy chủ thư cần đăng nhập ({server.user}) nhưng biến môi trường '{server.password_env}' "
                          "chưa có mật khẩu")
    return value


def send(server: MailServer, messages: list[Message]) -> list[str | None]:
    """Send over one connection; per message None when accepted, else the reason (the cycle retries it next time)."""
    results: list[str | None] = []
    if not messages:
        return results
    try:
        with smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S) as smtp:
            if server.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if server.user:
                smtp.login(server.user, password(server))
            for msg in messages:
                try:
                    refused = smtp.send_message(msg)
                    results.append(None if not refused else "máy chủ từ chối: " + ", ".join(refused))
                except smtplib.SMTPException as e:
                    results.append(f"không gửi được ({e})")
    except (OSError, smtplib.SMTPException) as e:
        reason = f"không kết nối được máy chủ thư {server.host}:{server.port} ({e})"
        results += [reason] * (len(messages) - len(results))
    return results
