"""The embedded default when no SMTP server is set: each e-mail is written as
an ``.eml`` file to ``outbox/`` in the data folder, for a person or another
program to pick up."""

from __future__ import annotations

import uuid
from pathlib import Path

import structlog

from adapters.mail._mime import mime_message
from adapters.mail.messages import Mail
from adapters.mail.smtp import Mailer, MailNotSent, SmtpMailer, recipient_hash
from adapters.settings import Settings

log = structlog.get_logger()


class OutboxMailer:
    """Writes each ``Mail`` as one ``.eml`` file; the same MIME as over SMTP.

    The file is written under a temporary name and renamed, so a program
    watching the folder never reads half a message.
    """

    def __init__(self, folder: Path, mail_from: str) -> None:
        self.folder = folder
        self.mail_from = mail_from

    def send(self, message: Mail) -> None:
        name = uuid.uuid4().hex
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = self.folder / f".{name}.part"
            partial.write_bytes(bytes(mime_message(message, self.mail_from)))
            partial.rename(self.folder / f"{name}.eml")
        except OSError as error:
            raise MailNotSent(
                f"cannot write the {message.kind} e-mail to {self.folder}: "
                f"{error.strerror or error}"
            ) from None
        log.info(
            "mail_written",
            kind=message.kind,
            account_id=message.account_id,
            recipient_hash=recipient_hash(message.to),
            file=f"{name}.eml",
        )


def mailer_for(settings: Settings) -> Mailer:
    """SMTP when ``O2C_SMTP_HOST`` names a server; else the outbox folder."""
    if settings.smtp_host:
        return SmtpMailer(settings)
    return OutboxMailer(settings.data_dir / "outbox", settings.mail_from)
