"""FastAPI integration: ``configure_auth`` and the principal and role dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cchc_shared.auth.claims import ClaimSettings, RoleRefused
from cchc_shared.auth.oidc import OidcVerifier, ProviderUnavailable, is_oidc_issuer
from cchc_shared.auth.principal import Principal
from cchc_shared.auth.settings import AuthSettings
from cchc_shared.auth.tokens import _ERROR_MESSAGES, AuthError, verify_token
from cchc_shared.contracts.vocabulary import Role
from cchc_shared.reference import get_agency

_bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="Bearer JWT; development tokens: `cchc token --role ROLE [--agency CODE] "
    "[--member ID]`",
)


MemberCheck = Callable[[str], Awaitable[bool]]
"""``await known(member_id)``: whether the service knows that survey-team member."""


def configure_auth(
    app: FastAPI,
    settings: AuthSettings | None = None,
    claims: ClaimSettings | None = None,
    *,
    member_known: MemberCheck | None = None,
) -> AuthSettings:
    """Store the service's :class:`AuthSettings` on ``app.state.auth_settings`` (call once in
    the service bootstrap; ``None`` reads them from the environment). When the issuer is an
    OpenID provider's URL, also an :class:`~cchc_shared.auth.oidc.OidcVerifier` on
    ``app.state.oidc_verifier`` (``claims``: :class:`ClaimSettings`, else from the
    environment).

    A token's bindings are checked against what the service can know without another
    service's database: an ``agency_code`` against the reference data (every service), a
    ``member_id`` against ``member_known`` where the service has one (scheduling, which keeps
    the roster). An unknown one is answered 403."""
    settings = settings if settings is not None else AuthSettings()
    app.state.auth_settings = settings
    app.state.oidc_verifier = (
        OidcVerifier(settings, claims if claims is not None else ClaimSettings())
        if is_oidc_issuer(settings.issuer)
        else None
    )
    app.state.auth_member_known = member_known
    return settings


def get_auth_settings(request: Request) -> AuthSettings:
    """Dependency: the settings the service bootstrap stored on ``app.state.auth_settings``."""
    settings = getattr(request.app.state, "auth_settings", None)
    if not isinstance(settings, AuthSettings):
        raise RuntimeError(
            "app.state.auth_settings is not set: call cchc_shared.auth.configure_auth(app, "
            "settings) in the service bootstrap"
        )
    return settings


def _www_authenticate(realm: str, error: str | None = None, description: str | None = None) -> str:
    value = f'Bearer realm="{_header_safe(realm)}"'
    if error:
        value += f', error="{error}"'
    if description:
        value += f', error_description="{_header_safe(description)}"'
    return value


def _header_safe(text: str) -> str:
    # RFC 6750 §3: error_description is limited to %x20-21 / %x23-5B / %x5D-7E.
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "?" for ch in text)[:200]


def _unauthorized(settings: AuthSettings, error: AuthError | None) -> HTTPException:
    if error is None:
        vi, en = _ERROR_MESSAGES["missing"]
        header = _www_authenticate(settings.audience)
    else:
        vi, en = error.message_vi, error.reason
        header = _www_authenticate(settings.audience, "invalid_token", error.reason)
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=[{"field": "Authorization", "message": vi, "message_en": en}],
        headers={"WWW-Authenticate": header},
    )


def _refused(settings: AuthSettings, vi: str, en: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_403_FORBIDDEN,
        detail=[{"field": "Authorization", "message": vi, "message_en": en}],
        headers={
            "WWW-Authenticate": _www_authenticate(settings.audience, "insufficient_scope", en)
        },
    )


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer_scheme)],
    settings: Annotated[AuthSettings, Depends(get_auth_settings)],
) -> Principal:
    """Dependency: the caller's :class:`Principal` from ``Authorization: Bearer <token>``;
    ``401`` if the header is missing or the token invalid. Also stored on
    ``request.state.principal`` for logging and auditing."""
    if credentials is None:
        header = request.headers.get("Authorization")
        if header:
            raise _unauthorized(
                settings,
                AuthError("Authorization header must be 'Bearer <token>'", code="malformed"),
            )
        raise _unauthorized(settings, None)
    verifier = getattr(request.app.state, "oidc_verifier", None)
    try:
        if isinstance(verifier, OidcVerifier):
            principal = await verifier.verify(credentials.credentials)
        else:
            principal = verify_token(settings, credentials.credentials)
    except AuthError as exc:
        raise _unauthorized(settings, exc) from None
    except RoleRefused as exc:
        raise _refused(settings, exc.message_vi, exc.reason) from None
    except ProviderUnavailable as exc:
        raise HTTPException(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            detail=[
                {
                    "field": "Authorization",
                    "message": "Không kiểm tra được mã xác thực: không liên lạc được với nơi "
                    "cấp (identity provider)",
                    "message_en": f"cannot check the token: {exc}",
                }
            ],
        ) from None
    await _check_bindings(request, principal)
    request.state.principal = principal
    return principal


async def _check_bindings(request: Request, principal: Principal) -> None:
    """403 for a token that names an agency or a member this service does not know."""
    if principal.agency_code is not None and get_agency(principal.agency_code) is None:
        code = principal.agency_code
        raise _forbidden(
            "agency_code",
            f"Mã cơ quan {code} trong mã xác thực (agency_code) không có trong danh mục cơ quan",
            f"the token's agency_code {code} is not a known agency",
        )
    member_known: MemberCheck | None = getattr(request.app.state, "auth_member_known", None)
    member = principal.member_id
    if member is not None and member_known is not None and not await member_known(member):
        raise _forbidden(
            "member_id",
            f"Mã thành viên {member} trong mã xác thực (member_id) không có trong danh sách "
            "tổ khảo sát",
            f"the token's member_id {member} is not a member of the survey team",
        )


def _forbidden(claim: str, vi: str, en: str) -> HTTPException:
    detail: list[dict[str, Any]] = [
        {"field": f"Authorization.{claim}", "message": vi, "message_en": en}
    ]
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=detail)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
"""Annotated type for a route parameter: any authenticated caller."""


def require_roles(*roles: Role | str) -> Callable[..., Awaitable[Principal]]:
    """Dependency factory: the caller's :class:`Principal` if their role is one of ``roles``;
    ``401`` without a valid token, ``403`` with one whose role is not allowed. Unknown role
    names fail at import time (``ValueError``)."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    allowed = frozenset(Role(r) for r in roles)
    allowed_text = ", ".join(sorted(r.value for r in allowed))

    async def dependency(
        principal: CurrentPrincipal,
        settings: Annotated[AuthSettings, Depends(get_auth_settings)],
    ) -> Principal:
        if principal.roles.isdisjoint(allowed):
            held = ", ".join(sorted(r.value for r in principal.roles))
            raise _refused(
                settings,
                f"Vai trò {held} không có quyền thực hiện thao tác này (cần: {allowed_text})",
                f"role {held} is not allowed to perform this action (requires: {allowed_text})",
            )
        return principal

    dependency.__name__ = f"require_roles_{'_'.join(sorted(r.value for r in allowed))}"
    return dependency
