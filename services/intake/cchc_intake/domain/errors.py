"""The errors only intake raises, in the kit's one family (``cchc_shared.errors``): each
kind carries its HTTP status, and the kit answers them over HTTP and over the bus."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cchc_shared.errors import Conflict, Fault, Forbidden, NotFound


class DuplicateTitle(Conflict):
    def __init__(self, existing_id: UUID) -> None:
        self.existing_id = existing_id
        super().__init__(
            Fault(
                "title",
                "Đơn vị đã gửi một đề xuất cùng tên trong đợt này (so sánh không phân biệt hoa "
                "thường, khoảng trắng, dấu, ký tự ẩn và chữ có hình dạng giống nhau); mã đề xuất "
                f"đã có: {existing_id}",
                "the agency already submitted an initiative with this title in this campaign "
                "(compared ignoring case, spacing, diacritics, invisible characters and "
                f"look-alike letters); existing id: {existing_id}",
            )
        )

    def body_extra(self) -> dict[str, Any]:
        # Clients open the initiative already submitted instead of parsing the message.
        return {"existing_id": str(self.existing_id)}


class ConcurrentUpdate(Conflict):
    def __init__(self) -> None:
        super().__init__(
            Fault(
                "",
                "Đề xuất vừa được người khác thay đổi; vui lòng tải lại và thử lại",
                "the initiative was changed concurrently; reload it and try again",
            )
        )


class CampaignChangedMeanwhile(Conflict):
    def __init__(self, year: int) -> None:
        super().__init__(
            Fault(
                "year",
                f"Thiết lập đợt năm {year} vừa được người khác thay đổi; vui lòng tải lại và "
                "thử lại",
                f"the {year} campaign was changed concurrently; reload it and try again",
            )
        )


class NotAllowed(Forbidden):
    """The actor may not act for that agency."""

    def __init__(self, agency_code: str) -> None:
        super().__init__(
            Fault(
                "agency_code",
                f"Tài khoản chỉ được gửi đề xuất của đơn vị mình, không phải của {agency_code}",
                f"this account may submit only for its own agency, not for {agency_code}",
            )
        )


class InitiativeNotFound(NotFound):
    """Absent, or another agency's: both answer alike, so other agencies' ids cannot be probed."""

    def __init__(self, initiative_id: UUID) -> None:
        super().__init__(
            Fault(
                "initiative_id",
                f"Không tìm thấy đề xuất {initiative_id}",
                f"initiative {initiative_id} not found",
            )
        )


class AttachmentNotFound(NotFound):
    def __init__(self, attachment_id: UUID) -> None:
        super().__init__(
            Fault(
                "attachment_id",
                f"Không tìm thấy tệp đính kèm {attachment_id}",
                f"attachment {attachment_id} not found",
            )
        )


def no_campaign(year: int, field: str = "year") -> Fault:
    return Fault(field, f"Không có đợt năm {year}", f"there is no {year} campaign")


class CampaignNotFound(NotFound):
    def __init__(self, year: int) -> None:
        super().__init__(no_campaign(year))


def unknown_agency(code: str) -> Fault:
    return Fault(
        "agency_code",
        f"Mã cơ quan {code} không có trong danh mục cơ quan, đơn vị",
        f"unknown agency code {code}",
    )


class RejectionNotFound(NotFound):
    def __init__(self, rejection_id: UUID) -> None:
        super().__init__(
            Fault(
                "rejection_id",
                f"Không tìm thấy tin nhắn bị từ chối {rejection_id} (hoặc tin nhắn không được "
                "lưu bản sao để xử lý lại)",
                f"rejected message {rejection_id} not found (or no copy of it was kept)",
            )
        )
