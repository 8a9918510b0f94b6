"""``cchc demo``: plays a realistic 2023 campaign against a running system.

Only the public surfaces are used: the four services' HTTP APIs and the ``cchc.inbound``
exchange (as another city platform would). Steps:

1. about 150 initiatives from city departments, districts and wards of the reference data,
   with Vietnamese titles and summaries generated from templates per PAR area: most through
   intake's HTTP API (the secretariat submitting for the agency), some as InitiativeSubmitted
   events on ``cchc.inbound`` from another platform, and a few invalid inbound messages
   that intake must reject;
2. wait until scheduling's pool has them, ask the planner for rounds, accept and confirm them;
3. every team member records an evaluation of each visit (surveyor tokens bound to members);
4. the secretariat records sector opinions and decides (recommends the best ones);
5. wait until reporting shows it all, and with ``--out DIR`` download the documents.

**Running it twice.** The demo always plays campaign 2023 and tolerates what is already there:
generation is deterministic (seeded), an HTTP submission answered 409 (same title) reuses the
existing initiative, inbound messages carry deterministic ids (intake takes a (source, id)
once), the planner only plans initiatives not yet in a round, and evaluations or decisions
that already exist are skipped. The summary counts what the system holds for 2023.

To take HTTP submissions for 2023 today, the demo (admin) widens the campaign's submission
window to today, then puts the original closing date back.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import httpx

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import INBOUND_EXCHANGE, InboundInitiativeSubmittedV1
from cchc_shared.reference import Agency, AgencyLevel, load_agencies

YEAR = 2023
SERVICES = ("intake", "scheduling", "evaluation", "reporting")
DEFAULT_PORTS = {"intake": 8001, "scheduling": 8002, "evaluation": 8003, "reporting": 8004}
PLATFORM_SOURCE = "https://dichvucong.hochiminhcity.gov.vn/cchc-connector"
DEMO_NAMESPACE = uuid.UUID("5b0d7a7e-2f4c-4a57-9d0e-0c2d3c2c2023")
VN = timedelta(hours=7)

T = TypeVar("T")


# ------------------------------------------------------------------------------------------
# Settings and results


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
    files: list[str] = field(default_factory=list)
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
            f"  tệp đã ghi (files written)        : {len(self.files)}",
            f"  thời gian (seconds)               : {self.seconds:.1f}",
        ]


class DemoError(RuntimeError):
    pass


# ------------------------------------------------------------------------------------------
# Progress bar (plain text, no dependency)


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._label = ""
        self._total = 0
        self._done = 0
        self._last = 0.0

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._done = label, max(total, 1), 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def finish(self, note: str = "") -> None:
        self._done = self._total
        self._draw(force=True, end=f" {note}\n" if note else "\n")

    def note(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"  {text}\n")
            sys.stderr.flush()

    def _draw(self, force: bool = False, end: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not (force or end or (self.tty and now - self._last > 0.1)):
            return
        self._last = now
        width = 30
        filled = int(width * min(self._done, self._total) / self._total)
        bar = "█" * filled + "░" * (width - filled)
        text = f"{self._label:<34} [{bar}] {min(self._done, self._total)}/{self._total}"
        if self.tty:
            sys.stderr.write("\r" + text + end)
        elif end:
            sys.stderr.write(text + end)
        sys.stderr.flush()


# ------------------------------------------------------------------------------------------
# Generated content


TEMPLATES: dict[str, list[tuple[str, str, str]]] = {
    # (title, summary, results) per PAR area; {agency} is the agency's name.
    "institutional": [
        (
            "Rà soát, hệ thống hóa văn bản quy phạm pháp luật theo chuyên đề",
            "{agency} tổ chức rà soát định kỳ văn bản quy phạm pháp luật theo từng chuyên đề, "
            "lập danh mục văn bản hết hiệu lực và đề xuất sửa đổi kịp thời.",
            "Rà soát {n} văn bản, kiến nghị sửa đổi {m} văn bản; thời gian rà soát giảm {p}%.",
        ),
        (
            "Lấy ý kiến người dân về dự thảo văn bản qua mạng xã hội",
            "{agency} đăng tải dự thảo văn bản trên trang Zalo chính thức và tổng hợp ý kiến "
            "góp ý của người dân, doanh nghiệp bằng biểu mẫu trực tuyến.",
            "Tiếp nhận {n} ý kiến góp ý cho {m} dự thảo; tỷ lệ tiếp thu {p}%.",
        ),
        (
            "Tổ tư vấn pháp luật lưu động tại khu phố",
            "{agency} thành lập tổ tư vấn pháp luật lưu động, phổ biến quy định mới và hướng "
            "dẫn người dân thực hiện thủ tục tại khu phố.",
            "Tổ chức {m} buổi tư vấn cho {n} lượt người dân; {p}% người tham gia hài lòng.",
        ),
    ],
    "procedures": [
        (
            "Tiếp nhận và trả kết quả hồ sơ ngoài giờ hành chính",
            "{agency} bố trí bộ phận một cửa tiếp nhận hồ sơ vào sáng thứ Bảy và buổi tối "
            "ngày làm việc để người dân không phải nghỉ làm.",
            "Tiếp nhận {n} hồ sơ ngoài giờ; {p}% hồ sơ được giải quyết trước hạn.",
        ),
        (
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại bộ phận một cửa",
            "{agency} số hóa hồ sơ ngay khi tiếp nhận, tái sử dụng dữ liệu đã số hóa để người "
            "dân không phải nộp lại giấy tờ.",
            "Số hóa {n} hồ sơ; thời gian xử lý trung bình giảm {p}%, giảm {m} lượt đi lại.",
        ),
        (
            "Hẹn giờ giải quyết thủ tục hành chính qua tổng đài và ứng dụng",
            "{agency} cho phép người dân đặt lịch hẹn làm thủ tục qua tổng đài 1022 và ứng "
            "dụng di động, giảm thời gian chờ tại bộ phận một cửa.",
            "Có {n} lượt đặt lịch; thời gian chờ trung bình giảm {p}%.",
        ),
        (
            "Chuyển phát kết quả thủ tục hành chính tận nhà miễn phí",
            "{agency} phối hợp bưu điện chuyển kết quả giải quyết thủ tục hành chính đến tận "
            "nhà cho người cao tuổi, người khuyết tật.",
            "Chuyển phát {n} kết quả; {p}% người nhận đánh giá hài lòng.",
        ),
    ],
    "organisation": [
        (
            "Sắp xếp, tinh gọn đầu mối các phòng chuyên môn",
            "{agency} sắp xếp lại các phòng chuyên môn theo chức năng, giảm đầu mối trung gian "
            "và phân công rõ trách nhiệm người đứng đầu.",
            "Giảm {m} đầu mối; thời gian luân chuyển hồ sơ nội bộ giảm {p}%.",
        ),
        (
            "Phân cấp, ủy quyền giải quyết công việc cho cấp phó",
            "{agency} ban hành quy chế ủy quyền ký, giải quyết công việc cho cấp phó và trưởng "
            "phòng, rút ngắn thời gian trình ký.",
            "Ủy quyền {m} nhóm việc; {n} văn bản được ký sớm hơn, thời gian giảm {p}%.",
        ),
    ],
    "civil_service": [
        (
            "Đánh giá cán bộ, công chức theo kết quả công việc hằng tháng",
            "{agency} đánh giá cán bộ, công chức hằng tháng bằng sản phẩm cụ thể trên phần mềm, "
            "làm căn cứ xếp loại và khen thưởng.",
            "Áp dụng cho {n} cán bộ, công chức; {p}% nhiệm vụ hoàn thành đúng hạn.",
        ),
        (
            "Khảo sát sự hài lòng của người dân đối với công chức một cửa",
            "{agency} đặt thiết bị đánh giá sự hài lòng tại quầy, công khai kết quả từng công "
            "chức và xử lý ngay phản ánh.",
            "Thu {n} lượt đánh giá; tỷ lệ hài lòng đạt {p}%.",
        ),
        (
            "Bồi dưỡng kỹ năng giao tiếp, ứng xử cho công chức tiếp dân",
            "{agency} tổ chức lớp bồi dưỡng kỹ năng giao tiếp, ứng xử và xử lý tình huống cho "
            "công chức làm việc tại bộ phận một cửa.",
            "Bồi dưỡng {m} lớp cho {n} công chức; phản ánh về thái độ giảm {p}%.",
        ),
    ],
    "public_finance": [
        (
            "Thanh toán không dùng tiền mặt phí, lệ phí thủ tục hành chính",
            "{agency} triển khai thanh toán phí, lệ phí bằng mã QR và ví điện tử tại bộ phận "
            "một cửa và trên cổng dịch vụ công.",
            "{n} giao dịch không dùng tiền mặt, chiếm {p}% tổng số giao dịch.",
        ),
        (
            "Công khai, minh bạch dự toán và quyết toán ngân sách trên cổng thông tin",
            "{agency} công khai dự toán, quyết toán ngân sách theo quý trên cổng thông tin điện "
            "tử, kèm biểu đồ dễ hiểu cho người dân.",
            "Công khai {m} báo cáo; {n} lượt truy cập; tiết kiệm chi thường xuyên {p}%.",
        ),
    ],
    "digital_government": [
        (
            "Trợ lý ảo hướng dẫn thủ tục hành chính",
            "{agency} xây dựng trợ lý ảo trên Zalo trả lời câu hỏi về thủ tục hành chính, "
            "hướng dẫn hồ sơ và tra cứu tiến độ giải quyết.",
            "Trả lời {n} câu hỏi; {p}% câu hỏi được trả lời tự động.",
        ),
        (
            "Tổ công nghệ số cộng đồng hỗ trợ người dân nộp hồ sơ trực tuyến",
            "{agency} thành lập tổ công nghệ số cộng đồng hướng dẫn người dân tạo tài khoản "
            "định danh điện tử và nộp hồ sơ trực tuyến toàn trình.",
            "Hỗ trợ {n} người dân; tỷ lệ hồ sơ trực tuyến toàn trình tăng lên {p}%.",
        ),
        (
            "Ứng dụng bản đồ số quản lý hạ tầng và phản ánh hiện trường",
            "{agency} đưa hạ tầng, điểm nóng vào bản đồ số và tiếp nhận phản ánh hiện trường "
            "của người dân kèm hình ảnh, vị trí.",
            "Tiếp nhận {n} phản ánh, xử lý {p}% đúng hạn; cập nhật {m} lớp dữ liệu.",
        ),
    ],
}

LIMITATIONS = [
    "Hạ tầng công nghệ thông tin còn hạn chế; một bộ phận người dân lớn tuổi chưa quen sử dụng.",
    "Nhân lực thực hiện còn kiêm nhiệm; kinh phí duy trì chưa được bố trí ổn định.",
    "Việc kết nối, chia sẻ dữ liệu với các hệ thống của Trung ương chưa đồng bộ.",
    "Phạm vi áp dụng còn hẹp, chưa đánh giá được hiệu quả lâu dài.",
]
STRENGTHS = [
    "Cách làm mới, phù hợp thực tiễn địa phương; người dân phản hồi tích cực.",
    "Quy trình rõ ràng, dễ áp dụng; lãnh đạo đơn vị quan tâm chỉ đạo sát sao.",
    "Tiết kiệm thời gian, chi phí cho người dân và cơ quan; số liệu minh chứng đầy đủ.",
]
DIFFICULTIES = [
    "Kinh phí duy trì và nâng cấp còn phụ thuộc nguồn xã hội hóa.",
    "Thiếu văn bản hướng dẫn thống nhất để nhân rộng sang đơn vị khác.",
    "Đường truyền và thiết bị tại bộ phận một cửa chưa đáp ứng lúc cao điểm.",
]
KINDS = ("model", "solution", "initiative")
SECTOR_DEPARTMENT = {
    "institutional": "STP",
    "procedures": "VPUB",
    "organisation": "SNV",
    "civil_service": "SNV",
    "public_finance": "STC",
    "digital_government": "STTTT",
}


@dataclass(frozen=True)
class Proposal:
    agency: Agency
    kind: str
    par_area: str
    title: str
    summary: str
    results: str
    limitations: str
    applied_since: date
    submitted_at: datetime  # for inbound ones
    quality: float  # the demo's "truth" about the initiative, drives the scores

    def body(self) -> dict[str, Any]:
        return {
            "agency_code": self.agency.code,
            "campaign_year": YEAR,
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "par_area": self.par_area,
            "applied_since": self.applied_since.isoformat(),
            "results": self.results,
            "limitations": self.limitations,
        }


def _pick_agencies(rng: random.Random, count: int) -> list[Agency]:
    agencies = list(load_agencies().values())
    # Members' own agencies are the survey team's: they would be conflicts of interest for
    # most of the roster, so the demo takes no proposals from them.
    roster_agencies = {"SNV", "STP", "VPUB", "STTTT", "STC", "SKHDT"}
    departments = [
        a
        for a in agencies
        if a.level in (AgencyLevel.CITY_DEPARTMENT, AgencyLevel.VERTICAL_AGENCY)
        and a.code not in roster_agencies
    ]
    districts = [a for a in agencies if a.level is AgencyLevel.DISTRICT]
    wards = [a for a in agencies if a.level is AgencyLevel.COMMUNE]
    chosen = (
        rng.sample(departments, min(len(departments), max(1, count * 15 // 100)))
        + rng.sample(districts, min(len(districts), max(1, count * 14 // 100)))
        + rng.sample(wards, min(len(wards), count * 45 // 100))
    )
    # Some agencies propose two.
    picked = list(chosen)
    while len(picked) < count:
        picked.append(rng.choice(chosen))
    rng.shuffle(picked)
    return picked[:count]


def generate(seed: int, count: int) -> list[Proposal]:
    rng = random.Random(seed)
    used: set[tuple[str, str]] = set()
    proposals: list[Proposal] = []
    for agency in _pick_agencies(rng, count):
        areas = list(TEMPLATES)
        rng.shuffle(areas)
        for area in areas:
            options = [t for t in TEMPLATES[area] if (agency.code, t[0]) not in used]
            if options:
                break
        title, summary, results = rng.choice(options)
        used.add((agency.code, title))
        numbers = {"n": rng.randint(120, 9000), "m": rng.randint(3, 40), "p": rng.randint(15, 95)}
        applied = date(rng.choice((2021, 2022)), rng.randint(1, 12), rng.randint(1, 28))
        submitted = datetime(
            YEAR, rng.randint(2, 9), rng.randint(1, 28), rng.randint(1, 9), tzinfo=UTC
        )
        quality = rng.choices(
            (rng.uniform(0.78, 0.93), rng.uniform(0.6, 0.76), rng.uniform(0.4, 0.58)),
            weights=(3, 5, 2),
        )[0]
        proposals.append(
            Proposal(
                agency=agency,
                kind=rng.choice(KINDS),
                par_area=area,
                title=f"{title} tại {agency.name}",
                summary=summary.format(agency=agency.name, **numbers),
                results=results.format(**numbers),
                limitations=rng.choice(LIMITATIONS),
                applied_since=applied,
                submitted_at=submitted,
                quality=quality,
            )
        )
    return proposals


def _inbound_id(seed: int, index: int) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{seed}:inbound:{index}"))


def invalid_messages(seed: int, agency: Agency) -> list[tuple[str, bytes]]:
    """(message id, body) of inbound messages intake must reject, each for another reason."""
    base = InboundInitiativeSubmittedV1(
        campaign_year=YEAR,
        agency_code=agency.code,
        kind="solution",
        title="Sáng kiến gửi thiếu thông tin",
        summary="Tóm tắt",
        par_area="procedures",
        applied_since=date(2022, 5, 1),
        results="Kết quả",
        limitations="",
        submitted_at=datetime(YEAR, 5, 1, 2, tzinfo=UTC),
    )
    good = json.loads(encode_event(base, source=PLATFORM_SOURCE).body)
    out: list[tuple[str, bytes]] = []
    # 1. not JSON at all
    out.append((_inbound_id(seed, 9001), b"{ day khong phai JSON"))
    # 2. unknown agency and a PAR area outside the list
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9002)
    bad["data"]["agency_code"] = "99999"
    bad["data"]["par_area"] = "sports"
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    # 3. required fields missing
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9003)
    del bad["data"]["title"], bad["data"]["results"]
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    # 4. submitted outside every campaign window (2022)
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9004)
    bad["data"]["title"] = "Sáng kiến gửi ngoài thời hạn tiếp nhận"
    bad["data"]["submitted_at"] = "2022-03-01T02:00:00Z"
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    return out


# ------------------------------------------------------------------------------------------
# HTTP helpers


class Api:
    def __init__(self, settings: DemoSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self._tokens: dict[tuple[str, str | None, str | None], str] = {}

    def token(self, role: str, agency: str | None = None, member: str | None = None) -> str:
        key = (role, agency, member)
        if key not in self._tokens:
            self._tokens[key] = issue_token(self.settings.auth, role, agency=agency, member=member)
        return self._tokens[key]

    async def call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        role: str = "secretariat",
        member: str | None = None,
        ok: Iterable[int] = (200, 201),
        **kwargs: Any,
    ) -> httpx.Response:
        url = self.settings.urls[service] + path
        headers = {"Authorization": f"Bearer {self.token(role, member=member)}"}
        for attempt in range(5):
            try:
                response = await self.client.request(method, url, headers=headers, **kwargs)
            except httpx.TransportError as exc:
                if attempt == 4:
                    raise DemoError(f"{method} {url}: {exc!r}") from exc
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code >= 500 and attempt < 4:
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            if response.status_code not in ok:
                raise DemoError(
                    f"{method} {path} on {service}: {response.status_code} {response.text[:800]}"
                )
            return response
        raise AssertionError("unreachable")

    async def get(self, service: str, path: str, **kwargs: Any) -> Any:
        return (await self.call("GET", service, path, **kwargs)).json()


async def _gather(limit: int, jobs: Iterable[Callable[[], Awaitable[T]]]) -> list[T]:
    semaphore = asyncio.Semaphore(limit)

    async def one(job: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await job()

    return await asyncio.gather(*(one(j) for j in jobs))


async def _until(
    what: str, check: Callable[[], Awaitable[bool]], timeout: float, interval: float = 0.5
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if await check():
            return
        if time.monotonic() > deadline:
            raise DemoError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


# ------------------------------------------------------------------------------------------
# The steps


async def wait_ready(api: Api, timeout: float) -> None:
    async def ready() -> bool:
        for service in SERVICES:
            try:
                response = await api.client.get(api.settings.urls[service] + "/health/ready")
            except httpx.TransportError:
                return False
            if response.status_code != 200:
                return False
        return True

    await _until("the four services to be ready", ready, timeout)


def _vn_today() -> date:
    return (datetime.now(UTC) + VN).date()


async def submit_http(
    api: Api, proposals: list[Proposal], summary: DemoSummary, progress: Progress
) -> None:
    campaign = await api.get("intake", f"/api/v1/campaigns/{YEAR}")
    original_close = campaign["submission_closes_on"]
    reopened = False
    if not campaign["accepting_submissions"]:
        await api.call(
            "PATCH",
            "intake",
            f"/api/v1/campaigns/{YEAR}",
            role="admin",
            json={"submission_closes_on": _vn_today().isoformat()},
        )
        reopened = True
    progress.start("Gửi sáng kiến qua HTTP", len(proposals))
    try:

        async def submit(proposal: Proposal) -> None:
            response = await api.call(
                "POST",
                "intake",
                "/api/v1/initiatives",
                json=proposal.body(),
                ok=(201, 409),
            )
            if response.status_code == 201:
                summary.submitted_http += 1
            else:
                summary.submitted_http_existing += 1
            progress.advance()

        await _gather(api.settings.concurrency, (partial(submit, p) for p in proposals))
    finally:
        if reopened:
            await api.call(
                "PATCH",
                "intake",
                f"/api/v1/campaigns/{YEAR}",
                role="admin",
                json={"submission_closes_on": original_close},
            )
    progress.finish()


async def publish_inbound(
    settings: DemoSettings, proposals: list[Proposal], summary: DemoSummary, progress: Progress
) -> None:
    messages: list[tuple[str, bytes]] = []
    for index, p in enumerate(proposals):
        data = InboundInitiativeSubmittedV1(
            campaign_year=YEAR,
            agency_code=p.agency.code,
            kind=p.kind,
            title=p.title,
            summary=p.summary,
            par_area=p.par_area,
            applied_since=p.applied_since,
            results=p.results,
            limitations=p.limitations,
            submitted_at=p.submitted_at,
        )
        encoded = encode_event(
            data, source=PLATFORM_SOURCE, event_id=_inbound_id(settings.seed, index)
        )
        messages.append((encoded.event_id, encoded.body))
    invalid = invalid_messages(
        settings.seed, proposals[0].agency if proposals else next(iter(load_agencies().values()))
    )
    progress.start("Gửi qua cchc.inbound (nền tảng khác)", len(messages) + len(invalid))
    connection = await aio_pika.connect_robust(settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            INBOUND_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        for message_id, body in [*messages, *invalid]:
            await exchange.publish(
                aio_pika.Message(
                    body,
                    message_id=message_id,
                    content_type="application/cloudevents+json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    app_id="cchc-demo",
                ),
                routing_key="initiative.submitted.v1",
            )
            progress.advance()
    finally:
        await connection.close()
    summary.submitted_inbound = len(messages)
    summary.invalid_inbound = len(invalid)
    progress.finish()


async def intake_ids(api: Api) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        found = await api.get(
            "intake",
            "/api/v1/initiatives",
            params={"campaign_year": YEAR, "status": "submitted", "page": page, "page_size": 100},
        )
        ids.update(item["initiative_id"] for item in found["items"])
        if page * found["page_size"] >= found["total"]:
            return ids
        page += 1


async def wait_for_pool(
    api: Api, expected_titles: set[str], progress: Progress, timeout: float
) -> set[str]:
    """Wait until intake holds every expected initiative and scheduling's pool has them all."""
    progress.start("Chờ phân hệ lịch nhận sáng kiến", len(expected_titles))
    state: dict[str, Any] = {"ids": set()}

    async def complete() -> bool:
        pool = await api.get(
            "scheduling", "/api/v1/pool", params={"campaign_year": YEAR, "status": "in_pool"}
        )
        titles = {item["title"] for item in pool}
        have = len(expected_titles & titles)
        progress.advance(have - progress._done)
        if have < len(expected_titles):
            return False
        ids = await intake_ids(api)
        pool_ids = {item["initiative_id"] for item in pool}
        state["ids"] = ids
        return ids <= pool_ids

    await _until("scheduling's pool to hold every initiative", complete, timeout)
    progress.finish()
    ids: set[str] = state["ids"]
    return ids


