"""The portal's words: every language says everything, formats follow babel."""

from datetime import date

import pytest

from adapters.portal._messages import MESSAGES
from adapters.portal.i18n import Words, from_header, product_language


@pytest.mark.parametrize("language", ["zh_Hans", "ja"])
def test_every_language_has_every_message_in_english(language):
    assert set(MESSAGES[language]) == set(MESSAGES["en"])


@pytest.mark.parametrize("language", ["zh_Hans", "ja"])
def test_every_translation_keeps_the_placeholders_of_english(language):
    def holes(text):
        return sorted(part.split("}")[0] for part in text.split("{")[1:])

    differing = [
        key
        for key, text in MESSAGES["en"].items()
        if holes(text) != holes(MESSAGES[language][key])
    ]
    assert differing == []


def test_yen_amounts_have_no_decimals_in_japanese():
    assert Words.of("ja").money(120000, "JPY") == "￥120,000"


def test_kuwaiti_dinars_keep_three_decimals():
    assert Words.of("en").money(1250, "KWD").endswith("1.250")


def test_dates_are_written_the_chinese_way_in_chinese():
    assert Words.of("zh_Hans").day(date(2024, 3, 5)) == "2024年3月5日"


@pytest.mark.parametrize(
    "code, language",
    [("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("ja", "ja"), ("de", "en"), ("", "en")],
)
def test_an_account_language_maps_to_the_nearest_portal_language(code, language):
    assert product_language(code) == language


def test_the_browser_language_is_the_first_one_the_portal_speaks():
    assert from_header("fr-FR,ja;q=0.8,en;q=0.5") == "ja"
