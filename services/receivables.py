"""The receivables application: accounts, invoices, payments and credit memos."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from domain._source import AllocationSource
from domain.account import Account
from domain.credit_memo import CreditMemo
from domain.errors import DomainError, InvalidDate
from domain.invoice import Invoice
from domain.money import Money
from domain.payment import Payment
from domain.promise import PromiseToPay
from domain.terms import PaymentTerms
from services import commands as c
from services._handling import IdempotencyKeyReused, NotFound, _cause
from services.collections import Collections
from services.policies import AccountPolicies
from services.staff import StaffAccess

__all__ = ["IdempotencyKeyReused", "NotFound", "Receivables"]


class Receivables(AccountPolicies, Collections, StaffAccess):
    """Handles every command that changes accounts, invoices and payments.

    Each command is checked against the aggregates it touches and saved in one
    transaction with a receipt of its idempotency key; repeating the key
    returns the first result and writes nothing. Customer policies (terms,
    credit limit, holds, contacts) are handled by ``AccountPolicies``, staff
    members and their keys by ``StaffAccess``, what collectors do by
    ``Collections``.
    """

    # Commands ----------------------------------------------------------

    def open_account(self, cmd: c.OpenAccount) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            if self.exists(Account.id_for(cmd.number)):
                raise DomainError(f"account {cmd.number!r} already exists")
            limit = cmd.credit_limit
            account = Account.open(
                number=cmd.number,
                name=cmd.name,
                country=cmd.country,
                currency=cmd.currency,
                terms=PaymentTerms(cmd.net_days),
                credit_limit=None if limit is None else Money(limit, cmd.currency),
                delivery=cmd.delivery,
                language=cmd.language,
                contacts=cmd.contacts,
                on=cmd.opened_on,
                cause=_cause(cmd),
            )
            return [account], {"account_id": str(account.id), "number": cmd.number}

        return self._once(cmd, handle)

    def issue_invoice(self, cmd: c.IssueInvoice) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            if self.exists(Invoice.id_for(cmd.number)):
                raise DomainError(f"invoice {cmd.number!r} already exists")
            if cmd.issue_date < account.opened_on:
                raise InvalidDate(
                    f"issue date {cmd.issue_date} is before account "
                    f"{account.number} was opened ({account.opened_on})"
                )
            currency = cmd.currency or account.currency
            invoice = Invoice.issue(
                number=cmd.number,
                account_id=account.id,
                amount=Money(cmd.amount, currency),
                issue_date=cmd.issue_date,
                due_date=cmd.due_date or account.terms.due_date(cmd.issue_date),
                delivery=cmd.delivery or account.delivery,
                cause=_cause(cmd),
                terms=None if cmd.due_date else str(account.terms),
                discount=account.discount,
            )
            exposure = self.exposure_of(account.id, currency) + invoice.open.amount
            account.check_credit(
                Money(exposure, currency), on=cmd.issue_date, cause=_cause(cmd)
            )
            result = {"invoice_id": str(invoice.id), "number": cmd.number}
            return [invoice, account], result

        return self._once(cmd, handle)

    def record_payment(self, cmd: c.RecordPayment) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            payment = Payment.receive(
                key=cmd.idempotency_key,
                account_id=account.id,
                amount=Money(cmd.amount, cmd.currency),
                method=cmd.method,
                reference=cmd.reference,
                on=cmd.received_on,
                cause=_cause(cmd),
            )
            invoices = self._allocate(payment, cmd.allocations, cmd.received_on, cmd)
            return [payment, *invoices], _source_result(payment)

        return self._once(cmd, handle)

    def allocate_payment(self, cmd: c.AllocatePayment) -> dict[str, Any]:
        payment_id = Payment.id_for(cmd.payment_key)
        return self._allocate_later(cmd, payment_id, f"payment {cmd.payment_key!r}")

    def issue_credit_memo(self, cmd: c.IssueCreditMemo) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            if self.exists(CreditMemo.id_for(cmd.number)):
                raise DomainError(f"credit memo {cmd.number!r} already exists")
            memo = CreditMemo.issue(
                number=cmd.number,
                account_id=account.id,
                amount=Money(cmd.amount, cmd.currency),
                reason=cmd.reason,
                on=cmd.issued_on,
                cause=_cause(cmd),
            )
            invoices = self._allocate(memo, cmd.allocations, cmd.issued_on, cmd)
            return [memo, *invoices], _source_result(memo)

        return self._once(cmd, handle)

    def allocate_credit_memo(self, cmd: c.AllocateCreditMemo) -> dict[str, Any]:
        memo_id = CreditMemo.id_for(cmd.credit_memo_number)
        what = f"credit memo {cmd.credit_memo_number!r}"
        return self._allocate_later(cmd, memo_id, what)

    def dispute_invoice(self, cmd: c.DisputeInvoice) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            if cmd.account_number is not None:
                self._check_owns(cmd.account_number, invoice)
            invoice.dispute(
                reason=cmd.reason,
                note=cmd.note,
                on=cmd.on,
                cause=_cause(cmd),
                attachment_id=cmd.attachment_id,
            )
            return [invoice], {"invoice_id": str(invoice.id), "status": invoice.status}

        return self._once(cmd, handle)

    def resolve_dispute(self, cmd: c.ResolveDispute) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            invoice.resolve_dispute(outcome=cmd.outcome, on=cmd.on, cause=_cause(cmd))
            return [invoice], {"invoice_id": str(invoice.id), "status": invoice.status}

        return self._once(cmd, handle)

    def record_invoice_sent(self, cmd: c.RecordInvoiceSent) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            invoice.record_sent(
                recipient_hash=cmd.recipient_hash,
                language=cmd.language,
                on=cmd.on,
                cause=_cause(cmd),
            )
            return [invoice], {"invoice_id": str(invoice.id), "sent_on": str(cmd.on)}

        return self._once(cmd, handle)

    def write_off_invoice(self, cmd: c.WriteOffInvoice) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoice = self.invoice(cmd.invoice_number)
            invoice.write_off(reason=cmd.reason, on=cmd.on, cause=_cause(cmd))
            return [invoice], {"invoice_id": str(invoice.id), "status": invoice.status}

        return self._once(cmd, handle)

    # What a payer does in the portal ------------------------------------

    def promise_to_pay(self, cmd: c.PromiseToPay) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            invoices = [self.invoice(n) for n in dict.fromkeys(cmd.invoice_numbers)]
            for invoice in invoices:
                self._check_owns(cmd.account_number, invoice)
            promise = PromiseToPay.make(
                key=cmd.idempotency_key,
                invoices=invoices,
                amount=Money(cmd.amount, cmd.currency),
                promised_date=cmd.promised_date,
                on=cmd.on,
                cause=_cause(cmd),
            )
            return [promise], {"promise_id": str(promise.id)}

        return self._once(cmd, handle)

    def settle_invoices(self, cmd: c.SettleInvoices) -> dict[str, Any]:
        """Apply the chosen open credit, then record the payment and allocate it."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            changed: dict[UUID, Any] = {}
            invoices: dict[str, Invoice] = {}
            for use in cmd.credits:
                source = changed.get(UUID(use.source_id)) or self._credit_source(
                    use, account.id
                )
                changed[source.id] = source
                invoice = invoices.get(use.invoice_number) or self.invoice(
                    use.invoice_number
                )
                invoices[use.invoice_number] = invoice
                source.allocate_to(
                    invoice,
                    Money(use.amount, cmd.currency),
                    on=cmd.on,
                    cause=_cause(cmd),
                )
            result: dict[str, Any] = {"payment_id": None}
            if cmd.amount > 0:
                payment = Payment.receive(
                    key=cmd.idempotency_key,
                    account_id=account.id,
                    amount=Money(cmd.amount, cmd.currency),
                    method=cmd.method,
                    reference=cmd.reference,
                    on=cmd.on,
                    cause=_cause(cmd),
                )
                for line in cmd.allocations:
                    invoice = invoices.get(line.invoice_number) or self.invoice(
                        line.invoice_number
                    )
                    invoices[line.invoice_number] = invoice
                    payment.allocate_to(
                        invoice,
                        Money(line.amount, cmd.currency),
                        on=cmd.on,
                        cause=_cause(cmd),
                    )
                changed[payment.id] = payment
                result = _source_result(payment)
            result["credit_applied"] = str(sum(u.amount for u in cmd.credits))
            return [*changed.values(), *invoices.values()], result

        return self._once(cmd, handle)

    def save_payment_method(self, cmd: c.SavePaymentMethod) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            expiry = None
            if cmd.expiry_month is not None and cmd.expiry_year is not None:
                expiry = (cmd.expiry_month, cmd.expiry_year)
            method_id = account.save_payment_method(
                token=cmd.token,
                kind=cmd.kind,
                brand=cmd.brand,
                last4=cmd.last4,
                expiry=expiry,
                on=cmd.on,
                cause=_cause(cmd),
            )
            return [account], {"method_id": method_id}

        return self._once(cmd, handle)

    def choose_default_payment_method(
        self, cmd: c.ChooseDefaultPaymentMethod
    ) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.choose_default_method(cmd.method_id, on=cmd.on, cause=_cause(cmd))
            return [account], {"method_id": cmd.method_id}

        return self._once(cmd, handle)

    def remove_payment_method(self, cmd: c.RemovePaymentMethod) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.remove_payment_method(cmd.method_id, on=cmd.on, cause=_cause(cmd))
            return [account], {"method_id": cmd.method_id}

        return self._once(cmd, handle)

    def change_language(self, cmd: c.ChangeLanguage) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.change_language(cmd.language, on=cmd.on, cause=_cause(cmd))
            return [account], {"language": cmd.language}

        return self._once(cmd, handle)

    def give_effort_score(self, cmd: c.GiveEffortScore) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.give_effort_score(
                cmd.score, payment_id=cmd.payment_id, on=cmd.on, cause=_cause(cmd)
            )
            return [account], {"score": cmd.score}

        return self._once(cmd, handle)

    # Helpers -----------------------------------------------------------

    def _check_owns(self, account_number: str, invoice: Invoice) -> None:
        """Answer as if the invoice did not exist when another account owns it."""
        if invoice.account_id != Account.id_for(account_number):
            raise NotFound(f"invoice {invoice.number!r} does not exist")

    def _credit_source(self, use: c.CreditUse, account_id: UUID) -> AllocationSource:
        what = use.source_kind.replace("_", " ")
        try:
            source_id = UUID(use.source_id)
        except ValueError:
            raise NotFound(f"{what} {use.source_id!r} does not exist") from None
        source = self._get(source_id, f"{what} {use.source_id!r}")
        mine = isinstance(source, AllocationSource) and source.account_id == account_id
        if not mine or use.source_kind != source.KIND:
            raise NotFound(f"{what} {use.source_id!r} does not exist")
        return source

    def _allocate_later(
        self,
        cmd: c.AllocatePayment | c.AllocateCreditMemo,
        source_id: UUID,
        what: str,
    ) -> dict[str, Any]:
        """Allocate what an earlier payment or credit memo left unapplied."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            source: AllocationSource = self._get(source_id, what)
            invoices = self._allocate(source, cmd.allocations, cmd.on, cmd)
            return [source, *invoices], _source_result(source)

        return self._once(cmd, handle)

    def _allocate(
        self,
        source: AllocationSource,
        lines: Sequence[c.AllocationLine],
        on: date,
        cmd: c.Command,
    ) -> list[Invoice]:
        invoices: dict[str, Invoice] = {}
        for line in lines:
            invoice = invoices.get(line.invoice_number) or self.invoice(
                line.invoice_number
            )
            invoices[line.invoice_number] = invoice
            source.allocate_to(
                invoice,
                Money(line.amount, source.currency),
                on=on,
                cause=_cause(cmd),
            )
        return list(invoices.values())


def _source_result(source: AllocationSource) -> dict[str, Any]:
    return {
        f"{source.KIND}_id": str(source.id),
        "unapplied": str(source.unapplied_amount),
    }
