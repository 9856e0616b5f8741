"""O2C_POSTGRES_PASSWORD_FILE: the PostgreSQL password from a secret file."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from adapters.settings import Settings, postgres_parts

DSN = "postgresql://o2c@db:5432/o2c"


def settings(tmp_path: Path, password: str, dsn: str = DSN) -> Settings:
    secret = tmp_path / "postgres_password"
    secret.write_text(password)
    return Settings(
        event_store="postgresql", postgres_dsn=dsn, postgres_password_file=secret
    )


def password_of(chosen: Settings) -> str:
    assert chosen.postgres_dsn is not None
    return postgres_parts(chosen.postgres_dsn.get_secret_value())["POSTGRES_PASSWORD"]


def test_the_file_s_content_becomes_the_dsn_s_password(tmp_path: Path) -> None:
    """Characters that mean something in a URL come through unchanged."""
    assert password_of(settings(tmp_path, "p@ss:w/rd%1")) == "p@ss:w/rd%1"


def test_a_trailing_line_break_is_not_part_of_the_password(tmp_path: Path) -> None:
    assert password_of(settings(tmp_path, "secret\n")) == "secret"


def test_the_file_replaces_a_password_already_in_the_dsn(tmp_path: Path) -> None:
    chosen = settings(tmp_path, "new", dsn="postgresql://o2c:old@db:5432/o2c")
    assert password_of(chosen) == "new"


def test_the_password_is_masked_where_settings_are_shown(tmp_path: Path) -> None:
    shown = settings(tmp_path, "p@ss").shown()
    assert shown["O2C_POSTGRES_DSN"] == "postgresql://o2c:***@db:5432/o2c"
    assert "p@ss" not in "".join(shown.values())


def test_a_missing_file_stops_o2c_with_the_setting_s_name(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="O2C_POSTGRES_PASSWORD_FILE"):
        Settings(
            event_store="postgresql",
            postgres_dsn=DSN,
            postgres_password_file=tmp_path / "absent",
        )


def test_a_password_file_without_a_dsn_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "postgres_password"
    secret.write_text("secret")
    with pytest.raises(ValidationError, match="needs O2C_POSTGRES_DSN"):
        Settings(postgres_password_file=secret)