async def plan_rounds(api: Api, progress: Progress) -> list[dict[str, Any]]:
    """Plan what is not yet in a round, accept, confirm; return every confirmed 2023 round."""
    existing = await api.get("scheduling", "/api/v1/rounds", params={"campaign_year": YEAR})
    scheduled = {
        v["initiative_id"] for r in existing if r["status"] != "cancelled" for v in r["visits"]
    }
    pool = await api.get(
        "scheduling", "/api/v1/pool", params={"campaign_year": YEAR, "status": "in_pool"}
    )
    if {i["initiative_id"] for i in pool} <= scheduled:
        progress.note("every initiative of the pool is already in a round: nothing to plan")
        proposal: dict[str, Any] = {"rounds": []}
    else:
        proposal = await _propose(api, progress)
    drafts: list[dict[str, Any]] = [r for r in existing if r["status"] == "draft"]
    if proposal["rounds"]:
        accepted = await api.call(
            "POST", "scheduling", f"/api/v1/plans/{proposal['proposal_id']}/accept", timeout=120
        )
        drafts += accepted.json()
    progress.start("Xác nhận đợt khảo sát", len(drafts))
    for draft in drafts:
        await api.call("POST", "scheduling", f"/api/v1/rounds/{draft['round_id']}/confirm")
        progress.advance()
    progress.finish()
    rounds = await api.get("scheduling", "/api/v1/rounds", params={"campaign_year": YEAR})
    return [r for r in rounds if r["status"] in ("confirmed", "rescheduled")]


