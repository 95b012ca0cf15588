"""The text for every error code, in Indonesian (the msgid) and English (the catalog).

Domain errors (`queue_server.domain.errors`) carry a stable `code` and `params`; the API
turns them into `{"id": ..., "en": ...}` with `error_messages(code, **params)`.
"""

from __future__ import annotations

from typing import Any

from . import LANGUAGES, N_, translate

__all__ = ["ERROR_TEXT", "PSEUDO_STATUS_TEXT", "STATUS_TEXT", "error_messages"]

ERROR_TEXT: dict[str, str] = {
    # Refusals from the domain rules; params are the domain error's params.
    "office_closed": N_("Mohon maaf, kantor sedang tutup. Jam layanan hari ini {opens}–{closes}."),
    "service_closed": N_(
        "Mohon maaf, layanan {service} sedang tutup. Jam layanan hari ini {opens}–{closes}."
    ),
    "past_last_ticket": N_(
        "Pengambilan nomor antrean layanan {service} hari ini sudah ditutup pukul "
        "{last_ticket}. Silakan datang kembali pada hari kerja berikutnya."
    ),
    "quota_reached": N_(
        "Kuota layanan {service} hari ini ({quota} nomor antrean) sudah habis. "
        "Silakan datang kembali pada hari kerja berikutnya."
    ),
    "nik_required": N_("Masukkan NIK (16 angka) untuk mengambil nomor antrean di kantor ini."),
    "person_cap_reached": N_(
        "Batas {cap} nomor antrean per orang per hari sudah tercapai untuk NIK ini."
    ),
    "phone_required": N_(
        "Isi nomor HP Anda: nomor antrean yang diambil dari luar kantor dikabari lewat "
        "SMS/WhatsApp saat giliran Anda hampir tiba."
    ),
    "consent_required": N_(
        "Centang persetujuan menerima pesan: tanpa pesan, kami tidak dapat memberi tahu Anda saat "
        "giliran Anda hampir tiba."
    ),
    "phone_cap_reached": N_("Nomor HP ini sudah memegang {cap} nomor antrean aktif hari ini."),
    "priority_in_person": N_(
        "Jalur prioritas diberikan di kantor. Ambil nomor di kios atau sampaikan kepada petugas "
        "saat Anda datang."
    ),
    "service_inactive": N_("Mohon maaf, layanan {service} sedang tidak tersedia."),
    "service_disrupted": N_(
        "Mohon maaf, layanan {service} sedang terganggu dan belum dapat memberi nomor antrean. "
        "Silakan coba lagi setelah layanan pulih."
    ),
    "remote_not_allowed": N_(
        "Nomor antrean layanan {service} hanya dapat diambil langsung di kantor."
    ),
    "unknown_service": N_("Layanan {service} tidak ditemukan."),
    "unknown_counter": N_("Loket {counter} tidak ditemukan."),
    "unknown_ticket": N_("Nomor antrean tidak ditemukan."),
    "counter_not_open": N_("Loket {counter} sedang tidak dibuka."),
    "not_signed_in": N_("Anda tidak sedang bertugas di loket {counter}."),
    "counter_taken": N_("Loket {counter} sedang digunakan oleh petugas {officer}."),
    "counter_busy": N_(
        "Loket {counter} masih memanggil atau melayani pengunjung. "
        "Selesaikan layanan tersebut terlebih dahulu."
    ),
    "same_service": N_("Tiket sudah berada di layanan {service}. Silakan pilih layanan lain."),
    "invalid_transition": N_("Tiket berstatus {current} tidak dapat diubah menjadi {target}."),
    # Refusals from the API itself.
    "invalid_request": N_("Permintaan tidak valid. Silakan periksa kembali data yang dikirim."),
    "not_authenticated": N_("Silakan masuk terlebih dahulu."),
    "forbidden": N_("Anda tidak memiliki akses untuk melakukan tindakan ini."),
    "not_found": N_("Data yang diminta tidak ditemukan."),
    "invalid_credentials": N_("Nama pengguna atau kata sandi salah."),
    "survey_not_yet": N_("Survei dapat diisi setelah layanan selesai."),
    "survey_answered": N_("Terima kasih, survei untuk nomor antrean ini sudah diisi."),
    "unknown_printer": N_("Printer tidak ditemukan. Pilih printer lain."),
    "wrong_device": N_(
        "Token ini bukan token perangkat untuk layar ini. Periksa kembali token dari admin."
    ),
    "invalid_phone": N_("Nomor telepon tidak valid. Silakan periksa kembali."),
    "idempotency_conflict": N_(
        "Permintaan dengan kunci yang sama sudah pernah dikirim dengan data yang berbeda."
    ),
    "rate_limited": N_("Terlalu banyak permintaan. Silakan coba lagi beberapa saat lagi."),
    "weak_password": N_(
        "Kata sandi terlalu lemah: minimal 10 karakter, bukan kata yang umum dipakai, dan tidak "
        "memuat nama pengguna."
    ),
    "pairing_code_unknown": N_("Kode pasang tidak dikenal atau sudah kedaluwarsa."),
    "logo_too_large": N_("Berkas logo terlalu besar. Ukuran paling besar 256 KB."),
    "invalid_image": N_("Logo harus berupa gambar PNG atau JPEG yang utuh."),
    "locked_out": N_(
        "Terlalu banyak percobaan masuk yang gagal. Akun ini dikunci sementara; coba lagi nanti."
    ),
    "internal_error": N_("Terjadi gangguan pada sistem. Silakan coba lagi beberapa saat lagi."),
    "nothing_waiting": N_("Tidak ada nomor antrean yang menunggu."),
    "office_not_found": N_("Kantor {office} tidak ditemukan."),
    "conflict": N_("Data sudah berubah. Silakan muat ulang halaman lalu coba lagi."),
    "booking_not_offered": N_("Layanan {service} tidak menerima janji temu."),
    "booking_day_out_of_range": N_(
        "Janji temu hanya dapat dibuat untuk hari ini sampai {days} hari ke depan."
    ),
    "slot_unavailable": N_("Jam {time} tidak tersedia untuk janji temu. Pilih jam lain."),
    "slot_full": N_("Jam {time} sudah penuh. Pilih jam lain."),
    "booking_day_full": N_("Kuota janji temu hari itu sudah habis. Pilih hari lain."),
    "checkin_too_early": N_("Check-in untuk janji temu Anda dibuka pukul {time}."),
    "booking_lapsed": N_("Janji temu pukul {time} sudah lewat. Silakan ambil nomor antrean biasa."),
    "booking_code_wrong": N_("Kode verifikasi salah. Sisa percobaan: {left}."),
    "booking_exists": N_("Nomor HP ini sudah punya janji temu untuk layanan ini pada hari itu."),
    "booking_closed": N_("Janji temu ini sudah tidak dapat diubah."),
    "booking_not_found": N_("Kode janji temu tidak ditemukan. Periksa kembali kodenya."),
    "booking_consent_required": N_(
        "Centang persetujuan agar kami dapat mengirim kode dan pengingat ke nomor HP Anda."
    ),
    "conversation_not_found": N_("Percakapan tidak ditemukan."),
    "conversation_closed": N_("Percakapan ini sudah ditutup; balasan tidak dikirim."),
    "officer_not_found": N_("Petugas itu tidak terdaftar di kantor ini."),
    "prefix_taken": N_(
        "Huruf nomor {prefix} sudah dipakai layanan {service}. Pilih huruf lain agar nomor "
        "antrean tidak kembar."
    ),
    "not_disrupted": N_(
        "Layanan {service} sedang berjalan normal. Silakan ambil nomor antrean seperti biasa."
    ),
    "disruption_active": N_(
        "Gangguan untuk cakupan ini sudah tercatat. Ubah perkiraan pulihnya atau pulihkan dulu."
    ),
    "disruption_not_found": N_("Catatan gangguan tidak ditemukan."),
    "expected_end_past": N_("Perkiraan pulih harus sesudah gangguan dimulai."),
}

