"""Domain errors. Each names the field at fault and the reason in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True)
class Fault:
    """One fault: ``field`` is the name of a field of the submission (``title``,
    ``agency_code``...) or an empty string for the request as a whole."""

    field: str
    message_vi: str
    message_en: str

    @property
    def bilingual(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class DomainError(Exception):
    def __init__(self, *faults: Fault) -> None:
        self.faults = list(faults)
        super().__init__("; ".join(f"{f.field or '<request>'}: {f.message_en}" for f in faults))


class InvalidInput(DomainError):
    """The input breaks a rule of the domain (422 over HTTP, a data fault for events)."""


class NotFound(DomainError):
    """Absent, or not visible to the requester (another agency's initiative)."""


class Conflict(DomainError):
    """The request contradicts the current state (already withdrawn, campaign closed...)."""


class DuplicateTitle(Conflict):
    def __init__(self, existing_id: UUID) -> None:
        self.existing_id = existing_id
        super().__init__(
            Fault(
                "title",
                "Đơn vị đã gửi một đề xuất cùng tên trong đợt này (so sánh không phân biệt hoa "
                f"thường, khoảng trắng, dấu); mã đề xuất đã có: {existing_id}",
                "the agency already submitted an initiative with this title in this campaign "
                f"(compared ignoring case, spacing and diacritics); existing id: {existing_id}",
            )
        )


class ConcurrentUpdate(Conflict):
    def __init__(self) -> None:
        super().__init__(
            Fault(
                "",
                "Đề xuất vừa được người khác thay đổi; vui lòng tải lại và thử lại",
                "the initiative was changed concurrently; reload it and try again",
            )
        )


class Forbidden(DomainError):
    """The requester may not do this (403)."""


class PayloadTooLarge(DomainError):
    """An uploaded file exceeds its cap (413)."""


class UnsupportedMediaType(DomainError):
    """An uploaded file is not of an accepted type (415)."""
