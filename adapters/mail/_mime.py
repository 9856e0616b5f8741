"""A composed ``Mail`` as the MIME message that goes out, however it goes."""

from __future__ import annotations

from email import policy
from email.headerregistry import Address, BaseHeader, HeaderRegistry
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from adapters.mail.messages import Mail


class _HeaderClasses(HeaderRegistry):
    """The standard header registry, making each header's class once.

    ``HeaderRegistry`` builds a new class with ``type()`` for every header
    it parses, a sixth of the time a cadence e-mail takes to build; the
    classes it builds for one name are the same, so one is kept per name.
    """

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        made = self._classes.get(key)
        if made is None:
            made = self._classes[key] = super().__getitem__(key)
        return made


# The default policy, its header registry shared by every message.
_POLICY = policy.default.clone(header_factory=_HeaderClasses())


def sender_domain(mail_from: str) -> str:
    """The sender's domain: it names o2c in EHLO and in Message-IDs."""
    return mail_from.rpartition("@")[2] or "localhost"


def mime_message(mail: Mail, mail_from: str) -> EmailMessage:
    """The MIME message: text, its HTML alternative, then attachments."""
    message = EmailMessage(policy=_POLICY)
    message["From"] = Address(addr_spec=mail_from)
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender_domain(mail_from))
    message.set_content(mail.text)
    message.add_alternative(mail.html, subtype="html")
    for item in mail.attachments:
        maintype, subtype = item.content_type.split("/", 1)
        message.add_attachment(
            item.data, maintype=maintype, subtype=subtype, filename=item.filename
        )
    for name, value in mail.headers:
        message[name] = value
    # Set last: making the body multipart moves Content-* headers inward.
    message["Content-Language"] = mail.language.replace("_", "-")
    return message
