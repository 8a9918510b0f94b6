"""The campaign clock: off by default; set through a file, shared, and flowing on from there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cchc_shared import clock


def test_without_the_setting_it_is_the_system_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.CLOCK_FILE_ENV, raising=False)
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)


def test_a_set_clock_reads_the_campaign_time_and_runs_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "clock"
    monkeypatch.setenv(clock.CLOCK_FILE_ENV, str(path))
    # Set but not yet written: the system clock.
    assert clock.now().year == datetime.now(UTC).year
    spring = datetime(2023, 5, 15, 2, tzinfo=UTC)
    clock.set_campaign_clock(path, spring)
    first = clock.now()
    assert spring <= first < spring + timedelta(seconds=5)
    assert clock.now() >= first  # it flows
    autumn = datetime(2023, 11, 6, 2, tzinfo=UTC)
    clock.set_campaign_clock(path, autumn)  # moved: every reader sees the new time
    assert autumn <= clock.now() < autumn + timedelta(seconds=5)
    assert autumn <= clock.now(path) < autumn + timedelta(seconds=5)


def test_a_naive_instant_or_a_broken_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        clock.set_campaign_clock(tmp_path / "clock", datetime(2023, 5, 15))
    broken = tmp_path / "broken"
    broken.write_text("not a time\n")
    with pytest.raises(RuntimeError, match="ISO 8601"):
        clock.now(broken)
