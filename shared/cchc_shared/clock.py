"""The time the services act in: the system clock, or, for a local run or the demo only, a
campaign clock that someone set.

A 2023 campaign played today must read as 2023 in every document and event: submissions in
spring, notices a few days before their round, evaluations on the day of the visit, the
proposal in November. ``CCHC_CAMPAIGN_CLOCK_FILE`` names a file holding the instant the clock
was set to and the real instant it was set at; every process given the same file reads the
same time, flowing on from that instant at the normal pace, and the demo moves it from phase
to phase (:func:`set_campaign_clock`). The setting is off by default and production never sets
it: without it :func:`now` is the system clock.

Only business time goes through here (what a document or an event says happened). The
machinery's own timestamps (outbox relay, inbox, parking, token expiry) stay on the system
clock.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

__all__ = ["CLOCK_FILE_ENV", "campaign_clock_file", "now", "set_campaign_clock", "system_now"]

CLOCK_FILE_ENV: Final = "CCHC_CAMPAIGN_CLOCK_FILE"
# The city's time zone (UTC+7, no daylight saving): the day a person sees, the calendars' TZID.
VIETNAM: Final = ZoneInfo("Asia/Ho_Chi_Minh")

_cache: dict[Path, tuple[tuple[int, int], datetime, datetime]] = {}


def system_now() -> datetime:
    return datetime.now(UTC)


def campaign_clock_file() -> Path | None:
    value = os.environ.get(CLOCK_FILE_ENV, "").strip()
    return Path(value) if value else None


def _read(path: Path) -> tuple[datetime, datetime] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    stamp = (status.st_ino, status.st_mtime_ns)  # a new file each time it is set
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1], cached[2]
    try:
        instant_text, set_at_text = path.read_text(encoding="utf-8").split()[:2]
        instant = datetime.fromisoformat(instant_text).astimezone(UTC)
        set_at = datetime.fromisoformat(set_at_text).astimezone(UTC)
    except (OSError, ValueError) as exc:
        raise RuntimeError(
            f"{CLOCK_FILE_ENV}={path}: expected '<instant> <set at>' in ISO 8601 ({exc})"
        ) from exc
    _cache[path] = (stamp, instant, set_at)
    return instant, set_at


def now(clock_file: Path | None = None) -> datetime:
    """The current business time (aware, UTC): the campaign clock when one is set (in
    ``clock_file``, else in the file the setting names), else the system clock."""
    path = clock_file or campaign_clock_file()
    if path is None:
        return system_now()
    found = _read(path)
    if found is None:
        return system_now()
    instant, set_at = found
    return instant + (system_now() - set_at)


def set_campaign_clock(path: Path, instant: datetime) -> None:
    """Set the campaign clock shared through ``path`` to ``instant`` (aware); it runs on from
    there. Written whole and renamed, so a reader never sees half a file."""
    if instant.tzinfo is None:
        raise ValueError("the campaign clock needs an aware instant")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".new")
    partial.write_text(f"{instant.isoformat()} {system_now().isoformat()}\n", encoding="utf-8")
    os.replace(partial, path)
