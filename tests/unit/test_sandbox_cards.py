"""The sandbox gateway's checks of cards and bank accounts."""

from datetime import date

import pytest

from adapters.sandbox.cards import Refused, check_card, check_iban, luhn_ok

TODAY = date(2026, 6, 15)


def test_a_number_that_fails_the_luhn_check_is_refused():
    with pytest.raises(Refused) as refused:
        check_card("4242 4242 4242 4241", "12/30", "123", TODAY)

    assert refused.value.field == "number"


def test_an_expired_card_is_refused():
    with pytest.raises(Refused) as refused:
        check_card("4242424242424242", "05/26", "123", TODAY)

    assert refused.value.field == "expiry"


def test_an_amex_card_needs_four_digits_of_security_code():
    with pytest.raises(Refused) as refused:
        check_card("3782 822463 10005", "12/30", "123", TODAY)

    assert refused.value.field == "cvc"


@pytest.mark.parametrize(
    "number, outcome",
    [
        ("4242424242424242", "approved"),
        ("4000000000000002", "card_declined"),
        ("4000000000009995", "insufficient_funds"),
        ("4000000000000119", "processing_error"),
    ],
)
def test_the_documented_test_cards_answer_as_documented(number, outcome):
    assert check_card(number, "12/30", "123", TODAY).outcome == outcome


def test_a_card_keeps_only_its_brand_and_last_four_digits():
    checked = check_card("5555 5555 5555 4444", "1/31", "123", TODAY)

    assert (checked.brand, checked.last4, checked.exp_year) == (
        "mastercard",
        "4444",
        2031,
    )


def test_an_iban_with_a_wrong_check_sum_is_refused():
    with pytest.raises(Refused):
        check_iban("DE88 3704 0044 0532 0130 00")


def test_the_declining_test_iban_declines():
    assert check_iban("DE40 3704 0044 0532 0100 02").outcome == "card_declined"


def test_luhn_accepts_the_classic_test_number():
    assert luhn_ok("79927398713")