async def _propose(api: Api, progress: Progress) -> dict[str, Any]:
    progress.start("Lập kế hoạch khảo sát (CP-SAT)", 1)
    # On a busy machine the solver may find nothing within the limit (422, "allow more
    # time"): asked again with twice the time, as the answer suggests, twice at most.
    for attempt in range(3):
        limit = api.settings.planner_time_limit * 2**attempt
        plan = await api.call(
            "POST",
            "scheduling",
            "/api/v1/plans",
            ok=(200, 201) if attempt == 2 else (200, 201, 422),
            json={"campaign_year": YEAR, "seed": api.settings.seed, "time_limit_seconds": limit},
            timeout=max(120.0, limit * 4 + 30),
        )
        if plan.status_code != 422:
            break
    proposal: dict[str, Any] = plan.json()
    progress.finish(f"{len(proposal['rounds'])} đợt đề xuất")
    return proposal


def _scores(rubric: dict[str, Any], fraction: float, rng: random.Random) -> list[dict[str, Any]]:
    step = float(rubric.get("step", 0.5))
    scores = []
    for criterion in rubric["criteria"]:
        maximum = float(criterion["max_score"])
        f = min(1.0, max(0.0, fraction + rng.uniform(-0.06, 0.06)))
        value = round(f * maximum / step) * step
        bands = criterion["bands"]
        if not any(b["min_score"] <= value <= b["max_score"] for b in bands):
            edges = [b["min_score"] for b in bands] + [b["max_score"] for b in bands]
            value = min(edges, key=lambda e: abs(e - value))
        scores.append({"criterion": criterion["code"], "score": value})
    return scores


