"""Refuse NUL characters anywhere in a request's address (PostgreSQL text cannot hold them; no
person types one). Bodies are checked by the schemas (`schemas.Strict`)."""

from __future__ import annotations

from urllib.parse import unquote

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from .errors import error_response


class NoNulInAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
            if "\x00" in unquote(raw.decode("latin-1")) or "\x00" in scope.get("path", ""):
                response = error_response(Request(scope), 422, "invalid_request")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
