"""Texts more than one page's script shows (the place in line), marked once for the catalog."""

from __future__ import annotations

from queue_server.i18n import N_

LINE_TEXT: dict[str, str] = {
    "ahead": N_("{n} orang di depan Anda"),
    "ahead_none": N_("Tidak ada antrean di depan Anda"),
    "estimate": N_("Perkiraan menunggu {low}–{high} menit"),
    "estimate_upto": N_("Perkiraan menunggu paling lama {high} menit"),
    "estimate_soon": N_("Segera dipanggil"),
}
