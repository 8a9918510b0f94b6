"""The demo's Vietnamese texts: initiatives per PAR area (for the tiers that could run them, with
figures in proportion to the agency's size), and what surveyors write on their sheets.

A template is (title, summary, results, tiers): ``tiers`` are the agency levels that could
carry it ("city" for departments and vertical agencies, "district", "commune"), so a ward
never reorganises "phòng chuyên môn"; some serve businesses and say so. The results use
named figures (``{cases}``, ``{people}``, ``{staff}``, ``{units}``, ``{few}``, ``{pct}``,
``{cut}``) drawn for the agency's tier; ``{pct}`` (a share of satisfied or on-time) follows
the initiative's quality, so its figures never contradict its scores.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Final

CITY, DISTRICT, COMMUNE = "city", "district", "commune"
ALL_TIERS: Final = (CITY, DISTRICT, COMMUNE)
LOCAL: Final = (DISTRICT, COMMUNE)


@dataclass(frozen=True)
class Template:
    title: str
    summary: str
    results: str
    tiers: tuple[str, ...] = ALL_TIERS


TEMPLATES: Final[dict[str, list[Template]]] = {
    "institutional": [
        Template(
            "Rà soát, hệ thống hóa văn bản quy phạm pháp luật theo chuyên đề",
            "{agency} tổ chức rà soát định kỳ văn bản quy phạm pháp luật theo từng chuyên đề, "
            "lập danh mục văn bản hết hiệu lực và đề xuất sửa đổi kịp thời.",
            "Rà soát {units} văn bản, kiến nghị sửa đổi {few} văn bản; thời gian rà soát giảm "
            "{cut}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Lấy ý kiến doanh nghiệp về dự thảo văn bản qua nền tảng trực tuyến",
            "{agency} đăng tải dự thảo văn bản liên quan đến hoạt động sản xuất, kinh doanh trên "
            "cổng thông tin và tổng hợp ý kiến của doanh nghiệp, hiệp hội bằng biểu mẫu trực "
            "tuyến.",
            "Tiếp nhận {people} ý kiến của doanh nghiệp, hiệp hội cho {few} dự thảo; tỷ lệ ý "
            "kiến được tiếp thu, giải trình đạt {pct}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Tổ tư vấn pháp luật lưu động ở khu phố",
            "{agency} thành lập tổ tư vấn pháp luật lưu động, phổ biến quy định mới và hướng "
            "dẫn người dân thực hiện thủ tục tại khu phố.",
            "Tổ chức {few} buổi tư vấn cho {people} lượt người dân; {pct}% người tham gia hài "
            "lòng.",
            LOCAL,
        ),
    ],
    "procedures": [
        Template(
            "Tiếp nhận và trả kết quả hồ sơ ngoài giờ hành chính",
            "{agency} bố trí bộ phận một cửa tiếp nhận hồ sơ vào sáng thứ Bảy và buổi tối "
            "ngày làm việc để người dân không phải nghỉ làm.",
            "Tiếp nhận {cases} hồ sơ ngoài giờ; {pct}% hồ sơ được giải quyết đúng và trước hạn.",
        ),
        Template(
            "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính ở bộ phận một cửa",
            "{agency} số hóa hồ sơ ngay khi tiếp nhận, tái sử dụng dữ liệu đã số hóa để người "
            "dân không phải nộp lại giấy tờ.",
            "Số hóa {cases} hồ sơ; thời gian xử lý trung bình giảm {cut}%, {pct}% hồ sơ đúng hạn.",
        ),
        Template(
            "Hẹn giờ giải quyết thủ tục hành chính qua tổng đài và ứng dụng",
            "{agency} cho phép người dân đặt lịch hẹn làm thủ tục qua tổng đài 1022 và ứng "
            "dụng di động, giảm thời gian chờ tại bộ phận một cửa.",
            "Có {cases} lượt đặt lịch; thời gian chờ trung bình giảm {cut}%; {pct}% người dân "
            "được khảo sát hài lòng.",
        ),
        Template(
            "Chuyển phát kết quả thủ tục hành chính tận nhà miễn phí",
            "{agency} phối hợp bưu điện chuyển kết quả giải quyết thủ tục hành chính đến tận "
            "nhà cho người cao tuổi, người khuyết tật.",
            "Chuyển phát {cases} kết quả; {pct}% người nhận đánh giá hài lòng.",
            LOCAL,
        ),
        Template(
            "Một cửa liên thông hồ sơ đầu tư, xây dựng cho doanh nghiệp",
            "{agency} lập tổ công tác liên ngành tiếp nhận một lần hồ sơ đầu tư, cấp phép xây "
            "dựng của doanh nghiệp, có cán bộ đầu mối theo dõi đến khi trả kết quả.",
            "Giải quyết {cases} hồ sơ của doanh nghiệp, {pct}% đúng hạn; thời gian cấp phép "
            "giảm {cut}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Hỗ trợ hộ kinh doanh đăng ký và cấp đổi giấy chứng nhận tại chỗ",
            "{agency} cử công chức hướng dẫn hộ kinh doanh trên địa bàn đăng ký, cấp đổi giấy "
            "chứng nhận và nộp hồ sơ trực tuyến ngay tại cơ sở kinh doanh.",
            "Hỗ trợ {people} hộ kinh doanh; {pct}% hộ được hỗ trợ hài lòng; thời gian đi lại "
            "giảm {cut}%.",
            LOCAL,
        ),
    ],
    "organisation": [
        Template(
            "Sắp xếp, tinh gọn đầu mối các phòng chuyên môn",
            "{agency} sắp xếp lại các phòng chuyên môn theo chức năng, giảm đầu mối trung gian "
            "và phân công rõ trách nhiệm người đứng đầu.",
            "Giảm {few} đầu mối; thời gian luân chuyển hồ sơ nội bộ giảm {cut}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Phân cấp, ủy quyền giải quyết công việc cho cấp phó",
            "{agency} ban hành quy chế ủy quyền ký, giải quyết công việc cho cấp phó và trưởng "
            "phòng, rút ngắn thời gian trình ký.",
            "Ủy quyền {few} nhóm việc; {cases} văn bản được ký sớm hơn, thời gian giảm {cut}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Bố trí công chức kiêm nhiệm theo vị trí việc làm ở bộ phận một cửa",
            "{agency} rà soát vị trí việc làm, bố trí công chức kiêm nhiệm luân phiên tại bộ "
            "phận một cửa vào giờ cao điểm, không tăng biên chế.",
            "Bố trí {staff} công chức luân phiên; thời gian chờ giảm {cut}%; {pct}% hồ sơ đúng "
            "hạn.",
            (COMMUNE,),
        ),
    ],
    "civil_service": [
        Template(
            "Đánh giá cán bộ, công chức theo kết quả công việc hằng tháng",
            "{agency} đánh giá cán bộ, công chức hằng tháng bằng sản phẩm cụ thể trên phần mềm, "
            "làm căn cứ xếp loại và khen thưởng.",
            "Áp dụng cho {staff} cán bộ, công chức; {pct}% nhiệm vụ hoàn thành đúng hạn.",
        ),
        Template(
            "Khảo sát sự hài lòng của người dân, doanh nghiệp đối với công chức một cửa",
            "{agency} đặt thiết bị đánh giá sự hài lòng tại quầy, công khai kết quả từng công "
            "chức và xử lý ngay phản ánh của người dân, doanh nghiệp.",
            "Thu {people} lượt đánh giá; tỷ lệ hài lòng đạt {pct}%.",
            ALL_TIERS,
        ),
        Template(
            "Bồi dưỡng kỹ năng giao tiếp, ứng xử cho công chức tiếp dân",
            "{agency} tổ chức lớp bồi dưỡng kỹ năng giao tiếp, ứng xử và xử lý tình huống cho "
            "công chức làm việc tại bộ phận một cửa.",
            "Bồi dưỡng {few} lớp cho {staff} công chức; phản ánh về thái độ giảm {cut}%.",
        ),
    ],
    "public_finance": [
        Template(
            "Thanh toán không dùng tiền mặt phí, lệ phí thủ tục hành chính",
            "{agency} triển khai thanh toán phí, lệ phí bằng mã QR và ví điện tử tại bộ phận "
            "một cửa và trên cổng dịch vụ công.",
            "{cases} giao dịch không dùng tiền mặt, chiếm {pct}% tổng số giao dịch.",
            ALL_TIERS,
        ),
        Template(
            "Công khai, minh bạch dự toán và quyết toán ngân sách trên cổng thông tin",
            "{agency} công khai dự toán, quyết toán ngân sách theo quý trên cổng thông tin điện "
            "tử, kèm biểu đồ dễ hiểu cho người dân.",
            "Công khai {few} báo cáo; {people} lượt truy cập; tiết kiệm chi thường xuyên {cut}%.",
            (CITY, DISTRICT),
        ),
        Template(
            "Hoàn thuế, thanh toán vốn cho doanh nghiệp bằng hồ sơ điện tử",
            "{agency} tiếp nhận và xử lý hồ sơ hoàn thuế, thanh toán vốn của doanh nghiệp hoàn "
            "toàn bằng chứng từ điện tử, thông báo tiến độ qua thư điện tử.",
            "Xử lý {cases} hồ sơ điện tử của doanh nghiệp; {pct}% đúng hạn; thời gian xử lý "
            "giảm {cut}%.",
            (CITY,),
        ),
    ],
    "digital_government": [
        Template(
            "Trợ lý ảo hướng dẫn thủ tục hành chính",
            "{agency} xây dựng trợ lý ảo trên Zalo trả lời câu hỏi về thủ tục hành chính, "
            "hướng dẫn hồ sơ và tra cứu tiến độ giải quyết.",
            "Trả lời {people} câu hỏi; {pct}% câu hỏi được trả lời tự động, chính xác.",
            (CITY, DISTRICT),
        ),
        Template(
            "Tổ công nghệ số cộng đồng hỗ trợ người dân nộp hồ sơ trực tuyến",
            "{agency} thành lập tổ công nghệ số cộng đồng hướng dẫn người dân tạo tài khoản "
            "định danh điện tử và nộp hồ sơ trực tuyến toàn trình.",
            "Hỗ trợ {people} người dân; tỷ lệ hồ sơ trực tuyến toàn trình đạt {pct}%.",
            LOCAL,
        ),
        Template(
            "Ứng dụng bản đồ số quản lý hạ tầng và phản ánh hiện trường",
            "{agency} đưa hạ tầng, điểm nóng vào bản đồ số và tiếp nhận phản ánh hiện trường "
            "của người dân kèm hình ảnh, vị trí.",
            "Tiếp nhận {cases} phản ánh, xử lý {pct}% đúng hạn; cập nhật {few} lớp dữ liệu.",
            LOCAL,
        ),
        Template(
            "Cổng tiếp nhận, trả lời kiến nghị của doanh nghiệp trực tuyến",
            "{agency} vận hành chuyên mục tiếp nhận kiến nghị của doanh nghiệp trên cổng thông "
            "tin, phân công trả lời trong 5 ngày làm việc và công khai kết quả.",
            "Tiếp nhận {cases} kiến nghị của doanh nghiệp; {pct}% được trả lời đúng hạn; "
            "{pct2}% doanh nghiệp hài lòng với câu trả lời.",
            (CITY, DISTRICT),
        ),
    ],
}

# The figures an agency of each tier could plausibly report in a year: files handled,
# people reached, its own officials (a ward has some twenty), small counts.
_RANGES: Final[dict[str, dict[str, tuple[int, int]]]] = {
    CITY: {"cases": (1_200, 48_000), "people": (600, 25_000), "staff": (120, 900)},
    DISTRICT: {"cases": (800, 22_000), "people": (400, 12_000), "staff": (180, 650)},
    COMMUNE: {"cases": (120, 3_600), "people": (80, 2_400), "staff": (14, 28)},
}


def figures(rng: random.Random, tier: str, quality: float) -> dict[str, str]:
    """The named figures of a results text, Vietnamese style ("6.640")."""
    ranges = _RANGES[tier]

    def count(name: str) -> str:
        low, high = ranges[name]
        return f"{rng.randint(low, high):,}".replace(",", ".")

    def share(spread: float) -> str:
        return str(max(18, min(99, round(quality * 100 + rng.uniform(-spread, spread)))))

    return {
        "cases": count("cases"),
        "people": count("people"),
        "staff": count("staff"),
        "units": str(rng.randint(40, 260)),
        "few": str(rng.randint(3, 24)),
        "pct": share(5),
        "pct2": share(7),
        "cut": str(max(5, min(70, round(quality * 55 + rng.uniform(-8, 8))))),
    }


# What surveyors write on their sheets. Each remark has the initiative's area in view; the
# openings vary by how good the initiative is, so a weak one is never praised as a strong one.
STRENGTHS: Final[dict[str, list[str]]] = {
    "institutional": [
        "Quy trình rà soát, lấy ý kiến được ban hành bằng văn bản, phân công rõ người chịu "
        "trách nhiệm",
        "Ý kiến góp ý được tổng hợp, giải trình công khai, có sổ theo dõi",
        "Nội dung tư vấn bám sát vướng mắc thực tế của người dân, doanh nghiệp",
        "Kết quả rà soát được cập nhật lên cơ sở dữ liệu văn bản, tra cứu thuận tiện",
        "Có sự phối hợp chặt chẽ với bộ phận pháp chế và các hội, hiệp hội",
    ],
    "procedures": [
        "Rút ngắn rõ thời gian chờ và số lần đi lại của người dân",
        "Số liệu giải quyết hồ sơ được trích xuất từ hệ thống, có thể kiểm chứng",
        "Công chức một cửa nắm vững quy trình, hướng dẫn tận tình",
        "Hồ sơ được theo dõi đến khi trả kết quả, không để tồn đọng",
        "Niêm yết công khai quy trình, thời hạn giải quyết tại nơi tiếp nhận",
        "Người cao tuổi, người khuyết tật được ưu tiên, hỗ trợ tận nơi",
    ],
    "organisation": [
        "Phân công trách nhiệm rõ ràng, giảm khâu trung gian",
        "Không tăng biên chế mà vẫn bảo đảm tiến độ xử lý công việc",
        "Quy chế phối hợp nội bộ được ban hành và thực hiện nghiêm",
        "Người đứng đầu trực tiếp chỉ đạo, kiểm tra định kỳ",
    ],
    "civil_service": [
        "Kết quả đánh giá công chức gắn với sản phẩm cụ thể, công khai hằng tháng",
        "Phản ánh của người dân được xử lý ngay, có phản hồi",
        "Tinh thần, thái độ phục vụ của công chức chuyển biến rõ",
        "Kết quả được dùng làm căn cứ khen thưởng, bố trí cán bộ",
    ],
    "public_finance": [
        "Giao dịch được đối soát tự động, minh bạch, giảm rủi ro tiền mặt",
        "Thông tin ngân sách được trình bày dễ hiểu, cập nhật đúng kỳ",
        "Tiết kiệm chi phí, thời gian cho cả người nộp và cơ quan thu",
        "Chứng từ điện tử được lưu trữ, tra cứu lại dễ dàng",
    ],
    "digital_government": [
        "Dữ liệu được cập nhật thường xuyên, khai thác được trên thiết bị di động",
        "Tỷ lệ hồ sơ trực tuyến tăng rõ sau khi triển khai",
        "Có đội ngũ hỗ trợ trực tiếp cho người chưa quen công nghệ",
        "Giao diện thân thiện, dùng được ngay không cần hướng dẫn nhiều",
        "Tận dụng nền tảng sẵn có của Thành phố, chi phí đầu tư thấp",
    ],
}
LIMITATIONS: Final[dict[str, list[str]]] = {
    "institutional": [
        "Số lượng ý kiến góp ý còn ít so với số văn bản đăng tải",
        "Chưa đánh giá được tác động sau khi sửa đổi văn bản",
    ],
    "procedures": [
        "Số liệu mới tổng hợp trong thời gian ngắn, chưa so sánh được với cùng kỳ",
        "Một số thủ tục liên thông còn phụ thuộc tiến độ của cơ quan khác",
        "Chưa khảo sát riêng mức độ hài lòng của doanh nghiệp",
    ],
    "organisation": [
        "Chưa lượng hóa được khối lượng công việc sau khi sắp xếp",
        "Quy chế mới áp dụng, một số bộ phận còn lúng túng",
    ],
    "civil_service": [
        "Tiêu chí đánh giá một số vị trí còn định tính",
        "Thiết bị đánh giá chưa bố trí ở tất cả các quầy",
    ],
    "public_finance": [
        "Tỷ lệ người cao tuổi sử dụng thanh toán điện tử còn thấp",
        "Chưa kết nối đầy đủ với hệ thống của ngân hàng, kho bạc",
    ],
    "digital_government": [
        "Dữ liệu chưa được kết nối, chia sẻ với cơ sở dữ liệu của Thành phố",
        "Một bộ phận người dân lớn tuổi chưa quen sử dụng",
        "Chưa có đánh giá độc lập về độ chính xác của câu trả lời tự động",
    ],
}
DIFFICULTIES: Final[dict[str, list[str]]] = {
    "institutional": ["Thiếu công chức có chuyên môn pháp lý để rà soát chuyên sâu"],
    "procedures": [
        "Đường truyền và thiết bị tại bộ phận một cửa quá tải vào giờ cao điểm",
        "Kinh phí chuyển phát, làm ngoài giờ chưa có định mức chi",
    ],
    "organisation": ["Chưa có hướng dẫn thống nhất về kiêm nhiệm, ủy quyền ở cấp trên"],
    "civil_service": ["Phần mềm đánh giá chưa liên thông với phần mềm quản lý hồ sơ công chức"],
    "public_finance": ["Phí giao dịch điện tử chưa được miễn, giảm cho người nộp"],
    "digital_government": [
        "Kinh phí duy trì, nâng cấp phần mềm còn phụ thuộc nguồn xã hội hóa",
        "Thiếu nhân lực công nghệ thông tin chuyên trách",
    ],
}
_OPENINGS: Final = {
    "high": ("", "Nổi bật: ", "Đoàn ghi nhận: "),
    "mid": ("", "Bước đầu: ", "Đoàn ghi nhận bước đầu: "),
    "low": ("Còn ít: ", "Chưa rõ nét: ", "Mới ở mức thử nghiệm: "),
}


def remark(rng: random.Random, area: str, kind: str, quality: float, results: str) -> str:
    """One surveyor's remark of ``kind`` (strengths | limitations | difficulties) on an
    initiative of ``area`` and ``quality``; a strength may cite the initiative's own figure."""
    pools = {"strengths": STRENGTHS, "limitations": LIMITATIONS, "difficulties": DIFFICULTIES}
    pool = pools[kind].get(area) or next(iter(pools[kind].values()))
    chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 2))))
    text = "; ".join(c[:1].lower() + c[1:] if i else c for i, c in enumerate(chosen))
    if kind == "strengths":
        level = "high" if quality >= 0.78 else "mid" if quality >= 0.6 else "low"
        opening = rng.choice(_OPENINGS[level])
        text = opening + (text[:1].lower() + text[1:] if opening else text)
        if level != "low" and rng.random() < 0.5:
            first = results.split(";")[0].strip().rstrip(".")
            text += f" ({first[:1].lower() + first[1:]})"
    elif kind == "limitations" and quality < 0.6:
        text += "; hiệu quả thực tế chưa được chứng minh bằng số liệu"
    return text + "."
