"""The real ledger in distributed mode: PostgreSQL, the relay, a Kafka replica."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from tests.integration.test_real_ledger import Cli, run_reports
from tests.integration.test_relay import pytestmark  # noqa: F401
from tests.support.ledger import POSTGRES_DSN

STORE_SETTINGS = ("O2C_EVENT_STORE", "O2C_POSTGRES_DSN", "O2C_POSTGRES_SCHEMA")


def embedded_cli(folder: Path) -> Cli:
    """The CLI on a data folder of its own, on the embedded default store."""
    cli = Cli(folder)
    for name in STORE_SETTINGS:
        cli.env.pop(name, None)
    return cli


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """Every report of the ledger imported on the embedded default."""
    cli = embedded_cli(tmp_path_factory.mktemp("embedded"))
    cli.import_ledger()
    return run_reports(cli)


@pytest.fixture(scope="module")
def stored_in_postgresql(
    tmp_path_factory: pytest.TempPathFactory, bootstrap: str
) -> Cli:
    """The ledger imported into a PostgreSQL schema of its own and relayed."""
    if not POSTGRES_DSN:
        pytest.skip("O2C_TEST_POSTGRES_DSN is not set (scripts/services up postgres)")
    schema = "ledger_" + uuid.uuid4().hex[:12]
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")

    cli = Cli(tmp_path_factory.mktemp("postgresql"))
    cli.env.update(
        O2C_EVENT_STORE="postgresql",
        O2C_POSTGRES_DSN=POSTGRES_DSN,
        O2C_POSTGRES_SCHEMA=schema,
        O2C_KAFKA_BOOTSTRAP=bootstrap,
        O2C_KAFKA_TOPIC=f"o2c.ledger.{schema}",
    )
    cli.import_ledger()
    cli.run("relay", "--once")
    return cli


@pytest.fixture(scope="module")
def replica(tmp_path_factory: pytest.TempPathFactory, stored_in_postgresql: Cli) -> Cli:
    """A read-model replica in a folder of its own, fed only from the topic."""
    cli = embedded_cli(tmp_path_factory.mktemp("replica"))
    topic = stored_in_postgresql.env["O2C_KAFKA_TOPIC"]
    cli.env.update(
        O2C_KAFKA_BOOTSTRAP=stored_in_postgresql.env["O2C_KAFKA_BOOTSTRAP"],
        O2C_KAFKA_TOPIC=topic,
    )
    cli.run("project", "--from", "kafka", "--once")
    return cli


def test_reports_on_postgresql_equal_the_embedded_reports(
    stored_in_postgresql: Cli, embedded: dict[str, bytes]
) -> None:
    """Imported into PostgreSQL, the ledger reports exactly as on SQLite."""
    assert run_reports(stored_in_postgresql) == embedded


def test_reports_of_a_replica_fed_from_kafka_equal_the_embedded_reports(
    replica: Cli, embedded: dict[str, bytes]
) -> None:
    """Relayed from PostgreSQL and projected from Kafka, every report matches."""
    reports = run_reports(replica)

    assert reports.keys() == embedded.keys()
    for name, output in embedded.items():
        assert reports[name] == output, name
