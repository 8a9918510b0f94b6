"""The demo's settings, constants and summary of what the system holds."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from cchc_shared.auth import AuthSettings
from cchc_shared.clock import campaign_clock_file, now, set_campaign_clock

YEAR = 2023
SERVICES = ("intake", "scheduling", "evaluation", "reporting", "notifications", "replication")
DEFAULT_PORTS = {
    "intake": 8001,
    "scheduling": 8002,
    "evaluation": 8003,
    "reporting": 8004,
    "notifications": 8005,
    "replication": 8006,
}
PLATFORM_SOURCE = "https://dichvucong.hochiminhcity.gov.vn/cchc-connector"
DEMO_NAMESPACE = uuid.UUID("5b0d7a7e-2f4c-4a57-9d0e-0c2d3c2c2023")
VN = timedelta(hours=7)
_VN_ZONE = timezone(VN)


def vn(month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    """An instant of the campaign year in Vietnam's time."""
    return datetime(YEAR, month, day, hour, minute, tzinfo=_VN_ZONE)


# The campaign's calendar as the demo plays it (with a campaign clock): proposals arrive
# in spring, the rounds are planned and notified at the end of May (the survey runs from 1 June),
# each round is evaluated on its last day, the selection is made early in November.
SUBMISSIONS_AT = vn(5, 15, 9)
PLANNING_AT = vn(5, 22, 8, 30)
DECISIONS_AT = vn(11, 6, 9)
REPORTING_AT = vn(11, 13, 9)

# The Department's 2023 survey plan (Kế hoạch khảo sát), as the campaign cites it: the seed
# text of the plan leaves its number and date blank for the clerk (văn thư), so the demo
# numbers it as issued before the survey opens (1 June); its secretaries do not score.
SURVEY_PLAN_NUMBER = "1582/KH-SNV"
SURVEY_PLAN_SIGNED_ON = date(YEAR, 5, 10)


def _default_url(service: str) -> str:
    explicit = os.environ.get(f"CCHC_{service.upper()}_URL")
    if explicit:
        return explicit.rstrip("/")
    port = os.environ.get(f"CCHC_{service.upper()}_HTTP_PORT", str(DEFAULT_PORTS[service]))
    return f"http://127.0.0.1:{port}"


@dataclass
class DemoSettings:
    urls: dict[str, str] = field(default_factory=lambda: {s: _default_url(s) for s in SERVICES})
    amqp_url: str = field(
        default_factory=lambda: os.environ.get(
            "CCHC_AMQP_URL", "amqp://guest:guest@localhost:5672/"
        )
    )
    out: Path | None = None
    initiatives: int = 150  # valid ones, HTTP and inbound together
    inbound: int = 24  # of which through cchc.inbound
    seed: int = 2023
    planner_time_limit: float = 5.0
    wait_timeout: float = 180.0
    concurrency: int = 6
    progress: bool = True
    auth: AuthSettings = field(default_factory=AuthSettings)
    # The campaign clock the services share (CCHC_CAMPAIGN_CLOCK_FILE); None: the system clock.
    clock_file: Path | None = field(default_factory=campaign_clock_file)

    def now(self) -> datetime:
        return now(self.clock_file)

    def set_clock(self, instant: datetime) -> None:
        """Move the services' campaign clock to ``instant`` (nothing without a clock file)."""
        if self.clock_file is not None:
            set_campaign_clock(self.clock_file, instant)


@dataclass
class DemoSummary:
    campaign_year: int = YEAR
    submitted_http: int = 0  # new this run
    submitted_http_existing: int = 0  # already there (409)
    submitted_inbound: int = 0  # valid messages published
    invalid_inbound: int = 0  # invalid messages published
    initiatives: int = 0  # what intake holds for the campaign
    rejected: int = 0  # reporting's count of rejected inbound messages
    rounds: int = 0
    visits: int = 0
    evaluations: int = 0
    recommended: int = 0
    decided: int = 0
    recommended_ids: list[str] = field(default_factory=list)
    recognised: int = 0  # by the Chairman's decision
    adoption_targets: int = 0  # (model, target agency) pairs
    adoption_reports: int = 0  # quarterly reports entered this run
    files: list[str] = field(default_factory=list)
    mail_lines: list[str] = field(default_factory=list)  # what notifications sent (demo.mail)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        return [
            f"Chiến dịch {self.campaign_year} — tóm tắt / summary",
            f"  sáng kiến đã gửi (submitted)      : {self.initiatives} "
            f"(HTTP mới {self.submitted_http}, đã có {self.submitted_http_existing}, "
            f"qua cchc.inbound {self.submitted_inbound})",
            f"  bị từ chối (rejected inbound)     : {self.rejected} "
            f"(gửi không hợp lệ: {self.invalid_inbound})",
            f"  đợt khảo sát (rounds)             : {self.rounds}",
            f"  lượt khảo sát (visits)            : {self.visits}",
            f"  phiếu đánh giá (evaluations)      : {self.evaluations}",
            f"  đã quyết định (decided)           : {self.decided}",
            f"  đề xuất nhân rộng (recommended)   : {self.recommended}",
            f"  được công nhận (recognised)       : {self.recognised} "
            f"(đơn vị phải nhân rộng: {self.adoption_targets})",
            f"  báo cáo nhân rộng (adoption)      : {self.adoption_reports}",
            f"  tệp đã ghi (files written)        : {len(self.files)}",
            *self.mail_lines,
            f"  thời gian (seconds)               : {self.seconds:.1f}",
        ]


class DemoError(RuntimeError):
    pass
