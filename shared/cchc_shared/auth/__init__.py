"""Bearer-token (JWT) authentication and role checks shared by every service.

Roles are named the same in every service and token (see DESIGN.md, "Least privilege"):

* ``agency_submitter`` — staff of one agency, bound to its ``agency_code``;
* ``secretariat`` — the PAR office of the Department of Home Affairs (Phòng CCHC, Sở Nội vụ);
* ``surveyor`` — a survey-team member, bound to one ``member_id``;
* ``committee_viewer`` — the City People's Committee (read-only);
* ``admin`` — platform administrators.

Tokens are signed JWTs carrying ``iss``, ``aud``, ``sub``, ``iat``, ``exp``, ``jti``, ``role``,
usually ``nbf``, and, for bound roles, ``agency_code`` or ``member_id``. Verification pins the
algorithm list to the single configured algorithm (never ``none``), requires every one of those
claims but ``nbf`` (honoured when present), refuses a token whose ``exp - iat`` exceeds
``CCHC_AUTH_MAX_TOKEN_LIFETIME``, and one on the revocation list (``CCHC_AUTH_REVOCATIONS``,
:mod:`cchc_shared.auth.revocation`).

When ``CCHC_AUTH_ISSUER`` is an OpenID provider's URL, ``configure_auth`` also sets up an
:class:`~cchc_shared.auth.oidc.OidcVerifier`: the provider's tokens are verified against its key
set (RS256/ES256, the algorithm pinned to the key) and the roles and bindings come from its
claims (:mod:`cchc_shared.auth.claims`); a person may then hold several roles
(``Principal.roles``), ``Principal.role`` being the most privileged.

Service bootstrap (once per service)::

    from cchc_shared.auth import AuthSettings, configure_auth

    app = FastAPI(...)
    configure_auth(app, AuthSettings())  # sets app.state.auth_settings

Route usage::

    from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles

    @app.get("/api/v1/initiatives")
    async def list_initiatives(principal: CurrentPrincipal) -> ...: ...

    @app.post("/api/v1/rounds")
    async def plan_round(
        principal: Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))],
    ) -> ...: ...

A missing or invalid token is answered ``401`` with ``WWW-Authenticate: Bearer ...`` and a body
``{"detail": [{"field": "Authorization", "message": "<tiếng Việt>", "message_en": "<English>"}]}``;
a valid
token whose role is not allowed is answered ``403`` with the same body shape.

Development tokens: :func:`issue_token`; on the command line ``cchc token --role ROLE
[--agency CODE] [--member ID]`` (in the tools, ``cchc_tools.token``). Settings come from
``CCHC_AUTH_*`` environment variables (:class:`AuthSettings`); the default secret is for
development only.
"""

from __future__ import annotations

from cchc_shared.auth.dependencies import (
    CurrentPrincipal,
    configure_auth,
    current_principal,
    get_auth_settings,
    require_roles,
)
from cchc_shared.auth.development import issue_token
from cchc_shared.auth.principal import STAFF_ROLES, Principal
from cchc_shared.auth.settings import ALLOWED_ALGORITHMS, DEVELOPMENT_SECRET, AuthSettings
from cchc_shared.auth.tokens import AuthError, verify_token
from cchc_shared.contracts.vocabulary import Role as Role  # defined once, in the contracts

__all__ = [
    "ALLOWED_ALGORITHMS",
    "DEVELOPMENT_SECRET",
    "STAFF_ROLES",
    "AuthError",
    "AuthSettings",
    "CurrentPrincipal",
    "Principal",
    "Role",
    "configure_auth",
    "current_principal",
    "get_auth_settings",
    "issue_token",
    "require_roles",
    "verify_token",
]
