"""Domain errors. Each names the field at fault and the reason in Vietnamese and English."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    """One fault: ``field`` names the request field at fault (``scores[2].score``,
    ``visit_id``...), or is empty for the request as a whole."""

    field: str
    message_vi: str
    message_en: str


class DomainError(Exception):
    def __init__(self, *faults: Fault) -> None:
        self.faults = list(faults)
        super().__init__("; ".join(f"{f.field or '<request>'}: {f.message_en}" for f in faults))


class InvalidInput(DomainError):
    """The input breaks a rule of the domain (422)."""


class NotFound(DomainError):
    """Absent, or not visible to the requester (404)."""


class Forbidden(DomainError):
    """The requester is authenticated but may not do this (403)."""


class Conflict(DomainError):
    """The request contradicts the current state: too early, already decided... (409)."""
