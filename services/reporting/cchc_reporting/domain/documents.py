"""What the clerk (văn thư) gives a document when it is issued.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Issue:
    """A document's number and date of issue; each left blank for the clerk when omitted."""

    number: str | None = None
    issued_on: date | None = None
