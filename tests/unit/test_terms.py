"""Payment terms and early-payment discounts: parsing and the dates they give."""

from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidTerms
from domain.terms import EarlyPaymentDiscount, PaymentTerms


def test_net_terms_fall_due_n_days_after_issue():
    """Net 30 on 15 January is due on 14 February."""
    assert PaymentTerms.parse("net 30").due_date(date(2024, 1, 15)) == date(2024, 2, 14)


def test_end_of_month_terms_count_from_the_last_day_of_the_issue_month():
    """EOM 15 on 3 February 2024 (a leap year) is due on 15 March."""
    terms = PaymentTerms.parse("end of month + 15")

    assert terms.due_date(date(2024, 2, 3)) == date(2024, 3, 15)


def test_terms_print_as_they_are_parsed():
    """The text form of terms reads back as the same terms."""
    for text in ("net 45", "eom 10", "eom 0"):
        assert str(PaymentTerms.parse(text)) == text


def test_unreadable_terms_are_refused_with_an_example():
    """A typo names the forms that would be right."""
    with pytest.raises(InvalidTerms, match="net 30, eom 15"):
        PaymentTerms.parse("30 days")


def test_a_discount_reads_percent_and_days():
    """2%/10 is two percent off within ten days of issue."""
    discount = EarlyPaymentDiscount.parse("2%/10")

    assert (discount.percent, discount.days) == (Decimal("2"), 10)
    assert discount.until(date(2024, 1, 15)) == date(2024, 1, 25)


def test_a_discount_of_a_hundred_percent_is_refused():
    """A discount that gives the invoice away is not a discount."""
    with pytest.raises(InvalidTerms, match="between 0 and 100"):
        EarlyPaymentDiscount.parse("100%/10")
