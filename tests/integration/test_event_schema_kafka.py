"""A client that is not ours reads the topic, and every value fits the schema.

The relay publishes a ledger with every event type to a real broker; Kafka's
own console consumer (a Java program from the broker's release) reads the
topic ``read_committed`` from the beginning, and each value it prints is
validated against docs/schema/event-envelope.schema.json.

Opt-in (set O2C_TEST_SERVICES=1): starts a Kafka broker on loopback.
"""

import os
import subprocess
import uuid
import warnings
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.settings import Settings
from adapters.wiring import store_env
from services.receivables import Receivables
from tests.support.event_schema import defined_event_classes, event_type, validator
from tests.support.every_event import record_every_event_type

with warnings.catch_warnings():
    # kafka-python reads its protocol files through a deprecated API on import.
    warnings.filterwarnings("ignore", ".*Use files\\(\\) instead", DeprecationWarning)
    from streams.relay import Relay

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        os.environ.get("O2C_TEST_SERVICES") != "1",
        reason="starts a real Kafka broker; set O2C_TEST_SERVICES=1",
    ),
]

ROOT = Path(__file__).resolve().parents[2]
CONSOLE_CONSUMER = "org.apache.kafka.tools.consumer.ConsoleConsumer"
# The consumer stops once no record has come for this long.
IDLE_TIMEOUT_MS = 5_000
# Its own log lines go to stderr, so stdout holds records only.
LOG_CONFIG = """\
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
appender.stderr.type = Console
appender.stderr.name = STDERR
appender.stderr.target = SYSTEM_ERR
appender.stderr.layout.type = PatternLayout
appender.stderr.layout.pattern = %p %m (%c)%n
"""


def kafka_tools_classpath() -> str:
    done = subprocess.run(
        [str(ROOT / "scripts" / "services"), "classpath"],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def console_consume(bootstrap: str, topic: str, folder: Path) -> list[tuple[str, str]]:
    """Every committed record of the topic as (key, value) text, via Kafka's tool."""
    log_config = folder / "log4j2.properties"
    log_config.write_text(LOG_CONFIG)
    done = subprocess.run(
        [
            "java",
            f"-Dlog4j2.configurationFile={log_config}",
            "-cp",
            kafka_tools_classpath(),
            CONSOLE_CONSUMER,
            "--bootstrap-server",
            bootstrap,
            "--topic",
            topic,
            "--from-beginning",
            "--isolation-level",
            "read_committed",
            "--timeout-ms",
            str(IDLE_TIMEOUT_MS),
            "--property",
            "print.key=true",
            "--property",
            "key.separator=\t",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = []
    for line in done.stdout.splitlines():
        record_key, _, value = line.partition("\t")
        records.append((record_key, value))
    return records


@pytest.fixture(scope="module")
def consumed(
    bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[int, list[tuple[str, str]]]:
    """A ledger with every event type, relayed, then read by the console consumer."""
    folder = tmp_path_factory.mktemp("schema-kafka")
    topic = f"schema-test-{uuid.uuid4().hex[:12]}"
    app = Receivables(env=store_env(Settings(data_dir=folder)))
    try:
        record_every_event_type(app)
        head = app.recorder.max_notification_id() or 0
        with Relay(app.recorder, bootstrap, topic, name=f"{topic}-relay") as relay:
            relay.run_once()
    finally:
        app.close()
    return head, console_consume(bootstrap, topic, folder)


def values(consumed: tuple[int, list[tuple[str, str]]]) -> list[dict[str, Any]]:
    return [orjson.loads(value) for _, value in consumed[1]]


def test_the_console_consumer_reads_each_stored_event_once(
    consumed: tuple[int, list[tuple[str, str]]],
) -> None:
    head, _ = consumed
    positions = sorted(value["position"] for value in values(consumed))
    assert positions == list(range(1, head + 1))


def test_the_topic_carries_every_event_type_the_domain_defines(
    consumed: tuple[int, list[tuple[str, str]]],
) -> None:
    types = {value["type"] for value in values(consumed)}
    assert types == {event_type(cls) for cls in defined_event_classes()}


def test_every_value_the_console_consumer_prints_validates_against_the_schema(
    consumed: tuple[int, list[tuple[str, str]]],
) -> None:
    check = validator()
    for value in values(consumed):
        errors = [error.message for error in check.iter_errors(value)]
        assert not errors, f"{value['type']} at {value['position']}: {errors}"


def test_every_key_is_the_account_id_or_for_a_receipt_its_own_id(
    consumed: tuple[int, list[tuple[str, str]]],
) -> None:
    for record_key, text in consumed[1]:
        value = orjson.loads(text)
        assert record_key == (value["account_id"] or value["aggregate_id"])
