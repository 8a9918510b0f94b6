"""The composition root of the portal: its API clients, the identity provider, the pages."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from cchc_portal.adapters.api import Refused, ServiceApis, ServiceUnavailable, SignInNeeded
from cchc_portal.adapters.oidc import OidcClient, SignInFailed
from cchc_portal.config import PortalSettings
from cchc_portal.entrypoints.dependencies import (
    FormExpired,
    SignInRequired,
    WrongRole,
    current_session,
)
from cchc_portal.entrypoints.pages import error_page, page_policy
from cchc_portal.entrypoints.routers import development_router, metrics_router, router
from cchc_portal.service_layer.agency import NotVisible
from cchc_portal.service_layer.services import PortalServices
from cchc_portal.service_layer.sessions import SESSION_COOKIE
from cchc_shared.auth import AuthSettings
from cchc_shared.auth.claims import ClaimSettings
from cchc_shared.auth.oidc import is_oidc_issuer
from cchc_shared.chassis.http import ServiceApp, measure_requests

log = logging.getLogger("cchc.portal")
# One line per API call (readiness probes included) is noise; failures are logged as pages.
logging.getLogger("httpx").setLevel(logging.WARNING)
STATIC = Path(__file__).resolve().parent / "static"

_NOT_FOUND = (
    "Không tìm thấy trang",
    "Trang này không có, hoặc bạn không có quyền xem. Hãy quay lại trang chính của bạn.",
)


def create_app(
    settings: PortalSettings | None = None,
    *,
    auth: AuthSettings | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    settings = settings if isinstance(settings, PortalSettings) else PortalSettings()
    auth = auth or AuthSettings()
    apis = ServiceApis(settings.api_urls, settings.api_timeout, transport)
    oidc = None
    if is_oidc_issuer(auth.issuer):
        oidc = OidcClient(
            issuer=auth.issuer,
            client_id=settings.oidc_client_id,
            client_secret=(
                settings.oidc_client_secret.get_secret_value()
                if settings.oidc_client_secret
                else None
            ),
            redirect_uri=f"{settings.resolved_public_url}/auth/callback",
            discovery_url=settings.oidc_discovery_url,
            scope=settings.oidc_scope,
            audience=auth.audience,
            claims=ClaimSettings(),
            timeout=settings.api_timeout,
            transport=transport,
        )
    services = PortalServices.build(settings, auth, apis, oidc)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await apis.aclose()
            if oidc is not None:
                await oidc.aclose()

    app = ServiceApp(
        title="CCHC — Cổng thông tin / Portal",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.services = services
    app.state.auth_settings = auth
    app.state.page_policy = page_policy(auth.issuer if oidc else None)
    app.include_router(router)
    if settings.metrics_port is None:  # otherwise on its own port (chassis.server)
        app.include_router(metrics_router)
    if settings.development_sign_in:
        app.include_router(development_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount(
        "/assets",
        StaticFiles(directory=settings.assets_dir, check_dir=False),
        name="assets",
    )
    _handle_errors(app)
    measure_requests(app)

    return app


def _handle_errors(app: FastAPI) -> None:
    """Every failure is a page in Vietnamese, never a stack trace."""

    @app.exception_handler(SignInRequired)
    async def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        return RedirectResponse(f"/sign-in?next={exc.next_path}", status_code=303)

    @app.exception_handler(SignInNeeded)
    async def token_refused(request: Request, exc: SignInNeeded) -> Response:
        # The API refused the token (expired, revoked): a new sign-in, the old cookie gone.
        response = RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.exception_handler(WrongRole)
    async def wrong_role(request: Request, exc: WrongRole) -> Response:
        return error_page(
            request,
            403,
            "Không có quyền truy cập",
            "Trang này dành cho vai trò khác. Hãy quay lại trang chính của bạn.",
            session=current_session(request),
        )

    @app.exception_handler(FormExpired)
    async def form_expired(request: Request, exc: FormExpired) -> Response:
        return error_page(
            request,
            403,
            "Biểu mẫu đã hết hạn",
            "Biểu mẫu không còn hợp lệ (mã chống giả mạo không khớp). Hãy tải lại trang rồi "
            "gửi lại.",
            session=current_session(request),
        )

    @app.exception_handler(NotVisible)
    async def not_visible(request: Request, exc: NotVisible) -> Response:
        return error_page(request, 404, *_NOT_FOUND, session=current_session(request))

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        session = current_session(request)
        if exc.status in (403, 404):
            return error_page(request, 404, *_NOT_FOUND, session=session)
        messages = "; ".join(f.message for f in exc.faults) or "Yêu cầu không được chấp nhận."
        return error_page(request, exc.status, "Yêu cầu bị từ chối", messages, session=session)

    @app.exception_handler(ServiceUnavailable)
    async def unavailable(request: Request, exc: ServiceUnavailable) -> Response:
        log.warning("%s unavailable: %s", exc.service, exc.reason)
        response = error_page(
            request,
            503,
            "Dịch vụ tạm thời gián đoạn",
            f"Không kết nối được {exc.service_name}. Dữ liệu của bạn không bị mất; vui lòng "
            "thử lại sau ít phút.",
            session=current_session(request),
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.exception_handler(SignInFailed)
    async def provider_down(request: Request, exc: SignInFailed) -> Response:
        log.warning("sign-in failed: %s", exc.message_en)
        return error_page(request, 503, "Chưa đăng nhập được", exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return error_page(
                request, 405, "Thao tác không được hỗ trợ", "Trang này không nhận thao tác đó."
            )
        return error_page(request, exc.status_code, *_NOT_FOUND)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        if any(err.get("loc", ("",))[0] == "path" for err in exc.errors()):
            return error_page(request, 404, *_NOT_FOUND, session=current_session(request))
        fields = ", ".join(str(err.get("loc", ("", ""))[-1]) for err in exc.errors())
        return error_page(
            request,
            400,
            "Yêu cầu không hợp lệ",
            f"Giá trị không hợp lệ ở: {fields}.",
            session=current_session(request),
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s", request.url.path)
        return error_page(
            request,
            500,
            "Lỗi hệ thống",
            "Đã có lỗi ngoài dự kiến. Vui lòng thử lại sau; nếu lỗi lặp lại, hãy báo cho bộ "
            "phận hỗ trợ.",
        )
