"""The portal's settings (prefix ``O2C_PORTAL_``); the defaults need no setup."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# Where ``o2c serve`` listens by default, and so where links point when no
# public URL is set.
SERVE_URL = "http://127.0.0.1:8000"


class PortalSettings(BaseSettings):
    """Where the portal is reached, how long links and sessions live, and how
    it takes payments. E-mail goes by the ``O2C_SMTP_*`` settings.

    Without a secret, one is generated and kept in the data folder. Without a
    public URL, links point at ``o2c serve``'s default address. Without a
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
    attachment_max_bytes: int = Field(default=5 * 1024 * 1024, ge=1)
    sign_in_per_ip: int = Field(default=10, ge=1)
    sign_in_per_address: int = Field(default=3, ge=1)
    rate_window_seconds: int = Field(default=900, ge=1)
    # Accounts whose recent reads the portal keeps in memory; 0 keeps none.
    read_cache_accounts: int = Field(default=4096, ge=0)
