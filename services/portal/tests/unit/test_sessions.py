"""The sealed session cookie: read back by another portal process with the same key (a restart,
another replica), by none with another key, never past its age, and small enough for a cookie."""

from __future__ import annotations

import time

from cchc_portal.service_layer.sessions import Session, SessionCodec

SECRET = "s" * 48


def session(**changes: object) -> Session:
    values: dict[str, object] = {
        "access_token": "eyJ" + "a" * 1500,  # a Keycloak-sized access token
        "expires_at": int(time.time()) + 600,
        "roles": ("agency_submitter",),
        "agency_code": "760",
        "name": "Trần Văn Minh",
    }
    values.update(changes)
    return Session(**values)  # type: ignore[arg-type]


def test_a_session_survives_a_restart_and_is_read_by_every_replica() -> None:
    signed_in = session()
    cookie = SessionCodec(SECRET, 3600).encode(signed_in)
    assert SessionCodec(SECRET, 3600).decode(cookie) == signed_in


def test_another_key_an_expired_token_or_a_change_is_no_session() -> None:
    codec = SessionCodec(SECRET, 3600)
    cookie = codec.encode(session())
    assert SessionCodec("t" * 48, 3600).decode(cookie) is None
    assert codec.decode(codec.encode(session(expires_at=int(time.time()) - 1))) is None
    assert codec.decode(cookie[:20] + ("A" if cookie[20] != "A" else "B") + cookie[21:]) is None
    assert codec.decode("") is None and codec.decode(None) is None


def test_the_cookie_fits_a_browser_cookie() -> None:
    cookie = SessionCodec(SECRET, 3600).encode(session())
    assert len(cookie) + len("cchc_portal_session=") < 4096
