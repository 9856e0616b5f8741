"""The ledger's laws, on random valid histories: money is conserved, read models
agree with the aggregates and with a rebuild, and repeated commands change nothing."""

from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.credit_memo import CreditMemo
from domain.payment import Payment
from projections.queries import Reports
from projections.statements import Statements
from services.receivables import Receivables
from tests.support.ledger import Ledger
from tests.support.plans import CASH_ONLY, PLACES, Plan, ledger_plans, run

REPORT_DAY = date(2024, 6, 30)


def in_memory() -> Receivables:
    return Receivables(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def minor(amount: Decimal, currency: str) -> int:
    """Whole minor units; fails if the amount is finer than its currency allows."""
    units = amount.scaleb(PLACES[currency])
    assert units == units.to_integral_value(), f"{amount} {currency} is not exact"
    return int(units)


def source_of(app: Receivables, plan: Plan, key: str):
    kind = Payment if plan.sources[key].kind == "payment" else CreditMemo
    return app.repository.get(kind.id_for(key))


def apply(app: Receivables, plan: Plan) -> list[dict]:
    return [run(app, command) for command in plan.commands]


def reports(ledger: Ledger, plan: Plan) -> dict[str, list]:
    """What users read: the invoice list, aging and every account's statement."""
    queries = Reports(ledger.models.con)
    statements = Statements(ledger.models.con)
    shown = {
        "invoices": queries.invoices().rows,
        "aging": queries.aging(REPORT_DAY).rows,
    }
    for account in plan.accounts:
        sections = statements.account(account, today=REPORT_DAY)
        shown |= {f"{account} {name}": r.rows for name, r in sections.items()}
    return shown


@settings(max_examples=60, deadline=None)
@given(plan=ledger_plans(actions=CASH_ONLY))
def test_allocations_conserve_money_to_the_minor_unit(plan):
    """Per currency, what invoices lost in open amount is what cash gave up."""
    app = in_memory()
    apply(app, plan)

    settled, applied = Counter(), Counter()
    for number in plan.invoices:
        invoice = app.invoice(number)
        settled[invoice.currency] += minor(invoice.amount - invoice.open_amount, invoice.currency)
    for key in plan.sources:
        source = source_of(app, plan, key)
        applied[source.currency] += minor(
            source.amount - source.unapplied_amount, source.currency
        )

    assert +settled == +applied


@settings(max_examples=30, deadline=None)
@given(plan=ledger_plans())
def test_open_amounts_are_amounts_less_allocations_in_aggregates_and_read_models(plan):
    """Every invoice's open amount follows from the plan, in both places."""
    expected = {n: i.open for n, i in plan.invoices.items()}

    with TemporaryDirectory() as folder, Ledger(Path(folder)) as ledger:
        apply(ledger.app, plan)
        ledger.catch_up()

        aggregates = {
            n: minor(ledger.app.invoice(n).open_amount, i.currency)
            for n, i in plan.invoices.items()
        }
        read_models = dict(
            ledger.models.con.execute(
                "SELECT invoice_number, open_minor FROM invoices"
            ).fetchall()
        )

    assert aggregates == expected
    assert read_models == expected


@settings(max_examples=30, deadline=None)
@given(plan=ledger_plans())
def test_rebuilding_from_the_store_gives_the_live_read_models(plan):
    """Projecting command by command and all at once fills every table alike."""
    with TemporaryDirectory() as folder, Ledger(Path(folder)) as ledger:
        for command in plan.commands:
            run(ledger.app, command)
            ledger.catch_up()
        live = ledger.tables()

        ledger.rebuild()

        assert ledger.tables() == live


@settings(max_examples=30, deadline=None)
@given(plan=ledger_plans())
def test_replaying_commands_with_their_keys_changes_nothing(plan):
    """Sending the whole history again stores nothing and every report stays."""
    with TemporaryDirectory() as folder, Ledger(Path(folder)) as ledger:
        first = apply(ledger.app, plan)
        ledger.catch_up()
        head, before = ledger.head(), reports(ledger, plan)

        again = apply(ledger.app, plan)

        assert again == first
        assert ledger.head() == head
        assert ledger.catch_up() == 0
        assert reports(ledger, plan) == before
