"""The app uvicorn serves: `uvicorn queue_server.api.main:app` (settings from ANTREAN_*)."""

from __future__ import annotations

from .app import create_app

app = create_app()
