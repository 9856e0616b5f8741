"""Who gets in and what they can reach: links, sessions, CSRF, rate limits,
security headers, and 404 for every id of another account."""

import pytest

from tests.support.portal import csrf_of, sign_in
from tests.support.two_payers import fill


@pytest.fixture
def mine(site):
    return fill(site, "A", "ap@a.example")


@pytest.fixture
def theirs(site):
    return fill(site, "B", "ap@b.example")


@pytest.fixture
def signed_in(site, mine, theirs):
    """A browser signed in as payer A, with a CSRF token for its forms."""
    sign_in(site, mine.account)
    token = csrf_of(site.client.get("/").text)
    return token


def test_a_link_signs_the_payer_in_to_their_overview(site, mine):
    page = sign_in(site, mine.account)

    assert page.url.path == "/"
    assert "Payer A" in page.text


def test_a_link_works_only_once(site, mine):
    path = site.portal.link_url(mine.account).removeprefix("http://portal.test")
    site.browser().get(path)

    second = site.browser().get(path)

    assert second.status_code == 400
    assert "used already" in second.text


def test_an_expired_link_is_refused(site, mine):
    path = site.portal.link_url(mine.account).removeprefix("http://portal.test")
    site.clock.seconds += site.portal.settings.sign_in_link_minutes * 60 + 1

    page = site.client.get(path)

    assert page.status_code == 400
    assert "/sign-in" in str(page.url) or "sign-in" in page.text


def test_a_forged_link_is_refused(site, mine):
    path = site.portal.link_url(mine.account).removeprefix("http://portal.test")

    page = site.client.get(path[:-3] + "abc")

    assert page.status_code == 400


def ask_for_link(site, email):
    browser = site.browser()
    form = browser.get("/sign-in")
    return browser.post(
        "/sign-in", data={"email": email, "csrf_token": csrf_of(form.text)}
    )


def test_asking_for_a_link_answers_the_same_for_known_and_unknown_addresses(site, mine):
    known = ask_for_link(site, "AP@a.example")
    unknown = ask_for_link(site, "nobody@nowhere.example")

    def shown(answer):
        return answer.status_code, answer.text.replace(csrf_of(answer.text), "")

    assert shown(known) == shown(unknown)


def test_asking_for_a_link_mails_one_only_to_a_known_address(site, mine):
    ask_for_link(site, "AP@a.example")
    ask_for_link(site, "nobody@nowhere.example")

    assert [m.to for m in site.mail.sent] == ["ap@a.example"]


def test_the_mailed_link_signs_in(site, mine):
    ask_for_link(site, "ap@a.example")

    page = site.client.get(site.mail.link().removeprefix("http://portal.test"))

    assert "Payer A" in page.text


def test_after_signing_out_the_overview_asks_to_sign_in(site, mine):
    sign_in(site, mine.account)
    token = csrf_of(site.client.get("/").text)

    site.client.post("/sign-out", data={"csrf_token": token})
    page = site.client.get("/", follow_redirects=False)

    assert (page.status_code, page.headers["location"]) == (303, "/sign-in")


def test_an_idle_session_expires(site, mine):
    sign_in(site, mine.account)
    site.clock.seconds += site.portal.settings.session_minutes * 60 + 1

    page = site.client.get("/", follow_redirects=False)

    assert page.status_code == 303


def test_the_session_cookie_is_http_only_and_same_site(site, mine):
    path = site.portal.link_url(mine.account).removeprefix("http://portal.test")

    answer = site.client.get(path, follow_redirects=False)

    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie


def test_the_session_cookie_is_secure_over_https(site, mine):
    path = site.portal.link_url(mine.account).removeprefix("http://portal.test")

    answer = site.client.get("https://portal.test" + path, follow_redirects=False)

    assert "secure" in answer.headers["set-cookie"].lower()


def test_link_requests_from_one_address_are_limited(site, mine):
    for _ in range(site.portal.settings.sign_in_per_ip):
        ask_for_link(site, "someone@x.example")

    answer = ask_for_link(site, "someone@x.example")

    assert answer.status_code == 429


def test_links_for_one_address_are_sent_at_most_the_limit(site, mine):
    for _ in range(site.portal.settings.sign_in_per_address + 2):
        site.portal.limits.pop("ip", None)
        ask_for_link(site, "ap@a.example")

    assert len(site.mail.sent) == site.portal.settings.sign_in_per_address


@pytest.mark.parametrize(
    "header, value",
    [
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
    ],
)
def test_every_answer_carries_the_security_headers(site, header, value):
    assert site.client.get("/sign-in").headers[header] == value


def test_the_content_policy_forbids_framing_and_foreign_scripts(site):
    policy = site.client.get("/sign-in").headers["content-security-policy"]

    assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy


@pytest.mark.parametrize(
    "path, form",
    [
        ("/sign-in", {"email": "ap@a.example"}),
        ("/sign-out", {}),
        ("/language", {"language": "ja", "key": "k" * 32}),
        ("/effort", {"payment_id": "x", "score": "5", "key": "k" * 32}),
    ],
)
def test_a_form_without_its_csrf_token_is_refused(site, signed_in, path, form):
    answer = site.client.post(path, data=form)

    assert answer.status_code == 403


def test_a_form_with_another_browsers_csrf_token_is_refused(site, signed_in):
    other = site.browser()
    foreign = csrf_of(other.get("/sign-in").text)

    answer = site.client.post("/sign-out", data={"csrf_token": foreign})

    assert answer.status_code == 403


def test_an_api_change_without_the_csrf_header_is_refused(site, signed_in, mine):
    answer = site.client.put(
        "/api/v1/language",
        json={"language": "ja"},
        headers={"Idempotency-Key": "k" * 16},
    )

    assert answer.status_code in (403, 422)
    assert site.portal.views.account(mine.account)["language"] == "en"


def other_ids_routes():
    """Every route that takes an id, asked with payer B's id."""
    return [
        ("get", "/pay?invoice={invoice}", None),
        ("get", "/invoices/{invoice}/dispute", None),
        ("post", "/invoices/{invoice}/dispute", "dispute"),
        ("get", "/promise?invoice={invoice}", None),
        ("post", "/promise", "promise"),
        ("post", "/pay", "pay"),
        ("get", "/receipts/{payment}", None),
        ("post", "/effort", "effort"),
        ("post", "/methods/{method}/default", "key"),
        ("post", "/methods/{method}/remove", "key"),
        ("get", "/attachments/{attachment}", None),
        ("get", "/invoices/{invoice_number}.pdf", None),
        ("get", "/pay/return?state={state}&token=tok_x", None),
        ("get", "/api/v1/invoices/{invoice}", None),
        ("get", "/api/v1/payments/{payment}", None),
    ]


def form_for(kind, ids, token):
    key = "f" * 32
    return {
        "dispute": {"reason": "damaged", "key": key, "csrf_token": token},
        "promise": {
            "invoice": ids.invoice,
            "promised_date": "2024-04-01",
            "amount": "1.00",
            "key": key,
            "csrf_token": token,
        },
        "pay": {
            "invoice": ids.invoice,
            f"amount_{ids.invoice}": "1.00",
            "method": "new_card",
            "key": key,
            "csrf_token": token,
        },
        "effort": {
            "payment_id": ids.payment,
            "score": "6",
            "key": key,
            "csrf_token": token,
        },
        "key": {"key": key, "csrf_token": token},
    }[kind]


@pytest.mark.parametrize("method, path, form", other_ids_routes())
def test_another_accounts_id_gives_not_found(
    site, signed_in, theirs, method, path, form
):
    url = path.format(**vars(theirs))
    if method == "get":
        answer = site.client.get(url)
    else:
        answer = site.client.post(url, data=form_for(form, theirs, signed_in))

    assert answer.status_code == 404
    assert "Payer B" not in answer.text


API_CHANGES = [
    ("post", "/api/v1/invoices/{invoice}/disputes", {"reason": "damaged"}),
    (
        "post",
        "/api/v1/promises",
        {"invoice_ids": ["{invoice}"], "amount": "1.00", "promised_date": "2024-04-01"},
    ),
    (
        "post",
        "/api/v1/payments",
        {"lines": [{"invoice_id": "{invoice}", "amount": "1"}]},
    ),
    ("post", "/api/v1/payment-methods/{method}/default", None),
    ("delete", "/api/v1/payment-methods/{method}", None),
    ("post", "/api/v1/effort-scores", {"payment_id": "{payment}", "score": 4}),
]


def _filled(value, ids):
    if isinstance(value, str):
        return value.format(**vars(ids))
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("method, path, body", API_CHANGES)
def test_another_accounts_id_in_an_api_call_gives_not_found(
    site, signed_in, theirs, method, path, body
):
    session = site.client.get("/api/v1/session").json()
    headers = {"X-CSRF-Token": session["csrf_token"], "Idempotency-Key": "api-key-1"}

    answer = site.client.request(
        method, _filled(path, theirs), json=_filled(body, theirs), headers=headers
    )

    assert answer.status_code == 404


def test_an_attachment_is_served_to_its_own_account(site, signed_in, mine):
    answer = site.client.get(f"/attachments/{mine.attachment}")

    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")
    assert answer.headers["content-type"] == "application/pdf"


def test_a_session_in_use_stays_open_past_its_first_expiry(site, mine):
    sign_in(site, mine.account)
    minutes = site.portal.settings.session_minutes
    for _ in range(3):
        site.clock.seconds += minutes * 60 * 0.6
        site.client.get("/")

    page = site.client.get("/", follow_redirects=False)

    assert page.status_code == 200