async def evaluate(
    api: Api,
    rounds: list[dict[str, Any]],
    quality: dict[str, float],
    progress: Progress,
    timeout: float,
) -> int:
    """Each member of each round's team evaluates each visit; returns how many were new."""
    rubric = await api.get("evaluation", f"/api/v1/rubrics/{YEAR}")
    roles = ("head", "member", "secretary")
    jobs: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
        (round_, visit, seat)
        for round_ in rounds
        for visit in round_["visits"]
        for seat in round_["team"]
        if seat["role"] in roles
    ]

    async def known(round_id: str) -> bool:
        response = await api.call("GET", "evaluation", f"/api/v1/rounds/{round_id}", ok=(200, 404))
        return response.status_code == 200 and len(response.json()["visits"]) > 0

    progress.start("Chờ phân hệ đánh giá nhận đợt", len(rounds))
    for round_ in rounds:
        await _until(
            f"evaluation to know round {round_['round_id']}",
            partial(known, round_["round_id"]),
            timeout,
        )
        progress.advance()
    progress.finish()

    progress.start("Ghi phiếu đánh giá", len(jobs))
    created = 0

    async def one(round_: dict[str, Any], visit: dict[str, Any], seat: dict[str, Any]) -> None:
        nonlocal created
        rng = random.Random(f"{visit['visit_id']}:{seat['member_id']}")
        q = quality.get(visit["initiative_id"], rng.uniform(0.5, 0.85))
        scores = _scores(rubric, q + rng.uniform(-0.05, 0.05), rng)
        total = sum(s["score"] for s in scores)
        recommendation = (
            "replicate" if total >= 72 else "improve" if total >= 55 else "not_recommended"
        )
        response = await api.call(
            "POST",
            "evaluation",
            "/api/v1/evaluations",
            role="surveyor",
            member=seat["member_id"],
            ok=(201, 409),
            json={
                "visit_id": visit["visit_id"],
                "initiative_id": visit["initiative_id"],
                "round_id": round_["round_id"],
                "scores": scores,
                "strengths": rng.choice(STRENGTHS),
                "limitations": rng.choice(LIMITATIONS),
                "difficulties": rng.choice(DIFFICULTIES),
                "recommendation": recommendation,
            },
        )
        if response.status_code == 201:
            created += 1
        progress.advance()

    await _gather(api.settings.concurrency, (partial(one, *j) for j in jobs))
    progress.finish()
    return created


