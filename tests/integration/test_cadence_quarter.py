"""A simulated quarter of the cadence, sent to a real SMTP server on loopback.

The quarter runs once for the module: six accounts, passes every two hours
of every day, payers paying, disputing and promising on the way.
"""

from collections import Counter
from datetime import date

import pytest
from pypdf import PdfReader

from domain.cadence import ASKS_FOR_MONEY
from projections.cadence import CadenceViews
from tests.support.cadence import (
    CN,
    CN_PROMISED_FOR,
    CN_PROMISED_ON,
    CREDITED,
    DE,
    DE_ADDRESS,
    DISPUTED_ON,
    GB,
    JP,
    JP_PAID_ON,
    JP_PROMISED_ON,
    PAID_ON,
    RESOLVED_ON,
    US,
    cadence,
    open_book,
    run_quarter,
    sent_messages,
)
from tests.support.smtp import SmtpServer

CHAIN = {"invoice", "courtesy", "due", "dunning_1", "dunning_2", "dunning_3", "final"}


@pytest.fixture(scope="module")
def quarter(tmp_path_factory):
    """The quarter's messages, the SMTP server's mail and the data folder."""
    server = SmtpServer().start()
    folder = tmp_path_factory.mktemp("quarter")
    try:
        with cadence(folder, server.port) as scheduler:
            open_book(scheduler.engine)
            run_quarter(scheduler)
            messages = sent_messages(scheduler.engine)
            inbox = CadenceViews(scheduler.engine.models.con).inbox(
                str(_account_id(scheduler, US.number))
            )
        yield {
            "messages": messages,
            "mail": server.received,
            "folder": folder,
            "inbox": inbox,
        }
    finally:
        server.stop()


def _account_id(scheduler, number):
    found = scheduler.engine.models.con.execute(
        "SELECT account_id FROM accounts WHERE customer_id = ?", [number]
    ).fetchall()
    return found[0][0]


def of(quarter, customer, invoice=None):
    return [
        m
        for m in quarter["messages"]
        if m["customer"] == customer.number
        and (invoice is None or invoice in m["invoices"])
    ]


def steps(messages):
    return [m["step"].split("@")[0] for m in messages]


def test_each_step_of_an_unpaid_invoice_goes_out_once_in_order(quarter):
    """GB-1-A is never paid: every step from the invoice to the third dunning."""
    assert steps(of(quarter, GB, "GB-1-A")) == [
        "invoice",
        "courtesy",
        "due",
        "dunning_1",
        "dunning_2",
        "dunning_3",
    ]


def test_no_step_key_is_ever_sent_twice(quarter):
    keys = Counter(
        (m["customer"], invoice, m["step"])
        for m in quarter["messages"]
        for invoice in m["invoices"]
    )

    assert [key for key, count in keys.items() if count > 1] == []


def test_each_e_mail_reached_the_smtp_server_exactly_once(quarter):
    """The server saw every e-mail message once, and nothing else."""
    received = Counter(m.message["X-O2C-Message"] for m in quarter["mail"])
    emailed = {m["message_id"] for m in quarter["messages"] if m["delivery"] == "email"}

    assert set(received) == emailed
    assert set(received.values()) == {1}


def test_invoices_of_one_account_due_the_same_day_share_one_message(quarter):
    dunning = [m for m in of(quarter, GB) if m["step"] == "dunning_1"]

    assert [m["invoices"] for m in dunning] == [["GB-1-A", "GB-1-D"]]


def test_a_paid_invoice_gets_its_thanks_and_nothing_else(quarter):
    """GB-1-B was paid on Saturday 20 January: thanked on Monday."""
    sent = of(quarter, GB, "GB-1-B")

    assert [(m["step"], m["sent_on"]) for m in sent[1:]] == [
        ("thanks", date(2024, 1, 22))
    ]
    assert all(m["sent_on"] <= PAID_ON or m["step"] == "thanks" for m in sent)


