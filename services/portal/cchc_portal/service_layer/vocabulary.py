"""The Vietnamese words of the pages for the API's codes (kinds, roles, statuses)."""

from __future__ import annotations

from typing import Final

from cchc_shared.contracts.vocabulary import Role

KIND_LABELS: Final = {"model": "Mô hình", "solution": "Giải pháp", "initiative": "Sáng kiến"}
# The form's labels by the API's field names (the error summary names the field at fault).
FIELD_LABELS: Final = {
    "kind": "Loại đề xuất",
    "title": "Tên đề xuất",
    "summary": "Tóm tắt nội dung",
    "par_area": "Lĩnh vực cải cách hành chính",
    "applied_since": "Áp dụng từ ngày",
    "results": "Kết quả đạt được",
    "limitations": "Hạn chế, khó khăn",
    "builds_on": "Kế thừa đề xuất năm trước",
    "builds_on.relation": "Hình thức kế thừa",
    "builds_on.initiative_id": "Mã đề xuất năm trước",
}
STATUS_LABELS: Final = {"draft": "Bản nháp", "submitted": "Đã gửi", "withdrawn": "Đã rút"}
ROLE_LABELS: Final = {
    Role.AGENCY_SUBMITTER.value: "Cán bộ cơ quan, đơn vị",
    Role.SECRETARIAT.value: "Phòng Cải cách hành chính (Sở Nội vụ)",
    Role.SURVEYOR.value: "Thành viên Tổ khảo sát",
    Role.COMMITTEE_VIEWER.value: "Ủy ban nhân dân Thành phố",
    Role.ADMIN.value: "Quản trị hệ thống",
}
# Each role's workspace opens on what that person does next.
ROLE_HOMES: Final = {
    Role.AGENCY_SUBMITTER.value: "/agency",
    Role.SECRETARIAT.value: "/office",
    Role.ADMIN.value: "/office",
    Role.SURVEYOR.value: "/surveyor",
    Role.COMMITTEE_VIEWER.value: "/committee",
}

# Each workspace's pages, in the order of the work (one line per link).
NAV_LINKS: Final = {
    "agency": (("/agency", "Đề xuất của đơn vị"), ("/preferences", "Cách nhận thư")),
    "office": (
        ("/office", "Danh sách đề xuất"),
        ("/office/campaigns", "Đợt khảo sát"),
        ("/office/planner", "Lập lịch khảo sát"),
        ("/office/progress", "Tiến độ đánh giá"),
        ("/office/decisions", "Quyết định"),
        ("/office/rejections", "Tin nhắn bị từ chối"),
        ("/office/mail", "Thư gửi đi"),
        ("/office/documents", "Văn bản"),
    ),
    "surveyor": (("/surveyor", "Lịch khảo sát"), ("/preferences", "Cách nhận thư")),
    "committee": (
        ("/committee", "Tổng quan"),
        ("/committee/recommended", "Đề xuất nhân rộng"),
        ("/committee/par-index", "Chỉ số CCHC"),
        ("/committee/documents", "Văn bản"),
    ),
}
