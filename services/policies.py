"""Customer policies: terms, discounts, credit limits, holds, delivery, language,
time zone and contacts, each change an event on the account."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.money import Money
from domain.terms import EarlyPaymentDiscount, PaymentTerms
from services import commands as c
from services._handling import CommandHandling, _cause

# What an account owes in a currency (open invoices less its open credit and
# unapplied cash), as the read models know it.
Exposure = Callable[[UUID, str], Decimal]


def nothing_open(account_id: UUID, currency: str) -> Decimal:
    """The exposure when no read model is wired in: only the new invoice counts."""
    return Decimal(0)


class AccountPolicies(CommandHandling):
    """Changes to the policies a customer account carries.

    ``exposure_of`` is the port the credit check reads what an account owes
    from; the wiring connects it to the read models.
    """

    exposure_of: Exposure = staticmethod(nothing_open)

    def change_account_policies(self, cmd: c.ChangeAccountPolicies) -> dict[str, Any]:
        """Every policy the command names, in one transaction."""

        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            cause = _cause(cmd)
            on = cmd.on
            if cmd.terms is not None:
                account.change_terms(PaymentTerms.parse(cmd.terms), on=on, cause=cause)
            if cmd.discount is not None:
                account.grant_discount(
                    EarlyPaymentDiscount.parse(cmd.discount),
                    reason=cmd.discount_reason,
                    on=on,
                    cause=cause,
                )
            if cmd.withdraw_discount:
                account.withdraw_discount(
                    reason=cmd.discount_reason, on=on, cause=cause
                )
            if cmd.credit_limit is not None or cmd.remove_credit_limit:
                limit = cmd.credit_limit
                account.change_credit_limit(
                    None if limit is None else Money(limit, account.currency),
                    on=on,
                    cause=cause,
                )
            if cmd.delivery is not None:
                account.change_delivery(cmd.delivery, on=on, cause=cause)
            if cmd.language is not None:
                account.change_language(cmd.language, on=on, cause=cause)
            if cmd.time_zone is not None:
                account.change_time_zone(cmd.time_zone, on=on, cause=cause)
            for contact in cmd.contacts:
                account.set_contact(
                    role=contact.role,
                    email=contact.email,
                    name=contact.name,
                    address_lines=contact.address_lines,
                    on=on,
                    cause=cause,
                )
            changes = [type(e).__name__ for e in account.pending_events]
            return [account], {"account_id": str(account.id), "changes": changes}

        return self._once(cmd, handle)

    def put_account_on_hold(self, cmd: c.PutAccountOnHold) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.put_on_hold(reason=cmd.reason, on=cmd.on, cause=_cause(cmd))
            return [account], {"account_id": str(account.id), "on_hold": True}

        return self._once(cmd, handle)

    def release_account_hold(self, cmd: c.ReleaseAccountHold) -> dict[str, Any]:
        def handle() -> tuple[list[Any], dict[str, Any]]:
            account = self.account(cmd.account_number)
            account.release_hold(reason=cmd.reason, on=cmd.on, cause=_cause(cmd))
            return [account], {"account_id": str(account.id), "on_hold": False}

        return self._once(cmd, handle)
