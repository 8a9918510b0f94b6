"""Token verification: :func:`verify_token` and the refusals it raises (:class:`AuthError`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import jwt

from cchc_shared.auth.principal import Principal, display_name_from
from cchc_shared.auth.revocation import RevocationListError, revocation_file
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.contracts.vocabulary import Role

_MAX_TOKEN_LENGTH: Final = 8192
_MAX_JTI_LENGTH: Final = 200
_REQUIRED_CLAIMS: Final[tuple[str, ...]] = ("iss", "aud", "sub", "iat", "exp", "jti", "role")


# code -> (Vietnamese, English) message for the 401 body
_ERROR_MESSAGES: Final[dict[str, tuple[str, str]]] = {
    "missing": (
        "Thiếu mã xác thực (Authorization: Bearer <token>)",
        "missing bearer token (Authorization: Bearer <token>)",
    ),
    "malformed": ("Mã xác thực sai định dạng", "malformed token"),
    "algorithm": ("Thuật toán ký không được chấp nhận", "signing algorithm not allowed"),
    "signature": ("Chữ ký của mã xác thực không hợp lệ", "invalid token signature"),
    "expired": ("Mã xác thực đã hết hạn", "token has expired"),
    "not_yet_valid": ("Mã xác thực chưa có hiệu lực", "token is not yet valid"),
    "audience": ("Mã xác thực không dành cho hệ thống này (aud)", "wrong token audience"),
    "issuer": ("Nơi cấp mã xác thực không được chấp nhận (iss)", "wrong token issuer"),
    "missing_claim": ("Mã xác thực thiếu thông tin bắt buộc", "token lacks a required claim"),
    "lifetime": (
        "Thời hạn của mã xác thực (exp - iat) vượt quá mức tối đa cho phép",
        "token lifetime (exp - iat) exceeds the maximum",
    ),
    "revoked": ("Mã xác thực đã bị thu hồi", "token has been revoked"),
    "revocations_unavailable": (
        "Không đọc được danh sách thu hồi mã xác thực; vui lòng báo quản trị hệ thống",
        "the revocation list cannot be read",
    ),
    "role": ("Vai trò trong mã xác thực không hợp lệ", "unknown role in token"),
    "binding": (
        "Ràng buộc cơ quan/thành viên của vai trò không hợp lệ",
        "invalid agency/member binding for the role",
    ),
    "invalid": ("Mã xác thực không hợp lệ", "invalid token"),
}


class AuthError(Exception):
    """A token was refused. ``reason`` is a precise English explanation (safe to log),
    ``code`` a stable machine-readable key (``expired``, ``signature``, ``algorithm`` ...)."""

    def __init__(self, reason: str, *, code: str = "invalid", detail_vi: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code if code in _ERROR_MESSAGES else "invalid"
        self.detail_vi = detail_vi

    @property
    def message_vi(self) -> str:
        """The Vietnamese reason: the code's message, and what exactly is at fault."""
        base = _ERROR_MESSAGES[self.code][0]
        return f"{base}: {self.detail_vi}" if self.detail_vi else base

    @property
    def message(self) -> str:
        """Bilingual user-facing message: ``<tiếng Việt> / <English>``."""
        return f"{self.message_vi} / {self.reason}"

    def __repr__(self) -> str:
        return f"AuthError({self.reason!r}, code={self.code!r})"


def verify_token(settings: AuthSettings, token: str) -> Principal:
    """Check a token's signature (only the configured algorithm), ``iss``, ``aud``, ``exp``,
    ``iat``, ``nbf`` (when present), ``jti``, its lifetime (``exp - iat`` at most
    ``max_token_lifetime``), the revocation list and the role claims, and return its
    :class:`Principal`.

    Raises :class:`AuthError` on any failure.
    """
    unverified_header(token, (settings.algorithm,))
    claims = decode_claims(
        settings, token, settings._verification_key(), settings.algorithm, _REQUIRED_CLAIMS
    )

    raw_role = claims.get("role")
    if not isinstance(raw_role, str) or raw_role not in {r.value for r in Role}:
        raise AuthError(f"unknown role {raw_role!r}", code="role")
    agency_code = claims.get("agency_code")
    member_id = claims.get("member_id")
    subject = claims.get("sub")
    if not isinstance(agency_code, str | None) or not isinstance(member_id, str | None):
        raise AuthError("agency_code and member_id must be strings", code="binding")
    if not isinstance(subject, str):
        raise AuthError("sub must be a string", code="malformed")
    try:
        return Principal(
            subject=subject,
            role=Role(raw_role),
            agency_code=agency_code,
            member_id=member_id,
            display_name=display_name_from(claims),
        )
    except ValueError as exc:
        raise AuthError(str(exc), code="binding") from None


