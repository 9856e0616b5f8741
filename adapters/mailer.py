"""The port through which o2c sends e-mail, and the two ways it can go out.

The portal only needs to send a sign-in link; the invoice e-mail and its
templates live with the document adapters.
"""

from __future__ import annotations

import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import structlog

log = structlog.get_logger("o2c.mail")

SUBJECTS = {
    "en": "Your sign-in link",
    "zh_Hans": "您的登录链接",
    "ja": "サインイン用リンク",
}
BODIES = {
    "en": "Open this link to see and pay your invoices:\n\n{url}\n\n"
    "It works once and expires in {minutes} minutes.",
    "zh_Hans": "打开此链接查看并支付您的发票：\n\n{url}\n\n"
    "此链接只能使用一次，{minutes} 分钟后失效。",
    "ja": "請求書の確認とお支払いはこちらのリンクから:\n\n{url}\n\n"
    "リンクは一度だけ使え、{minutes} 分で失効します。",
}


class Mailer(Protocol):
    """Sends one sign-in link to one address, in the payer's language."""

    def send_sign_in_link(
        self, to: str, url: str, language: str, minutes: int
    ) -> None: ...


def sign_in_message(
    sender: str, to: str, url: str, language: str, minutes: int
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = SUBJECTS.get(language, SUBJECTS["en"])
    body = BODIES.get(language, BODIES["en"])
    message.set_content(body.format(url=url, minutes=minutes))
    return message


class OutboxMailer:
    """Writes each message as an ``.eml`` file in a folder: the embedded
    default, so a fresh machine can sign in without a mail server."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send_sign_in_link(self, to: str, url: str, language: str, minutes: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        message = sign_in_message(self.sender, to, url, language, minutes)
        path = self.folder / f"{uuid.uuid4().hex}.eml"
        path.write_bytes(bytes(message))
        log.info("sign_in_link_written", file=path.name)


class SmtpMailer:
    """Hands each message to an SMTP server."""

    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host = host
        self.port = port
        self.sender = sender

    def send_sign_in_link(self, to: str, url: str, language: str, minutes: int) -> None:
        message = sign_in_message(self.sender, to, url, language, minutes)
        with smtplib.SMTP(self.host, self.port, timeout=10) as smtp:
            smtp.send_message(message)
        log.info("sign_in_link_sent")
