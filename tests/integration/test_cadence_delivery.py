"""Sending the cadence's messages: retries with back-off, restarts that resend
only what was never confirmed, and repeated passes that plan nothing twice."""

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.cadence.scheduler import retry_after
from projections.cadence import CadenceViews
from tests.support.cadence import GB, cadence, open_book, sent_messages
from tests.support.smtp import SmtpServer

# Tuesday 2 January 2024, 10:00 in London: GB-1's invoices are issued today.
MORNING = datetime(2024, 1, 2, 10, 0, tzinfo=UTC)


def to(server, customer):
    return [m for m in server.received if m.recipients == [customer.email]]


@pytest.fixture
def stopped_smtp():
    """An SMTP server whose port is chosen but which is not listening yet."""
    server = SmtpServer()
    yield server
    if getattr(server._controller, "server", None) is not None:
        server.stop()


def test_the_back_off_doubles_from_five_minutes_to_at_most_six_hours():
    assert [retry_after(n) for n in (1, 2, 3)] == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
    ]
    assert retry_after(20) == timedelta(hours=6)


def test_a_failed_send_is_recorded_with_its_attempt_and_retry_time(
    tmp_path, stopped_smtp
):
    with cadence(tmp_path, stopped_smtp.port) as scheduler:
        open_book(scheduler.engine)

        summary = scheduler.tick(MORNING)
        failing = CadenceViews(scheduler.engine.models.con).failing()

    assert summary.failed >= 1
    assert {(row["customer_id"], row["attempts"]) for row in failing} >= {
        (GB.number, 1)
    }
    assert {row["retry_at"] for row in failing} == {datetime(2024, 1, 2, 10, 5)}


def test_a_failed_send_is_retried_once_its_back_off_has_passed(tmp_path, stopped_smtp):
    with cadence(tmp_path, stopped_smtp.port) as scheduler:
        open_book(scheduler.engine)
        scheduler.tick(MORNING)
        stopped_smtp.start()

        early = scheduler.tick(MORNING + timedelta(minutes=2))
        scheduler.tick(MORNING + timedelta(minutes=6))
        sent = sent_messages(scheduler.engine)

    assert sum(early.sent.values()) == 0
    assert len(to(stopped_smtp, GB)) == 1
    assert [m["step"] for m in sent if m["customer"] == GB.number] == ["invoice"]


def test_a_second_pass_at_the_same_moment_plans_and_sends_nothing(tmp_path, smtp):
    with cadence(tmp_path, smtp.port) as scheduler:
        open_book(scheduler.engine)
        first = scheduler.tick(MORNING)
        again = scheduler.tick(MORNING)

    assert first.planned >= 1
    assert (again.planned, sum(again.sent.values())) == (0, 0)
    assert len(to(smtp, GB)) == 1


def test_a_message_planned_but_never_sent_goes_out_after_a_restart(tmp_path, smtp):
    """Stopped between the intent and the send: the next run sends it, once."""
    with cadence(tmp_path, smtp.port) as scheduler:
        open_book(scheduler.engine)
        scheduler.stop.set()
        stopped = scheduler.tick(MORNING)
    assert stopped.stopped and stopped.planned >= 1 and smtp.received == []

    with cadence(tmp_path, smtp.port) as restarted:
        restarted.tick(MORNING + timedelta(minutes=1))

    assert len(to(smtp, GB)) == 1


def test_a_message_journaled_as_sent_is_confirmed_not_sent_again(tmp_path, smtp):
    """Killed after the SMTP server took it but before the confirmation."""
    with cadence(tmp_path, smtp.port) as scheduler:
        open_book(scheduler.engine)
        scheduler.stop.set()
        scheduler.tick(MORNING)
        planned = scheduler.engine.models.con.execute(
            "SELECT message_id FROM messages"
        ).fetchall()
        for (message_id,) in planned:
            scheduler.journal.append(message_id, date(2024, 1, 2), "smtp")

    with cadence(tmp_path, smtp.port) as restarted:
        restarted.tick(MORNING + timedelta(minutes=1))
        sent = sent_messages(restarted.engine)

    assert smtp.received == []
    assert len(sent) == len(planned)


def test_no_message_leaves_outside_the_accounts_working_hours(tmp_path, smtp):
    """7:00 in London, 16:00 in Tokyo on a Saturday: nobody is reachable."""
    saturday_morning = datetime(2024, 1, 6, 7, 0, tzinfo=UTC)
    with cadence(tmp_path, smtp.port) as scheduler:
        open_book(scheduler.engine)
        summary = scheduler.tick(saturday_morning)

    assert (summary.planned, smtp.received) == (0, [])
