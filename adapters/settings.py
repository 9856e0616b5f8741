"""Settings from the environment (prefix ``O2C_``) and the command line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from domain.writeoff import SMALL_BALANCE_THRESHOLDS


class Settings(BaseSettings):
    """Where o2c keeps its data and how it logs; the defaults need no setup.

    The event store is an SQLite file in the data folder unless
    ``O2C_EVENT_STORE=postgresql`` and ``O2C_POSTGRES_DSN`` point elsewhere.
    """

    model_config = SettingsConfigDict(env_prefix="O2C_", extra="ignore")

    data_dir: Path = Field(default=Path("o2c-data"))
    event_store: Literal["sqlite", "postgresql"] = "sqlite"
    postgres_dsn: SecretStr | None = None
    # A file whose content is the DSN's password (a Docker or Kubernetes
    # secret), so the password need not sit in the environment.
    postgres_password_file: Path | None = None
    postgres_schema: str = ""
    kafka_bootstrap: str | None = None
    kafka_topic: str = "o2c.events"
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    pdf_font: Path | None = None
    # Without an SMTP host, e-mails are written to outbox/ in the data folder.
    smtp_host: str = ""
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_tls: Literal["none", "starttls", "ssl"] = "none"
    smtp_user: str = ""
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(default=10.0, gt=0)
    mail_from: str = "o2c@localhost"
    # JSON, for example {"USD": "5.00", "JPY": "500"}: o2c writeoff small
    # writes off open amounts below these.
    small_balance_thresholds: dict[str, Decimal] = Field(
        default_factory=lambda: dict(SMALL_BALANCE_THRESHOLDS)
    )

    @model_validator(mode="after")
    def _store_is_reachable(self) -> Settings:
        if self.postgres_password_file is not None:
            self.postgres_dsn = SecretStr(
                with_password(self.postgres_dsn, self.postgres_password_file)
            )
        if self.event_store == "postgresql":
            if self.postgres_dsn is None:
                raise ValueError(
                    "O2C_POSTGRES_DSN is required when O2C_EVENT_STORE=postgresql "
                    "(postgresql://USER:PASSWORD@HOST:PORT/DBNAME)"
                )
            postgres_parts(self.postgres_dsn.get_secret_value())
        return self

    @property
    def event_store_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def read_models_path(self) -> Path:
        return self.data_dir / "readmodels.duckdb"

    def shown(self) -> dict[str, str]:
        """The effective settings, with the password masked."""
        dsn = ""
        if self.postgres_dsn is not None:
            parts = urlsplit(self.postgres_dsn.get_secret_value())
            netloc = parts.netloc
            if parts.password:
                netloc = netloc.replace(f":{parts.password}@", ":***@")
            dsn = parts._replace(netloc=netloc).geturl()
        return {
            "O2C_DATA_DIR": str(self.data_dir),
            "O2C_EVENT_STORE": self.event_store,
            "O2C_POSTGRES_DSN": dsn,
            "O2C_POSTGRES_PASSWORD_FILE": str(self.postgres_password_file or ""),
            "O2C_POSTGRES_SCHEMA": self.postgres_schema,
            "O2C_KAFKA_BOOTSTRAP": self.kafka_bootstrap or "",
            "O2C_KAFKA_TOPIC": self.kafka_topic,
            "O2C_LOG_FORMAT": self.log_format,
            "O2C_LOG_LEVEL": self.log_level,
            "O2C_PDF_FONT": str(self.pdf_font or ""),
            "O2C_SMTP_HOST": self.smtp_host,
            "O2C_SMTP_PORT": str(self.smtp_port),
            "O2C_SMTP_TLS": self.smtp_tls,
            "O2C_SMTP_USER": self.smtp_user,
            "O2C_SMTP_PASSWORD": "***" if self.smtp_password else "",
            "O2C_SMTP_TIMEOUT": str(self.smtp_timeout),
            "O2C_MAIL_FROM": self.mail_from,
            "O2C_SMALL_BALANCE_THRESHOLDS": ",".join(
                f"{code}={amount}"
                for code, amount in sorted(self.small_balance_thresholds.items())
            ),
        }


def postgres_parts(dsn: str) -> dict[str, str]:
    """Host, port, database, user and password from a postgresql:// URL."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        raise ValueError(
            "O2C_POSTGRES_DSN must start with postgresql:// "
            f"(got {parts.scheme or 'no scheme'})"
        )
    found = {
        "POSTGRES_HOST": parts.hostname or "",
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_DBNAME": parts.path.lstrip("/"),
        "POSTGRES_USER": unquote(parts.username or ""),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
    }
    missing = [
        k for k in ("POSTGRES_HOST", "POSTGRES_DBNAME", "POSTGRES_USER") if not found[k]
    ]
    if missing:
        names = {
            "POSTGRES_HOST": "host",
            "POSTGRES_DBNAME": "database",
            "POSTGRES_USER": "user",
        }
        raise ValueError(
            "O2C_POSTGRES_DSN lacks its " + ", ".join(names[k] for k in missing)
        )
    return found


def with_password(dsn: SecretStr | None, password_file: Path) -> str:
    """The DSN with its password replaced by the content of ``password_file``.

    A trailing line break is not part of the password, as secret files are
    often written with one.
    """
    if dsn is None:
        raise ValueError(
            "O2C_POSTGRES_PASSWORD_FILE needs O2C_POSTGRES_DSN "
            "(postgresql://USER@HOST:PORT/DBNAME) to add the password to"
        )
    try:
        password = password_file.read_text().rstrip("\r\n")
    except OSError as error:
        raise ValueError(
            f"O2C_POSTGRES_PASSWORD_FILE {password_file} cannot be read "
            f"({error.strerror})"
        ) from None
    parts = urlsplit(dsn.get_secret_value())
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    netloc = f"{quote(unquote(user), safe='')}:{quote(password, safe='')}@{host}"
    return parts._replace(netloc=netloc).geturl()
