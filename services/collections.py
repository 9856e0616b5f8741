"""What collectors do: calls, follow-ups, escalations, the dispute workflow and
write-offs approved by a second staff member."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.collector_action import CollectorAction
from domain.credit_memo import CreditMemo
from domain.errors import DomainError
from domain.money import Money
from services import commands as c
from services._handling import CommandHandling, _cause


class Collections(CommandHandling):
    """Collector actions and dispute steps, each an event with its actor."""

    def log_call(self, cmd: c.LogCall) -> dict[str, Any]:
        return self._account_action(
            cmd, CollectorAction.log_call, outcome=cmd.outcome, note=cmd.note
        )

    def schedule_follow_up(self, cmd: c.ScheduleFollowUp) -> dict[str, Any]:
        return self._account_action(
            cmd,
            CollectorAction.schedule_follow_up,
            follow_up_on=cmd.follow_up_on,
            note=cmd.note,
        )

    def escalate_account(self, cmd: c.EscalateAccount) -> dict[str, Any]:
        return self._account_action(cmd, CollectorAction.escalate, reason=cmd.reason)

    def _account_action(
        self, cmd: Any, record: Callable[..., CollectorAction], **fields: Any
    ) -> dict[str, Any]:
        """Record one collector action on the command's account."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            action = record(
                key=cmd.idempotency_key,
                account_id=account.id,
                on=cmd.on,
                cause=_cause(cmd),
                **fields,
            )
            return [action], {"action_id": str(action.id)}

        return self._once(cmd, handle)

    # Disputes ------------------------------------------------------------

    def assign_dispute(self, cmd: c.AssignDispute) -> dict[str, Any]:
        return self._invoice_step(
            cmd, lambda i: i.assign_dispute(cmd.assignee, on=cmd.on, cause=_cause(cmd))
        )

    def note_dispute(self, cmd: c.NoteDispute) -> dict[str, Any]:
        return self._invoice_step(
            cmd, lambda i: i.note_dispute(cmd.note, on=cmd.on, cause=_cause(cmd))
        )

    def review_dispute(self, cmd: c.ReviewDispute) -> dict[str, Any]:
        return self._invoice_step(
            cmd, lambda i: i.review_dispute(note=cmd.note, on=cmd.on, cause=_cause(cmd))
        )

    def reject_dispute(self, cmd: c.RejectDispute) -> dict[str, Any]:
        return self._invoice_step(
            cmd,
            lambda i: i.reject_dispute(cmd.explanation, on=cmd.on, cause=_cause(cmd)),
        )

    def resolve_dispute_with_credit(
        self, cmd: c.ResolveDisputeWithCredit
    ) -> dict[str, Any]:
        """Resolve the dispute, then settle the invoice by a new credit memo."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            if self.exists(CreditMemo.id_for(cmd.credit_memo_number)):
                raise DomainError(
                    f"credit memo {cmd.credit_memo_number!r} already exists"
                )
            amount = (
                invoice.open
                if cmd.amount is None
                else Money(cmd.amount, invoice.currency)
            )
            cause = _cause(cmd)
            invoice.resolve_dispute(
                outcome=f"credited {amount} by credit memo {cmd.credit_memo_number}",
                on=cmd.on,
                cause=cause,
            )
            memo = CreditMemo.issue(
                number=cmd.credit_memo_number,
                account_id=invoice.account_id,
                amount=amount,
                reason=f"dispute of invoice {invoice.number}: {cmd.reason}",
                on=cmd.on,
                cause=cause,
            )
            memo.allocate_to(invoice, amount, on=cmd.on, cause=cause)
            result = {
                "credit_memo_id": str(memo.id),
                "invoice_id": str(invoice.id),
                "open_amount": str(invoice.open_amount),
            }
            return [invoice, memo], result

        return self._once(cmd, handle)

    # Write-offs ----------------------------------------------------------

    def request_write_off(self, cmd: c.RequestWriteOff) -> dict[str, Any]:
        return self._invoice_step(
            cmd,
            lambda i: i.request_write_off(
                reason=cmd.reason, on=cmd.on, cause=_cause(cmd)
            ),
        )

    def approve_write_off(self, cmd: c.ApproveWriteOff) -> dict[str, Any]:
        return self._invoice_step(
            cmd, lambda i: i.approve_write_off(on=cmd.on, cause=_cause(cmd))
        )

    def _invoice_step(self, cmd: Any, step: Any) -> dict[str, Any]:
        """Load the command's invoice, take one step on it, save it."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            step(invoice)
            return [invoice], {"invoice_id": str(invoice.id), "status": invoice.status}

        return self._once(cmd, handle)
