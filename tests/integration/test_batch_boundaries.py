"""Read models do not depend on where one run of events ends and the next begins."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.settings import Settings
from adapters.wiring import store_env
from projections.readmodels import ReadModels
from projections.runner import StoreProjector
from services.bulk import BulkWriter
from services.demo import generate_book
from services.receivables import Receivables
from tests.support.ledger import dump_tables


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Receivables, Path]:
    folder = tmp_path_factory.mktemp("book")
    app = Receivables(env=store_env(Settings(data_dir=folder)))
    generate_book(BulkWriter(app, batch_events=500), invoices=120, seed=11)
    return app, folder


@pytest.mark.parametrize("batch_size", [1, 7, 64])
def test_small_runs_give_the_read_models_of_one_run(book, batch_size):
    """Projected a few events at a time, a demo book ends as projected at once.

    The store may hold an invoice's allocation before the payment that made
    it; a run that ends between the two must not lose the allocation.
    """
    app, folder = book
    whole = ReadModels(folder / f"whole-{batch_size}.duckdb")
    StoreProjector(app.recorder, whole).catch_up()
    pieces = ReadModels(folder / f"pieces-{batch_size}.duckdb")

    StoreProjector(app.recorder, pieces, batch_size=batch_size).catch_up()

    assert dump_tables(pieces) == dump_tables(whole)
