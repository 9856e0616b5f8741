"""The ledger's laws, on random valid histories: money is conserved, read models
agree with the aggregates and with a rebuild, and repeated commands change nothing."""

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from hypothesis import example, given, settings

from domain.credit_memo import CreditMemo
from domain.payment import Payment
from projections.queries import Reports
from projections.readmodels import ReadModels
from projections.statements import Statements
from services import commands as c
from services.receivables import Receivables
from tests.support.ledger import Ledger
from tests.support.plans import CASH_ONLY, PLACES, Plan, ledger_plans, run

REPORT_DAY = date(2024, 6, 30)


@pytest.fixture(scope="module")
def read_models(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReadModels]:
    """One DuckDB file for the module; each example empties it before use."""
    models = ReadModels(tmp_path_factory.mktemp("read-models") / "models.duckdb")
    yield models
    models.close()


@contextmanager
def fresh_ledger(models: ReadModels) -> Iterator[Ledger]:
    """A new event store in a new folder, with the shared read models emptied."""
    with TemporaryDirectory() as folder, Ledger(Path(folder), models) as ledger:
        yield ledger


def disputed_then_resolved() -> Plan:
    """A dispute opened and resolved: one run of events in a rebuild, two live."""
    plan = Plan()
    plan.commands = [
        c.OpenAccount(
            idempotency_key="open-C1",
            number="C1",
            name="Customer C1",
            country="US",
            currency="USD",
            opened_on=date(2024, 1, 1),
        ),
        c.IssueInvoice(
            idempotency_key="issue-00001",
            number="00001",
            account_number="C1",
            amount=Decimal("10.00"),
            issue_date=date(2024, 1, 2),
        ),
        c.DisputeInvoice(
            idempotency_key="dispute-0",
            invoice_number="00001",
            reason="damaged goods",
            on=date(2024, 3, 1),
        ),
        c.ResolveDispute(
            idempotency_key="resolve-1",
            invoice_number="00001",
            outcome="customer pays",
            on=date(2024, 3, 2),
        ),
    ]
    return plan


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
        settled[invoice.currency] += minor(
            invoice.amount - invoice.open_amount, invoice.currency
        )
    for key in plan.sources:
        source = source_of(app, plan, key)
        applied[source.currency] += minor(
            source.amount - source.unapplied_amount, source.currency
        )

    assert +settled == +applied


@settings(max_examples=20, deadline=None)
@given(plan=ledger_plans())
def test_open_amounts_are_amounts_less_allocations_in_aggregates_and_read_models(
    read_models, plan
):
    """Every invoice's open amount follows from the plan, in both places."""
    expected = {n: i.open for n, i in plan.invoices.items()}

    with fresh_ledger(read_models) as ledger:
        apply(ledger.app, plan)
        ledger.catch_up()

        aggregates = {
            n: minor(ledger.app.invoice(n).open_amount, i.currency)
            for n, i in plan.invoices.items()
        }
        projected = dict(
            ledger.models.con.execute(
                "SELECT invoice_number, open_minor FROM invoices"
            ).fetchall()
        )

    assert aggregates == expected
    assert projected == expected


@settings(max_examples=10, deadline=None)
@example(plan=disputed_then_resolved())
@given(plan=ledger_plans())
def test_rebuilding_from_the_store_gives_the_live_read_models(read_models, plan):
    """Projecting command by command and all at once fills every table alike."""
    with fresh_ledger(read_models) as ledger:
        for command in plan.commands:
            run(ledger.app, command)
            ledger.catch_up()
        live = ledger.tables()

        ledger.rebuild()

        assert ledger.tables() == live


@settings(max_examples=15, deadline=None)
@given(plan=ledger_plans())
def test_replaying_commands_with_their_keys_changes_nothing(read_models, plan):
    """Sending the whole history again stores nothing and every report stays."""
    with fresh_ledger(read_models) as ledger:
        first = apply(ledger.app, plan)
        ledger.catch_up()
        head, before = ledger.head(), reports(ledger, plan)

        again = apply(ledger.app, plan)

        assert again == first
        assert ledger.head() == head
        assert ledger.catch_up() == 0
        assert reports(ledger, plan) == before
