"""Guards of the dispute workflow, write-off approval and collector actions."""

from datetime import date, timedelta

import pytest

from domain._events import Cause
from domain.collector_action import CollectorAction, InvalidCollectorAction
from domain.errors import (
    InvalidDate,
    InvalidDisputeStep,
    InvoiceNotDisputed,
    NoWriteOffRequested,
    WriteOffAlreadyRequested,
    WriteOffNeedsAnotherApprover,
)
from domain.staff import InvalidStaffMember, StaffMember, StaffMemberRevoked
from tests.support.builders import CLERK, ISSUED_ON, account, invoice

LATER = ISSUED_ON + timedelta(days=40)
ALICE = Cause(actor="alice", channel="staff_api", correlation_id="c-1")
BOB = Cause(actor="bob", channel="staff_api", correlation_id="c-2")


def disputed():
    bill = invoice()
    bill.dispute(reason="damaged", note="", on=LATER, cause=CLERK)
    return bill


def test_a_dispute_step_needs_an_open_dispute():
    """Assigning an undisputed invoice is refused."""
    with pytest.raises(InvoiceNotDisputed):
        invoice().assign_dispute("alice", on=LATER, cause=ALICE)


def test_a_rejection_needs_the_explanation_the_payer_reads():
    """An empty explanation is refused."""
    with pytest.raises(InvalidDisputeStep, match="explanation the payer"):
        disputed().reject_dispute("  ", on=LATER, cause=ALICE)


def test_a_rejection_closes_the_dispute():
    """After a rejection the invoice is open for dunning again."""
    bill = disputed()

    bill.reject_dispute("the goods were signed for", on=LATER, cause=ALICE)

    assert (bill.dispute_open, bill.status) == (False, "open")


def test_a_dispute_is_taken_into_review_once():
    """A second review of the same dispute is refused."""
    bill = disputed()
    bill.review_dispute(note="", on=LATER, cause=ALICE)

    with pytest.raises(InvalidDisputeStep, match="already in review"):
        bill.review_dispute(note="", on=LATER, cause=ALICE)


def test_the_requester_of_a_write_off_cannot_approve_it():
    """Alice asks, Alice approves: refused, naming who must approve."""
    bill = invoice()
    bill.request_write_off(reason="insolvent", on=LATER, cause=ALICE)

    with pytest.raises(WriteOffNeedsAnotherApprover, match="another staff member"):
        bill.approve_write_off(on=LATER, cause=ALICE)


def test_a_second_staff_member_approves_a_write_off():
    """Bob approves Alice's request: the open amount is written off."""
    bill = invoice()
    bill.request_write_off(reason="insolvent", on=LATER, cause=ALICE)

    bill.approve_write_off(on=LATER, cause=BOB)

    assert (bill.status, bill.open_amount) == ("written_off", 0)


def test_an_approval_without_a_request_is_refused():
    """Nothing was asked, so nothing can be approved."""
    with pytest.raises(NoWriteOffRequested):
        invoice().approve_write_off(on=LATER, cause=BOB)


def test_a_write_off_is_requested_once():
    """A second request while one waits is refused, naming the first requester."""
    bill = invoice()
    bill.request_write_off(reason="insolvent", on=LATER, cause=ALICE)

    with pytest.raises(WriteOffAlreadyRequested, match="by alice"):
        bill.request_write_off(reason="gone", on=LATER, cause=BOB)


def test_a_call_outcome_is_one_of_the_known_outcomes():
    """A made-up outcome is refused with the list."""
    with pytest.raises(InvalidCollectorAction, match="no_answer"):
        CollectorAction.log_call(
            key="k", account_id=account().id, outcome="great", note="", on=LATER,
            cause=ALICE,
        )  # fmt: skip


def test_a_follow_up_date_is_not_in_the_past():
    """Following up yesterday is refused."""
    with pytest.raises(InvalidDate):
        CollectorAction.schedule_follow_up(
            key="k", account_id=account().id, follow_up_on=LATER - timedelta(1),
            note="", on=LATER, cause=ALICE,
        )  # fmt: skip


def test_a_staff_role_is_collector_admin_or_auditor():
    """An unknown role is refused."""
    with pytest.raises(InvalidStaffMember, match="collector, admin, auditor"):
        StaffMember.add(
            name="eve", role="root", key_hash="0" * 64, on=date(2024, 1, 1),
            cause=CLERK,
        )  # fmt: skip


def test_a_revoked_key_cannot_be_revoked_again():
    """Revoking is done once."""
    member = StaffMember.add(
        name="eve", role="auditor", key_hash="0" * 64, on=date(2024, 1, 1),
        cause=CLERK,
    )  # fmt: skip
    member.revoke(reason="left", on=date(2024, 2, 1), cause=CLERK)

    with pytest.raises(StaffMemberRevoked):
        member.revoke(reason="left", on=date(2024, 2, 1), cause=CLERK)
