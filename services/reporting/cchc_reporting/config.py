"""Settings of the reporting service (environment variables ``CCHC_REPORTING_*``)."""

from datetime import date
from typing import ClassVar

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: ClassVar[str] = "reporting"
    default_http_port: ClassVar[int] = 8004

    # Who signs the documents (Nghị định 30/2020/NĐ-CP signature block). The 2023 plan names
    # the Deputy Director who heads the survey team.
    signer_authority: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = "Ngô Thị Hoàng Các"
    # What the documents cite and apply: the survey plan's number and date once issued, and
    # the score from which the evaluation service proposes an initiative (its setting).
    plan_number: str = ""
    plan_signed_on: date | None = None
    recommendation_threshold: float = Field(70.0, ge=0, le=100)