# When there are no hours today at all (`opens` is empty), "{opens}–{closes}" would read
# "Jam layanan hari ini –."; these say closed-all-day instead.
CLOSED_ALL_DAY_TEXT: dict[str, str] = {
    "office_closed": N_("Mohon maaf, kantor tutup hari ini."),
    "service_closed": N_("Mohon maaf, layanan {service} tidak tersedia hari ini."),
}

# Ticket statuses as the words that fill {current}/{target} of invalid_transition.
STATUS_TEXT: dict[str, str] = {
    "waiting": N_("menunggu"),
    "called": N_("dipanggil"),
    "serving": N_("sedang dilayani"),
    "on_hold": N_("ditunda"),
    "missed": N_("terlewat"),
    "done": N_("selesai"),
    "no_show": N_("tidak hadir"),
    "cancelled": N_("dibatalkan"),
    "expired": N_("kedaluwarsa"),
}

# Targets of invalid_transition that are not statuses: "at_counter" means the command needs
# a ticket that is at a counter (called or being served).
PSEUDO_STATUS_TEXT: dict[str, str] = {
    "at_counter": N_("ditangani di loket"),
}

_STATUS_PARAMS = ("current", "target")


def _status_word(value: Any, lang: str) -> Any:
    msgid = STATUS_TEXT.get(str(value)) or PSEUDO_STATUS_TEXT.get(str(value))
    return value if msgid is None else translate(msgid, lang)


def error_messages(code: str, **params: Any) -> dict[str, str]:
    """Return the message for error `code` as {"id": ..., "en": ...}.

    An unknown code gives the internal_error text. For invalid_transition the `current` and
    `target` statuses are put into words in each language.
    """
    msgid = ERROR_TEXT.get(code)
    if msgid is None:
        return error_messages("internal_error")
    if code in CLOSED_ALL_DAY_TEXT and not params.get("opens"):
        msgid = CLOSED_ALL_DAY_TEXT[code]
    messages: dict[str, str] = {}
    for lang in LANGUAGES:
        values = dict(params)
        if code == "invalid_transition":
            for name in _STATUS_PARAMS:
                if name in values:
                    values[name] = _status_word(values[name], lang)
        messages[lang] = translate(msgid, lang, **values)
    return messages
