"""Settings shared by every service; each service subclasses with its own env prefix
(``CCHC_INTAKE_``...) for what is its own, e.g. ``CCHC_INTAKE_DATABASE_URL``."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "service"
    default_http_port: ClassVar[int] = 8000

    amqp_url: str = Field("amqp://guest:guest@localhost:5672/", validation_alias="CCHC_AMQP_URL")
    data_dir: Path = Field(Path("var"), validation_alias="CCHC_DATA_DIR")
    log_level: str = Field("INFO", validation_alias="CCHC_LOG_LEVEL")
    log_format: str = Field("json", validation_alias="CCHC_LOG_FORMAT")
    # Dev convenience: declare every service's queues so no event is unroutable before a
    # peer first starts. Production pre-declares them from deploy definitions.
    declare_all_queues: bool = Field(True, validation_alias="CCHC_DECLARE_ALL_QUEUES")

    database_url: str | None = None
    http_host: str = "127.0.0.1"
    http_port: int | None = None
    delivery_limit: int = 5
    prefetch_count: int = 64
    relay_batch_size: int = 200
    relay_poll_interval: float = 0.5
    relay_linger: float = 0.005
    relay_workers: int = 2
    relay_backoff_max: float = 10.0
    publish_timeout: float = 10.0
    graceful_timeout: float = 30.0
    max_body_bytes: int = 1_048_576
    run_migrations_on_start: bool = True
    # The HTTP edge (docs/operations.md, "HTTP edge"): production turns the interactive
    # documents off and serves the metrics on an internal port only.
    docs_enabled: bool = True
    metrics_port: int | None = Field(None, ge=1, le=65535)
    # The server's limits for slow or greedy clients (uvicorn's own settings, and a deadline
    # for a request's headers, which uvicorn lacks).
    http_header_timeout: float = Field(10.0, gt=0, le=300)
    http_keep_alive_timeout: int = Field(5, ge=1, le=300)
    http_limit_concurrency: int | None = Field(200, ge=1)
    http_backlog: int = Field(2048, ge=1)
    http_max_header_bytes: int = Field(65_536, ge=1024, le=1_048_576)

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of this service's events."""
        return f"/cchc/{self.service_name}"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').as_posix()}"

    @property
    def resolved_http_port(self) -> int:
        return self.http_port or self.default_http_port
