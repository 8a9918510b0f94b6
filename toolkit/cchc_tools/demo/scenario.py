"""The campaign scenario: generated proposals, their texts, and invalid inbound messages."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import InboundInitiativeSubmittedV1
from cchc_shared.reference import Agency, AgencyLevel, load_agencies
from cchc_tools.demo.settings import DEMO_NAMESPACE, PLATFORM_SOURCE, YEAR

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
        # Before the demo's submissions by HTTP (mid-May): received in March to early May.
        submitted = datetime(
            YEAR, rng.randint(3, 5), rng.randint(1, 12), rng.randint(1, 9), tzinfo=UTC
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