def test_no_reminder_goes_to_a_disputed_invoice(quarter):
    """GB-1-C: acknowledged when disputed and when resolved, chased only after."""
    sent = of(quarter, GB, "GB-1-C")
    during = [
        m
        for m in sent
        if DISPUTED_ON <= m["sent_on"] < RESOLVED_ON and m["step"] in CHAIN
    ]

    assert during == []
    assert ("dispute_raised", DISPUTED_ON) in [
        (m["step"].split("@")[0], m["sent_on"]) for m in sent
    ]
    assert ("dispute_resolved", RESOLVED_ON) in [
        (m["step"].split("@")[0], m["sent_on"]) for m in sent
    ]


def test_no_reminder_goes_to_a_promised_invoice(quarter):
    """JP-1-A is promised on 10 February and paid on the 19th: no reminder between."""
    sent = of(quarter, JP, "JP-1-A")

    assert [
        m for m in sent if m["sent_on"] >= JP_PROMISED_ON and m["step"] in CHAIN
    ] == []
    assert steps(sent)[-1] == "thanks" and sent[-1]["sent_on"] == JP_PAID_ON


def test_a_broken_promise_is_followed_up_the_next_business_day(quarter):
    """CN-1-A was promised for Friday 16 February and not paid: Monday the 19th."""
    sent = of(quarter, CN, "CN-1-A")
    follow_ups = [m for m in sent if m["step"].startswith("promise_broken")]

    assert [m["sent_on"] for m in follow_ups] == [date(2024, 2, 19)]
    assert [m for m in sent if CN_PROMISED_ON <= m["sent_on"] <= CN_PROMISED_FOR] == []


def test_an_invoice_covered_by_credit_is_delivered_but_never_chased(quarter):
    assert steps(of(quarter, CREDITED)) == ["invoice"]


@pytest.mark.parametrize(
    ("customer", "language", "greeting"),
    [
        (GB, "en", "Hello Ashford Foods Ltd,"),
        (CN, "zh-Hans", "上海华信贸易有限公司，您好"),
        (JP, "ja", "株式会社山田製作所 御中"),
    ],
)
def test_each_e_mail_is_written_in_the_accounts_language(
    quarter, customer, language, greeting
):
    mails = [m for m in quarter["mail"] if m.recipients == [customer.email]]

    assert mails
    assert {m.message["Content-Language"] for m in mails} == {language}
    assert all(greeting in m.part("text/plain") for m in mails)


def test_every_e_mail_asking_for_money_links_to_the_portal(quarter):
    asking = {
        m["message_id"]
        for m in quarter["messages"]
        if m["step"].split("@")[0] in ASKS_FOR_MONEY
    }
    mails = [m for m in quarter["mail"] if m.message["X-O2C-Message"] in asking]

    assert len(mails) > 10
    assert all("http://127.0.0.1:8000/in/" in m.part("text/plain") for m in mails)
    assert all('href="http://127.0.0.1:8000/in/' in m.part("text/html") for m in mails)


def test_a_paper_customer_gets_pdf_letters_and_no_e_mail(quarter):
    letters = of(quarter, DE)
    files = {m["reference"] for m in letters}
    texts = [
        page.extract_text()
        for name in files
        for page in PdfReader(quarter["folder"] / "letters" / name).pages
    ]

    assert {m["delivery"] for m in letters} == {"paper"}
    assert steps(letters) == [
        "invoice",
        "courtesy",
        "due",
        "dunning_1",
        "dunning_2",
        "dunning_3",
    ]
    assert all(DE.name in text and DE_ADDRESS[1] in text for text in texts[:1])
    assert sum(DE.name in text for text in texts) == len(letters)
    assert not [m for m in quarter["mail"] if DE.name in m.part("text/plain")]


def test_a_portal_customer_reads_the_messages_in_the_inbox_and_gets_no_e_mail(
    quarter,
):
    assert [row["step"] for row in quarter["inbox"]][-1] == "invoice"
    assert len(quarter["inbox"]) == len(of(quarter, US))
    assert not [m for m in quarter["mail"] if m.recipients == [US.email]]
