"""Disputes with attachments, promises to pay, the language switch and the
effort question, through the portal's forms."""

from datetime import date

import pytest

from domain.invoice import Invoice
from tests.support.payer import issue, open_payer, pay
from tests.support.portal import csrf_of, key_of, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def invoice_id(number):
    return str(Invoice.id_for(number))


@pytest.fixture
def payer(site):
    account = open_payer(site.app, "C-1", email="ap@payer.example")
    issue(site.app, "C-1", "INV-1", "100.00", issued=date(2024, 1, 5))
    issue(site.app, "C-1", "INV-2", "60.00", issued=date(2024, 1, 5))
    sign_in(site, account)
    return account


def dispute(site, files=None, reason="damaged"):
    page = site.client.get(f"/invoices/{invoice_id('INV-1')}/dispute")
    return site.client.post(
        f"/invoices/{invoice_id('INV-1')}/dispute",
        data={
            "csrf_token": csrf_of(page.text),
            "key": key_of(page.text),
            "reason": reason,
            "note": "see photo",
        },
        files=files,
    )


def test_a_dispute_keeps_its_attachment_for_its_account(site, payer):
    dispute(site, files={"attachment": ("photo.png", PNG, "image/png")})

    kept = site.portal.views.disputes(payer)[0]["attachment_id"]
    answer = site.client.get(f"/attachments/{kept}")

    assert answer.content == PNG
    assert answer.headers["content-type"] == "image/png"


def test_an_attachment_is_stored_outside_the_static_files(site, payer):
    dispute(site, files={"attachment": ("photo.png", PNG, "image/png")})
    kept = site.portal.views.disputes(payer)[0]["attachment_id"]

    assert site.client.get(f"/static/{kept}").status_code == 404
    assert (site.engine.settings.data_dir / "attachments" / payer / kept).is_file()


def test_an_attachment_whose_content_is_not_pdf_png_or_jpeg_is_refused(site, payer):
    page = dispute(
        site,
        files={"attachment": ("invoice.pdf", b"MZ\x90\0 not a pdf", "application/pdf")},
    )

    assert page.status_code == 400
    assert "must be a PDF, PNG or JPEG" in page.text
    assert site.portal.views.disputes(payer) == []


def test_an_attachment_above_the_size_limit_is_refused(site, payer):
    big = b"%PDF-" + b"0" * site.portal.attachments.max_bytes

    page = dispute(site, files={"attachment": ("big.pdf", big, "application/pdf")})

    assert page.status_code == 400
    assert "larger than 5 MiB" in page.text
    assert site.portal.views.disputes(payer) == []


def test_a_reason_outside_the_list_is_refused(site, payer):
    page = dispute(site, reason="because")

    assert page.status_code == 422
    assert site.portal.views.disputes(payer) == []


def promise(site, promised_date, amount):
    page = site.client.get("/promise", params={"invoice": [invoice_id("INV-1")]})
    return site.client.post(
        "/promise",
        data={
            "csrf_token": csrf_of(page.text),
            "key": key_of(page.text),
            "invoice": invoice_id("INV-1"),
            "promised_date": promised_date,
            "amount": amount,
        },
    )


def test_a_promise_shows_on_the_overview_as_open(site, payer):
    page = promise(site, "2024-03-15", "100.00")

    assert "Thank you, your promise was recorded." in page.text
    assert [
        p["status"] for p in site.portal.views.promises(payer, date(2024, 3, 1))
    ] == ["open"]


def test_a_promise_dated_in_the_past_is_refused(site, payer):
    page = promise(site, "2024-02-01", "100.00")

    assert page.status_code == 400
    assert site.portal.views.promises(payer, date(2024, 3, 1)) == []


def test_switching_to_chinese_shows_the_overview_in_chinese(site, payer):
    overview = site.client.get("/")
    site.client.post(
        "/language",
        data={
            "csrf_token": csrf_of(overview.text),
            "key": key_of(overview.text),
            "language": "zh_Hans",
        },
    )

    page = site.client.get("/")

    assert "未结发票" in page.text and "US$100.00" in page.text
    assert site.portal.views.account(payer)["language"] == "zh_Hans"


def test_a_japanese_account_reads_its_overview_in_japanese(site):
    account = open_payer(site.app, "J-1", country="JP", currency="JPY", language="ja")
    issue(site.app, "J-1", "J-INV-1", "120000", issued=date(2024, 1, 5))

    page = sign_in(site, account)

    assert "未払いの請求書" in page.text and "￥120,000" in page.text


def test_an_effort_score_after_paying_is_counted_for_the_month(site, payer):
    paid = pay(site.app, "C-1", "pay-1", date(2024, 2, 1), **{"INV-1": "10.00"})
    site.engine.catch_up()
    receipt = site.client.get(f"/receipts/{paid['payment_id']}")

    site.client.post(
        "/effort",
        data={
            "csrf_token": csrf_of(receipt.text),
            "key": key_of(receipt.text),
            "payment_id": paid["payment_id"],
            "score": "6",
        },
    )

    rows = site.portal.views.effort_by_month_and_country()
    assert [(r["month"], r["country"], r["answers"]) for r in rows] == [
        ("2024-03", "US", 1)
    ]
