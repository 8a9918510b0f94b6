"""The demo's progress bar (plain text, no dependency)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self._label = ""
        self._total = 0
        self._done = 0
        self._last = 0.0

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._done = label, max(total, 1), 0
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def finish(self, note: str = "") -> None:
        self._done = self._total
        self._draw(force=True, end=f" {note}\n" if note else "\n")

    def note(self, text: str) -> None:
        if self.enabled:
            sys.stderr.write(f"  {text}\n")
            sys.stderr.flush()

    def _draw(self, force: bool = False, end: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not (force or end or (self.tty and now - self._last > 0.1)):
            return
        self._last = now
        width = 30
        filled = int(width * min(self._done, self._total) / self._total)
        bar = "█" * filled + "░" * (width - filled)
        text = f"{self._label:<34} [{bar}] {min(self._done, self._total)}/{self._total}"
        if self.tty:
            sys.stderr.write("\r" + text + end)
        elif end:
            sys.stderr.write(text + end)
        sys.stderr.flush()