def _scope(agency_code: str) -> str:
    agency = load_agencies().get(agency_code)
    if agency is None or agency.is_city_level:
        return "city_wide" if agency_code not in SECTOR_DEPARTMENT.values() else "sector"
    return "district_level" if agency.is_district_level else "commune_level"


async def decide(api: Api, progress: Progress) -> dict[str, Any]:
    ranking = await api.get("evaluation", f"/api/v1/campaigns/{YEAR}/ranking")
    threshold = float(ranking["threshold"])
    items = [
        i for i in ranking["items"] if i["decision"] is None and i["aggregate"]["quorum_reached"]
    ]
    progress.start("Quyết định lựa chọn, đề xuất", len(items))

    async def one(item: dict[str, Any]) -> None:
        initiative_id = item["initiative_id"]
        info = item["initiative"] or {}
        score = item["aggregate"]["final_score"] or 0.0
        if score >= threshold:
            area = info.get("par_area") or "procedures"
            await api.call(
                "PUT",
                "evaluation",
                f"/api/v1/initiatives/{initiative_id}/sector-opinion",
                json={
                    "agency_code": SECTOR_DEPARTMENT.get(area, "SNV"),
                    "stance": "supports",
                    "opinion": "Thống nhất đề xuất công nhận và nhân rộng; mô hình phù hợp "
                    "quy định và có khả năng áp dụng tại các đơn vị khác.",
                },
            )
            body: dict[str, Any] = {
                "decision": "replicate",
                "scope": _scope(info.get("agency_code", "")),
                "rationale": f"Điểm bình quân {score:.2f}, đạt ngưỡng {threshold:g} điểm; "
                "hiệu quả rõ, người dân hài lòng, có khả năng nhân rộng.",
            }
        else:
            body = {
                "decision": "improve" if score >= 55 else "not_recommended",
                "rationale": f"Điểm bình quân {score:.2f}, chưa đạt ngưỡng {threshold:g} điểm.",
            }
        await api.call(
            "POST",
            "evaluation",
            f"/api/v1/initiatives/{initiative_id}/decision",
            json=body,
            ok=(201, 409),
        )
        progress.advance()

    await _gather(api.settings.concurrency, (partial(one, i) for i in items))
    progress.finish()
    ranking_after: dict[str, Any] = await api.get("evaluation", f"/api/v1/campaigns/{YEAR}/ranking")
    return ranking_after


