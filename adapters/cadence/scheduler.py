"""The scheduler: at a moment, decide what is due, record it, send it, confirm it.

One pass (``tick``) works on the read models as they stand: the accounts in
their working hours, the steps their invoices reached on their local date,
grouped one message per account and step. Messages are planned in the event
store before anything leaves; each one sent is journaled at once and
confirmed in the store at the end of the pass; a failed one waits for its
back-off and is tried again by a later pass.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import structlog

from adapters.cadence.clock import inputs
from adapters.cadence.compose import Payer, compose
from adapters.cadence.config import CadenceBook
from adapters.cadence.journal import Journal
from adapters.cadence.letters import Letter, LetterBatch
from adapters.languages import product_language, words_for
from adapters.mail.messages import Mail
from adapters.mail.smtp import MailNotSent
from adapters.wiring import Engine
from domain.cadence import ANNOUNCEMENT
from domain.invoice import Invoice
from domain.message import step_key
from projections.cadence import CadenceViews
from services.correspondence import Correspondence, Draft, Outcome

log = structlog.get_logger("o2c.cadence")

PLAN_BATCH = 500
# Messages per SMTP connection before another connection is worth opening.
LANE_AT_LEAST = 50
FIRST_RETRY = timedelta(minutes=5)
LONGEST_RETRY = timedelta(hours=6)
# Contact roles tried, in order, for the address of an e-mail.
EMAIL_ROLES = ("billing", "accounts_payable")


class MailSession(Protocol):
    def send(self, message: Mail) -> None: ...

    def close(self) -> None: ...


@dataclass
class Channels:
    """Where messages go: an SMTP session factory, the letters folder, the
    link maker, and the portal's public address printed on letters."""

    mail: Callable[[], MailSession]
    letters: Path
    return_address: str
    link: Callable[[str, str | None], tuple[str, datetime]]
    portal_url: str
    pdf_font: Path | None = None
    connections: int = 1


@dataclass
class PassSummary:
    """What one pass did."""

    planned: int = 0
    sent: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    letters: list[Path] = field(default_factory=list)
    stopped: bool = False


