"""The scheduling service's errors: kinds of the kit's one family (``cchc_shared.errors``), so
the kit answers them over HTTP (the kind's status, the API's one error body) and parks an event
that raises one. Each names the field at fault, in Vietnamese and English."""

from __future__ import annotations

from typing import ClassVar
from uuid import UUID

from cchc_shared.errors import Conflict, Fault, InvalidInput, NotFound


class InvalidTransition(Conflict):
    """The round's status does not allow the action (a confirmed round is not edited...)."""

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
        verb = f"{action}d" if action.endswith("e") else f"{action}ed"
        super().__init__(
            Fault(
                "status",
                f"Không thể {self._ACTIONS_VI.get(action, action)} đợt khảo sát ở trạng thái "
                f"{self._STATUS_VI.get(status, status)}",
                f"a {status} round cannot be {verb}",
            )
        )


class ConcurrentChange(Conflict):
    """Someone else changed the same rows first. A request may be sent again; a consumed
    event is not at fault, so its message entrypoint has it retried rather than parked."""


class IdentityChanged(InvalidInput):
    """An event names another agency or campaign than the initiative has: both are fixed
    when it is submitted, so the event is at fault (it is parked)."""


def member_not_found(member_id: str) -> NotFound:
    return NotFound(
        Fault(
            "member_id", f"Không tìm thấy thành viên {member_id}", f"member {member_id} not found"
        )
    )


def member_exists(member_id: str) -> Conflict:
    return Conflict(
        Fault(
            "member_id",
            f"Thành viên {member_id} đã có trong danh sách",
            f"member {member_id} already exists",
        )
    )


def round_not_found(round_id: UUID) -> NotFound:
    return NotFound(
        Fault("round_id", f"Không tìm thấy đợt khảo sát {round_id}", f"round {round_id} not found")
    )


def proposal_not_found(proposal_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "proposal_id",
            f"Không tìm thấy phương án {proposal_id}",
            f"plan proposal {proposal_id} not found",
        )
    )


def reason_required(vi: str, en: str) -> InvalidInput:
    return InvalidInput(Fault("reason", vi, en))


def plan_job_not_found(job_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "job_id",
            f"Không tìm thấy lượt lập kế hoạch {job_id}",
            f"plan job {job_id} not found",
        )
    )
