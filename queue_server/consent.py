"""The words a visitor agrees to before the office may text them (UU 27/2022 asks that consent
be recorded with its wording): one wording per way of taking a ticket, shown on that screen
from here and stored, in the visitor's language, on the ticket with the time it was given."""

from __future__ import annotations

from queue_server.domain.model import Channel
from queue_server.i18n import N_, translate

WORDING: dict[Channel, str] = {
    Channel.KIOSK: N_("Saya setuju menerima pesan SMS/WhatsApp tentang antrean saya hari ini."),
    Channel.WEB: N_("Saya setuju menerima pesan SMS/WhatsApp tentang antrean saya hari ini."),
    Channel.STAFF: N_("Pengunjung setuju menerima pesan SMS/WhatsApp tentang antreannya hari ini."),
    Channel.CHAT: N_(
        "Dengan mengirim ANTRE ke nomor kantor, saya setuju menerima pesan tentang antrean saya "
        "hari ini."
    ),
    Channel.BOOKING: N_(
        "Saya setuju menerima SMS/WhatsApp berisi kode verifikasi, konfirmasi dan pengingat janji "
        "temu ini, serta pesan tentang antrean saya pada hari itu."
    ),
}


def wording(channel: Channel, language: str) -> str:
    """The consent text as the visitor saw it on `channel`, in their language."""
    return translate(WORDING.get(channel, WORDING[Channel.KIOSK]), language)


# Leaving a number at the kiosk while a service is disrupted: one text when it is back.
CALLBACK_WORDING = N_("Saya setuju dikirimi satu pesan SMS/WhatsApp saat layanan ini pulih.")


def callback_wording(language: str) -> str:
    """The consent text of a disruption's callback list, in the visitor's language."""
    return translate(CALLBACK_WORDING, language)
