"""Invoice and statement PDFs read back with pypdf: names, words and figures
in the payer's language, and the font inside the file."""

from pathlib import Path

import pytest

from adapters.documents import FontMissing, _fonts, invoice_pdf, statement_pdf
from projections.documents import Documents
from projections.statements import NotInReadModels
from tests.support.payers import CHINA, JAPAN, KUWAIT, STATEMENT_DAY
from tests.support.pdf import pdf_fonts, pdf_text


def statement(payers, payer, language=None):
    data = Documents(payers.models.con).statement(payer.number, STATEMENT_DAY)
    return pdf_text(statement_pdf(data, language))


def invoice(payers, number, language=None):
    return pdf_text(invoice_pdf(Documents(payers.models.con).invoice(number), language))


def test_a_chinese_payer_gets_a_chinese_statement_with_its_name(payers):
    """Without a language the account's own is used, and the name is in hanzi."""
    text = statement(payers, CHINA)

    assert "对账单" in text
    assert CHINA.name in text


def test_a_japanese_invoice_shows_the_name_and_yen_without_decimals(payers):
    """JPY has no minor unit: the open ¥1,000,000 is printed as a whole."""
    text = invoice(payers, "JP-3-A")

    assert "請求書 JP-3-A" in text
    assert JAPAN.name in text
    assert "￥1,000,000" in text
    assert "￥1,500,000" in text


def test_kuwaiti_dinars_keep_three_decimals(payers):
    """1,234.567 less 0.500 paid leaves exactly 1,234.067 open."""
    text = statement(payers, KUWAIT)

    assert "1,234.067" in text
    assert "1,244.067" in text


def test_chinese_figures_use_chinese_dates_and_the_yuan_sign(payers):
    text = statement(payers, CHINA)

    assert "2024年6月30日" in text
    assert "¥1,233,717.50" in text


def test_the_same_statement_in_japanese_uses_japanese_dates_and_words(payers):
    text = statement(payers, CHINA, "ja")

    assert "取引明細書" in text
    assert "2024/06/30" in text
    assert CHINA.name in text


def test_an_english_statement_names_the_aging_buckets(payers):
    text = statement(payers, CHINA, "en")

    assert "Account statement" in text
    assert "1–30 days" in text
    assert "Over 90 days" in text


def test_the_statement_buckets_open_amounts_by_days_past_due(payers):
    """56 days past due falls in 31-60, 11 days in 1-30."""
    data = Documents(payers.models.con).statement(CHINA.number, STATEMENT_DAY)

    (row,) = data.aging
    assert dict(row.buckets) == {
        "current": 0,
        "d1_30": 800_00,
        "d31_60": 1_233_717_50,
        "d61_90": 0,
        "d90_plus": 0,
    }
    assert row.total_minor == 1_234_517_50


def test_every_font_in_the_pdf_is_embedded(payers):
    """A reader without CJK fonts still shows the names: the glyphs travel."""
    data = Documents(payers.models.con).statement(JAPAN.number, STATEMENT_DAY)

    fonts = pdf_fonts(statement_pdf(data))

    assert fonts
    assert all(fonts.values()), fonts


def test_an_invoice_asked_for_under_another_account_is_not_found(payers):
    documents = Documents(payers.models.con)
    other = documents.statement(CHINA.number, STATEMENT_DAY).payer.account_id

    with pytest.raises(NotInReadModels):
        documents.invoice("JP-3-A", account_id=other)


def test_a_missing_font_names_the_package_to_install(payers, monkeypatch):
    monkeypatch.setattr(_fonts, "KNOWN_PLACES", (Path("/nowhere/cjk.ttf"),))
    data = Documents(payers.models.con).invoice("CN-7-A")

    with pytest.raises(FontMissing, match="apt-get install fonts-wqy-zenhei"):
        invoice_pdf(data)