async def wait_for_reporting(
    api: Api, expected: dict[str, int], progress: Progress, timeout: float
) -> dict[str, Any]:
    progress.start("Chờ phân hệ báo cáo cập nhật", 1)
    state: dict[str, Any] = {}

    async def caught_up() -> bool:
        response = await api.call(
            "GET", "reporting", f"/api/v1/campaigns/{YEAR}/dashboard", ok=(200, 404)
        )
        if response.status_code != 200:
            return False
        state["dashboard"] = dashboard = response.json()
        return all(dashboard.get(k) == v for k, v in expected.items())

    try:
        await _until("reporting's dashboard to agree", caught_up, timeout, interval=1.0)
    except DemoError as exc:
        got = {k: state.get("dashboard", {}).get(k) for k in expected}
        raise DemoError(f"{exc}: expected {expected}, reporting shows {got}") from exc
    progress.finish()
    dashboard: dict[str, Any] = state["dashboard"]
    return dashboard


async def download(
    api: Api, out: Path, rounds: list[dict[str, Any]], summary: DemoSummary, progress: Progress
) -> None:
    targets: list[tuple[str, str, Path]] = []
    for kind in ("survey-report", "proposal", "par-index-annex"):
        for fmt in ("docx", "pdf"):
            targets.append(
                (
                    "reporting",
                    f"/api/v1/campaigns/{YEAR}/documents/{kind}.{fmt}",
                    out / f"{YEAR}-{kind}.{fmt}",
                )
            )
    notices = out / "notices"
    for round_ in sorted(rounds, key=lambda r: r["sequence"] or 0):
        n = round_["sequence"]
        rid = round_["round_id"]
        targets.append(
            (
                "reporting",
                f"/api/v1/campaigns/{YEAR}/rounds/{rid}/documents/survey-report.pdf",
                out / "rounds" / f"{YEAR}-dot-{n:02d}-survey-report.pdf",
            )
        )
        head = next((s for s in round_["team"] if s["role"] == "head"), round_["team"][0])
        agency = round_["visits"][0]["agency_code"]
        for fmt in ("docx", "pdf"):
            targets.append(
                (
                    "scheduling",
                    f"/api/v1/rounds/{rid}/notices/members/{head['member_id']}.{fmt}",
                    notices / f"dot-{n:02d}-giay-moi-{head['member_id']}.{fmt}",
                )
            )
            targets.append(
                (
                    "scheduling",
                    f"/api/v1/rounds/{rid}/notices/agencies/{agency}.{fmt}",
                    notices / f"dot-{n:02d}-thong-bao-{agency}.{fmt}",
                )
            )
    progress.start("Tải văn bản", len(targets))

    async def fetch(service: str, path: str, target: Path) -> None:
        response = await api.call("GET", service, path, timeout=180)
        await asyncio.to_thread(_write, target, response.content)
        summary.files.append(str(target))
        progress.advance()

    await _gather(2, (partial(fetch, *t) for t in targets))
    progress.finish()


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)


