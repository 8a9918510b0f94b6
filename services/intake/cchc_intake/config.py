"""Settings of the intake service (environment variables ``CCHC_INTAKE_*``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from cchc_shared.chassis.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CCHC_INTAKE_", extra="ignore", populate_by_name=True)

    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8001
