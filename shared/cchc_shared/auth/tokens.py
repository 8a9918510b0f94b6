"""Token verification: :func:`verify_token` and the refusals it raises (:class:`AuthError`)."""

from __future__ import annotations

from typing import Final

import jwt

from cchc_shared.auth.principal import Principal
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.contracts.vocabulary import Role

_MAX_TOKEN_LENGTH: Final = 8192
_REQUIRED_CLAIMS: Final[tuple[str, ...]] = ("iss", "aud", "sub", "iat", "exp", "role")


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

    def __init__(self, reason: str, *, code: str = "invalid") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code if code in _ERROR_MESSAGES else "invalid"

    @property
    def message_vi(self) -> str:
        return _ERROR_MESSAGES[self.code][0]

    @property
    def message(self) -> str:
        """Bilingual user-facing message: ``<tiếng Việt> / <English>``."""
        return f"{self.message_vi} / {self.reason}"

    def __repr__(self) -> str:
        return f"AuthError({self.reason!r}, code={self.code!r})"


def verify_token(settings: AuthSettings, token: str) -> Principal:
    """Check a token's signature (only the configured algorithm), ``iss``, ``aud``, ``exp``,
    ``iat``/``nbf`` and role claims, and return its :class:`Principal`.

    Raises :class:`AuthError` on any failure.
    """
    if not isinstance(token, str) or not token:
        raise AuthError("empty token", code="malformed")
    if len(token) > _MAX_TOKEN_LENGTH:
        raise AuthError(f"token longer than {_MAX_TOKEN_LENGTH} characters", code="malformed")
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise AuthError(f"malformed token: {exc}", code="malformed") from None
    if header.get("alg") != settings.algorithm:
        raise AuthError(
            f"signing algorithm {header.get('alg')!r} not allowed; expected {settings.algorithm}",
            code="algorithm",
        )
    try:
        claims = jwt.decode(
            token,
            settings._verification_key(),
            algorithms=[settings.algorithm],
            audience=settings.audience,
            issuer=settings.issuer,
            leeway=settings.leeway,
            options={
                "require": list(_REQUIRED_CLAIMS),
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
        raise AuthError(f"missing required claim {exc.claim!r}", code="missing_claim") from None
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
            subject=subject, role=Role(raw_role), agency_code=agency_code, member_id=member_id
        )
    except ValueError as exc:
        raise AuthError(str(exc), code="binding") from None
