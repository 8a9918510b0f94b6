"""Domain errors as HTTP answers, in the one error format of every API."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cchc_intake.domain.errors import (
    Conflict,
    DomainError,
    DuplicateTitle,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from cchc_intake.service_layer.handlers import NotAllowed

_STATUS: tuple[tuple[type[DomainError], int], ...] = (
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (NotAllowed, 403),
    (PayloadTooLarge, 413),
    (UnsupportedMediaType, 415),
)


def status_of(error: DomainError) -> int:
    return next((code for kind, code in _STATUS if isinstance(error, kind)), 400)


def body_of(error: DomainError) -> dict[str, Any]:
    body: dict[str, Any] = {
        "detail": [
            {"field": f.field or "body", "message": f.message_vi, "message_en": f.message_en}
            for f in error.faults
        ]
    }
    if isinstance(error, DuplicateTitle):
        body["existing_id"] = str(error.existing_id)
    return body


def _bilingual(item: Any) -> Any:
    # The kit's auth answers {"field", "message": "<vi> / <en>"}; give it the API's shape.
    if isinstance(item, dict) and "message" in item and "message_en" not in item:
        vi, _, en = str(item["message"]).partition(" / ")
        return {**item, "message": vi, "message_en": en or vi}
    return item


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(_: Request, exc: DomainError) -> JSONResponse:
        return JSONResponse(body_of(exc), status_code=status_of(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail: Any = exc.detail
        if isinstance(detail, list):
            detail = [_bilingual(item) for item in detail]
        elif exc.status_code == 404:
            detail = [
                {
                    "field": "path",
                    "message": "Không tìm thấy đường dẫn",
                    "message_en": str(detail),
                }
            ]
        elif exc.status_code == 405:
            detail = [
                {
                    "field": "method",
                    "message": "Phương thức không được hỗ trợ",
                    "message_en": str(detail),
                }
            ]
        else:
            detail = [{"field": "", "message": str(detail), "message_en": str(detail)}]
        headers = getattr(exc, "headers", None)
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=headers)
