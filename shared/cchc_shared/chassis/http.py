"""The HTTP face every service shares: health, readiness, metrics, error format,
request-size cap, security headers, and a lifespan that starts and stops the service runtime."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cchc_shared.chassis.fields import DATE_MAX, DATE_MIN
from cchc_shared.chassis.metrics import replica_registry
from cchc_shared.chassis.runtime import ServiceRuntime, seed_once_among_replicas
from cchc_shared.contracts.envelope import json_path
from cchc_shared.errors import DomainError, error_detail

HTTP_REQUESTS = Counter("cchc_http_requests_total", "HTTP requests", ["method", "route", "status"])
HTTP_SECONDS = Histogram("cchc_http_request_seconds", "HTTP request latency", ["method", "route"])

# A campaign year in a URL path: bounded like the events' campaign_year, so that an absurd
# year is a 422 naming the parameter, not a database overflow.
CampaignYearPath = Annotated[
    int, Path(ge=2000, le=2100, description="Campaign year (năm khảo sát), e.g. 2023")
]
CampaignYearFilter = Annotated[
    int | None, Query(ge=2000, le=2100, description="Only this campaign year (năm khảo sát)")
]


# The framework's own HTTP errors (an unknown path or method), named in the one error format.
_HTTP_FAULTS = {
    404: ("path", "Không tìm thấy đường dẫn"),
    405: ("method", "Phương thức không được hỗ trợ"),
}


class MeasureRequests:
    """Counts and times every request by method, route and status (``cchc_http_*``), until its
    last byte is sent. Plain ASGI: Starlette's ``@app.middleware("http")`` runs each request in
    a task of its own behind memory streams, a cost on every page and API call."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, the server's answer is a 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            elapsed = time.perf_counter() - started
            # The router sets the matched route in the scope, so it is known only afterwards.
            path = getattr(scope.get("route"), "path", "other")
            method = scope["method"]
            HTTP_SECONDS.labels(method, path).observe(elapsed)
            HTTP_REQUESTS.labels(method, path, str(status)).inc()


def measure_requests(app: FastAPI) -> None:
    """Count and time every request by method, route and status (``cchc_http_*``)."""
    app.add_middleware(MeasureRequests)


def error_body(field: str, message_vi: str, message_en: str) -> dict[str, Any]:
    """The one error format of every API: each fault names its field, in Vietnamese and English."""
    return {"detail": [{"field": field, "message": message_vi, "message_en": message_en}]}


