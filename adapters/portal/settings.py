"""The portal's settings (prefix ``O2C_PORTAL_``); the defaults need no setup."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class PortalSettings(BaseSettings):
    """Where the portal is reached, how long links and sessions live, and how
    it sends mail and takes payments.

    Without a secret, one is generated and kept in the data folder. Without a
    gateway URL, the sandbox gateway served beside the portal is used.
    """

    model_config = SettingsConfigDict(env_prefix="O2C_PORTAL_", extra="ignore")

    secret: SecretStr | None = None
    public_url: str = ""
    gateway_url: str = ""
    gateway_key: SecretStr | None = None
    link_minutes: int = Field(default=14 * 24 * 60, ge=1)
    sign_in_link_minutes: int = Field(default=30, ge=1)
    session_minutes: int = Field(default=30, ge=1)
    mailer: Literal["outbox", "smtp"] = "outbox"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    mail_from: str = "o2c@localhost"
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    sign_in_per_ip: int = Field(default=10, ge=1)
    sign_in_per_address: int = Field(default=3, ge=1)
    rate_window_seconds: int = Field(default=900, ge=1)
