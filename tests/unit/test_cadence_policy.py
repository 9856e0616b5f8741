"""The dunning schedule policy: which step an invoice has reached on a day."""

from datetime import date, datetime, time

import pytest

from domain.cadence import (
    Cadence,
    InvalidCadence,
    InvoiceFacts,
    WorkingHours,
    chain_step,
    is_recent,
    next_business_day,
)

CADENCE = Cadence()
# Issued on Tuesday 2 January 2024, due on Thursday 1 February (net 30).
ISSUED = date(2024, 1, 2)
DUE = date(2024, 2, 1)


def facts(**changes):
    values = {"issue_date": ISSUED, "due_date": DUE, "open_minor": 100_00}
    return InvoiceFacts(**(values | changes))


@pytest.mark.parametrize(
    ("on", "step"),
    [
        (date(2024, 1, 2), "invoice"),
        (date(2024, 1, 26), "invoice"),
        (date(2024, 1, 27), "courtesy"),
        (date(2024, 2, 1), "due"),
        (date(2024, 2, 8), "dunning_1"),
        (date(2024, 2, 22), "dunning_2"),
        (date(2024, 3, 17), "dunning_3"),
        (date(2024, 4, 1), "final"),
        (date(2024, 9, 1), "final"),
    ],
)
def test_each_step_is_reached_on_its_day_and_held_until_the_next(on, step):
    """The default cadence: -5, 0, +7, +21, +45 and +60 days from the due date."""
    assert chain_step(CADENCE, facts(), on) == step


def test_nothing_is_reached_before_the_invoice_is_issued():
    assert chain_step(CADENCE, facts(), date(2024, 1, 1)) is None


def test_a_late_first_look_sends_only_the_latest_step_reached():
    """Steps missed while the scheduler was stopped are superseded, not sent late."""
    assert chain_step(CADENCE, facts(), date(2024, 3, 1)) == "dunning_2"


def test_a_paid_invoice_reaches_no_step():
    assert chain_step(CADENCE, facts(open_minor=0), date(2024, 2, 8)) is None


@pytest.mark.parametrize("pause", ["dispute_open", "promise_open", "covered_by_credit"])
def test_a_paused_invoice_gets_no_reminder(pause):
    """Disputed, promised and credit-covered invoices are not chased."""
    assert chain_step(CADENCE, facts(**{pause: True}), date(2024, 2, 8)) is None


def test_a_paused_invoice_is_still_delivered():
    """The invoice itself goes out even when a credit already covers it."""
    covered = facts(covered_by_credit=True)

    assert chain_step(CADENCE, covered, ISSUED) == "invoice"


def test_short_terms_skip_a_courtesy_reminder_that_would_come_before_the_issue():
    """Net 3: the courtesy day falls before the issue date, so the invoice
    itself is the only message until the due date."""
    short = facts(due_date=date(2024, 1, 5))

    assert chain_step(CADENCE, short, date(2024, 1, 4)) == "invoice"


@pytest.mark.parametrize(
    ("promised", "follow_up"),
    [
        (date(2024, 2, 16), date(2024, 2, 19)),
        (date(2024, 2, 17), date(2024, 2, 19)),
        (date(2024, 2, 18), date(2024, 2, 19)),
        (date(2024, 2, 19), date(2024, 2, 20)),
    ],
)
def test_a_broken_promise_is_followed_up_the_next_business_day(promised, follow_up):
    """Friday, Saturday and Sunday promises are followed up on Monday."""
    assert next_business_day(promised) == follow_up


def test_an_event_is_answered_only_while_it_is_recent():
    paid = date(2024, 2, 1)

    assert is_recent(paid, date(2024, 2, 7), CADENCE)
    assert not is_recent(paid, date(2024, 2, 8), CADENCE)


@pytest.mark.parametrize(
    ("local", "open_"),
    [
        (datetime(2024, 2, 5, 8, 59), False),
        (datetime(2024, 2, 5, 9, 0), True),
        (datetime(2024, 2, 5, 16, 59), True),
        (datetime(2024, 2, 5, 17, 0), False),
        (datetime(2024, 2, 10, 11, 0), False),
    ],
)
def test_working_hours_are_weekdays_from_nine_to_five(local, open_):
    assert WorkingHours().open_at(local) is open_


def test_working_hours_that_end_before_they_start_are_refused():
    with pytest.raises(InvalidCadence, match="start before they end"):
        WorkingHours(time(17), time(9))


def test_dunning_steps_out_of_order_are_refused():
    with pytest.raises(InvalidCadence, match="each dunning step after the one"):
        Cadence(dunning_days_after=(21, 7, 45))
