"""Which language a payer is written to in, and how their figures look."""

from datetime import date

import pytest

from adapters.languages import LANGUAGES, _words, product_language, words_for


def keys(language):
    return {
        (section, name) for section, texts in _words(language).items() for name in texts
    }


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_language_has_every_text_english_has(language):
    assert keys(language) == keys("en")


@pytest.mark.parametrize("language", LANGUAGES[1:])
def test_every_translation_keeps_the_placeholders_of_english(language):
    def holes(text):
        return sorted(part.split("}")[0] for part in text.split("{")[1:])

    english, other = _words("en"), _words(language)
    differing = [
        (section, name)
        for section, texts in english.items()
        for name, text in texts.items()
        if holes(text) != holes(other[section][name])
    ]
    assert differing == []


@pytest.mark.parametrize("code", ["zh", "zh_CN", "zh-Hans", "zh_Hans_CN"])
def test_any_simplified_chinese_code_is_written_in_simplified_chinese(code):
    assert product_language(code) == "zh_Hans"


@pytest.mark.parametrize("code", ["de", "pt_BR", "ar", "not a code"])
def test_a_language_without_texts_is_written_in_english(code):
    assert product_language(code) == "en"


def test_figures_follow_the_payers_country_within_the_language():
    """An English text for a German payer writes 1.234,50 €."""
    words = words_for("de", "DE")

    assert words.money(123450, "EUR") == "1.234,50\xa0€"
    assert words("document.balance") == "Balance"


def test_japanese_dates_are_written_year_first():
    assert words_for("ja", "JP").day(date(2024, 3, 5)) == "2024/03/05"
