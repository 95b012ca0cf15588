"""The consultation desk's inbox for an office's staff (officers, supervisors, admins):
conversations by least time left, overdue ones marked, the thread with its files, the
visitor's tickets and bookings alongside, replies, saved replies, assignment, document reviews
and closing. The page polls the API (every 20 seconds); nothing is pushed."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from queue_server.api.access import STAFF, allow
from queue_server.api.deps import Ctx
from queue_server.i18n import N_, normalize_lang
from queue_server.services.consultation import Consultations
from queue_server.web.staff import _office, _to_login, signed_in
from queue_server.web.templating import TEMPLATE_DIR, templates, texts

router = APIRouter(include_in_schema=False)
pages = templates(TEMPLATE_DIR)
REFRESH_SECONDS = 20

INBOX_TEXT: dict[str, str] = {
    "left": N_("sisa {time}"),
    "overdue": N_("terlambat {time}"),
    "answered": N_("sudah dijawab"),
    "closed": N_("ditutup"),
    "waiting": N_("menunggu balasan"),
    "hours": N_("{h} jam {m} menit"),
    "minutes": N_("{m} menit"),
    "assigned": N_("Ditangani: {name}"),
    "nobody": N_("Belum ada yang menangani"),
    "files": N_("{n} berkas"),
    "file_preview": N_("Berkas: {name}"),
    "empty": N_("Tidak ada percakapan yang terbuka."),
    "pick": N_("Pilih percakapan di sebelah kiri."),
    "ack": N_("Balasan otomatis"),
    "reply": N_("Balasan petugas"),
    "review": N_("Pemeriksaan dokumen"),
    "complete": N_("Lengkap"),
    "incomplete": N_("Belum lengkap"),
    "none": N_("Belum diperiksa"),
    "note": N_("Catatan (wajib bila belum lengkap)"),
    "download": N_("Unduh"),
    "erased": N_("Berkas sudah dihapus (masa simpan habis)."),
    "sent": N_("Balasan masuk antrean kirim."),
    "saved": N_("Tersimpan."),
    "note_needed": N_("Tulis apa yang kurang agar pengunjung tahu sebelum datang."),
    "failed": N_("Gagal. Periksa koneksi lalu coba lagi."),
    "no_tickets": N_("Belum ada nomor antrean atau janji temu dari nomor ini."),
    "earlier": N_("{n} percakapan sebelumnya dengan nomor ini."),
    "due": N_("Jawab paling lambat {time}"),
    "first_response": N_("Dijawab pertama oleh {name} pukul {time}"),
    "booking": N_("Janji temu {code} {day} {slot} ({status})"),
    "ticket": N_("{number} · {service} · {day} ({status})"),
    "confirm_close": N_("Tutup percakapan ini? Pesan berikutnya membuka percakapan baru."),
    "delivery_failed": N_("gagal terkirim"),
}


@router.get(
    "/konsultasi", response_class=HTMLResponse, dependencies=[allow(roles=STAFF, page=True)]
)
def inbox_page(
    request: Request, ctx: Ctx, lang: str | None = None, office: str | None = None
) -> Response:
    """The staff inbox of the consultation desk."""
    who = signed_in(ctx, request)
    if who is None:
        return _to_login(request)
    language = normalize_lang(lang)
    found = _office(ctx, who, office)
    config = {
        "office": found.slug,
        "lang": language,
        "timezone": found.timezone,
        "me": who.name,
        "officers": Consultations(ctx.queue).officers(found.id),
        "refresh_seconds": REFRESH_SECONDS,
        "text": texts(INBOX_TEXT, language),
    }
    return pages.TemplateResponse(
        request,
        "konsultasi.html",
        {"lang": language, "office": found, "config": config, "who": who},
        headers={"Cache-Control": "no-store"},
    )
