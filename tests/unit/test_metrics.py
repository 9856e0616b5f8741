"""Receivables metrics checked against worked examples and their laws."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.metrics import (
    AgingBuckets,
    average_days_delinquent,
    best_possible_dso,
    collection_effectiveness_index,
    countback_dso,
    days_in_period,
    days_late,
    days_past_due,
    days_to_settle,
    dso,
    month_bounds,
    months_between,
    receivables_turnover,
    round_ratio,
)

D = Decimal

amounts = st.decimals(
    min_value=D("0.01"), max_value=D("10000000"), places=2, allow_nan=False
)
open_amounts = st.decimals(
    min_value=D("0"), max_value=D("10000000"), places=2, allow_nan=False
)
month_lengths = st.sampled_from([28, 29, 30, 31])


# Rounding


def test_a_ratio_ending_in_half_a_cent_rounds_up():
    """2.675 becomes 2.68, not the 2.67 a float or banker's rounding gives."""
    assert round_ratio(D("2.675")) == D("2.68")


def test_a_tie_on_an_even_cent_still_rounds_up():
    """2.665 becomes 2.67; rounding half to even would keep 2.66."""
    assert round_ratio(D("2.665")) == D("2.67")


def test_a_negative_tie_rounds_away_from_zero():
    """-0.005 becomes -0.01, as ROUND_HALF_UP does."""
    assert round_ratio(D("-0.005")) == D("-0.01")


def test_a_small_negative_ratio_rounds_to_plain_zero():
    """-0.004 becomes 0.00 without a minus sign."""
    assert str(round_ratio(D("-0.004"))) == "0.00"


def test_a_repeating_fraction_is_rounded_from_its_exact_value():
    """1/3 is 0.3333..., so 0.33; 1/200 is exactly 0.005, so 0.01."""
    assert round_ratio(Fraction(1, 3)) == D("0.33")
    assert round_ratio(Fraction(1, 200)) == D("0.01")


def test_a_float_ratio_is_refused():
    """A float cannot carry an exact ratio, so it is not accepted."""
    with pytest.raises(TypeError):
        round_ratio(2.675)  # type: ignore[arg-type]


# Days


def test_days_to_settle_counts_calendar_days_from_the_invoice_date():
    """Issued 15 January 2024, settled 14 February 2024: 16 + 14 = 30 days."""
    assert days_to_settle(date(2024, 1, 15), date(2024, 2, 14)) == 30


def test_a_settlement_on_or_before_the_due_date_is_not_late():
    """Due 31 March, settled 28 March: 0 days late, never -3."""
    assert days_late(date(2024, 3, 31), date(2024, 3, 28)) == 0


def test_days_late_counts_the_days_after_the_due_date():
    """Due 31 March, settled 5 April: 5 days late."""
    assert days_late(date(2024, 3, 31), date(2024, 4, 5)) == 5


def test_days_past_due_is_negative_before_the_due_date():
    """As of 25 March, due 31 March: -6."""
    assert days_past_due(date(2024, 3, 25), date(2024, 3, 31)) == -6


def test_days_past_due_crosses_a_leap_day():
    """As of 1 March 2024, due 28 February 2024: 29 February lies between, so 2."""
    assert days_past_due(date(2024, 3, 1), date(2024, 2, 28)) == 2


# Aging buckets


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (-5, "current"),
        (0, "current"),
        (1, "d1_30"),
        (30, "d1_30"),
        (31, "d31_60"),
        (60, "d31_60"),
        (61, "d61_90"),
        (90, "d61_90"),
        (91, "d90_plus"),
    ],
)
def test_each_bucket_holds_both_of_its_edges(days, label):
    """The default buckets close on 30, 60 and 90 days past due, inclusive."""
    assert AgingBuckets().bucket_of(days) == label


def test_the_default_labels_run_from_current_to_over_ninety_days():
    """Labels come in aging order."""
    assert AgingBuckets().labels == (
        "current",
        "d1_30",
        "d31_60",
        "d61_90",
        "d90_plus",
    )


def test_custom_bounds_name_their_own_buckets():
    """Bounds 15 and 45 make 1-15, 16-45 and beyond 45."""
    assert AgingBuckets((15, 45)).labels == ("current", "d1_15", "d16_45", "d45_plus")


def test_custom_bounds_place_invoices_by_their_own_edges():
    """With bounds 15 and 45, day 16 opens the second bucket, day 46 the last."""
    buckets = AgingBuckets((15, 45))

    assert buckets.bucket_of(15) == "d1_15"
    assert buckets.bucket_of(16) == "d16_45"
    assert buckets.bucket_of(46) == "d45_plus"


@pytest.mark.parametrize("bounds", [(), (0, 30), (60, 30), (30, 30), (30.5,)])
def test_bounds_that_do_not_rise_from_one_day_are_refused(bounds):
    """Empty, zero, falling, repeated or fractional bounds make no aging report."""
    with pytest.raises(ValueError, match="upper_bounds"):
        AgingBuckets(bounds)