def retry_after(attempts: int) -> timedelta:
    """Back-off before the next try: 5 minutes, doubling, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def in_lanes(
    rows: list[Any], connections: int, lane: Callable[[list[Any]], None]
) -> None:
    """Share rows among up to ``connections`` lanes run in threads, one SMTP
    connection each: the server answers one while the next is composed."""
    lanes = max(1, min(connections, len(rows) // LANE_AT_LEAST))
    if lanes == 1:
        lane(rows)
        return
    with ThreadPoolExecutor(lanes, thread_name_prefix="smtp") as pool:
        list(pool.map(lane, [rows[i::lanes] for i in range(lanes)]))


def email_of(contacts: list[dict[str, Any]]) -> str | None:
    """The billing contact's address, else accounts payable's, else any."""
    with_mail = [c for c in contacts if c.get("email")]
    for role in EMAIL_ROLES:
        for contact in with_mail:
            roles = contact.get("roles") or [contact.get("role")]
            if role in roles:
                return str(contact["email"])
    return str(with_mail[0]["email"]) if with_mail else None


def postal_address(
    name: str, country: str, contacts: list[dict[str, Any]]
) -> tuple[str, ...]:
    """The lines of the letter's window: the billing contact's postal address
    (any contact's when billing has none), else the account's name and country."""
    ordered = sorted(contacts, key=lambda c: c.get("role") != "billing")
    for contact in ordered:
        lines = contact.get("address_lines") or contact.get("address")
        if lines:
            found = lines.splitlines() if isinstance(lines, str) else list(lines)
            person = str(contact.get("name") or "")
            head = [name, person] if person and person != name else [name]
            return tuple([*head, *(str(line) for line in found)])
    return (name, country)


class Scheduler:
    """Runs passes of the cadence over one engine."""

    def __init__(
        self,
        engine: Engine,
        book: CadenceBook,
        channels: Channels,
        stop: threading.Event | None = None,
        run_id: str = "scheduler",
    ) -> None:
        self.engine = engine
        self.book = book
        self.channels = channels
        self.stop = stop or threading.Event()
        self.views = CadenceViews(engine.models.con)
        self.letters_of_run = run_id
        self.journal = Journal(engine.settings.data_dir / "cadence" / "sent.journal")
        self.correspondence = Correspondence(engine.app, run_id)

    def close(self) -> None:
        self.journal.close()

    def tick(self, moment: datetime) -> PassSummary:
        """One pass at ``moment`` (an aware datetime, real or simulated)."""
        started = time.perf_counter()
        summary = PassSummary()
        at = moment.astimezone(UTC).isoformat()
        self.reconcile(at)
        self.engine.catch_up()

        countries, zones = self.views.places()
        feeds = inputs(self.book, moment, countries, zones)
        if not any(feeds["zone_clock"].column("open").to_pylist()):
            return summary
        if not self.views.reachable(feeds, self.book.medium_from, self.book.large_from):
            return summary
        drafts = self._drafts()
        for start in range(0, len(drafts), PLAN_BATCH):
            batch = drafts[start : start + PLAN_BATCH]
            summary.planned += len(self.correspondence.plan(batch, at))
        self.engine.catch_up()

        pending = self.views.pending(moment.astimezone(UTC).replace(tzinfo=None))
        self._send(pending, moment, summary)
        self.reconcile(at)
        self.engine.catch_up()
        log.info(
            "cadence_pass",
            at=at,
            planned=summary.planned,
            sent=sum(summary.sent.values()),
            failed=summary.failed,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
        return summary

    def announce(self, notice: dict[str, Any], segment: str, on: date) -> int:
        """Plan a notice for every account of a segment; passes send it."""
        self.engine.catch_up()
        countries, zones = self.views.places()
        feeds = inputs(self.book, datetime.now(UTC), countries, zones)
        clock = feeds["zone_clock"]
        feeds["zone_clock"] = pa.table(
            {
                "zone": clock.column("zone"),
                "local_date": [on] * clock.num_rows,
                "open": [True] * clock.num_rows,
            }
        )
        self.views.reachable(feeds, self.book.medium_from, self.book.large_from)
        step = f"{ANNOUNCEMENT}@{notice['name']}"
        drafts = [
            Draft(
                account_id=row["account_id"],
                step=step,
                delivery=self._delivery(row["delivery"], row["contacts"]),
                language=product_language(row["language"]),
                keys=[step_key(row["customer_id"], "-", step)],
                invoices=[],
                on=on,
                notice=notice,
            )
            for row in self.views.segment_accounts(segment)
        ]
        at = datetime.now(UTC).isoformat()
        planned = 0
        for start in range(0, len(drafts), PLAN_BATCH):
            planned += len(
                self.correspondence.plan(drafts[start : start + PLAN_BATCH], at)
            )
        self.engine.catch_up()
        return planned

    def reconcile(self, at: str) -> int:
        """Confirm in the event store every message the journal says left."""
        entries = self.journal.entries()
        if not entries:
            return 0
        outcomes = [
            Outcome(e.message_id, e.day, reference=e.reference) for e in entries
        ]
        confirmed = self.correspondence.record(outcomes, at)
        self.journal.clear()
        self.engine.catch_up()
        return confirmed

    def _drafts(self) -> list[Draft]:
        due = self.views.due().to_pylist()
        drafts = []
        for row in due:
            drafts.append(
                Draft(
                    account_id=row["account_id"],
                    step=row["step"],
                    delivery=self._delivery(row["delivery"], row["contacts"]),
                    language=product_language(row["language"]),
                    keys=list(row["keys"]),
                    invoices=list(row["invoices"]),
                    on=row["day"],
                )
            )
        return drafts

    @staticmethod
    def _delivery(preferred: str, contacts: str) -> str:
        """The account's channel; paper when it wants e-mail but has no address."""
        if preferred == "email" and email_of(_contacts(contacts)) is None:
            return "paper"
        return preferred

    def _send(
        self, pending: list[dict[str, Any]], moment: datetime, summary: PassSummary
    ) -> None:
        """Send on a few SMTP connections at once (lanes), then write the
        pass's letters and record the failures."""
        channels = self.channels
        letters = LetterBatch(
            channels.letters, channels.return_address, channels.pdf_font
        )
        failures: list[Outcome] = []
        lock = threading.Lock()

        def lane(rows: list[dict[str, Any]]) -> None:
            session = channels.mail()
            try:
                for row in rows:
                    if self.stop.is_set():
                        summary.stopped = True
                        return
                    failure = self._one(row, session, letters)
                    with lock:
                        if not failure:
                            summary.sent[row["delivery"]] += 1
                            continue
                        retry_at = moment + retry_after(int(row["attempts"]) + 1)
                        failures.append(
                            Outcome(
                                row["message_id"],
                                row["day"],
                                failure=failure,
                                retry_at=retry_at.astimezone(UTC).isoformat(),
                            )
                        )
                        summary.failed += 1
            finally:
                session.close()

        in_lanes(pending, channels.connections, lane)

        stamp = moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = letters.write(f"letters-{stamp}-{self.letters_of_run}")
        if path is not None:
            summary.letters.append(path)
            for letter in letters.letters:
                self.journal.append(letter.message_id, letter.on, path.name)
        if failures:
            self.correspondence.record(failures, moment.astimezone(UTC).isoformat())

    def _one(
        self, row: dict[str, Any], session: MailSession, letters: LetterBatch
    ) -> str:
        """Send or queue one message; the failure's reason, or '' when it left."""
        payer = Payer(row["account_id"], row["name"], row["country"], row["language"])
        invoices = row["invoices"]
        delivery = row["delivery"]
        if delivery == "portal":
            self.journal.append(row["message_id"], row["day"], "inbox")
            return ""
        invoice_id = (
            str(Invoice.id_for(invoices[0]["number"])) if len(invoices) == 1 else None
        )
        link, expires = self.channels.link(row["account_id"], invoice_id)
        message = compose(
            row["step"], payer, invoices, row["day"], link, expires, row["notice"]
        )
        if delivery == "paper":
            address = postal_address(row["name"], row["country"], row["contacts"])
            words = words_for(row["language"], row["country"])
            letters.add(
                Letter(
                    row["message_id"],
                    address,
                    row["customer_id"],
                    row["day"],
                    words.day(row["day"]),
                    message,
                    self.channels.portal_url,
                )
            )
            return ""
        to = email_of(row["contacts"])
        if to is None:
            return "the account has no e-mail contact"
        mail = Mail(
            kind=f"cadence.{message.step.split('@', 1)[0]}",
            account_id=row["account_id"],
            to=to,
            language=message.language,
            subject=message.subject,
            text=message.text,
            html=message.html,
            headers=(("X-O2C-Message", row["message_id"]),),
        )
        try:
            session.send(mail)
        except MailNotSent as error:
            return str(error)
        self.journal.append(row["message_id"], row["day"], "smtp")
        return ""


def _contacts(raw: str) -> list[dict[str, Any]]:
    found = json.loads(raw) if raw else []
    return found if isinstance(found, list) else []
