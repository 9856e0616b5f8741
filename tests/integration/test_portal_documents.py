"""Invoice and statement PDFs downloaded from the portal by a signed-in payer."""

import pytest

from tests.support.payer import issue, open_payer
from tests.support.pdf import pdf_text
from tests.support.portal import sign_in


@pytest.fixture
def payer(site):
    """A Chinese payer with two open invoices, signed in."""
    account = open_payer(site.app, "CN-1", country="CN", currency="CNY", language="zh")
    issue(site.app, "CN-1", "CN-1-A", "1200.50")
    issue(site.app, "CN-1", "CN-1-B", "300.00")
    sign_in(site, account)
    return account


def test_an_invoice_pdf_downloads_as_an_attachment_named_by_its_number(site, payer):
    answer = site.client.get("/invoices/CN-1-A.pdf")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert 'filename="CN-1-A.pdf"' in answer.headers["content-disposition"]


def test_the_invoice_pdf_is_written_in_the_payers_language(site, payer):
    text = pdf_text(site.client.get("/invoices/CN-1-A.pdf").content)

    assert "发票 CN-1-A" in text
    assert "¥1,200.50" in text


def test_the_statement_pdf_lists_the_accounts_open_invoices(site, payer):
    answer = site.client.get("/statement.pdf")

    text = pdf_text(answer.content)
    assert answer.status_code == 200
    assert "对账单" in text
    assert "CN-1-A" in text and "CN-1-B" in text


def test_the_overview_links_the_statement_and_each_invoice_pdf(site, payer):
    page = site.client.get("/").text

    assert 'href="/statement.pdf"' in page
    assert 'href="/invoices/CN-1-A.pdf"' in page


def test_a_pdf_needs_a_session(site, payer):
    answer = site.browser().get("/statement.pdf", follow_redirects=False)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in"
