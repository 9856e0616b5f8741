"""E-mail to payers: messages composed in their language, sent over SMTP or
written to the outbox folder."""

from adapters.mail.messages import Attachment, Mail, invoice_mail, sign_in_mail
from adapters.mail.outbox import OutboxMailer, mailer_for
from adapters.mail.smtp import Mailer, MailNotSent, SmtpMailer, recipient_hash

__all__ = [
    "Attachment",
    "Mail",
    "MailNotSent",
    "Mailer",
    "OutboxMailer",
    "SmtpMailer",
    "invoice_mail",
    "mailer_for",
    "recipient_hash",
    "sign_in_mail",
]
