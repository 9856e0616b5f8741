"""The small hierarchy of exceptions the domain raises when a rule is broken."""


class DomainError(Exception):
    """A command would break a rule of the receivables ledger."""


class UnknownCurrency(DomainError):
    pass


class CurrencyMismatch(DomainError):
    pass


class InvalidAmount(DomainError):
    pass


class InvalidTerms(DomainError):
    pass


class InvalidDate(DomainError):
    pass


class AllocationExceedsOpenAmount(DomainError):
    pass


class AllocationExceedsUnappliedAmount(DomainError):
    pass


class AllocationBeforeInvoiceDate(DomainError):
    pass


class AllocationBeforeSourceDate(DomainError):
    pass


class AllocationToAnotherAccount(DomainError):
    pass


class InvoiceAlreadySettled(DomainError):
    pass


class InvoiceAlreadyDisputed(DomainError):
    pass


class InvoiceNotDisputed(DomainError):
    pass


class InvalidPolicy(DomainError):
    """A customer policy (time zone, contact, credit limit) is not valid."""


class AccountAlreadyOnHold(DomainError):
    pass


class AccountNotOnHold(DomainError):
    pass


class InvalidDisputeStep(DomainError):
    pass


class WriteOffAlreadyRequested(DomainError):
    pass


class NoWriteOffRequested(DomainError):
    pass


class WriteOffNeedsAnotherApprover(DomainError):
    """The staff member who asked for a write-off cannot approve it."""
