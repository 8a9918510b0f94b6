"""Settings of the scheduling service (environment variables ``CCHC_SCHEDULING_*``)."""

from datetime import date, time
from typing import ClassVar

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings


class SchedulingSettings(ServiceSettings):
    service_name: ClassVar[str] = "scheduling"
    default_http_port: ClassVar[int] = 8002

    max_visits_per_day: int = Field(3, ge=1, le=8)
    visit_minutes: int = Field(90, ge=15, le=480)
    visit_start_times: tuple[time, ...] = (time(8, 0), time(9, 45), time(14, 0))
    min_team_size: int = Field(3, ge=1)
    max_team_size: int = Field(6, ge=1)
    planner_time_limit: float = Field(20.0, gt=0, le=600)
    seed_default_roster: bool = True
    # Issuer of notices (Nghị định 30/2020/NĐ-CP: the body's parent and its own name).
    notice_place: str = "Thành phố Hồ Chí Minh"
    notice_signer_name: str = "Ngô Thị Hoàng Các"
    notice_contact: str = (
        "Phòng Cải cách hành chính, Sở Nội vụ, số 86 Lê Thánh Tôn, phường Bến Nghé, Quận 1; "
        "email: cchc.snv@tphcm.gov.vn"
    )
    # The survey plan the notices cite (its number and date once issued), the head of the
    # survey team it names, and the Director's assignment cited for any other head of a round.
    plan_number: str = ""
    plan_signed_on: date | None = None
    plan_head_name: str = "Ngô Thị Hoàng Các"
    head_assignment: str = ""
