"""The revocation list: tokens refused before they expire, by ``jti`` or by subject since a time.

Every service reads the same JSON file, named by ``CCHC_AUTH_REVOCATIONS`` (a ConfigMap in
Kubernetes, a bind mount in compose), so no service needs another's database::

    {
      "jti": ["5f0c3a9e2b7d4e61a8c9d0e1f2a3b4c5"],
      "subjects": {"agency_submitter:26740": "2026-05-01T08:00:00+07:00"}
    }

* ``jti``: the ids of single tokens that are refused;
* ``subjects``: a subject and a time; every token of that subject issued (``iat``) at or before
  the time is refused; tokens issued later are accepted again.

The file is re-read when it changes (its modification time, size or inode), checked at most
once a second, so an operator's edit applies within a second and without a restart. A file that
cannot be read or parsed is an operator's error: the last list that was read stays in force and
the error is logged; if no list was ever read, every token is refused (fail closed).
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

log = logging.getLogger("cchc.auth")

_CHECK_INTERVAL: Final = 1.0  # seconds between two looks at the file


class RevocationListError(ValueError):
    """The revocation file is missing, unreadable or not in the documented shape."""


@dataclass(frozen=True)
class Revocations:
    """One reading of the revocation file."""

    jti: frozenset[str] = frozenset()
    subjects: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: Any) -> Revocations:
        if not isinstance(data, dict):
            raise RevocationListError("the revocation list must be a JSON object")
        unknown = set(data) - {"jti", "subjects"}
        if unknown:
            raise RevocationListError(f"unknown keys {sorted(unknown)}; expected jti, subjects")
        jti = data.get("jti", [])
        if not isinstance(jti, list) or not all(isinstance(j, str) and j for j in jti):
            raise RevocationListError("jti must be a list of non-empty strings")
        subjects_raw = data.get("subjects", {})
        if not isinstance(subjects_raw, dict):
            raise RevocationListError("subjects must be an object {subject: ISO 8601 time}")
        subjects: dict[str, datetime] = {}
        for subject, since in subjects_raw.items():
            try:
                moment = datetime.fromisoformat(since) if isinstance(since, str) else None
            except ValueError:
                moment = None
            if moment is None or moment.tzinfo is None:
                raise RevocationListError(
                    f"subjects[{subject!r}] must be an ISO 8601 time with a UTC offset"
                )
            subjects[subject] = moment.astimezone(UTC)
        return cls(jti=frozenset(jti), subjects=subjects)

    def reason(self, jti: str, subject: str, issued_at: datetime) -> str | None:
        """Why a token is revoked, or None if it is not."""
        if jti in self.jti:
            return f"token {jti} is revoked"
        since = self.subjects.get(subject)
        if since is not None and issued_at <= since:
            return f"tokens of {subject} issued before {since.isoformat()} are revoked"
        return None


class RevocationFile:
    """The revocation list in one file, re-read when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._checked_at = float("-inf")
        self._current: Revocations | None = None

    def current(self) -> Revocations:
        """The list in force; :class:`RevocationListError` if none could ever be read."""
        now = time.monotonic()
        if now - self._checked_at >= _CHECK_INTERVAL or self._current is None:
            with self._lock:
                self._checked_at = now
                self._reload()
        if self._current is None:
            raise RevocationListError(f"revocation list {self.path} could not be read")
        return self._current

    def _reload(self) -> None:
        try:
            stat = os.stat(self.path)
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            if stamp == self._stamp and self._current is not None:
                return
            revocations = Revocations.parse(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            log.error(
                "revocation list not read; %s",
                "keeping the previous one" if self._current else "refusing every token",
                extra={"path": str(self.path), "error": str(exc)},
            )
            return
        self._stamp = stamp
        self._current = revocations
        log.info(
            "revocation list read",
            extra={
                "path": str(self.path),
                "jti": len(revocations.jti),
                "subjects": len(revocations.subjects),
            },
        )


_FILES: dict[Path, RevocationFile] = {}
_FILES_LOCK = threading.Lock()


def revocation_file(path: Path) -> RevocationFile:
    """The one :class:`RevocationFile` of ``path`` in this process."""
    with _FILES_LOCK:
        found = _FILES.get(path)
        if found is None:
            found = _FILES[path] = RevocationFile(path)
        return found
