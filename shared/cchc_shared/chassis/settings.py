"""Settings shared by every service; each service subclasses, naming itself in
``service_name``, and reads what is its own under its env prefix ``CCHC_<NAME>_``, e.g.
``CCHC_INTAKE_DATABASE_URL``."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cchc_shared.contracts.events import service_source
from cchc_shared.messaging.cluster import broker_addresses
from cchc_shared.messaging.trust import BusTrust, broker_user


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "service"
    default_http_port: ClassVar[int] = 8000

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass that names its service reads its own settings from ``CCHC_<NAME>_*``."""
        super().__pydantic_init_subclass__(**kwargs)
        if "service_name" in vars(cls) and not cls.model_config.get("env_prefix"):
            cls.model_config["env_prefix"] = f"CCHC_{cls.service_name.upper()}_"

    # The broker, as this service's own user: CCHC_<SERVICE>_AMQP_URL, else the shared
    # CCHC_AMQP_URL of the local run. A cluster's nodes separated by commas (messaging.cluster).
    amqp_url: str = Field("amqp://guest:guest@localhost:5672/", validation_alias="CCHC_AMQP_URL")
    # Who publishes on the bus (messaging.trust): {"intake": "cchc-intake", ..., "operator":
    # "cchc-operator"}; empty in the local run, where everything shares one broker user.
    bus_users: dict[str, str] = Field(default_factory=dict, validation_alias="CCHC_BUS_USERS")
    # Each platform's broker user and the CloudEvents sources it registered.
    platform_sources: dict[str, list[str]] = Field(
        default_factory=dict, validation_alias="CCHC_PLATFORM_SOURCES"
    )
    # This process among the service's replicas: a label on every metric it exports. The
    # host name by default, which in Kubernetes is the pod's name.
    replica: str = Field(default_factory=socket.gethostname, validation_alias="CCHC_REPLICA")
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
    # PostgreSQL: the handlers' pool holds up to twice this many connections (the relay's own
    # are ``2 * relay_workers``); every service and replica counts against max_connections.
    db_pool_size: int = 10
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

    @model_validator(mode="before")
    @classmethod
    def _own_broker_url(cls, data: Any) -> Any:
        own = os.environ.get(f"CCHC_{cls.service_name.upper()}_AMQP_URL")
        if own and isinstance(data, dict) and "amqp_url" not in data:
            data = {**data, "CCHC_AMQP_URL": own}
        return data

    @field_validator("amqp_url")
    @classmethod
    def _broker_addresses(cls, value: str) -> str:
        broker_addresses(value)  # a clear error at start, not a failed connection later
        return value

    @property
    def bus_trust(self) -> BusTrust:
        return BusTrust(
            own_user=broker_user(self.amqp_url),
            users=self.bus_users,
            platforms={user: frozenset(s) for user, s in self.platform_sources.items()},
        )

    @property
    def source(self) -> str:
        """The CloudEvents ``source`` of this service's events."""
        return service_source(self.service_name)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / f'{self.service_name}.db').as_posix()}"

    @property
    def resolved_http_port(self) -> int:
        return self.http_port or self.default_http_port
