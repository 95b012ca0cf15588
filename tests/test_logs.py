"""No device or ticket tokens in the server's logs."""

from __future__ import annotations

import logging

from queue_server.logs import RedactTokens, redact

TOKEN = "dN1vRKIEGLOSDVPtp6CIo-xrUEfyKbA_9So1N0_cWh8"


def test_tokens_are_cut_from_addresses() -> None:
    assert redact(f"/ws/v1/offices/winongan?role=display&token={TOKEN}") == (
        "/ws/v1/offices/winongan?role=display&token=dN1v…"
    )
    assert redact(f"/t/{TOKEN[:22]}?lang=en") == "/t/dN1v…?lang=en"
    assert redact(f"/api/v1/tickets/{TOKEN[:22]}/cancel") == "/api/v1/tickets/dN1v…/cancel"
    assert redact("/laporan?start=2026-11-01") == "/laporan?start=2026-11-01"  # nothing else


def test_the_filter_rewrites_uvicorn_records() -> None:
    access = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/t/{TOKEN[:22]}", "1.1", 200), None,
    )  # fmt: skip
    socket = logging.LogRecord(
        "uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", f"/ws/v1/offices/w?role=counter&token={TOKEN}"), None,
    )  # fmt: skip
    for record in (access, socket):
        assert RedactTokens().filter(record)
        assert TOKEN[:10] not in record.getMessage()
