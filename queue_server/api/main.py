"""The app uvicorn serves: `uvicorn queue_server.api.main:app` (settings from ANTREAN_*)."""

from __future__ import annotations

from queue_server import logs

from .app import create_app

logs.install()  # no device or ticket tokens in the access log
app = create_app()
