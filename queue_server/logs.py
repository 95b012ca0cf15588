"""Keep credentials out of the server's logs: uvicorn writes every request's address, and the
live screens carry their device token in the websocket address (`?token=...`), visitors' ticket
tokens are in their page's address (`/t/<token>`). Both are cut to their first 4 characters."""

from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"((?:^|[?&])(?:token|claim)=)([^&\s\"]{4})[^&\s\"]*")
_PATH = re.compile(r"(/(?:t|s|tickets)/)([A-Za-z0-9_-]{4})[A-Za-z0-9_-]{8,}")


def redact(text: str) -> str:
    return _PATH.sub(r"\1\2…", _QUERY.sub(r"\1\2…", text))


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        return True


def install() -> None:
    """Redact on uvicorn's request and connection logs (call once per process)."""
    for name in ("uvicorn.access", "uvicorn.error"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
