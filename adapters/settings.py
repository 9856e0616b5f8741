"""Settings from the environment (prefix ``O2C_``) and the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where o2c keeps its data and how it logs; the defaults need no setup."""

    model_config = SettingsConfigDict(env_prefix="O2C_", extra="ignore")

    data_dir: Path = Field(default=Path("o2c-data"))
    log_format: Literal["auto", "json", "console"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "warning"

    @property
    def event_store_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def read_models_path(self) -> Path:
        return self.data_dir / "readmodels.duckdb"
