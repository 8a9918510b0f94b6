"""Quarters of a year (quý), as the agencies report on them: ``2024-Q1``. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Final

QUARTER_PATTERN: Final = r"^(20\d{2})-Q([1-4])$"
_QUARTER_RE: Final = re.compile(QUARTER_PATTERN)


@dataclass(frozen=True, order=True)
class Quarter:
    """A quarter of a year (quý), as the agencies report on them: ``2024-Q1``."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> Quarter | None:
        found = _QUARTER_RE.fullmatch(text)
        return cls(int(found[1]), int(found[2])) if found else None

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        following = self.next()
        return following.starts_on - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def due_on(self, due_days: int) -> date:
        """The last day to report on it without being late."""
        return self.ends_on + timedelta(days=due_days)

    def label_vi(self) -> str:
        return f"quý {('I', 'II', 'III', 'IV')[self.number - 1]} năm {self.year}"

    def short_label_vi(self) -> str:
        return f"Quý {('I', 'II', 'III', 'IV')[self.number - 1]}/{self.year}"

    def until(self, last: Quarter) -> list[Quarter]:
        """This quarter and each following one up to ``last`` (empty if ``last`` is earlier)."""
        found = []
        current = self
        while current <= last:
            found.append(current)
            current = current.next()
        return found

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"
