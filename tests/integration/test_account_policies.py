"""Customer policies on each event store: what new invoices take, holds, contacts,
the timeline, and rebuilds."""

from datetime import date

from services import commands as c
from tests.support.collections import issue, open_account, row, set_policies

ON = date(2024, 1, 10)


def test_a_new_invoice_takes_the_terms_and_discount_of_its_account(ledger):
    """After eom 15 and 2%/10, an invoice is due 15 days after its month ends."""
    open_account(ledger.app)
    set_policies(
        ledger.app,
        "p-1",
        ON,
        terms="eom 15",
        discount="2%/10",
        discount_reason="strategic customer",
    )

    issue(ledger.app, "I-1", "100.00", date(2024, 1, 20))

    found = row(
        ledger,
        "SELECT due_date, terms, discount_percent, discount_until FROM invoices",
    )
    assert found == (date(2024, 2, 15), "eom 15", "2", date(2024, 1, 30))


def test_changing_terms_leaves_issued_invoices_as_they_were(ledger):
    """An invoice issued on net 30 keeps its due date when terms become net 60."""
    open_account(ledger.app)
    issue(ledger.app, "I-1", "100.00", ON)

    set_policies(ledger.app, "p-1", date(2024, 1, 11), terms="net 60")

    assert row(ledger, "SELECT due_date, terms FROM invoices") == (
        date(2024, 2, 9),
        "net 30",
    )
    assert row(ledger, "SELECT terms, net_days FROM accounts") == ("net 60", 60)


def test_an_invoice_past_the_credit_limit_puts_the_account_on_hold(ledger):
    """600 open and a new 500 pass a limit of 1,000: the account is held."""
    open_account(ledger.app)
    set_policies(ledger.app, "p-1", ON, credit_limit="1000")
    issue(ledger.app, "I-1", "600.00", ON)

    issue(ledger.app, "I-2", "500.00", ON)

    held = row(ledger, "SELECT on_hold, hold_type, hold_reason FROM accounts")
    assert held[:2] == (True, "credit_limit")
    assert "1100.00 USD passes the credit limit 1000.00 USD" in held[2]


def test_an_invoice_within_the_credit_limit_leaves_the_account_open(ledger):
    """600 and 400 reach a limit of 1,000 without passing it."""
    open_account(ledger.app)
    set_policies(ledger.app, "p-1", ON, credit_limit="1000")
    issue(ledger.app, "I-1", "600.00", ON)

    issue(ledger.app, "I-2", "400.00", ON)

    assert row(ledger, "SELECT on_hold FROM accounts") == (False,)


def test_a_collector_releases_a_hold_with_a_reason(ledger):
    """A release clears the hold and its reason."""
    open_account(ledger.app)
    ledger.app.put_account_on_hold(
        c.PutAccountOnHold(
            idempotency_key="h-1", account_number="C1", reason="returned mail", on=ON
        )
    )

    ledger.app.release_account_hold(
        c.ReleaseAccountHold(
            idempotency_key="r-1", account_number="C1", reason="new address", on=ON
        )
    )

    assert row(ledger, "SELECT on_hold, hold_reason FROM accounts") == (False, None)


def test_contacts_by_role_reach_the_read_models_with_their_address(ledger):
    """The billing contact's postal lines are there for paper letters."""
    open_account(ledger.app)
    billing = c.ContactChange(
        role="billing",
        email="billing@c1.example",
        name="Ann Lee",
        address_lines=["1 Main St", "Springfield, IL 62701"],
    )

    set_policies(ledger.app, "p-1", ON, contacts=[billing])

    assert row(
        ledger,
        "SELECT name, email, address_lines FROM account_contacts "
        "WHERE role = 'billing'",
    ) == ("Ann Lee", "billing@c1.example", ["1 Main St", "Springfield, IL 62701"])


def test_a_new_contact_can_still_sign_in_to_the_portal(ledger):
    """The accounts row's contact list, which sign-in reads, holds the new one."""
    from projections.portal import PayerViews

    open_account(ledger.app)
    set_policies(
        ledger.app,
        "p-1",
        ON,
        contacts=[c.ContactChange(role="billing", email="billing@c1.example")],
    )
    ledger.catch_up()

    found = PayerViews(ledger.models.con).account_for_email("billing@c1.example")
    assert found is not None and found["customer_id"] == "C1"


def test_each_policy_change_is_a_line_of_the_account_timeline(ledger):
    """Terms, limit, delivery, language and time zone each show with their actor."""
    open_account(ledger.app)

    ledger.app.change_account_policies(
        c.ChangeAccountPolicies(
            idempotency_key="p-1",
            actor="alice",
            account_number="C1",
            on=ON,
            terms="net 45",
            credit_limit="5000",
            delivery="paper",
            language="de",
            time_zone="Europe/Berlin",
        )
    )
    ledger.catch_up()

    lines = ledger.models.con.execute(
        "SELECT event_type, detail FROM timeline WHERE actor = 'alice' "
        "ORDER BY position"
    ).fetchall()
    assert lines == [
        ("Account.TermsChanged", "net 45"),
        ("Account.CreditLimitChanged", "5000.00 USD"),
        ("Account.DeliveryPreferenceChanged", "paper"),
        ("Account.LanguageChanged", "de"),
        ("Account.TimeZoneChanged", "Europe/Berlin"),
    ]


def test_a_rebuild_of_policies_gives_the_same_read_models(ledger):
    """Dropping and replaying every event gives identical tables."""
    open_account(ledger.app)
    set_policies(
        ledger.app,
        "p-1",
        ON,
        terms="eom 10",
        discount="1.5%/7",
        discount_reason="pilot",
        credit_limit="100",
        time_zone="Asia/Tokyo",
        contacts=[c.ContactChange(role="escalation", address_lines=["PO Box 9"])],
    )
    issue(ledger.app, "I-1", "150.00", ON)
    set_policies(ledger.app, "p-2", ON, withdraw_discount=True, discount_reason="end")
    ledger.catch_up()
    before = ledger.tables()

    ledger.rebuild()

    assert ledger.tables() == before
