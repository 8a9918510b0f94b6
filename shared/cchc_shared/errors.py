"""The one error family of every service: a ``DomainError`` carries ``Fault``s, each naming the
field at fault and the reason in Vietnamese and English. The kit answers them over HTTP
(``chassis.http``: the status of the error's kind, the API's one error body) and over the bus
(``messaging.consumer``: the event is at fault, so it is parked with the faults as its reason).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar


@dataclasses.dataclass(frozen=True)
class Fault:
    """One fault: ``field`` names a field of the request or event (``title``,
    ``scores[2].score``...), or is empty for the request as a whole. ``extra`` adds keys to
    the fault's entry in the error body (for example the planner's ``rule``)."""

    field: str
    message_vi: str
    message_en: str
    extra: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @property
    def bilingual(self) -> str:
        return f"{self.message_vi} / {self.message_en}"


class DomainError(Exception):
    """A request or an event that the domain refuses. ``status`` is its HTTP answer."""

    status: ClassVar[int] = 400

    def __init__(self, *faults: Fault) -> None:
        self.faults = list(faults)
        super().__init__("; ".join(f"{f.field or '<request>'}: {f.message_en}" for f in faults))

    def body_extra(self) -> dict[str, Any]:
        """Keys the error adds to the body beside ``detail`` (for example ``existing_id``)."""
        return {}


class InvalidInput(DomainError):
    """The input breaks a rule of the domain."""

    status = 422


class NotFound(DomainError):
    """Absent, or not visible to the requester (another agency's record)."""

    status = 404


class Forbidden(DomainError):
    """The requester is authenticated but may not do this."""

    status = 403


class Conflict(DomainError):
    """The request contradicts the current state (already decided, closed, changed...)."""

    status = 409


class PayloadTooLarge(DomainError):
    """An uploaded file exceeds its cap."""

    status = 413


class UnsupportedMediaType(DomainError):
    """An uploaded file is not of an accepted type."""

    status = 415


def error_detail(error: DomainError) -> list[dict[str, str]]:
    """The ``detail`` list of the API's error body for ``error``."""
    return [
        {"field": f.field or "body", "message": f.message_vi, "message_en": f.message_en, **f.extra}
        for f in error.faults
    ]
