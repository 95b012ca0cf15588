"""Pages over every office: the regency dashboard (kabupaten) for admins and regency supervisors,
and the public list of offices (kantor) a visitor checks to pick the least busy one.

Both are drawn on the server with the figures of the moment and then kept fresh by polling a
small JSON endpoint (`static/js/regency.js` every 10 s, `static/js/offices.js` every 30 s):
docs/decisions/0011-regency-pages-poll.md says why not websockets.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server.api.access import SUPERVISORS, allow
from queue_server.api.deps import Ctx
from queue_server.i18n import N_, negotiate, normalize_lang, translate
from queue_server.services import regency
from queue_server.web.staff import signed_in
from queue_server.web.templating import TEMPLATE_DIR, templates, texts

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)
DASHBOARD_REFRESH_SECONDS = 10
PUBLIC_REFRESH_SECONDS = 30

# The dashboard's columns: (key in the summary, heading msgid); the script sorts by them.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("name", N_("Kantor")),
    ("waiting", N_("Menunggu sekarang")),
    ("wait_avg_minutes", N_("Rata-rata tunggu hari ini (menit)")),
    ("counters_open", N_("Loket buka")),
    ("served", N_("Dilayani hari ini")),
    ("ikm", N_("IKM 30 hari")),
)
NONE = "—"  # a figure there is none of yet
DASHBOARD_TEXT: dict[str, str] = {
    "of": N_("{open} dari {all}"),
    "respondents": N_("{n} responden"),
    "busiest": N_("Tersibuk"),
    "updated": N_("Diperbarui pukul {time}"),
    "failed": N_("Gagal memperbarui. Mencoba lagi…"),
}
PUBLIC_TEXT: dict[str, str] = {
    "status_open": N_("Buka sekarang"),
    "status_break": N_("Sedang istirahat"),
    "status_closed": N_("Tutup sekarang"),
    "waiting": N_("orang menunggu"),
    "counters_open": N_("{n} loket melayani"),
    "hours": N_("Jam layanan hari ini: {opens}–{closes}"),
    "closed_today": N_("Hari ini tutup"),
    "updated": N_("Diperbarui pukul {time}"),
    "failed": N_("Gagal memperbarui. Mencoba lagi…"),
}


def _dashboard_cells(row: dict[str, Any], lang: str) -> dict[str, str]:
    """A summary row as the table shows it ("—" for a figure there is none of yet)."""
    of, respondents = DASHBOARD_TEXT["of"], DASHBOARD_TEXT["respondents"]
    wait = row["wait_avg_minutes"]
    return {
        "waiting": str(row["waiting"]),
        "wait_avg_minutes": NONE if wait is None else f"{wait:.1f}",
        "counters_open": translate(of, lang, open=row["counters_open"], all=row["counters"]),
        "served": str(row["served"]),
        "ikm": NONE if row["ikm"] is None else f"{row['ikm']} ({row['ikm_grade']})",
        "respondents": ""
        if row["ikm"] is None
        else translate(respondents, lang, n=row["respondents"]),
    }


@router.get(
    "/kabupaten",
    response_class=HTMLResponse,
    dependencies=[allow(roles=SUPERVISORS, regency=True, page=True)],
)
def dashboard(request: Request, ctx: Ctx, lang: str | None = None) -> Response:
    """Every office side by side, live: waiting, average wait today, counters open, served
    today, IKM; sortable by column, the busiest marked; each office links to its report."""
    who = signed_in(ctx, request)
    if who is None:
        return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)
    if not who.sees_every_office:  # a supervisor of one office: their own screens
        return RedirectResponse("/loket", status_code=303)
    language = normalize_lang(lang)
    data = regency.summary(ctx.queue)
    rows = [{**row, "cells": _dashboard_cells(row, language)} for row in data["offices"]]
    busiest = max((row["waiting"] for row in rows), default=0)
    config = {
        "lang": language,
        "refresh_seconds": DASHBOARD_REFRESH_SECONDS,
        "busiest": busiest,
        "none": NONE,
        "offices": data["offices"],
        "text": texts(DASHBOARD_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "regency.html",
        {
            "lang": language,
            "who": who,
            "rows": rows,
            "busiest": busiest,
            "ikm_days": data["ikm_days"],
            "columns": [(key, translate(words, language)) for key, words in COLUMNS],
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )


def _public_cards(faces: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The public list's offices with their words in `lang` (the script redraws the same)."""
    hours_words, closed, serving = (
        PUBLIC_TEXT[k] for k in ("hours", "closed_today", "counters_open")
    )
    cards = []
    for face in faces:
        hours, status = face["hours"], PUBLIC_TEXT[f"status_{face['status']}"]
        cards.append({
            **face,
            "status_text": translate(status, lang),
            "hours_text": translate(closed, lang) if hours is None
            else translate(hours_words, lang, **hours),
            "counters_text": translate(serving, lang, n=face["counters_open"]),
            "service_names": {s["code"]: s["name"][lang] for s in face["services"]},
        })  # fmt: skip
    return cards


@router.get("/kantor", response_class=HTMLResponse, dependencies=[allow(public=True)])
def offices_page(request: Request, lang: str | None = None) -> Response:
    """The regency's offices for the public: open now, today's hours, how many wait (per
    service), counters serving, a link to take a number from the phone; least busy first."""
    from queue_server.api.routes.regency import board

    language = normalize_lang(lang) if lang else negotiate(request.headers.get("accept-language"))
    faces = board(request).public()
    config = {
        "lang": language,
        "refresh_seconds": PUBLIC_REFRESH_SECONDS,
        "text": texts(PUBLIC_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "offices.html",
        {
            "lang": language,
            "other_lang": "en" if language == "id" else "id",
            "offices": _public_cards(faces, language),
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )
