"""Sending e-mail through an SMTP server named by the ``O2C_SMTP_*`` settings."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

import structlog

from adapters.mail._mime import mime_message, sender_domain
from adapters.mail.messages import Mail
from adapters.settings import Settings

log = structlog.get_logger()


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


class Mailer(Protocol):
    """Where composed e-mails go; the portal and the CLI depend on this only."""

    def send(self, message: Mail) -> None: ...


def recipient_hash(address: str) -> str:
    """A stable short digest of an address, for logs that must not hold it."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()[:16]


class SmtpMailer:
    """Delivers each ``Mail`` over one SMTP connection of its own.

    ``O2C_SMTP_TLS`` chooses plain SMTP (``none``, for a relay on the same
    machine), ``starttls`` or implicit TLS (``ssl``); with ``O2C_SMTP_USER``
    it logs in first. Logs name the kind, the account id and a hash of the
    recipient, never the address.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The sender's domain names us in EHLO, so that nothing asks the
        # resolver for this machine's name.
        self.domain = sender_domain(settings.mail_from)

    def message(self, mail: Mail) -> EmailMessage:
        return mime_message(mail, self.settings.mail_from)

    def send(self, message: Mail) -> None:
        """Deliver it, or raise ``MailNotSent`` saying where it failed."""
        with self.session() as session:
            session.send(message)

    def session(self) -> SmtpSession:
        """One connection for many messages, opened on first use."""
        return SmtpSession(self)

    def open(self) -> smtplib.SMTP:
        """A connection, secured and logged in as the settings ask."""
        s = self.settings
        smtp = self._connect()
        try:
            if s.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                smtp.login(s.smtp_user, password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.smtp_tls == "ssl":
            return smtplib.SMTP_SSL(
                s.smtp_host,
                s.smtp_port,
                local_hostname=self.domain,
                timeout=s.smtp_timeout,
                context=ssl.create_default_context(),
            )
        return smtplib.SMTP(
            s.smtp_host, s.smtp_port, local_hostname=self.domain, timeout=s.smtp_timeout
        )


class SmtpSession:
    """Sends many messages over one SMTP connection, as a batch sender should.

    After a failure the connection is dropped and the next message opens a
    new one, so one refused message does not stop the others.
    """

    def __init__(self, mailer: SmtpMailer) -> None:
        self.mailer = mailer
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def send(self, message: Mail) -> None:
        """Deliver it, or raise ``MailNotSent`` saying where it failed."""
        s = self.mailer.settings
        where = f"{s.smtp_host}:{s.smtp_port}"
        fields = {
            "kind": message.kind,
            "account_id": message.account_id,
            "recipient_hash": recipient_hash(message.to),
            "smtp_server": where,
        }
        try:
            if self.smtp is None:
                self.smtp = self.mailer.open()
            self.smtp.send_message(self.mailer.message(message))
        except smtplib.SMTPResponseException as error:
            self._drop()
            log.warning("mail_refused", code=error.smtp_code, **fields)
            raise MailNotSent(
                f"the SMTP server at {where} refused the {message.kind} e-mail "
                f"(code {error.smtp_code})"
            ) from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            reason = getattr(error, "strerror", None) or type(error).__name__
            log.warning("mail_failed", reason=reason, **fields)
            raise MailNotSent(
                f"cannot send the {message.kind} e-mail through the SMTP server "
                f"at {where} (O2C_SMTP_HOST, O2C_SMTP_PORT): {reason}"
            ) from None
        log.info("mail_sent", **fields)

    def _drop(self) -> None:
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None
