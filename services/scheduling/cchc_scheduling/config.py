"""Settings of the scheduling service (environment variables ``CCHC_SCHEDULING_*``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from cchc_shared.chassis.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CCHC_SCHEDULING_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "scheduling"
    default_http_port: ClassVar[int] = 8002
