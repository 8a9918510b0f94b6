"""Tokens that are well signed but outside the limits, against every service: without ``jti``,
``iat`` or ``exp``, living longer than the maximum (``exp`` in the year 9999 included), on the
revocation list by ``jti``, or of a subject revoked since a time. Each is answered 401 with a
Vietnamese reason naming what is wrong; a token issued after its subject's revocation is let in.

The services are booted with ``CCHC_AUTH_REVOCATIONS`` naming one file, as in production."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest

from .conftest import AUTH, SERVICES, Booted
from .figures import count
from .test_tokens import PROTECTED, SECRET, claims

pytestmark = pytest.mark.integration

REVOKED_JTI = "revoked-by-the-security-suite"
REVOKED_SUBJECT = "secretariat:left-the-department"
REVOKED_SINCE = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)


@pytest.fixture(scope="module", autouse=True)
def revocation_list(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Set before the module's services are booted (autouse fixtures come first)."""
    path = tmp_path_factory.mktemp("revocations") / "revocations.json"
    path.write_text(
        json.dumps(
            {"jti": [REVOKED_JTI], "subjects": {REVOKED_SUBJECT: REVOKED_SINCE.isoformat()}}
        ),
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CCHC_AUTH_REVOCATIONS", str(path))
        yield path


def _signed(**overrides: Any) -> str:
    return jwt.encode(claims(**overrides), SECRET, "HS256")


def refused() -> dict[str, tuple[str, str]]:
    """case -> (token, a word the Vietnamese reason must contain)."""
    now = datetime.now(UTC)
    before = REVOKED_SINCE - timedelta(minutes=10)
    return {
        "without jti": (_signed(jti=None), "jti"),
        "without iat": (_signed(iat=None), "iat"),
        "lifetime over the maximum": (
            _signed(iat=now, exp=now + AUTH.max_token_lifetime + timedelta(seconds=1)),
            "exp - iat",
        ),
        "exp in the year 9999": (
            _signed(iat=now, nbf=now, exp=datetime(9999, 12, 31, tzinfo=UTC)),
            "exp - iat",
        ),
        "admin, exp in the year 9999": (
            _signed(role="admin", sub="admin", iat=now, exp=datetime(9999, 12, 31, tzinfo=UTC)),
            "exp - iat",
        ),
        "revoked jti": (_signed(jti=REVOKED_JTI), REVOKED_JTI),
        "subject revoked since a time": (
            _signed(sub=REVOKED_SUBJECT, iat=before, nbf=before, exp=before + timedelta(hours=1)),
            REVOKED_SUBJECT,
        ),
        # A day ahead: the cases are built at collection, which may be long before they run.
        "nbf in the future": (
            _signed(nbf=now + timedelta(days=1), exp=now + timedelta(days=1, hours=1)),
            "hiệu lực",
        ),
    }


REFUSED = refused()


@pytest.mark.parametrize("case", sorted(REFUSED))
@pytest.mark.parametrize("service", SERVICES)
async def test_tokens_outside_the_limits_answer_401(
    booted: dict[str, Booted], service: str, case: str
) -> None:
    token, named = REFUSED[case]
    answer = await booted[service].client.get(
        PROTECTED[service], headers={"Authorization": f"Bearer {token}"}
    )
    count("token limits", "tokens outside the limits")
    count("token limits", "refused 401" if answer.status_code == 401 else "let in")
    assert answer.status_code == 401, (case, answer.status_code, answer.text)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    (fault,) = answer.json()["detail"]
    assert fault["field"] == "Authorization"
    assert named in fault["message"], (case, fault)


@pytest.mark.parametrize("service", SERVICES)
async def test_a_token_issued_after_its_subjects_revocation_is_let_in(
    booted: dict[str, Booted], service: str
) -> None:
    token = _signed(sub=REVOKED_SUBJECT, jti="issued-after-the-revocation")
    answer = await booted[service].client.get(
        PROTECTED[service], headers={"Authorization": f"Bearer {token}"}
    )
    if answer.status_code == 200:
        count("token limits", "issued after the revocation, let in")
    assert answer.status_code == 200, answer.text
