"""Settings of the evaluation service (environment variables ``CCHC_EVALUATION_*``)."""

from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from cchc_shared.chassis.settings import ServiceSettings


class EvaluationSettings(ServiceSettings):
    model_config = SettingsConfigDict(
        env_prefix="CCHC_EVALUATION_", extra="ignore", populate_by_name=True
    )

    service_name: ClassVar[str] = "evaluation"
    default_http_port: ClassVar[int] = 8003
