"""The portal's words: the portal texts in each language, formats from babel."""

from datetime import date

import pytest

from adapters.languages import from_header, product_language
from adapters.portal.i18n import portal_words


def test_a_portal_word_is_read_from_the_portal_texts_of_the_language():
    assert portal_words("zh_Hans")("pay_now") == "立即支付"


def test_a_portal_word_fills_in_its_placeholders():
    assert portal_words("en")("days_overdue", days=3) == "3 days overdue"


def test_yen_amounts_have_no_decimals_in_japanese():
    assert portal_words("ja").money(120000, "JPY") == "￥120,000"


def test_kuwaiti_dinars_keep_three_decimals():
    assert portal_words("en").money(1250, "KWD").endswith("1.250")


def test_dates_are_written_the_chinese_way_in_chinese():
    assert portal_words("zh_Hans").day(date(2024, 3, 5)) == "2024年3月5日"


@pytest.mark.parametrize(
    "code, language",
    [("zh", "zh_Hans"), ("zh-CN", "zh_Hans"), ("ja", "ja"), ("de", "en"), ("", "en")],
)
def test_an_account_language_maps_to_the_nearest_portal_language(code, language):
    assert product_language(code) == language


def test_the_browser_language_is_the_first_one_the_portal_speaks():
    assert from_header("fr-FR,ja;q=0.8,en;q=0.5") == "ja"
