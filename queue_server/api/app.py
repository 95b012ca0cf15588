"""The FastAPI application factory."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

import display_client.routes as display
import kiosk_client.routes as kiosk
from queue_server.announcer.announcer import Announcer
from queue_server.announcer.engine import make_engine
from queue_server.announcer.speaker import Speaker
from queue_server.clock import Clock, SystemClock
from queue_server.config import Settings
from queue_server.notifications import outbox
from queue_server.notifications.worker import Deliverer
from queue_server.realtime import endpoint as realtime_endpoint
from queue_server.realtime.agents import PrintDispatcher
from queue_server.realtime.fanout import PostgresFanout
from queue_server.realtime.hub import Hub
from queue_server.services import regency as regency_board
from queue_server.services import retention
from queue_server.services.admin import Admin
from queue_server.services.auth import PrincipalCache, heartbeat
from queue_server.services.bookings import Bookings
from queue_server.services.queue import QueueService
from queue_server.store.db import Database
from queue_server.web import admin as admin_pages
from queue_server.web import booking as booking_pages
from queue_server.web import consultation as consultation_pages
from queue_server.web import disruptions as disruption_pages
from queue_server.web import pairing, staff
from queue_server.web import regency as regency_pages
from queue_server.web import remote as web_remote
from queue_server.web import reports as report_pages
from queue_server.web import routes as web
from queue_server.web.templating import STATIC_DIR

from . import errors
from .access import allow
from .audit import AuditTrail
from .deps import Context
from .headers import SecurityHeaders
from .inputs import NoNulInAddress
from .limits import Gate
from .routes import (
    admin,
    audio,
    auth,
    bookings,
    chat,
    consultation,
    disruptions,
    messages,
    office_tools,
    privacy,
    queue,
    regency,
    survey,
)
from .routes import audit as audit_routes

log = logging.getLogger(__name__)
ROLLOVER_EVERY_SECONDS = 30.0
ERASE_EVERY_SECONDS = 3600.0


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
    rollover_every: float | None = ROLLOVER_EVERY_SECONDS,
) -> FastAPI:
    """Build the app; the schema must already be migrated (`antrean migrate`)."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    database = database or Database(settings.database_url)
    queue_service = QueueService(database, clock)
    ctx = Context(
        settings=settings,
        clock=clock,
        queue=queue_service,
        admin=Admin(queue_service),
        principals=PrincipalCache(),
        gate=Gate(settings),
    )

    hub = Hub(
        queue_size=settings.ws_queue_size,
        ping_interval=settings.ws_ping_seconds,
        silence=settings.ws_silence_seconds,
        revoked_among=lambda ids: heartbeat(database, ids | dispatcher.connected(), clock.now()),
    )
    dispatcher = PrintDispatcher(alert=hub.alert)
    fanout = PostgresFanout(database.url, queue_service) if not database.is_sqlite else None
    base_url = settings.base_url()
    deliverer = Deliverer(
        database,
        clock,
        backoff_base=settings.notify_backoff_seconds,
        interval=settings.notify_interval_seconds,
    )
    queue_service.effect_hooks.append(
        lambda conn, office_id, state, events, now: deliverer.queued(
            outbox.queue_for_commit(conn, office_id, state, events, now, base_url)
        )
    )
    if fanout is not None:
        queue_service.write_hooks.append(fanout.notify)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        announcer = Announcer(await run_in_threadpool(make_engine, settings.voice))
        _app.state.announcer = announcer
        # Each call's clip is started by the worker that committed it (not by every worker
        # catching up): a worker asked for a clip it has not made makes it then.
        queue_service.commit_listeners.append(announcer.on_changes)
        speaker = Speaker(announcer, settings.speaker) if settings.speaker else None
        if speaker is not None:
            queue_service.listeners.append(speaker.on_changes)
        deliverer.start()
        queue_service.listeners.append(deliverer.after_commit)
        tune_gc()
        hub.start()
        dispatcher.start()
        queue_service.listeners.append(hub.on_changes)
        queue_service.listeners.append(dispatcher.on_changes)
        if fanout is not None:
            fanout.start()
        task = asyncio.create_task(_rollover_loop(ctx, rollover_every)) if rollover_every else None
        try:
            yield
        finally:
            queue_service.listeners.remove(deliverer.after_commit)
            await run_in_threadpool(deliverer.stop)
            queue_service.commit_listeners.remove(announcer.on_changes)
            if speaker is not None:
                queue_service.listeners.remove(speaker.on_changes)
                speaker.close()
            announcer.close()
            queue_service.listeners.remove(hub.on_changes)
            queue_service.listeners.remove(dispatcher.on_changes)
            if fanout is not None:
                await run_in_threadpool(fanout.stop)
            await hub.stop()
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            database.dispose()

    app = FastAPI(
        title="Antrean",
        version="0.1.0",
        description="Antrean: sistem antrean digital untuk kantor pelayanan publik.",
        lifespan=lifespan,
        docs_url=None,  # our own /docs below: Swagger UI from our files, not a CDN
        redoc_url=None,
    )
    app.state.ctx = ctx
    app.state.hub = hub
    app.state.board = regency_board.Board(ctx.queue)
    app.state.printing = dispatcher
    app.state.deliverer = deliverer
    errors.install(app)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AuditTrail)
    app.add_middleware(NoNulInAddress)

    @app.exception_handler(staff.NoOffice)
    async def _no_office(_request: Any, _exc: Exception) -> Response:
        return RedirectResponse("/docs", status_code=303)  # set up an office first (the API)

    app.include_router(auth.router)
    app.include_router(queue.router)
    app.include_router(admin.router)
    app.include_router(office_tools.router)
    app.include_router(realtime_endpoint.router)
    app.include_router(audio.router)
    app.include_router(messages.router)
    app.include_router(chat.router)
    app.include_router(consultation.router)
    app.include_router(survey.router)
    app.include_router(audit_routes.router)
    app.include_router(privacy.router)
    app.include_router(bookings.router)
    app.include_router(disruptions.router)
    app.include_router(regency.router)
    app.include_router(kiosk.api)
    app.include_router(kiosk.router)
    app.include_router(web.router)
    app.include_router(web_remote.router)
    app.include_router(display.router)
    app.include_router(staff.router)
    app.include_router(report_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(booking_pages.router)
    app.include_router(disruption_pages.router)
    app.include_router(consultation_pages.router)
    app.include_router(regency_pages.router)
    app.include_router(pairing.api)
    app.include_router(pairing.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/kiosk/static", StaticFiles(directory=kiosk.STATIC_DIR), name="kiosk-static")
    app.mount("/display/static", StaticFiles(directory=display.STATIC_DIR), name="display-static")

    @app.get("/docs", include_in_schema=False, dependencies=[allow(public=True)])
    def api_docs() -> Response:
        """The API's interactive documentation (Swagger UI, vendored: no internet needed)."""
        vendor = "/static/vendor/swagger-ui-5.35.0"
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="Antrean API",
            swagger_js_url=f"{vendor}/swagger-ui-bundle.js",
            swagger_css_url=f"{vendor}/swagger-ui.css",
            swagger_favicon_url=f"{vendor}/favicon-32x32.png",
        )

    @app.get("/healthz", tags=["health"], dependencies=[allow(public=True)])
    def healthz() -> dict[str, str]:
        """Up and reading its database. `rate_limits` says "per_worker" while the shared
        rate-limit store (Redis) is not answering: the office works, limits hold per worker."""
        with database.read() as conn:
            conn.exec_driver_sql("SELECT 1")
        return {"status": "ok", "rate_limits": "per_worker" if ctx.gate.degraded else "shared"}

    return app


def tune_gc() -> None:
    """Keep full garbage collections off the request path (decision 0007).

    The live state of busy offices is many long-lived objects; with the default thresholds a
    full collection walks all of them every few thousand requests, pausing every request then.
    """
    gc.collect()
    gc.freeze()  # what start-up built is permanent: never scan it again
    gc.set_threshold(10_000, 50, 100)


async def _rollover_loop(ctx: Context, every: float) -> None:
    """Expire open tickets at each office's local midnight even when nobody touches it, and
    erase visitors' personal data past the retention period (hourly)."""
    erased_at = -math.inf
    while True:
        await asyncio.sleep(every)
        try:
            await run_in_threadpool(ctx.queue.rollover_all)  # also lets due bookings into line
        except Exception:
            log.exception("day rollover failed; will retry")
        try:
            await run_in_threadpool(_sweep_bookings, ctx)
        except Exception:
            log.exception("booking reminders and lapses failed; will retry")
        if time.monotonic() - erased_at >= ERASE_EVERY_SECONDS:
            try:
                await run_in_threadpool(_erase, ctx)
                erased_at = time.monotonic()
            except Exception:
                log.exception("erasing old personal data failed; will retry")


def _sweep_bookings(ctx: Context) -> None:
    Bookings(ctx.queue, ctx.settings.base_url()).sweep(ctx.clock.now())


def _erase(ctx: Context) -> None:
    with ctx.queue.db.write() as conn:
        retention.erase_older_than(conn, ctx.clock.now(), ctx.settings.retention_days)