# On every response: the API answers JSON and files, never a page to frame, sniff or cache.
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# The interactive documents (when enabled) load their script and style from a CDN.
_DOCS_CSP = "frame-ancestors 'none'"
DOCS_PATHS = ("/docs", "/docs/oauth2-redirect", "/redoc")


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every response, keeping a ``Cache-Control`` or a
    ``Content-Security-Policy`` that the route set itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
        self._docs_headers = [
            (k, _DOCS_CSP.encode() if k == b"content-security-policy" else v)
            for k, v in self._headers
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self._docs_headers if scope.get("path") in DOCS_PATHS else self._headers

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class ServiceApp(FastAPI):
    """The FastAPI application of a service: :class:`SecurityHeaders` wraps the whole stack,
    outside Starlette's own error layer and any middleware a service adds after the kit's."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())


class BodySizeLimit:
    """Refuses a request body over the cap with 413, before the handler reads it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        received = 0
        refused = False
        started = False

        async def limited() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    refused = True
                    raise _TooLarge
            return message

        async def guarded(message: Message) -> None:
            # Once the body is refused the 413 is ours: the app may have caught _TooLarge
            # while reading the body (FastAPI turns it into a 400 "error parsing the body").
            nonlocal started
            if refused and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        with suppress(_TooLarge):
            await self.app(scope, limited, guarded)
        if refused and not started:
            await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(
            error_body(
                "body",
                f"Nội dung yêu cầu vượt quá giới hạn {self.max_bytes} byte",
                f"request body exceeds the limit of {self.max_bytes} bytes",
            ),
            status_code=413,
        )
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": response.body})


class _TooLarge(Exception):
    pass


def create_app(
    runtime: ServiceRuntime,
    *,
    title: str,
    description: str = "",
    routers: Sequence[APIRouter] = (),
    on_startup: Sequence[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
    max_body_bytes: int | None = None,
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        for hook in on_startup:
            await seed_once_among_replicas(hook)
        try:
            yield
        finally:
            for hook in on_shutdown:  # before the runtime: a hook may still write
                await hook()
            await runtime.stop()

    settings = runtime.settings
    docs = settings.docs_enabled
    app = ServiceApp(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.runtime = runtime
    for router in routers:
        app.include_router(router, prefix="/api/v1")

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        detail = []
        for err in exc.errors():
            location = tuple(p for p in err.get("loc", ()) if p != "body")
            detail.append(
                {
                    "field": json_path(location, "$").removeprefix("$.").removeprefix("$")
                    or "body",
                    "message": _vi(err),
                    "message_en": str(err.get("msg", "")),
                }
            )
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(
            {"detail": error_detail(exc), **exc.body_extra()}, status_code=exc.status
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        # A list is already in the one format (the auth's 401/403); a string is Starlette's.
        detail: Any = exc.detail
        if not isinstance(detail, list):
            field, message_vi = _HTTP_FAULTS.get(exc.status_code, ("body", str(detail)))
            detail = [{"field": field, "message": message_vi, "message_en": str(detail)}]
        headers = getattr(exc, "headers", None)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(DBAPIError)
    async def database_unavailable(_: Request, exc: DBAPIError) -> Response:
        if not exc.connection_invalidated:
            raise exc
        return JSONResponse(
            error_body(
                "database",
                "Cơ sở dữ liệu tạm thời không sẵn sàng, vui lòng thử lại sau ít giây",
                "The database is temporarily unavailable; retry in a few seconds",
            ),
            status_code=503,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def server_error(_: Request, exc: Exception) -> Response:
        # The one error format for a 500 too (the exception is still logged by the server).
        return JSONResponse(
            error_body(
                "server",
                "Lỗi máy chủ; vui lòng thử lại sau",
                "internal server error; please retry later",
            ),
            status_code=500,
        )

    measure_requests(app)

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"])
    async def ready() -> JSONResponse:
        checks = await runtime.readiness()
        return JSONResponse(checks, status_code=200 if checks["ready"] else 503)

    if settings.metrics_port is None:  # otherwise on its own port (chassis.server)
        registry = replica_registry(settings.replica)

        @app.get("/metrics", tags=["health"])
        async def metrics() -> Response:
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_middleware(BodySizeLimit, max_bytes=max_body_bytes or settings.max_body_bytes)
    return app


_VI_MESSAGES = {
    "missing": "Trường bắt buộc bị thiếu",
    "string_too_short": "Giá trị quá ngắn",
    "string_too_long": "Giá trị quá dài",
    "string_pattern_mismatch": "Giá trị không đúng định dạng",
    "literal_error": "Giá trị không thuộc danh sách cho phép",
    "date_from_datetime_parsing": "Ngày không hợp lệ",
    "date_parsing": "Ngày không hợp lệ",
    "date_type": "Ngày không hợp lệ",
    "uuid_parsing": "Mã định danh (UUID) không hợp lệ",
    "int_parsing": "Phải là số nguyên",
    "int_type": "Phải là số nguyên (không nhận chuỗi hay true/false)",
    "int_from_float": "Phải là số nguyên",
    "float_type": "Phải là số (không nhận chuỗi hay true/false)",
    "float_parsing": "Phải là số",
    "finite_number": "Phải là số hữu hạn",
    "date_out_of_range": f"Ngày nằm ngoài khoảng cho phép ({DATE_MIN}..{DATE_MAX})",
    "greater_than_equal": "Giá trị quá nhỏ",
    "less_than_equal": "Giá trị quá lớn",
    "extra_forbidden": "Trường không được phép gửi",
    "value_error": "Giá trị không hợp lệ",
    "json_invalid": "Nội dung JSON không hợp lệ",
}


def _vi(err: Any) -> str:
    base = _VI_MESSAGES.get(str(err.get("type", "")), "Giá trị không hợp lệ")
    return f"{base}: {err.get('msg', '')}"