def unverified_header(
    token: str, algorithms: tuple[str, ...], *, max_length: int = _MAX_TOKEN_LENGTH
) -> dict[str, Any]:
    """The header of a token not yet verified, after the checks both kinds of token get
    before any key is looked at: a non-empty string of at most ``max_length`` characters, a
    JSON header, an ``alg`` among ``algorithms`` and, when present, a string ``kid``.

    Raises :class:`AuthError` on any failure."""
    if not isinstance(token, str) or not token:
        raise AuthError("empty token", code="malformed")
    if len(token) > max_length:
        raise AuthError(f"token longer than {max_length} characters", code="malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError(f"malformed token: {exc}", code="malformed") from None
    alg = header.get("alg")
    if not isinstance(alg, str) or alg not in algorithms:
        expected = algorithms[0] if len(algorithms) == 1 else f"one of {', '.join(algorithms)}"
        raise AuthError(
            f"signing algorithm {alg!r} not allowed; expected {expected}", code="algorithm"
        )
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise AuthError("kid must be a string", code="malformed")
    return header


def decode_claims(
    settings: AuthSettings,
    token: str,
    key: Any,
    algorithm: str,
    required: tuple[str, ...],
    *,
    limits: bool = True,
) -> dict[str, Any]:
    """The claims of a token signed with ``key`` by ``algorithm`` (the caller pinned it),
    after every check a token of either kind gets: signature, ``iss``, ``aud``, ``exp``,
    ``iat``, ``nbf`` and the ``required`` claims; with ``limits``, also its lifetime and the
    revocation list (which need ``iat`` and ``jti``)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={
                "require": list(required),
                "verify_signature": True,
                "verify_exp": True,
                "verify_nbf": True,
                "verify_iat": True,
                "verify_aud": True,
                "verify_iss": True,
                "enforce_minimum_key_length": True,
            },
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("token has expired", code="expired") from None
    except jwt.ImmatureSignatureError:
        raise AuthError(
            "token is not yet valid (iat/nbf in the future)", code="not_yet_valid"
        ) from None
    except jwt.InvalidAudienceError:
        raise AuthError(
            f"wrong audience; expected {settings.audience!r}", code="audience"
        ) from None
    except jwt.InvalidIssuerError:
        raise AuthError(f"wrong issuer; expected {settings.issuer!r}", code="issuer") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(
            f"missing required claim {exc.claim!r}",
            code="missing_claim",
            detail_vi=f"thiếu trường {exc.claim}",
        ) from None
    except jwt.InvalidAlgorithmError:
        raise AuthError("signing algorithm not allowed", code="algorithm") from None
    except jwt.InvalidSignatureError:
        raise AuthError("signature verification failed", code="signature") from None
    except jwt.DecodeError as exc:
        raise AuthError(f"malformed token: {exc}", code="malformed") from None
    except (jwt.PyJWTError, NotImplementedError, ValueError, TypeError) as exc:
        raise AuthError(f"invalid token: {exc}", code="invalid") from None

    # Belt and braces: exact iss/aud comparisons regardless of library behaviour.
    if claims.get("iss") != settings.issuer:
        raise AuthError(f"wrong issuer; expected {settings.issuer!r}", code="issuer")
    aud = claims.get("aud")
    if not (aud == settings.audience or (isinstance(aud, list) and settings.audience in aud)):
        raise AuthError(f"wrong audience; expected {settings.audience!r}", code="audience")

    if limits:
        _check_lifetime(settings, claims)
        _check_revocation(settings, claims)
    return claims


def _check_lifetime(settings: AuthSettings, claims: dict[str, Any]) -> None:
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= _MAX_JTI_LENGTH:
        raise AuthError(
            f"jti must be a string of 1-{_MAX_JTI_LENGTH} characters",
            code="malformed",
            detail_vi=f"trường jti phải là chuỗi 1-{_MAX_JTI_LENGTH} ký tự",
        )
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int | float) or not isinstance(exp, int | float):
        raise AuthError("iat and exp must be numbers", code="malformed")
    lifetime = timedelta(seconds=exp - iat)
    if lifetime > settings.max_token_lifetime:
        raise AuthError(
            f"token lifetime {lifetime} (exp - iat) exceeds the maximum "
            f"{settings.max_token_lifetime}",
            code="lifetime",
            detail_vi=f"exp - iat là {lifetime}, tối đa {settings.max_token_lifetime}",
        )


def _check_revocation(settings: AuthSettings, claims: dict[str, Any]) -> None:
    if settings.revocations is None:
        return
    try:
        revocations = revocation_file(settings.revocations).current()
    except RevocationListError as exc:
        raise AuthError(str(exc), code="revocations_unavailable") from None
    issued_at = datetime.fromtimestamp(claims["iat"], UTC)
    reason = revocations.reason(str(claims["jti"]), str(claims.get("sub")), issued_at)
    if reason is not None:
        subject_revoked = str(claims["jti"]) not in revocations.jti
        raise AuthError(
            reason,
            code="revoked",
            detail_vi=(
                f"các mã của {claims.get('sub')} cấp trước thời điểm thu hồi không còn hiệu lực"
                if subject_revoked
                else f"jti {claims['jti']} nằm trong danh sách thu hồi"
            ),
        )
