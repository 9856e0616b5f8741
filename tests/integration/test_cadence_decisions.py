"""The scheduler's set-based SQL gives the dunning policy's answers."""

from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from adapters.cadence.clock import inputs
from adapters.cadence.config import load
from adapters.wiring import open_engine
from domain.cadence import CHAIN, InvoiceFacts, chain_step
from projections.cadence import CadenceViews
from tests.support.cadence import DE, open_book, settings_for

DAYS = [date(2024, 1, 1) + timedelta(days=n) for n in range(0, 120, 3)]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("decisions")
    with open_engine(settings_for(folder, 25)) as engine:
        open_book(engine)
        yield engine


def decided(engine, day):
    """Each invoice's chain step on ``day`` by the SQL, every zone open."""
    cadences = load()
    views = CadenceViews(engine.models.con)
    countries, zones = views.places()
    feeds = inputs(cadences, datetime(2024, 1, 1, tzinfo=UTC), countries, zones)
    rows = feeds["zone_clock"].num_rows
    feeds["zone_clock"] = pa.table(
        {
            "zone": feeds["zone_clock"].column("zone"),
            "local_date": [day] * rows,
            "open": [True] * rows,
        }
    )
    views.reachable(feeds, cadences.medium_from, cadences.large_from)
    views.due()
    found = engine.models.con.execute(
        "SELECT invoice_number, step FROM cadence_due"
    ).fetchall()
    return {number: step for number, step in found if step in CHAIN}


def expected(engine, day):
    """Each invoice's chain step on ``day`` by ``domain.cadence``."""
    cadences = load()
    rows = engine.models.con.execute(
        """
        SELECT i.invoice_number, i.customer_id, i.invoice_date, i.due_date,
               i.open_minor, b.balance_minor <= 0 AS covered
        FROM invoices i JOIN balances b USING (account_id, currency)
        """
    ).fetchall()
    answers = {}
    for number, customer, issued, due, open_minor, covered in rows:
        delivery = "paper" if customer == DE.number else "email"
        account = {"delivery": delivery, "size": "small", "country": "", "language": ""}
        cadence = cadences.segment_for(account).cadence
        facts = InvoiceFacts(issued, due, open_minor, covered_by_credit=covered)
        step = chain_step(cadence, facts, day)
        if step is not None:
            answers[number] = step
    return answers


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_the_sql_reaches_the_step_the_policy_reaches(book, day):
    assert decided(book, day) == expected(book, day)
