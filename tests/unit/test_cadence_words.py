"""Every step's message in every language: subject, text and HTML, courteous,
and with the portal link wherever money is asked for."""

from datetime import UTC, date, datetime

import pytest

from adapters.cadence.compose import Payer, UnknownStep, compose
from adapters.languages import LANGUAGES
from domain.cadence import ANNOUNCEMENT, ASKS_FOR_MONEY, STEPS

DAY = date(2024, 3, 4)
LINK = "http://127.0.0.1:8000/in/signed-token"
EXPIRES = datetime(2024, 3, 18, 9, 0, tzinfo=UTC)
INVOICES = [
    {
        "number": "INV-7",
        "currency": "EUR",
        "amount_minor": 120_00,
        "open_minor": 100_00,
        "due_date": "2024-02-01",
    },
    {
        "number": "INV-9",
        "currency": "EUR",
        "amount_minor": 50_00,
        "open_minor": 50_00,
        "due_date": "2024-02-10",
    },
]
NOTICE = {
    "name": "holiday-hours",
    "en": {"subject": "Holiday hours", "body": "We are closed on 1 May."},
    "zh_Hans": {"subject": "假期安排", "body": "5 月 1 日休息。"},
    "ja": {"subject": "休業のお知らせ", "body": "5 月 1 日は休業いたします。"},
}
GREETINGS = {
    "en": "Hello Fox GmbH,",
    "zh_Hans": "Fox GmbH，您好",
    "ja": "Fox GmbH 御中",
}


def message(step, language="en", **changes):
    values = {
        "payer": Payer("acct-1", "Fox GmbH", "IE", language),
        "invoices": INVOICES,
        "day": DAY,
        "link": LINK,
        "expires": EXPIRES,
        "notice": NOTICE,
    }
    values |= changes
    return compose(step, **values)


STEP_NAMES = [
    s if s != "promise_broken" else "promise_broken@2024-03-01" for s in STEPS
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("step", STEP_NAMES)
def test_every_step_has_a_subject_text_and_html_in_every_language(step, language):
    composed = message(step, language)

    assert composed.language == language
    assert composed.subject and "{" not in composed.subject
    assert GREETINGS[language] in composed.text
    assert f'<html lang="{language.replace("_", "-")}">' in composed.html


@pytest.mark.parametrize("step", sorted(ASKS_FOR_MONEY))
def test_every_message_asking_for_money_carries_the_link_in_both_parts(step):
    composed = message(step if step != "promise_broken" else f"{step}@2024-03-01")

    assert LINK in composed.text
    assert f'href="{LINK}"' in composed.html


def test_a_reminder_shows_the_open_amount_of_each_invoice_and_their_total():
    composed = message("dunning_1")

    assert "€100.00" in composed.text and "€50.00" in composed.text
    assert "€150.00" in composed.subject


def test_the_thank_you_shows_the_amount_paid_not_what_is_open():
    composed = message("thanks", invoices=[INVOICES[0] | {"open_minor": 0}])

    assert "€120.00" in composed.text


def test_days_past_due_count_from_the_oldest_due_date():
    """INV-7 was due on 1 February: 32 days before 4 March."""
    assert "32 days" in message("dunning_2").text


def test_the_dunning_tone_firms_but_stays_courteous():
    """Later steps ask for a deadline; none of them drops the thanks."""
    first, final = message("dunning_1").text, message("final").text

    assert "seven days" not in first and "ten days" in final
    assert "Thank you." in first and "Thank you." in final


def test_an_announcement_uses_the_notice_in_the_payers_language():
    composed = message(f"{ANNOUNCEMENT}@holiday-hours", "ja", invoices=[])

    assert composed.subject == "休業のお知らせ"
    assert "5 月 1 日は休業いたします。" in composed.text


def test_a_name_with_markup_is_shown_as_text_in_the_html_part():
    payer = Payer("acct-1", "Fox & <b>Sons</b>", "GB", "en")

    html = message("due", payer=payer).html

    assert "Fox &amp; &lt;b&gt;Sons&lt;/b&gt;" in html


def test_an_unknown_step_is_refused_by_name():
    with pytest.raises(UnknownStep, match="no words for step 'overdue_memo'"):
        message("overdue_memo")


def test_a_language_without_words_is_written_in_english():
    assert message("due", "de").language == "en"
