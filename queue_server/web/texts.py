"""Texts more than one page's script shows (the place in line), marked once for the catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from queue_server.i18n import N_, translate
from queue_server.services.disruptions import REASON_WORDS

LINE_TEXT: dict[str, str] = {
    "ahead": N_("{n} orang di depan Anda"),
    "ahead_none": N_("Tidak ada antrean di depan Anda"),
    "estimate": N_("Perkiraan menunggu {low}–{high} menit"),
    "estimate_upto": N_("Perkiraan menunggu paling lama {high} menit"),
    "estimate_soon": N_("Segera dipanggil"),
}

# A disruption's notice (kiosk, lobby display, the visitor's phone): antrean-text.js puts it
# together from these and the snapshot's `disruptions`.
DISRUPTION_TEXT: dict[str, str] = {
    "down_service": N_("Layanan {service} sedang terganggu: {reason}."),
    "down_office": N_("Semua layanan sedang terganggu: {reason}."),
    "down_until": N_("Perkiraan pulih pukul {time}."),
    "down_unknown": N_("Waktu pulih belum diketahui."),
    **{f"reason_{reason}": words for reason, words in REASON_WORDS.items()},
}


def disruption_notice(
    disruptions: Sequence[Mapping[str, Any]], code: str, service_name: str, lang: str
) -> str | None:
    """The notice for service `code` (its own disruption, else an office-wide one), worded as
    antrean-text.js words it on live screens; None when the service runs normally."""
    found = [d for d in disruptions if d["service"] == code] or [
        d for d in disruptions if d["service"] is None
    ]
    if not found:
        return None
    d = found[0]
    reason = translate(DISRUPTION_TEXT[f"reason_{d['reason']}"], lang)
    if d["note"]:
        reason = f"{reason} ({d['note']})"
    head_key = "down_service" if d["service"] else "down_office"
    tail_key = "down_until" if d["until"] else "down_unknown"
    head = translate(DISRUPTION_TEXT[head_key], lang, service=service_name, reason=reason)
    tail = translate(DISRUPTION_TEXT[tail_key], lang, time=d["until"] or "")
    return f"{head} {tail}"


# The nine SKM elements (Permenpan RB 14/2017) as the survey asks them; the keys are
# queue_server.domain.skm.KEYS, the Indonesian names the regulation's own wording.
UNSUR_TEXT: dict[str, str] = {
    "u1": N_("Persyaratan"),
    "u2": N_("Sistem, mekanisme, dan prosedur"),
    "u3": N_("Waktu penyelesaian"),
    "u4": N_("Biaya/tarif"),
    "u5": N_("Produk spesifikasi jenis pelayanan"),
    "u6": N_("Kompetensi pelaksana"),
    "u7": N_("Perilaku pelaksana"),
    "u8": N_("Penanganan pengaduan, saran dan masukan"),
    "u9": N_("Sarana dan prasarana"),
}
SCORE_TEXT: dict[int, str] = {
    1: N_("Tidak baik"),
    2: N_("Kurang baik"),
    3: N_("Baik"),
    4: N_("Sangat baik"),
}
PROFILE_TEXT: dict[str, str] = {
    "age_group": N_("Umur"),
    "sex": N_("Jenis kelamin"),
    "education": N_("Pendidikan"),
    "occupation": N_("Pekerjaan"),
}
SURVEY_TEXT: dict[str, str] = {
    "thanks": N_("Terima kasih atas penilaian Anda."),
    "missing": N_("Mohon beri nilai untuk kesembilan unsur."),
    "failed": N_("Gagal mengirim. Periksa sambungan lalu coba lagi."),
}
GRADE_TEXT: dict[str, str] = {  # the grade words of queue_server.domain.skm.GRADES
    "A": N_("Sangat Baik"),
    "B": N_("Baik"),
    "C": N_("Kurang Baik"),
    "D": N_("Tidak Baik"),
}

PERIOD_TEXT: dict[str, str] = {  # the periods of queue_server.domain.skm.periods
    "quarter": N_("Triwulan {roman} {year}"),
    "semester": N_("Semester {roman} {year}"),
    "year": N_("Tahun {year}"),
}
ROMAN = ("", "I", "II", "III", "IV")

# Monday first, as `date.weekday()` counts.
WEEKDAY_WORDS = (
    N_("Senin"),
    N_("Selasa"),
    N_("Rabu"),
    N_("Kamis"),
    N_("Jumat"),
    N_("Sabtu"),
    N_("Minggu"),
)
