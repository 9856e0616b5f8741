"""Which of an account's contacts an invoice e-mail goes to."""

from projections.portal import billing_address


def test_a_billing_contact_comes_before_accounts_payable():
    contacts = [
        {"role": "accounts_payable", "email": "ap@payer.example"},
        {"role": "billing", "email": "billing@payer.example"},
    ]

    assert billing_address(contacts) == "billing@payer.example"


def test_without_a_billing_role_the_first_contact_with_an_address_is_used():
    contacts = [{"role": "sales", "phone": "+81 3 0000"}, {"email": "x@payer.example"}]

    assert billing_address(contacts) == "x@payer.example"


def test_an_account_without_any_address_has_no_billing_contact():
    assert billing_address([{"role": "billing", "phone": "+86 21 0000"}]) is None
