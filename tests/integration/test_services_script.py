"""scripts/services runs real Kafka and PostgreSQL on loopback, and stops them again.

Opt-in (set O2C_TEST_SERVICES=1): the first run downloads Kafka from Maven
Central and each start costs tens of seconds. Needs java, mvn, the PostgreSQL
server packages, kafka-python and psycopg.
"""

import os
import shlex
import socket
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        os.environ.get("O2C_TEST_SERVICES") != "1",
        reason="starts real Kafka and PostgreSQL; set O2C_TEST_SERVICES=1",
    ),
    # kafka-python still reads its protocol files through a deprecated API.
    pytest.mark.filterwarnings("ignore:.*Use files\\(\\) instead:DeprecationWarning"),
]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "services"
# Ports chosen by a developer for their own services must not leak in here.
PORT_SETTINGS = ("O2C_KAFKA_PORT", "O2C_KAFKA_CONTROLLER_PORT", "O2C_PG_PORT")


def port_of(address: str) -> int:
    """The port of a `host:port` address."""
    return int(address.rsplit(":", 1)[1])


def answers(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


class Services:
    """Runs scripts/services on one private state folder, as a user would."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.env = {k: v for k, v in os.environ.items() if k not in PORT_SETTINGS}
        self.env["O2C_SERVICES_DIR"] = str(state_dir)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Runs the script; the result keeps its exit code, stdout and stderr."""
        return subprocess.run(
            [str(SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=900,
            stdin=subprocess.DEVNULL,
            check=False,
        )

    def up(self) -> dict[str, str]:
        """Starts both services and returns the variables that `up` exports."""
        done = self.run("up")
        assert done.returncode == 0, done.stderr
        return parse_exports(done.stdout)

    def down(self) -> None:
        """Stops both services; fails the test when the script fails."""
        done = self.run("down")
        assert done.returncode == 0, done.stderr


def parse_exports(stdout: str) -> dict[str, str]:
    """The NAME=VALUE pairs of `export` lines; any other line fails the test."""
    exported = {}
    for line in stdout.splitlines():
        words = shlex.split(line)
        assert len(words) == 2 and words[0] == "export", f"not an export: {line!r}"
        name, _, value = words[1].partition("=")
        exported[name] = value
    return exported


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The script on a fresh state folder; whatever it started is stopped at the end."""
    script = Services(tmp_path_factory.mktemp("services") / "state")
    try:
        yield script
    finally:
        script.run("down")


@pytest.fixture
def exported(services: Services) -> dict[str, str]:
    """The exports of `up` on running services (a repeated `up` only reprints them)."""
    return services.up()


def test_up_prints_the_settings_that_point_o2c_at_the_services(
    exported: dict[str, str],
) -> None:
    """`up` exports the event store kind, the DSN, the bootstrap address and topic."""
    assert exported["O2C_EVENT_STORE"] == "postgresql"
    assert exported["O2C_POSTGRES_DSN"].startswith("postgresql://o2c:")
    assert exported["O2C_POSTGRES_DSN"].endswith("/o2c")
    assert exported["O2C_KAFKA_BOOTSTRAP"].startswith("127.0.0.1:")
    assert exported["O2C_KAFKA_TOPIC"] == "o2c.events"


def test_up_on_running_services_prints_the_same_exports(
    services: Services, exported: dict[str, str]
) -> None:
    """A second `up` starts nothing new and prints the same exports."""
    assert services.up() == exported


def test_status_names_both_services_as_running(
    services: Services, exported: dict[str, str]
) -> None:
    """`status` exits 0 and reports each service with its loopback address."""
    done = services.run("status")
    assert done.returncode == 0, done.stderr
    assert "kafka: running, pid" in done.stdout
    assert exported["O2C_KAFKA_BOOTSTRAP"] in done.stdout
    assert "postgres: running" in done.stdout


def test_the_password_file_is_readable_by_its_owner_only(
    services: Services, exported: dict[str, str]
) -> None:
    """The generated PostgreSQL password is stored with mode 600."""
    password_file = services.state_dir / "postgres" / "password"
    assert password_file.stat().st_mode & 0o777 == 0o600
    assert f":{password_file.read_text().strip()}@" in exported["O2C_POSTGRES_DSN"]


def test_a_kafka_client_produces_and_consumes_a_record_on_loopback(
    exported: dict[str, str],
) -> None:
    """kafka-python sends one record to the exported topic and reads it back."""
    from kafka import KafkaConsumer, KafkaProducer

    bootstrap = exported["O2C_KAFKA_BOOTSTRAP"]
    topic = exported["O2C_KAFKA_TOPIC"]
    payload = f"probe {uuid.uuid4()}".encode()
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    try:
        producer.send(topic, payload).get(timeout=60)
    finally:
        producer.close()
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        # Iteration ends by itself only after 30 s without records.
        found = any(record.value == payload for record in consumer)
    finally:
        consumer.close()
    assert found


def test_psycopg_connects_with_the_exported_dsn(exported: dict[str, str]) -> None:
    """psycopg logs in over TCP with the exported DSN and runs `select 1`."""
    import psycopg

    with psycopg.connect(exported["O2C_POSTGRES_DSN"], connect_timeout=10) as conn:
        assert conn.execute("select 1").fetchone() == (1,)
        assert conn.info.host == "127.0.0.1"


def test_up_postgres_starts_postgres_alone(tmp_path: Path) -> None:
    """`up postgres` exports only the PostgreSQL settings and starts no broker."""
    alone = Services(tmp_path / "state")
    try:
        done = alone.run("up", "postgres")
        assert done.returncode == 0, done.stderr
        assert set(parse_exports(done.stdout)) == {
            "O2C_EVENT_STORE",
            "O2C_POSTGRES_DSN",
        }
        status = alone.run("status")
        assert status.returncode == 3
        assert "postgres: running" in status.stdout
        assert "kafka: not running" in status.stdout
    finally:
        alone.down()


def test_down_stops_both_services_and_closes_their_ports(
    services: Services, exported: dict[str, str]
) -> None:
    """After `down` nothing answers on the ports and `status` reports both stopped."""
    ports = [
        port_of(exported["O2C_KAFKA_BOOTSTRAP"]),
        port_of(exported["O2C_POSTGRES_DSN"].rsplit("/", 1)[0]),
    ]
    assert all(answers(port) for port in ports)

    services.down()

    assert not any(answers(port) for port in ports)
    done = services.run("status")
    assert done.returncode == 3
    assert "kafka: not running" in done.stdout
    assert "postgres: not running" in done.stdout
    assert not services.state_dir.exists()
