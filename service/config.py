"""Service settings, read from ``PEERMATCH_*`` environment variables (or a
``.env`` file in the working directory)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, SettingsConfigDict

WEBHOOK_SECRET_MIN = 16


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/peermatch``, else ``~/.local/share/peermatch``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "peermatch"


class Settings(BaseSettings):
    """Every setting has a working default: SQLite in the data directory."""

    model_config = SettingsConfigDict(env_prefix="PEERMATCH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; "
        "default: SQLite file peermatch.db in data_dir",
    )
    max_body_bytes: int = Field(default=10 * 2**20, ge=1024, description="largest request body")
    max_import_members: int = Field(default=20_000, ge=1)
    sqlite_busy_timeout_ms: int = Field(default=30_000, ge=0)
    write_rate: float = Field(
        default=2.0,
        ge=0,
        allow_inf_nan=False,
        description="writes a second per API key (imports exempt); 0 turns the limit off",
    )
    write_burst: int = Field(default=10, ge=1, description="writes a key may send at once")
    read_only: bool = Field(
        default=False,
        description="serve reads only: writes get 503, the database is neither "
        "written nor migrated (its schema must be current); `serve --read-only`",
    )
    cors_origins: str = Field(
        default="",
        description="comma-separated origins whose web pages may call the API "
        "from a browser (CORS), e.g. https://hub.example.org; empty: none",
    )

    webhook_url: str | None = Field(
        default=None,
        description="http(s) URL that gets a signed POST when a round is published "
        "(docs/operations.md, Webhook); unset or empty: no webhook",
    )
    webhook_secret: SecretStr | None = Field(
        default=None,
        validate_default=True,
        description=f"the key of the webhook's HMAC-SHA256 signature, at least "
        f"{WEBHOOK_SECRET_MIN} characters; required with webhook_url",
    )

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise PydanticCustomError(
                "webhook_url",
                "must be an http:// or https:// URL, e.g. https://hub.example.org/hooks/peermatch",
            )
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and not value.get_secret_value():
            value = None
        if info.data.get("webhook_url") and (
            value is None or len(value.get_secret_value()) < WEBHOOK_SECRET_MIN
        ):
            raise PydanticCustomError(
                "webhook_secret",
                "required when PEERMATCH_WEBHOOK_URL is set: at least {min} characters, "
                "shared with the receiver, which checks each delivery's signature with it "
                "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')",
                {"min": WEBHOOK_SECRET_MIN},
            )
        return value

    def cors_origin_list(self) -> list[str]:
        """The origins of ``cors_origins``, without blanks or trailing slashes."""
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    def url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'peermatch.db'}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
