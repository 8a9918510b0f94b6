"""Domain errors: each names what is at fault, in Vietnamese and English."""

from __future__ import annotations

from typing import ClassVar


class SchedulingError(Exception):
    field: str = ""
    message_vi: str = ""

    def __init__(self, message_en: str, message_vi: str, field: str = "") -> None:
        super().__init__(message_en)
        self.message_en = message_en
        self.message_vi = message_vi
        self.field = field


class NotFound(SchedulingError):
    pass


class Conflict(SchedulingError):
    pass


class InvalidTransition(Conflict):
    _ACTIONS_VI: ClassVar[dict[str, str]] = {
        "edit": "sửa",
        "confirm": "xác nhận",
        "reschedule": "điều chỉnh lịch",
        "cancel": "hủy",
    }
    _STATUS_VI: ClassVar[dict[str, str]] = {
        "draft": "dự thảo",
        "confirmed": "đã xác nhận",
        "cancelled": "đã hủy",
    }

    def __init__(self, status: str, action: str) -> None:
        super().__init__(
            f"a {status} round cannot be {action}ed"
            if not action.endswith("e")
            else f"a {status} round cannot be {action}d",
            f"Không thể {self._ACTIONS_VI.get(action, action)} đợt khảo sát ở trạng thái "
            f"{self._STATUS_VI.get(status, status)}",
            "status",
        )