# Periods


def test_a_month_runs_from_its_first_to_its_last_day():
    """February 2024 is a leap month: 1 to 29 February."""
    assert month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))


def test_months_between_covers_whole_months_across_a_year_end():
    """15 November 2023 to 3 February 2024 touches four months."""
    assert months_between(date(2023, 11, 15), date(2024, 2, 3)) == [
        (date(2023, 11, 1), date(2023, 11, 30)),
        (date(2023, 12, 1), date(2023, 12, 31)),
        (date(2024, 1, 1), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
    ]


def test_months_between_two_days_of_one_month_is_that_month():
    """10 and 20 June 2024 both lie in June."""
    assert months_between(date(2024, 6, 10), date(2024, 6, 20)) == [
        (date(2024, 6, 1), date(2024, 6, 30))
    ]


def test_months_between_refuses_a_start_after_the_end():
    """A period cannot end before it starts."""
    with pytest.raises(ValueError, match="start"):
        months_between(date(2024, 7, 1), date(2024, 6, 30))


def test_a_period_counts_both_its_first_and_last_day():
    """1 to 30 April is 30 days."""
    assert days_in_period(date(2024, 4, 1), date(2024, 4, 30)) == 30


# DSO, best possible DSO, ADD


def test_dso_expresses_receivables_as_days_of_credit_sales():
    """45,000 / 90,000 x 30 = 15.00."""
    assert dso(D("45000.00"), D("90000.00"), 30) == D("15.00")


def test_dso_rounds_a_half_cent_up():
    """1,000.50 / 3,000 x 30 = 10.005 exactly, so 10.01."""
    assert dso(D("1000.50"), D("3000.00"), 30) == D("10.01")


def test_dso_has_no_value_without_credit_sales():
    """Zero credit sales leave nothing to divide by."""
    assert dso(D("500.00"), D("0.00"), 31) is None


def test_best_possible_dso_counts_only_what_is_not_yet_due():
    """30,000 not yet due / 90,000 x 30 = 10.00."""
    assert best_possible_dso(D("30000.00"), D("90000.00"), 30) == D("10.00")


def test_best_possible_dso_has_no_value_without_credit_sales():
    """Zero credit sales leave nothing to divide by."""
    assert best_possible_dso(D("30000.00"), D("0.00"), 30) is None


def test_add_is_dso_minus_best_possible_dso():
    """DSO 15.00 - best possible 10.00 = 5.00 days delinquent."""
    add = average_days_delinquent(D("45000.00"), D("30000.00"), D("90000.00"), 30)

    assert add == D("5.00")


def test_add_is_rounded_once_from_the_exact_figures():
    """DSO 1,234.50 / 3,000 x 30 = 12.345 and best 1,000.40 / 3,000 x 30 = 10.004.

    Exact: 12.345 - 10.004 = 2.341, so 2.34. Rounding each first would give
    12.35 - 10.00 = 2.35.
    """
    add = average_days_delinquent(D("1234.50"), D("1000.40"), D("3000.00"), 30)

    assert add == D("2.34")
    assert dso(D("1234.50"), D("3000.00"), 30) == D("12.35")
    assert best_possible_dso(D("1000.40"), D("3000.00"), 30) == D("10.00")


def test_add_has_no_value_without_credit_sales():
    """Zero credit sales leave nothing to divide by."""
    assert average_days_delinquent(D("1.00"), D("0.00"), D("0.00"), 30) is None


# Collection effectiveness index


def test_cei_is_what_was_collected_over_what_could_have_been():
    """Begin 50,000 + sales 90,000 = 140,000 owed during the period.

    Collected 140,000 - 45,000 = 95,000; collectible 140,000 - 30,000 =
    110,000; 95,000 / 110,000 x 100 = 86.3636..., so 86.36.
    """
    cei = collection_effectiveness_index(
        D("50000.00"), D("90000.00"), D("45000.00"), D("30000.00")
    )

    assert cei == D("86.36")


def test_cei_is_a_hundred_when_only_what_is_not_yet_due_remains():
    """Ending receivables all current: 140,000 - 30,000 over itself."""
    cei = collection_effectiveness_index(
        D("50000.00"), D("90000.00"), D("30000.00"), D("30000.00")
    )

    assert cei == D("100.00")


def test_cei_has_no_value_when_nothing_could_have_been_collected():
    """Nothing owed at the start and no sales: 0 - 0 over 0 - 0."""
    cei = collection_effectiveness_index(D("0"), D("0"), D("0"), D("0"))

    assert cei is None


# Countback DSO

# Monthly credit sales, newest first: March 2024, February 2024, January 2024.
MARCH, FEBRUARY, JANUARY = (D("60000"), 31), (D("50000"), 29), (D("40000"), 31)


def test_countback_stops_in_the_month_it_cannot_cover():
    """100,000 open: March's 60,000 covered (31 days), 40,000 left.

    February's 50,000 is not covered: 40,000 / 50,000 x 29 = 23.2.
    31 + 23.2 = 54.20.
    """
    assert countback_dso(D("100000"), [MARCH, FEBRUARY, JANUARY]) == D("54.20")


def test_countback_counts_a_month_without_sales_in_full():
    """70,000 open: March covered (31 days), 10,000 left.

    February sold nothing, which 10,000 covers: 29 more days. January:
    10,000 / 40,000 x 31 = 7.75. 31 + 29 + 7.75 = 67.75.
    """
    months = [MARCH, (D("0"), 29), JANUARY]

    assert countback_dso(D("70000"), months) == D("67.75")


def test_countback_has_no_value_when_history_runs_out():
    """200,000 open but only 150,000 of sales in the three months given."""
    assert countback_dso(D("200000"), [MARCH, FEBRUARY, JANUARY]) is None


def test_countback_needs_no_more_history_once_receivables_are_used_up():
    """150,000 open is exactly the three months: 31 + 29 + 31 = 91.00."""
    assert countback_dso(D("150000"), [MARCH, FEBRUARY, JANUARY]) == D("91.00")


def test_countback_stops_before_an_older_month_without_sales():
    """60,000 open is all of March: 31.00, not 31 plus February's 29 days."""
    assert countback_dso(D("60000"), [MARCH, (D("0"), 29)]) == D("31.00")


def test_countback_of_nothing_open_is_zero_days():
    """No receivables need no history at all."""
    assert countback_dso(D("0"), []) == D("0.00")


def test_countback_has_no_value_when_it_stops_in_a_month_without_sales():
    """A 100 credit balance is not covered by a month that sold nothing."""
    assert countback_dso(D("-100"), [(D("0"), 31)]) is None


def test_countback_rounds_once_at_the_end():
    """10,000 / 30,000 x 31 = 10.333..., so 10.33."""
    assert countback_dso(D("10000"), [(D("30000"), 31)]) == D("10.33")


# Receivables turnover


def test_turnover_divides_credit_sales_by_average_receivables():
    """90,000 / ((50,000 + 45,000) / 2) = 90,000 / 47,500 = 1.8947..., so 1.89."""
    turnover = receivables_turnover(D("90000.00"), D("50000.00"), D("45000.00"))

    assert turnover == D("1.89")


def test_turnover_has_no_value_without_receivables():
    """Nothing owed at either end leaves nothing to divide by."""
    assert receivables_turnover(D("1000.00"), D("0.00"), D("0.00")) is None


# Laws


@given(ar_end=open_amounts, current=open_amounts, sales=amounts, days=month_lengths)
def test_add_is_within_a_cent_of_rounded_dso_minus_rounded_best(
    ar_end, current, sales, days
):
    """Each of the two roundings moves a figure by half a cent at most."""
    add = average_days_delinquent(ar_end, current, sales, days)
    rounded_difference = dso(ar_end, sales, days) - best_possible_dso(
        current, sales, days
    )

    assert abs(add - rounded_difference) <= D("0.01")


@given(sales=amounts, days=month_lengths, older=st.lists(amounts, max_size=3))
def test_countback_of_one_months_sales_is_that_months_days(sales, days, older):
    """Receivables equal to the current month's sales are that month, whole."""
    months = [(sales, days), *((amount, 30) for amount in older)]

    assert countback_dso(sales, months) == D(days)


@given(
    sales=amounts,
    days=month_lengths,
    history=st.integers(min_value=1, max_value=12),
    share=st.fractions(min_value=0, max_value=1),
)
def test_countback_with_steady_sales_equals_period_dso(sales, days, history, share):
    """When every month sells the same, both methods count the same days."""
    ar_end = sales * history * D(share.numerator) / D(share.denominator)
    ar_end = ar_end.quantize(D("0.01"))
    if ar_end > sales * history:
        ar_end = sales * history

    assert countback_dso(ar_end, [(sales, days)] * history) == dso(ar_end, sales, days)


@given(value=st.fractions(min_value=-(10**9), max_value=10**9))
def test_rounding_moves_a_ratio_by_half_a_cent_at_most(value):
    """The rounded figure is the nearest cent, ties going away from zero."""
    assert abs(Fraction(round_ratio(value)) - value) <= Fraction(1, 200)


@given(days=st.integers(min_value=-400, max_value=400))
def test_older_debt_never_sits_in_a_younger_bucket(days):
    """One more day past due keeps an invoice in its bucket or moves it older."""
    buckets = AgingBuckets()
    labels = buckets.labels

    here = labels.index(buckets.bucket_of(days))
    next_day = labels.index(buckets.bucket_of(days + 1))

    assert next_day in (here, here + 1)
