"""E-mail to payers: messages composed in their language, sent over SMTP."""

from adapters.mail.messages import Attachment, Mail, invoice_mail, sign_in_mail
from adapters.mail.smtp import Mailer, MailNotSent, SmtpMailer, recipient_hash

__all__ = [
    "Attachment",
    "Mail",
    "MailNotSent",
    "Mailer",
    "SmtpMailer",
    "invoice_mail",
    "recipient_hash",
    "sign_in_mail",
]
