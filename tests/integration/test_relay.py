"""The relay publishes the event store to a real Kafka topic, each event once.

Opt-in (set O2C_TEST_SERVICES=1): starts a Kafka broker on loopback with
scripts/services, which costs tens of seconds.
"""

import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from adapters.settings import Settings
from adapters.wiring import store_env
from services import commands as c
from services.bulk import BulkWriter
from services.receivables import Receivables
from tests.support import builders

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
    # kafka-python still reads its protocol files through a deprecated API.
    pytest.mark.filterwarnings("ignore:.*Use files\\(\\) instead:DeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "services"
PORT_SETTINGS = ("O2C_KAFKA_PORT", "O2C_KAFKA_CONTROLLER_PORT", "O2C_PG_PORT")
READ_TIMEOUT_S = 60.0
ENVELOPE_FIELDS = {
    "envelope_version",
    "event_id",
    "type",
    "schema_version",
    "aggregate_id",
    "aggregate_version",
    "account_id",
    "effective_date",
    "recorded_at",
    "position",
    "actor",
    "channel",
    "correlation_id",
    "data",
}

# Runs in a child process, so the test can kill it with SIGKILL mid-run.
RELAY_CHILD = """
import sys
from adapters.logging import configure
from adapters.settings import Settings
from adapters.wiring import store_env
from services.receivables import Receivables
from streams.relay import Relay

folder, bootstrap, topic, name = sys.argv[1:]
configure("json", "info")
app = Receivables(env=store_env(Settings(data_dir=folder)))
with Relay(app.recorder, bootstrap, topic, name=name, batch_events=1000) as relay:
    relay.run_once()
"""


@pytest.fixture
def topic() -> str:
    return f"relay-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Receivables]:
    """The receivables application on a fresh SQLite store."""
    opened = Receivables(env=store_env(Settings(data_dir=tmp_path)))
    yield opened
    opened.close()


def record_small_ledger(app: Receivables) -> None:
    """Two accounts, three invoices, a payment and a credit memo."""
    for number in ("C-1", "C-2"):
        app.open_account(
            c.OpenAccount(
                idempotency_key=f"open-{number}",
                number=number,
                name=f"Customer {number}",
                country="US",
                currency="USD",
                opened_on=date(2024, 1, 2),
            )
        )
    for number, account in (("I-1", "C-1"), ("I-2", "C-1"), ("I-3", "C-2")):
        app.issue_invoice(
            c.IssueInvoice(
                idempotency_key=f"issue-{number}",
                number=number,
                account_number=account,
                amount=Decimal("100.00"),
                issue_date=date(2024, 1, 15),
            )
        )
    app.record_payment(
        c.RecordPayment(
            idempotency_key="pay-1",
            account_number="C-1",
            amount=Decimal("150.00"),
            currency="USD",
            received_on=date(2024, 2, 1),
            allocations=[
                c.AllocationLine(invoice_number="I-1", amount=Decimal("100.00")),
                c.AllocationLine(invoice_number="I-2", amount=Decimal("50.00")),
            ],
        )
    )
    app.issue_credit_memo(
        c.IssueCreditMemo(
            idempotency_key="memo-1",
            number="CM-1",
            account_number="C-2",
            amount=Decimal("30.00"),
            currency="USD",
            issued_on=date(2024, 2, 3),
            reason="damaged goods",
            allocations=[
                c.AllocationLine(invoice_number="I-3", amount=Decimal("30.00"))
            ],
        )
    )


def record_large_ledger(
    app: Receivables, accounts: int = 2_000, first: int = 0
) -> None:
    """Each account with nine invoices: ten events per account."""
    writer = BulkWriter(app)
    for n in range(first, first + accounts):
        owner = builders.account(number=f"C-{n}")
        invoices = [
            builders.invoice(number=f"I-{n}-{i}", owner=owner) for i in range(9)
        ]
        writer.add(owner, *invoices)
    writer.flush()


def read_topic(bootstrap: str, topic: str) -> list[Any]:
    """Every committed record of the topic, partition by partition."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        isolation_level="read_committed",
        enable_auto_commit=False,
        group_id=None,
    )
    try:
        partitions = [
            TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)
        ]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        ends = consumer.end_offsets(partitions)
        records: list[Any] = []
        deadline = time.monotonic() + READ_TIMEOUT_S
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            assert time.monotonic() < deadline, f"{topic} not read in time"
            for tp, batch in consumer.poll(timeout_ms=500).items():
                records.extend(r for r in batch if r.offset < ends[tp])
        return records
    finally:
        consumer.close()


def envelopes(records: list[Any]) -> list[dict[str, Any]]:
    return [orjson.loads(record.value) for record in records]


def in_account_order(values: list[dict[str, Any]], records: list[Any]) -> bool:
    """Whether each account's records, read in offset order, share a partition
    and follow the store's order."""
    per_account: dict[bytes, list[int]] = defaultdict(list)
    partitions_of: dict[bytes, set[int]] = defaultdict(set)
    for value, record in zip(values, records, strict=True):
        per_account[record.key].append(value["position"])
        partitions_of[record.key].add(record.partition)
    return all(len(p) == 1 for p in partitions_of.values()) and all(
        positions == sorted(positions) for positions in per_account.values()
    )


def head(app: Receivables) -> int:
    return app.recorder.max_notification_id() or 0


def relay_once(app: Receivables, bootstrap: str, topic: str, **kwargs: Any) -> int:
    with Relay(app.recorder, bootstrap, topic, name=f"{topic}-relay", **kwargs) as r:
        return r.run_once()


@pytest.fixture
def published(
    app: Receivables, bootstrap: str, topic: str
) -> tuple[int, list[dict[str, Any]], list[Any]]:
    """A small ledger relayed once: the count sent, its envelopes and records."""
    record_small_ledger(app)
    count = relay_once(app, bootstrap, topic)
    records = read_topic(bootstrap, topic)
    return count, envelopes(records), records


def test_publishing_a_ledger_puts_every_stored_event_in_the_topic_once(
    app: Receivables, published: tuple[int, list[dict[str, Any]], list[Any]]
) -> None:
    """Each store position appears exactly once among the committed records."""
    count, values, _ = published
    assert count == head(app)
    assert sorted(v["position"] for v in values) == list(range(1, head(app) + 1))
    assert len({v["event_id"] for v in values}) == head(app)


def test_each_record_is_keyed_by_its_account(
    published: tuple[int, list[dict[str, Any]], list[Any]],
) -> None:
    """Ledger events go by account id; command receipts, with none, by their own."""
    _, values, records = published
    for value, record in zip(values, records, strict=True):
        expected = value["account_id"] or value["aggregate_id"]
        assert record.key == expected.encode()
    assert sum(1 for v in values if v["account_id"] is not None) > 0


def test_each_account_s_events_arrive_in_store_order(
    published: tuple[int, list[dict[str, Any]], list[Any]],
) -> None:
    """Within an account, the topic's order is the store's order."""
    _, values, records = published
    assert in_account_order(values, records)


def test_each_value_is_an_envelope_with_the_documented_fields(
    published: tuple[int, list[dict[str, Any]], list[Any]],
) -> None:
    """Every value parses as JSON and carries exactly the fields of docs/events.md."""
    _, values, _ = published
    assert all(set(v) == ENVELOPE_FIELDS for v in values)
    types = Counter(v["type"] for v in values)
    assert types["Account.Opened"] == 2
    assert types["Invoice.Issued"] == 3
    invoice = next(v for v in values if v["type"] == "Invoice.Issued")
    assert invoice["effective_date"] == "2024-01-15"
    assert invoice["envelope_version"] == 1


def test_running_the_relay_again_publishes_nothing_new(
    app: Receivables,
    bootstrap: str,
    topic: str,
    published: tuple[int, list[dict[str, Any]], list[Any]],
) -> None:
    """A second run finds its progress in Kafka and sends no record."""
    assert relay_once(app, bootstrap, topic) == 0
    assert len(read_topic(bootstrap, topic)) == head(app)


def test_a_restarted_relay_publishes_only_the_events_stored_since(
    app: Receivables,
    bootstrap: str,
    topic: str,
    published: tuple[int, list[dict[str, Any]], list[Any]],
) -> None:
    """Events recorded after a run are the only ones the next run sends."""
    before = head(app)
    app.issue_invoice(
        c.IssueInvoice(
            idempotency_key="issue-I-4",
            number="I-4",
            account_number="C-2",
            amount=Decimal("70.00"),
            issue_date=date(2024, 3, 1),
        )
    )

    assert relay_once(app, bootstrap, topic) == head(app) - before
    positions = sorted(v["position"] for v in envelopes(read_topic(bootstrap, topic)))
    assert positions == list(range(1, head(app) + 1))


def test_run_forever_publishes_events_as_they_are_stored_until_stopped(
    app: Receivables, bootstrap: str, topic: str
) -> None:
    """A polling relay picks up new events and returns when asked to stop."""
    stop = threading.Event()
    relay = Relay(app.recorder, bootstrap, topic, name=f"{topic}-relay")
    worker = threading.Thread(target=relay.run_forever, args=(stop, 0.1, 0.5))
    worker.start()
    try:
        record_small_ledger(app)
        deadline = time.monotonic() + READ_TIMEOUT_S
        while relay.position < head(app):
            assert time.monotonic() < deadline, "relay did not catch up in time"
            stop.wait(0.1)
    finally:
        stop.set()
        worker.join(timeout=30)
        relay.close()

    assert not worker.is_alive()
    assert len(read_topic(bootstrap, topic)) == head(app)


def test_a_transaction_left_open_mid_batch_is_dropped_on_restart(
    app: Receivables, bootstrap: str, topic: str
) -> None:
    """Half a batch and a false progress record, never committed, are not seen."""
    from kafka import KafkaProducer

    from streams import _progress
    from streams.envelope import envelope
    from streams.envelope import key as record_key

    record_large_ledger(app, accounts=100)
    name = f"{topic}-relay"
    with Relay(app.recorder, bootstrap, topic, name=name) as relay:
        relay.start()
    producer = KafkaProducer(bootstrap_servers=bootstrap, transactional_id=name)
    producer.init_transactions()
    producer.begin_transaction()
    half = app.recorder.select_notifications(start=1, limit=head(app) // 2)
    for notification in half:
        value = envelope(notification)
        producer.send(topic, orjson.dumps(value), key=record_key(value))
    producer.send(
        _progress.progress_topic(topic),
        _progress.encode_progress(half[-1].id),
        key=name.encode(),
    )
    producer.flush()
    producer.close()

    assert relay_once(app, bootstrap, topic) == head(app)
    values = envelopes(read_topic(bootstrap, topic))
    assert len(values) == head(app)
    assert len({v["event_id"] for v in values}) == head(app)


def test_a_relay_killed_while_publishing_and_restarted_sends_each_event_once(
    app: Receivables, bootstrap: str, topic: str, tmp_path: Path
) -> None:
    """SIGKILL at a random moment mid-run, then a restart: every event, once."""
    record_large_ledger(app)
    assert head(app) == 20_000
    name = f"{topic}-relay"
    child = subprocess.Popen(
        [sys.executable, "-c", RELAY_CHILD, str(tmp_path), bootstrap, topic, name],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stderr is not None
        # The kill lands after a random one of the first 15 of its 20 batches,
        # a random moment into the next: counted in batches, not seconds, as
        # a whole batch takes only tens of milliseconds.
        batches = random.randint(1, 15)
        for line in child.stderr:
            if "relay_batch_published" in line:
                batches -= 1
                if batches == 0:
                    break
        time.sleep(random.uniform(0.0, 0.02))
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=30) == -signal.SIGKILL
    finally:
        child.kill()
        child.wait()
    committed_before = len(read_topic(bootstrap, topic))

    published = relay_once(app, bootstrap, topic)

    values = envelopes(read_topic(bootstrap, topic))
    assert committed_before < head(app)
    assert published == head(app) - committed_before
    assert len(values) == head(app)
    assert len({v["event_id"] for v in values}) == head(app)


def test_what_a_run_published_is_readable_as_soon_as_it_returns(
    app: Receivables, bootstrap: str, topic: str
) -> None:
    """A read_committed reader asking right after ``run_once`` sees it all.

    The broker ends a transaction in each partition a moment after the commit
    returns; until then such a reader's end of the partition stays before it,
    and ``o2c project --once`` run just after ``o2c relay --once`` would stop
    short.
    """
    from kafka import KafkaConsumer, TopicPartition

    record_large_ledger(app, accounts=100)
    # Both readers connect first, so they ask the moment the run returns.
    readers = {
        level: KafkaConsumer(
            bootstrap_servers=bootstrap, isolation_level=level, group_id=None
        )
        for level in ("read_committed", "read_uncommitted")
    }
    try:
        for attempt in range(5):
            name = f"{topic}-{attempt}"
            relay_once(app, bootstrap, name)

            partitions = [TopicPartition(name, n) for n in range(6)]
            readable = readers["read_committed"].end_offsets(partitions)
            written = readers["read_uncommitted"].end_offsets(partitions)
            assert readable == written
    finally:
        for reader in readers.values():
            reader.close()


def test_a_running_relay_whose_name_is_taken_over_stops_rather_than_fight(
    app: Receivables, bootstrap: str, topic: str
) -> None:
    """A second relay with the same name fences the first; the first gives up.

    It does not start over as after a broker failure, which would fence the
    other one in turn, and so on.
    """
    from kafka.errors import KafkaError, ProducerFencedError

    record_small_ledger(app)
    name = f"{topic}-relay"
    first = Relay(app.recorder, bootstrap, topic, name=name)
    first.start()
    assert relay_once(app, bootstrap, topic) == head(app)  # the same name
    record_large_ledger(app, accounts=10, first=100)

    stop = threading.Event()
    try:
        with pytest.raises(KafkaError) as raised:
            first.run_forever(stop, poll_interval=0.1)
    finally:
        stop.set()
        first.close()
    fenced = (raised.value, *raised.value.args)
    assert any(isinstance(error, ProducerFencedError) for error in fenced)
    assert len(read_topic(bootstrap, topic)) == head(app) - 100
