"""Settings of the reporting service (environment variables ``CCHC_REPORTING_*``)."""

from typing import ClassVar

from cchc_shared.chassis.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    service_name: ClassVar[str] = "reporting"
    default_http_port: ClassVar[int] = 8004

    # Who signs the documents (Nghị định 30/2020/NĐ-CP signature block). The 2023 plan names
    # the Deputy Director who heads the survey team.
    signer_authority: str = "KT. GIÁM ĐỐC"
    signer_title: str = "PHÓ GIÁM ĐỐC"
    signer_name: str = "Ngô Thị Hoàng Các"
