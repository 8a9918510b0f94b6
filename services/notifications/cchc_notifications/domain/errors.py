"""The notifications service's domain errors, in the kit's family (``cchc_shared.errors``)."""

from __future__ import annotations

from uuid import UUID

from cchc_shared.errors import Conflict, Fault, NotFound


def notification_not_found(notification_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "notification_id",
            f"Không tìm thấy thư {notification_id}",
            f"notification {notification_id} not found",
        )
    )


def round_not_found(round_id: UUID) -> NotFound:
    return NotFound(
        Fault("round_id", f"Không có thư nào của đợt {round_id}", f"no mail of round {round_id}")
    )


def not_retryable(status: str) -> Conflict:
    return Conflict(
        Fault(
            "status",
            f"Chỉ gửi lại được thư bị từ chối; thư này đang ở trạng thái {status}",
            f"only a refused message can be sent again; this one is {status}",
        )
    )
