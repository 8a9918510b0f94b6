"""Settings of the reporting service (environment variables ``CCHC_REPORTING_*``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from cchc_shared.chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CCHC_REPORTING_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "reporting"
    default_http_port: ClassVar[int] = 8004
