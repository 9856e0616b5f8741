"""Invoice and sign-in e-mails sent to a real SMTP server on loopback."""

import io
from datetime import UTC, datetime
from email import message_from_bytes, policy

import pytest
from pypdf import PdfReader
from structlog.testing import capture_logs

from adapters.documents import invoice_pdf
from adapters.mail import MailNotSent, SmtpMailer, invoice_mail, sign_in_mail
from adapters.mail import mailer_for as mail_for_settings
from adapters.settings import Settings
from projections.documents import Documents
from tests.support.net import free_port
from tests.support.payers import CHINA, JAPAN

LINK = "http://127.0.0.1:8000/pay/CN-7-A?token=one-click"
EXPIRES = datetime(2024, 7, 1, 9, 30, tzinfo=UTC)
TO = "ap-clerk@payer.example"


def mailer_for(host, port):
    return SmtpMailer(
        Settings(smtp_host=host, smtp_port=port, mail_from="billing@o2c.example")
    )


@pytest.fixture
def mailer(smtp):
    return mailer_for(smtp.host, smtp.port)


def invoice_message(payers, number="CN-7-A", language=None):
    data = Documents(payers.models.con).invoice(number)
    return invoice_mail(data, TO, LINK, EXPIRES, invoice_pdf(data), language)


def test_an_invoice_mail_arrives_in_the_payers_language(payers, mailer, smtp):
    mailer.send(invoice_message(payers))

    (got,) = smtp.received
    assert got.recipients == [TO]
    assert got.message["Subject"].startswith("发票 CN-7-A：¥1,233,717.50")
    assert f"{CHINA.name}，您好" in got.part("text/plain")
    assert got.message["Content-Language"] == "zh-Hans"


def test_the_invoice_mail_carries_the_one_click_link_in_both_parts(
    payers, mailer, smtp
):
    mailer.send(invoice_message(payers))

    (got,) = smtp.received
    assert LINK in got.part("text/plain")
    assert f'href="{LINK}"' in got.part("text/html")


def test_the_invoice_pdf_is_attached_and_opens(payers, mailer, smtp):
    mailer.send(invoice_message(payers, "JP-3-A"))

    (got,) = smtp.received
    (attached,) = list(got.message.iter_attachments())
    assert attached.get_filename() == "JP-3-A.pdf"
    assert attached.get_content_type() == "application/pdf"
    pdf = PdfReader(io.BytesIO(attached.get_content()))
    assert JAPAN.name in pdf.pages[0].extract_text()


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "Your sign-in link", "Hello 株式会社山田製作所,"),
        ("zh_Hans", "您的登录链接", "株式会社山田製作所，您好"),
        ("ja", "サインイン用リンク", "株式会社山田製作所 御中"),
    ],
)
def test_a_sign_in_mail_is_written_in_the_language_asked_for(
    mailer, smtp, language, subject, greeting
):
    mail = sign_in_mail("acct-1", JAPAN.name, TO, LINK, EXPIRES, language, "JP")

    mailer.send(mail)

    (got,) = smtp.received
    assert got.message["Subject"] == subject
    assert greeting in got.part("text/plain")
    assert LINK in got.part("text/plain")


def test_a_name_with_markup_is_shown_as_text_in_the_html_part(mailer, smtp):
    mail = sign_in_mail("acct-1", "Fox & <b>Sons</b>", TO, LINK, EXPIRES, "en")

    mailer.send(mail)

    html = smtp.received[0].part("text/html")
    assert "Fox &amp; &lt;b&gt;Sons&lt;/b&gt;" in html
    assert "<b>" not in html


def test_the_log_names_the_account_and_never_the_address(payers, mailer, smtp):
    message = invoice_message(payers)

    with capture_logs() as logs:
        mailer.send(message)

    (sent,) = [entry for entry in logs if entry["event"] == "mail_sent"]
    assert sent["account_id"] == message.account_id
    assert sent["kind"] == "invoice"
    assert not any(TO in str(value) for entry in logs for value in entry.values())


def test_a_server_that_does_not_answer_raises_mail_not_sent_naming_it():
    port = free_port()
    mail = sign_in_mail("acct-1", "Fox Ltd", TO, LINK, EXPIRES, "en")

    with pytest.raises(MailNotSent, match=f"SMTP server at 127.0.0.1:{port}"):
        mailer_for("127.0.0.1", port).send(mail)


def test_without_an_smtp_host_the_mail_is_written_to_the_outbox(tmp_path):
    mailer = mail_for_settings(Settings(data_dir=tmp_path))
    mail = sign_in_mail("acct-1", "Fox Ltd", TO, LINK, EXPIRES, "en")

    mailer.send(mail)

    (written,) = (tmp_path / "outbox").glob("*.eml")
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["Subject"] == "Your sign-in link"
    assert message["To"] == TO


def test_with_an_smtp_host_the_mail_goes_to_that_server(tmp_path, smtp):
    settings = Settings(data_dir=tmp_path, smtp_host=smtp.host, smtp_port=smtp.port)

    mail_for_settings(settings).send(
        sign_in_mail("acct-1", "Fox Ltd", TO, LINK, EXPIRES, "en")
    )

    assert [got.recipients for got in smtp.received] == [[TO]]
    assert not (tmp_path / "outbox").exists()
