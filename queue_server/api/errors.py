"""Every refusal becomes JSON {code, message, messages: {id, en}} with the right 4xx status."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from queue_server.domain import appointments
from queue_server.domain import errors as domain_errors
from queue_server.i18n import negotiate
from queue_server.i18n.errors import error_messages
from queue_server.phones import InvalidPhone
from queue_server.services.admin import Conflict, NotFound
from queue_server.services.auth import WeakPassword
from queue_server.services.bookings import WrongCode
from queue_server.services.queue import (
    IdempotencyConflict,
    OfficeNotFound,
    TicketNotFound,
)

log = logging.getLogger(__name__)

DOMAIN_STATUS: dict[type[domain_errors.DomainError], int] = {
    domain_errors.RemoteNotAllowed: 403,
    domain_errors.NotSignedIn: 403,
    domain_errors.UnknownService: 422,
    domain_errors.NikRequired: 422,
    domain_errors.PhoneRequired: 422,
    domain_errors.ConsentRequired: 422,
    domain_errors.PriorityInPerson: 422,
    domain_errors.UnknownCounter: 404,
    domain_errors.UnknownTicket: 404,
    appointments.BookingNotOffered: 403,
    appointments.BookingDayOutOfRange: 422,
    WrongCode: 422,
}


SERVICE_ERRORS: dict[type[Exception], tuple[int, str]] = {
    OfficeNotFound: (404, "office_not_found"),
    TicketNotFound: (404, "unknown_ticket"),
    NotFound: (404, "not_found"),
    Conflict: (409, "conflict"),
    IdempotencyConflict: (409, "idempotency_conflict"),
    InvalidPhone: (422, "invalid_phone"),
    WeakPassword: (422, "weak_password"),
}


class ApiError(Exception):
    """An HTTP refusal with an error code from the catalogue."""

    def __init__(
        self,
        status: int,
        code: str,
        headers: dict[str, str] | None = None,
        field: str | None = None,
        **params: Any,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = params
        self.headers = headers
        self.field = field  # the body field at fault, named in `details` as validation does


def error_response(
    request: Request,
    status: int,
    code: str,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    messages = error_messages(code, **(params or {}))
    # a language the caller chose for this request (e.g. a ticket's) wins over the browser's
    lang = getattr(request.state, "language", None) or negotiate(
        request.headers.get("accept-language")
    )
    body = {"code": code, "message": messages[lang], "messages": messages, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        extra: dict[str, Any] = {}
        if exc.field is not None:
            extra["details"] = [{"loc": ["body", exc.field], "msg": exc.code, "type": exc.code}]
        return error_response(request, exc.status, exc.code, exc.params, exc.headers, **extra)

    @app.exception_handler(domain_errors.DomainError)
    async def _domain(request: Request, exc: domain_errors.DomainError) -> JSONResponse:
        status = DOMAIN_STATUS.get(type(exc), 409)
        return error_response(request, status, exc.code, exc.params)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        return error_response(request, 422, "invalid_request", details=details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {
            401: "not_authenticated",
            403: "forbidden",
            404: "not_found",
            405: "not_found",
        }.get(exc.status_code, "invalid_request" if exc.status_code < 500 else "internal_error")
        status = 404 if exc.status_code == 405 else exc.status_code
        return error_response(request, status, code)

    async def _known(request: Request, exc: Exception) -> JSONResponse:
        status, code = SERVICE_ERRORS[type(exc)]
        params = {"office": str(exc)} if isinstance(exc, OfficeNotFound) else {}
        return error_response(request, status, code, params)

    for error_type in SERVICE_ERRORS:
        app.add_exception_handler(error_type, _known)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal_error")
