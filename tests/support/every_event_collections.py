"""The events of account policies, the payer portal, collections, staff and the
cadence's messages.

Part of the ledger of tests/support/every_event.py: it runs after that one's
accounts E-1 and E-2 and invoices EI-1 to EI-4 exist, and makes each event
through the command a clerk, a payer or a collector sends, or the
scheduler's own service.
"""

from __future__ import annotations

import hashlib
from datetime import date
from decimal import Decimal

from services import commands as c
from services.correspondence import Correspondence, Draft, Outcome
from services.receivables import Receivables


def record_policy_events(app: Receivables) -> None:
    """A third account with terms, a discount, a limit that an invoice passes,
    holds, contacts and a time zone; then the discount and limit go again."""
    app.open_account(
        c.OpenAccount(
            idempotency_key="open-E-3",
            number="E-3",
            name="Lindqvist Marine",
            country="SE",
            currency="EUR",
            opened_on=date(2024, 1, 4),
        )
    )
    app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key="policies-E-3",
            account_number="E-3",
            on=date(2024, 1, 5),
            terms="eom 15",
            discount="2%/10",
            discount_reason="long-standing customer",
            credit_limit=Decimal("1000.00"),
            delivery="paper",
            language="sv",
            time_zone="Europe/Stockholm",
            contacts=[
                c.ContactChange(
                    role="billing",
                    name="Elin Berg",
                    address_lines=["Hamngatan 4", "411 06 Göteborg"],
                ),
                c.ContactChange(
                    role="escalation", name="Per Holm", email="per@example.com"
                ),
            ],
        )
    )
    # Issued on the account's terms and discount, past its credit limit.
    app.issue_invoice(
        c.IssueInvoice(
            idempotency_key="issue-EI-5",
            number="EI-5",
            account_number="E-3",
            amount=Decimal("1500.00"),
            issue_date=date(2024, 1, 10),
        )
    )
    app.release_account_hold(
        c.ReleaseAccountHold(
            idempotency_key="release-E-3",
            account_number="E-3",
            reason="order approved by the credit manager",
            on=date(2024, 1, 11),
        )
    )
    app.put_account_on_hold(
        c.PutAccountOnHold(
            idempotency_key="hold-E-3",
            account_number="E-3",
            reason="cheque returned",
            on=date(2024, 1, 12),
        )
    )
    app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key="policies-E-3-again",
            account_number="E-3",
            on=date(2024, 1, 20),
            withdraw_discount=True,
            discount_reason="paid late twice",
            remove_credit_limit=True,
        )
    )


def record_portal_events(app: Receivables) -> None:
    """What the payer of E-1 does in the portal."""
    portal = {"actor": "ada@example.com", "channel": "portal"}
    on = date(2024, 2, 25)
    card = app.save_payment_method(
        c.SavePaymentMethod(
            idempotency_key="card-E-1", account_number="E-1", token="tok_visa_4242",
            kind="card", brand="Visa", last4="4242", expiry_month=9,
            expiry_year=2027, on=on, **portal,
        )
    )  # fmt: skip
    bank = app.save_payment_method(
        c.SavePaymentMethod(
            idempotency_key="bank-E-1", account_number="E-1", token="tok_ach_6789",
            kind="bank_account", brand="First Bank", last4="6789", on=on, **portal,
        )
    )  # fmt: skip
    app.choose_default_payment_method(
        c.ChooseDefaultPaymentMethod(
            idempotency_key="default-E-1", account_number="E-1",
            method_id=bank["method_id"], on=on, **portal,
        )
    )  # fmt: skip
    app.remove_payment_method(
        c.RemovePaymentMethod(
            idempotency_key="remove-E-1", account_number="E-1",
            method_id=card["method_id"], on=on, **portal,
        )
    )  # fmt: skip
    app.change_language(
        c.ChangeLanguage(
            idempotency_key="language-E-1", account_number="E-1", language="de",
            on=on, **portal,
        )
    )  # fmt: skip
    app.give_effort_score(
        c.GiveEffortScore(
            idempotency_key="effort-E-1", account_number="E-1", score=6,
            payment_id="pay-E-1", on=on, **portal,
        )
    )  # fmt: skip
    app.promise_to_pay(
        c.PromiseToPay(
            idempotency_key="promise-E-1", account_number="E-1",
            invoice_numbers=["EI-2"], amount=Decimal("100.00"), currency="USD",
            promised_date=date(2024, 3, 15), on=on, **portal,
        )
    )  # fmt: skip
    app.record_invoice_sent(
        c.RecordInvoiceSent(
            idempotency_key="sent-EI-2", invoice_number="EI-2",
            recipient_hash="3f2a9c0d1e4b5a67", language="en",
            on=date(2024, 1, 16), channel="email",
        )
    )  # fmt: skip


