"""Vietnamese names of the codes shown to people (API labels, exports, documents)."""

from __future__ import annotations

from typing import Final

from cchc_shared.reference import par_area

KIND_VI: Final[dict[str, str]] = {
    "model": "Mô hình",
    "solution": "Giải pháp",
    "initiative": "Sáng kiến",
}

SCOPE_VI: Final[dict[str, str]] = {
    "city_wide": "Nhân rộng toàn Thành phố",
    "district_level": "Nhân rộng cấp huyện",
    "commune_level": "Nhân rộng cấp xã",
    "sector": "Nhân rộng trong ngành, lĩnh vực",
}

RECOMMENDATION_VI: Final[dict[str, str]] = {
    "replicate": "Đề xuất nhân rộng",
    "improve": "Cần hoàn thiện thêm",
    "not_recommended": "Không đề xuất",
}

DECISION_VI: Final[dict[str, str]] = {
    "replicate": "Đề xuất công nhận, nhân rộng",
    "improve": "Tiếp tục hoàn thiện",
    "not_recommended": "Không đề xuất",
}

STATUS_VI: Final[dict[str, str]] = {
    "submitted": "Đã đăng ký",
    "scheduled": "Đã lên lịch khảo sát",
    "visited": "Đã khảo sát",
    "evaluated": "Đã đánh giá đủ thành viên",
    "decided": "Đã quyết định, chưa đề xuất nhân rộng",
    "recommended": "Đề xuất nhân rộng",
    "withdrawn": "Đã rút",
}

LEVEL_VI: Final[dict[str, str]] = {
    "city_department": "Sở, ban, ngành",
    "vertical_agency": "Cơ quan ngành dọc",
    "district": "Thành phố Thủ Đức, quận, huyện",
    "commune": "Phường, xã, thị trấn",
    "unknown": "Chưa có trong danh mục",
}

ROUND_STATUS_VI: Final[dict[str, str]] = {
    "scheduled": "Đã thông báo",
    "rescheduled": "Đã điều chỉnh",
    "cancelled": "Đã hủy",
}

ROLE_VI: Final[dict[str, str]] = {
    "head": "Trưởng đoàn",
    "member": "Thành viên",
    "secretary": "Thư ký",
}


def par_area_vi(code: str) -> str:
    area = par_area(code)
    return area.name if area is not None else code
