"""The supervisor's page for service disruptions (gangguan layanan): mark a service or the whole
office disrupted in one tap, change the expected end, restore it, and see the history with who
did what and how many visitors left their number."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from queue_server.api.access import SUPERVISORS, allow
from queue_server.api.deps import Ctx
from queue_server.api.routes.disruptions import disruptions_of, record_out
from queue_server.domain import calendar
from queue_server.domain.disruptions import Reason
from queue_server.i18n import N_, normalize_lang, translate
from queue_server.services.auth import Role
from queue_server.services.disruptions import REASON_WORDS
from queue_server.web.staff import _office, signed_in
from queue_server.web.templating import TEMPLATE_DIR, templates, texts

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)

PAGE_TEXT: dict[str, str] = {
    "failed": N_("Gagal. Periksa sambungan lalu coba lagi."),
    "confirm_restore": N_("Pulihkan layanan ini? Semua nomor HP di daftar akan dikabari."),
}


@router.get(
    "/gangguan", response_class=HTMLResponse, dependencies=[allow(roles=SUPERVISORS, page=True)]
)
def disruptions_page(
    request: Request, ctx: Ctx, office: str | None = None, lang: str | None = None
) -> Response:
    """Disruptions: mark, change the expected end, restore; the history below."""
    who = signed_in(ctx, request)
    if who is None or who.role not in (Role.ADMIN, Role.SUPERVISOR):
        return RedirectResponse(f"/masuk?next={request.url.path}", status_code=303)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    state = ctx.queue.read(found.id)

    def local(at: datetime | None) -> str:
        if at is None:
            return "—"
        return calendar.clock_text(state.office, at, state.service_date)

    records = []
    for record in disruptions_of(ctx).history(found.id):
        out = record_out(ctx, found.id, record)
        svc = out["service_name"]
        out["scope"] = svc[language] if svc else translate(N_("Semua layanan"), language)
        out["reason_words"] = out["reason_text"][language]
        out["started_local"] = local(out["started_at"])
        out["ended_local"] = local(out["ended_at"])
        records.append(out)
    services = sorted(
        (s for s in state.services.values() if s.active), key=lambda s: (s.sort_order, s.code)
    )
    config: dict[str, Any] = {
        "office": found.slug,
        "lang": language,
        "text": texts(PAGE_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "disruptions.html",
        {
            "lang": language,
            "office": found,
            "who": who,
            "services": services,
            "reasons": [(r.value, translate(REASON_WORDS[r.value], language)) for r in Reason],
            "active": [r for r in records if r["ended_at"] is None],
            "history": [r for r in records if r["ended_at"] is not None],
            "callback_mode": state.office.callback_mode.value,
            "config": config,
        },
        headers={"Cache-Control": "no-store"},
    )
