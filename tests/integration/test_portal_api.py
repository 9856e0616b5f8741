"""The JSON API: its OpenAPI document, sign-in, and fuzzing every operation of
that document with hypothesis: never a server error, never another account's
data."""

import json
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.portal import sign_in
from tests.support.two_payers import fill


@pytest.fixture
def api(site):
    """Payer A signed in, payer B's data in the same ledger."""
    mine = fill(site, "A", "ap@a.example")
    theirs = fill(site, "B", "ap@b.example")
    sign_in(site, mine.account)
    csrf = site.client.get("/api/v1/session").json()["csrf_token"]
    return site, mine, theirs, csrf


def test_the_openapi_document_lists_the_payer_operations(site):
    paths = site.client.get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/invoices", "/api/v1/payments", "/api/v1/promises"} <= set(paths)


def test_the_api_answers_401_without_a_session(site):
    assert site.client.get("/api/v1/invoices").status_code == 401


def test_the_overview_gives_amounts_as_decimal_strings(api):
    site, mine, _, _ = api

    overview = site.client.get("/api/v1/overview").json()

    assert [(b["currency"], b["balance"]) for b in overview["balances"]] == [
        ("USD", "170.00")
    ]


def test_stored_methods_are_listed_without_their_token(api):
    site, _, _, _ = api

    methods = site.client.get("/api/v1/payment-methods").json()

    assert [sorted(m) for m in methods] == [
        sorted(
            [
                "method_id",
                "kind",
                "brand",
                "last4",
                "expiry_month",
                "expiry_year",
                "is_default",
            ]
        )
    ]


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def fuzz_value():
    return st.one_of(
        st.text(max_size=40),
        st.integers(),
        st.decimals(allow_nan=False, allow_infinity=False).map(str),
        st.booleans(),
        st.none(),
        st.lists(st.text(max_size=10), max_size=3),
    )


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_no_operation_answers_with_a_server_error_or_another_accounts_data(api, data):
    site, mine, theirs, csrf = api
    document = site.client.get("/api/v1/openapi.json").json()
    path, method, operation = data.draw(st.sampled_from(list(operations(document))))

    ids = st.sampled_from(
        [theirs.invoice, theirs.payment, theirs.method, mine.invoice, "x", "../../"]
    )
    url = path
    query = {}
    for parameter in operation.get("parameters", []):
        value = data.draw(st.one_of(ids, st.text(max_size=30)))
        if parameter["in"] == "path":
            url = url.replace(
                "{" + parameter["name"] + "}", quote(value or "x", safe="")
            )
        elif parameter["in"] == "query":
            query[parameter["name"]] = value
    body = data.draw(st.dictionaries(st.text(max_size=12), fuzz_value(), max_size=4))
    headers = {
        "X-CSRF-Token": csrf,
        "Idempotency-Key": data.draw(
            st.sampled_from(["fuzz-key-1", "k", "fuzz-key-2"])
        ),
    }

    answer = site.client.request(
        method.upper(),
        url,
        params=query,
        content=json.dumps(body),
        headers={**headers, "Content-Type": "application/json"},
    )

    assert answer.status_code < 500
    for foreign in (theirs.account, theirs.invoice, theirs.payment, "Payer B"):
        assert foreign not in answer.text
