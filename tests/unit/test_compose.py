"""compose.yaml runs only commands the o2c CLI has, with options it knows.

Each o2c service runs the image of the Dockerfile, whose entrypoint is
``o2c``, so its ``command`` is parsed by the CLI's own click object, options
and values included (nothing is run). A service whose command the CLI does
not have yet must carry the compose profile ``later``, so it does not start by
default; once the command exists, the profile has to go.
"""

import shlex
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from adapters.cli import app
from adapters.settings import Settings

try:  # typer 0.20 and later carry their own copy of click
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - older typer runs on click itself
    from click import UsageError  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parents[2]
LATER = "later"


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def o2c_services() -> dict[str, dict[str, Any]]:
    """The services built from this repository's Dockerfile."""
    return {
        name: service
        for name, service in compose()["services"].items()
        if "build" in service
    }


def arguments(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


class MissingCommand(Exception):
    """The CLI has no command of that name (yet)."""


def check_cli(args: list[str]) -> None:
    """Raise unless the CLI accepts ``o2c <args>``; nothing is run.

    Parses as the CLI would, without invoking: each group's options, then its
    subcommand's. ``MissingCommand`` for a command the CLI lacks, the CLI's
    usage error for options or values it refuses.
    """
    command: Any = typer.main.get_command(app)
    context: Any = None
    name = "o2c"
    while True:
        context = command.make_context(name, list(args), parent=context)
        if not hasattr(command, "resolve_command"):
            return
        # What the group left for its subcommand, as the group's own invoke
        # gathers it.
        rest = [*context._protected_args, *context.args]
        if not rest:
            raise UsageError(f"`{' '.join(args)}` names no command")
        if command.get_command(context, rest[0]) is None:
            raise MissingCommand(f"the CLI has no command {rest[0]!r}")
        name, command, args = command.resolve_command(context, rest)


def cli_problem(args: list[str]) -> str | None:
    """Why the CLI would refuse ``o2c <args>``, or None when it accepts them."""
    try:
        check_cli(args)
    except MissingCommand as error:
        return str(error)
    except UsageError as error:
        return error.format_message()
    return None


def later(service: dict[str, Any]) -> bool:
    return LATER in service.get("profiles", [])


SERVICES = o2c_services()


def test_the_image_s_entrypoint_is_o2c() -> None:
    """So that a service's command is the o2c command line it runs."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["o2c"]' in dockerfile


def test_compose_runs_the_relay_and_projectors_by_default() -> None:
    commands = [arguments(s)[0] for s in SERVICES.values() if not later(s)]
    assert "relay" in commands
    assert commands.count("project") >= 2


def test_the_check_refuses_an_unknown_command_and_an_unknown_option() -> None:
    """The parser below is strict, or the compose checks would prove nothing."""
    assert cli_problem(["relay", "--once"]) is None
    assert cli_problem(["project", "--from", "kafka"]) is None
    assert cli_problem(["teleport"]) is not None
    assert cli_problem(["relay", "--twice"]) is not None
    assert cli_problem(["project", "--from", "carrier-pigeon"]) is not None


@pytest.mark.parametrize(
    "name", [n for n, s in SERVICES.items() if not later(s)], ids=str
)
def test_each_service_started_by_default_runs_a_command_the_cli_has(
    name: str,
) -> None:
    args = arguments(SERVICES[name])
    try:
        check_cli(args)
    except MissingCommand as error:
        pytest.fail(
            f"{name}: o2c {' '.join(args)}: {error}; give the service "
            f"`profiles: [{LATER}]` until the command exists"
        )
    except UsageError as error:
        pytest.fail(f"{name}: o2c {' '.join(args)}: {error.format_message()}")


@pytest.mark.parametrize("name", [n for n, s in SERVICES.items() if later(s)], ids=str)
def test_a_service_kept_for_later_runs_a_command_the_cli_lacks(name: str) -> None:
    """Once its command exists the service is checked, and started, like any."""
    args = arguments(SERVICES[name])
    with pytest.raises(MissingCommand):
        try:
            check_cli(args)
        except UsageError as error:
            pytest.fail(f"{name}: o2c {' '.join(args)}: {error.format_message()}")
        else:
            pytest.fail(
                f"{name}: `o2c {' '.join(args)}` exists now; "
                f"remove `{LATER}` from the service's profiles"
            )


def test_compose_describes_the_portal_and_the_collections_scheduler() -> None:
    """Services to come are in the file, whether or not they start yet."""
    commands = {tuple(arguments(s)[:1]) for s in SERVICES.values()}
    assert {("serve",), ("scheduler",)} <= commands


@pytest.mark.parametrize("name", list(SERVICES), ids=str)
def test_each_o2c_setting_in_compose_is_one_o2c_reads(name: str) -> None:
    known = {f"O2C_{field.upper()}" for field in Settings.model_fields}
    given = {k for k in SERVICES[name]["environment"] if k.startswith("O2C_")}
    assert given <= known, f"{name}: unknown settings {sorted(given - known)}"


def test_services_wait_for_the_health_of_what_they_depend_on() -> None:
    services = compose()["services"]
    for name, service in services.items():
        for needed, condition in service.get("depends_on", {}).items():
            assert condition["condition"] == "service_healthy", (name, needed)
            assert "healthcheck" in services[needed], (name, needed)


def test_the_postgres_password_comes_from_a_secret_not_the_environment() -> None:
    services = compose()["services"]
    assert "postgres_password" in compose()["secrets"]
    assert "POSTGRES_PASSWORD" not in services["postgres"]["environment"]
    for name, service in SERVICES.items():
        dsn = service["environment"]["O2C_POSTGRES_DSN"]
        assert "@" in dsn and ":" not in dsn.split("//")[1].split("@")[0], name
        assert "postgres_password" in service["secrets"], name


def test_each_projector_replica_keeps_its_read_models_on_a_volume_of_its_own() -> None:
    projectors = [s for s in SERVICES.values() if arguments(s)[0] == "project"]
    volumes = [tuple(s["volumes"]) for s in projectors]
    assert all(volumes)
    assert len(set(volumes)) == len(volumes)