async def run_demo(settings: DemoSettings) -> DemoSummary:
    started = time.monotonic()
    progress = Progress(settings.progress)
    summary = DemoSummary()
    proposals = generate(settings.seed, settings.initiatives)
    inbound = proposals[: settings.inbound]
    http = proposals[settings.inbound :]
    quality_by_title = {p.title: p.quality for p in proposals}
    async with httpx.AsyncClient(timeout=60) as client:
        api = Api(settings, client)
        await wait_ready(api, settings.wait_timeout)
        await submit_http(api, http, summary, progress)
        await publish_inbound(settings, inbound, summary, progress)
        await wait_for_pool(api, set(quality_by_title), progress, settings.wait_timeout)
        pool = await api.get("scheduling", "/api/v1/pool", params={"campaign_year": YEAR})
        quality = {
            item["initiative_id"]: quality_by_title[item["title"]]
            for item in pool
            if item["title"] in quality_by_title
        }
        rounds = await plan_rounds(api, progress)
        summary.rounds = len(rounds)
        summary.visits = sum(len(r["visits"]) for r in rounds)
        await evaluate(api, rounds, quality, progress, settings.wait_timeout)
        ranking = await decide(api, progress)
        summary.initiatives = len(await intake_ids(api))
        summary.evaluations = sum(i["aggregate"]["count"] for i in ranking["items"])
        decided = [i for i in ranking["items"] if i["decision"] is not None]
        summary.decided = len(decided)
        summary.recommended_ids = sorted(
            i["initiative_id"] for i in decided if i["decision"]["decision"] == "replicate"
        )
        summary.recommended = len(summary.recommended_ids)
        await wait_for_reporting(
            api,
            {
                "initiatives_active": summary.initiatives,
                "rounds_confirmed": summary.rounds,
                "visits_planned": summary.visits,
                "evaluations": summary.evaluations,
                "recommended": summary.recommended,
            },
            progress,
            settings.wait_timeout,
        )
        # Reporting counts a rejected inbound message in the campaign it named, or, when it
        # named none (not JSON), in the year it arrived, and serves only years with campaign
        # data: best effort, a short wait, and the summary says what reporting shows.
        try:
            await _until(
                "reporting to count the rejected inbound messages",
                lambda: _rejected_at_least(api, summary),
                min(20.0, settings.wait_timeout),
            )
        except DemoError:
            progress.note(
                f"reporting shows {summary.rejected} rejected inbound message(s) "
                f"of the {summary.invalid_inbound} invalid ones sent"
            )
        if settings.out is not None:
            await download(api, settings.out, rounds, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


async def _rejected_at_least(api: Api, summary: DemoSummary) -> bool:
    for year in sorted({YEAR, datetime.now(UTC).year}):
        response = await api.call(
            "GET", "reporting", f"/api/v1/campaigns/{year}/dashboard", ok=(200, 404)
        )
        if response.status_code == 200:
            summary.rejected = max(summary.rejected, int(response.json()["inbound_rejected"]))
    return summary.rejected >= summary.invalid_inbound


def main(out: str | None = None, seed: int = 2023, count: int = 150, inbound: int = 24) -> int:
    settings = DemoSettings(
        out=Path(out) if out else None, seed=seed, initiatives=count, inbound=inbound
    )
    try:
        summary = asyncio.run(run_demo(settings))
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    if summary.files:
        print(f"  văn bản trong {settings.out}")
    return 0