def record_collections_events(app: Receivables) -> None:
    """Staff, a collector's actions, a dispute worked and rejected, and a
    write-off one person asks for and another approves."""
    for name, role in (("mina", "collector"), ("jon", "admin"), ("sam", "auditor")):
        app.add_staff_member(
            c.AddStaffMember(
                idempotency_key=f"staff-{name}", name=name, role=role,
                key_hash=hashlib.sha256(name.encode()).hexdigest(),
                on=date(2024, 1, 2), actor="admin", channel="cli",
            )
        )  # fmt: skip
    app.revoke_staff_member(
        c.RevokeStaffMember(
            idempotency_key="revoke-sam", name="sam", reason="left the company",
            on=date(2024, 5, 31), actor="jon", channel="cli",
        )
    )  # fmt: skip

    mina = {"actor": "mina", "channel": "api"}
    app.log_call(
        c.LogCall(
            idempotency_key="call-E-1", account_number="E-1", outcome="promised",
            note="pays EI-2 by mid-March", on=date(2024, 3, 1), **mina,
        )
    )  # fmt: skip
    app.schedule_follow_up(
        c.ScheduleFollowUp(
            idempotency_key="follow-up-E-1", account_number="E-1",
            follow_up_on=date(2024, 3, 18), on=date(2024, 3, 1), **mina,
        )
    )  # fmt: skip
    app.escalate_account(
        c.EscalateAccount(
            idempotency_key="escalate-E-2", account_number="E-2",
            reason="no answer to three calls", on=date(2024, 3, 1), **mina,
        )
    )  # fmt: skip

    on = date(2024, 3, 4)
    app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="dispute-EI-4", invoice_number="EI-4",
            account_number="E-2", reason="wrong_amount", note="billed twice",
            attachment_id="att-0001", on=on, channel="portal",
        )
    )  # fmt: skip
    app.assign_dispute(
        c.AssignDispute(
            idempotency_key="assign-EI-4", invoice_number="EI-4", assignee="mina",
            on=on, **mina,
        )
    )  # fmt: skip
    app.note_dispute(
        c.NoteDispute(
            idempotency_key="note-EI-4", invoice_number="EI-4",
            note="asked the warehouse", on=on, **mina,
        )
    )  # fmt: skip
    app.review_dispute(
        c.ReviewDispute(
            idempotency_key="review-EI-4", invoice_number="EI-4", on=on, **mina
        )
    )
    app.reject_dispute(
        c.RejectDispute(
            idempotency_key="reject-EI-4", invoice_number="EI-4",
            explanation="delivered once, billed once", on=on, **mina,
        )
    )  # fmt: skip

    app.request_write_off(
        c.RequestWriteOff(
            idempotency_key="request-write-off-EI-5", invoice_number="EI-5",
            reason="company dissolved", on=date(2024, 7, 1), **mina,
        )
    )  # fmt: skip
    app.approve_write_off(
        c.ApproveWriteOff(
            idempotency_key="approve-write-off-EI-5", invoice_number="EI-5",
            on=date(2024, 7, 2), actor="jon", channel="api",
        )
    )  # fmt: skip


def record_cadence_events(app: Receivables) -> None:
    """A reminder the scheduler plans for EI-2, fails to send once, then sends."""
    letters = Correspondence(app, run_id="schema-test-run")
    planned = letters.plan(
        [
            Draft(
                account_id=str(app.account("E-1").id),
                step="dunning_1",
                delivery="email",
                language="de",
                keys=["E-1/EI-2/dunning_1"],
                invoices=[
                    {"number": "EI-2", "currency": "USD", "open_minor": 20050,
                     "due_date": "2024-02-14"},
                ],
                on=date(2024, 2, 21),
            )
        ],
        at="2024-02-21T08:00:00+00:00",
    )  # fmt: skip
    message_id = planned[0]
    letters.record(
        [
            Outcome(
                message_id=message_id, on=date(2024, 2, 21), failure="450 busy",
                retry_at="2024-02-21T08:05:00+00:00",
            )
        ],
        at="2024-02-21T08:00:01+00:00",
    )  # fmt: skip
    letters.record(
        [Outcome(message_id=message_id, on=date(2024, 2, 21), reference="smtp")],
        at="2024-02-21T08:05:02+00:00",
    )
