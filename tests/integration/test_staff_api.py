"""The staff API over HTTP: keys, roles, and collector actions with their actor."""

from datetime import date
from decimal import Decimal

import pytest

from services import commands as c
from services.staff import hash_key
from tests.support.collections import issue, open_account
from tests.support.portal import open_site

KEYS = {"alice": "key-of-alice", "bob": "key-of-bob", "ann": "key-of-ann"}
ROLES = {"alice": "collector", "bob": "admin", "ann": "auditor"}


@pytest.fixture
def site(tmp_path):
    opened = open_site(tmp_path)
    app = opened.app
    for name, key in KEYS.items():
        app.add_staff_member(
            c.AddStaffMember(
                idempotency_key=f"staff-{name}", name=name, role=ROLES[name],
                key_hash=hash_key(key), on=date(2024, 1, 1),
            )
        )  # fmt: skip
    open_account(app)
    issue(app, "I-1", "100.00", date(2024, 1, 5))
    yield opened
    opened.close()


def as_(name, key="k-00000001"):
    return {"Authorization": f"Bearer {KEYS[name]}", "Idempotency-Key": key}


def test_a_call_without_a_key_is_unauthorized(site):
    """No key, no worklist."""
    answer = site.client.get("/api/v1/staff/worklist")

    assert answer.status_code == 401
    assert "API key is required" in answer.json()["detail"]


def test_a_revoked_key_no_longer_opens_the_api(site):
    """After revocation the same key gets 401."""
    site.app.revoke_staff_member(
        c.RevokeStaffMember(
            idempotency_key="rv-1", name="alice", reason="left", on=date(2024, 2, 1)
        )
    )

    answer = site.client.get("/api/v1/staff/me", headers=as_("alice"))

    assert answer.status_code == 401


def test_the_key_also_works_as_an_x_api_key_header(site):
    """X-API-Key is the other way to send the key."""
    answer = site.client.get("/api/v1/staff/me", headers={"X-API-Key": KEYS["ann"]})

    assert answer.json()["role"] == "auditor"


def test_the_worklist_ranks_accounts_with_their_next_action(site):
    """As of 1 March, C1's invoice due 4 February is 26 days past due."""
    answer = site.client.get(
        "/api/v1/staff/worklist", params={"as_of": "2024-03-01"}, headers=as_("ann")
    )

    assert [
        (r["customer_id"], r["past_due"], r["oldest_days_past_due"], r["next_action"])
        for r in answer.json()
    ] == [("C1", "100.00", 26, "call")]


def test_an_auditor_cannot_change_anything(site):
    """A write by the read-only role is forbidden and records nothing."""
    before = site.engine.projector.head()

    answer = site.client.post(
        "/api/v1/staff/accounts/C1/calls",
        json={"outcome": "reached"},
        headers=as_("ann"),
    )

    assert answer.status_code == 403
    assert site.engine.projector.head() == before


def test_a_logged_call_carries_the_collector_as_actor(site):
    """The timeline shows alice, through the staff API, as who called."""
    answer = site.client.post(
        "/api/v1/staff/accounts/C1/calls",
        json={"outcome": "promised", "note": "pays Friday"},
        headers=as_("alice"),
    )

    assert answer.status_code == 200, answer.text
    found = site.engine.models.con.execute(
        "SELECT actor, channel FROM timeline WHERE event_type = "
        "'CollectorAction.CallLogged'"
    ).fetchone()
    assert found == ("alice", "staff_api")


def test_policies_change_through_the_api(site):
    """A PATCH of the policies sets terms and the time zone."""
    answer = site.client.patch(
        "/api/v1/staff/accounts/C1/policies",
        json={"terms": "eom 30", "time_zone": "America/Chicago"},
        headers=as_("bob"),
    )

    assert answer.json()["changes"] == ["TermsChanged", "TimeZoneChanged"]


def test_a_promise_recorded_by_a_collector_is_a_promise_to_pay(site):
    """The payer's promise on a call is the same promise the portal records."""
    answer = site.client.post(
        "/api/v1/staff/accounts/C1/promises",
        json={
            "invoice_numbers": ["I-1"], "amount": "100.00", "currency": "USD",
            "promised_date": "2024-03-15",
        },
        headers=as_("alice"),
    )  # fmt: skip

    assert answer.status_code == 200, answer.text
    assert site.app.handled("staff:k-00000001")["promise_id"]


def test_approving_your_own_write_off_is_refused_with_the_rule(site):
    """409 with words: another staff member must approve."""
    site.client.post(
        "/api/v1/staff/invoices/I-1/write-off/request",
        json={"reason": "insolvent"},
        headers=as_("alice", "k-req-0001"),
    )

    answer = site.client.post(
        "/api/v1/staff/invoices/I-1/write-off/approval",
        json={},
        headers=as_("alice", "k-app-0001"),
    )

    assert answer.status_code == 409
    assert "another staff member must approve it" in answer.json()["detail"]


def test_a_second_staff_member_approves_the_write_off(site):
    """Bob approves alice's request and the invoice is written off."""
    site.client.post(
        "/api/v1/staff/invoices/I-1/write-off/request",
        json={"reason": "insolvent"},
        headers=as_("alice", "k-req-0001"),
    )

    answer = site.client.post(
        "/api/v1/staff/invoices/I-1/write-off/approval",
        json={},
        headers=as_("bob", "k-app-0002"),
    )

    assert answer.json()["status"] == "written_off"


def test_a_dispute_resolved_by_credit_over_the_api_lowers_the_open_amount(site):
    """A 40.00 credit on a disputed 100.00 leaves 60.00 for the payer to see."""
    site.app.dispute_invoice(
        c.DisputeInvoice(
            idempotency_key="d-1", invoice_number="I-1", reason="wrong_amount",
            on=date(2024, 2, 1),
        )
    )  # fmt: skip

    answer = site.client.post(
        "/api/v1/staff/invoices/I-1/dispute/credit",
        json={"credit_memo_number": "CM-9", "amount": "40.00"},
        headers=as_("alice"),
    )

    assert Decimal(answer.json()["open_amount"]) == Decimal("60.00")


def test_a_write_without_an_idempotency_key_is_refused(site):
    """Every change names its key, so a retry cannot double it."""
    answer = site.client.post(
        "/api/v1/staff/accounts/C1/hold",
        json={"reason": "returned mail"},
        headers={"Authorization": f"Bearer {KEYS['alice']}"},
    )

    assert answer.status_code == 422
