"""Why the portal must not start: :func:`refusal`."""

from __future__ import annotations

from cchc_portal.config import PortalSettings
from cchc_shared.auth.startup import is_loopback


def refusal(settings: PortalSettings) -> str | None:
    """A reason to refuse to listen on a non-loopback address, or ``None``: the development
    sign-in (anyone could sign in as anyone) or the built-in session key (anyone who read the
    source could forge a session)."""
    host = settings.http_host
    if is_loopback(host):
        return None
    if settings.development_sign_in:
        return (
            f"refusing to listen on {host}: the development sign-in is on "
            "(CCHC_PORTAL_DEVELOPMENT_SIGN_IN is for the local run on 127.0.0.1 only) "
            "(từ chối khởi động: đăng nhập phát triển chỉ dùng khi nghe trên 127.0.0.1)"
        )
    if settings.uses_development_session_secret:
        return (
            f"refusing to listen on {host}: sessions would be sealed with the development key; "
            "set CCHC_PORTAL_SESSION_SECRET "
            "(từ chối khởi động: cần đặt khoá phiên CCHC_PORTAL_SESSION_SECRET)"
        )
    return None
