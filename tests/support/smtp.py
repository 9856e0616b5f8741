"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.support.net import free_port


@dataclass(frozen=True)
class Received:
    """One message as the server got it: the envelope and the parsed MIME."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        """The decoded text of the body part of that type."""
        body = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert body is not None, f"no {content_type} part"
        return str(body.get_content())


class _Keep:
    def __init__(self) -> None:
        self.received: list[Received] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), parsed)
        )
        return "250 OK"


class SmtpServer:
    """aiosmtpd on 127.0.0.1 and a free port, in a thread of its own.

    An SMTP client's ``send`` returns only after the server has answered
    the DATA command, so ``received`` is complete by then: no waiting.
    """

    host = "127.0.0.1"

    def __init__(self) -> None:
        self._keep = _Keep()
        self.port = free_port()
        # server_hostname spares aiosmtpd a lookup of this machine's name.
        self._controller = Controller(
            self._keep, hostname=self.host, port=self.port, server_hostname="localhost"
        )

    @property
    def received(self) -> list[Received]:
        return self._keep.received

    def start(self) -> SmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
