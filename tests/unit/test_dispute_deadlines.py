"""Dispute deadlines in business days: weekends are skipped."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.disputes import add_business_days, business_days_between, deadline

FRIDAY = date(2024, 3, 1)


def test_one_business_day_after_a_friday_is_the_monday():
    """The weekend does not count toward a deadline."""
    assert add_business_days(FRIDAY, 1) == date(2024, 3, 4)


def test_a_dispute_opened_on_a_saturday_counts_from_the_monday():
    """Five business days from a Saturday end on the next Friday."""
    assert add_business_days(date(2024, 3, 2), 5) == date(2024, 3, 8)


def test_a_damaged_goods_dispute_has_fifteen_business_days():
    """Three working weeks after Friday 1 March is Friday 22 March."""
    assert deadline(FRIDAY, "damaged") == date(2024, 3, 22)


def test_a_free_text_reason_gets_the_deadline_of_other():
    """A reason typed in the CLI is given the longest time, 20 business days."""
    assert deadline(FRIDAY, "pallet arrived wet") == date(2024, 3, 29)


def test_the_age_of_a_dispute_leaves_out_weekends():
    """From Friday to the Monday ten days later is six business days."""
    assert business_days_between(FRIDAY, date(2024, 3, 11)) == 6


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_counting_business_days_undoes_adding_them(start, days):
    """The age on the deadline day is the number of days the reason allows."""
    assert business_days_between(start, add_business_days(start, days)) == days


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=60),
)
def test_business_days_between_counts_weekdays_one_by_one(start, span):
    """The counting shortcut agrees with looking at every day."""
    end = start + timedelta(days=span)
    by_hand = sum(
        1 for n in range(1, span + 1) if (start + timedelta(days=n)).weekday() < 5
    )

    assert business_days_between(start, end) == by_hand
