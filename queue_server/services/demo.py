"""The demo office: Kantor Kecamatan Winongan (WIB), open around the clock so it can be tried
at any hour."""

from __future__ import annotations

import secrets
from typing import Any

from .admin import Admin
from .auth import Role

SLUG = "winongan"

SERVICES: list[dict[str, Any]] = [
    {
        "code": "A",
        "prefix": "A",
        "name_id": "Administrasi Kependudukan",
        "name_en": "Civil registration",
        "description_id": "Pengantar KTP-el, Kartu Keluarga (KK), pindah datang",
        "description_en": "Cover letters for e-KTP, family card (KK), change of address",
        "documents": [
            "Surat pengantar RT/RW",
            "Fotokopi Kartu Keluarga (KK)",
            "KTP-el lama (untuk penggantian yang rusak)",
            "Surat keterangan hilang dari kepolisian (untuk KTP-el yang hilang)",
        ],
        "fee": 0,
        "fee_note": "Gratis",
        "target_minutes": 15,
        "remote_allowed": False,
        "sort_order": 1,
    },
    {
        "code": "B",
        "prefix": "B",
        "name_id": "Perizinan",
        "name_en": "Permits",
        "description_id": "PBG/IMB, Izin Usaha Mikro Kecil (IUMK), izin reklame",
        "description_en": "Building approval (PBG/IMB), micro-business permit (IUMK), billboards",
        "documents": [
            "Fotokopi KTP-el pemohon",
            "Fotokopi Kartu Keluarga (KK)",
            "Surat pengantar desa/kelurahan",
            "Pas foto 4x6 (2 lembar)",
            "Fotokopi SPPT PBB tahun berjalan",
            "Gambar denah bangunan (untuk PBG)",
        ],
        "fee": 0,
        "fee_note": "IUMK gratis; PBG sesuai Perda retribusi",
        "target_minutes": 30,
        "remote_allowed": False,
        "sort_order": 2,
    },
    {
        "code": "C",
        "prefix": "C",
        "name_id": "Surat Keterangan",
        "name_en": "Certificates",
        "description_id": "SKTM (surat keterangan tidak mampu), surat keterangan domisili",
        "description_en": "Low-income certificate (SKTM), certificate of residence",
        "documents": [
            "Surat pengantar RT/RW",
            "Fotokopi KTP-el",
            "Fotokopi Kartu Keluarga (KK)",
            "Surat pernyataan tidak mampu bermeterai (untuk SKTM)",
        ],
        "fee": 0,
        "fee_note": "Gratis",
        "target_minutes": 10,
        "remote_allowed": True,
        "sort_order": 3,
    },
    {
        "code": "D",
        "prefix": "D",
        "name_id": "Pengaduan & Konsultasi",
        "name_en": "Complaints & advice",
        "description_id": "Pengaduan layanan dan konsultasi persyaratan",
        "description_en": "Complaints about services and advice on requirements",
        "documents": ["KTP-el (untuk identitas)"],
        "fee": 0,
        "fee_note": "Gratis",
        "target_minutes": 20,
        "remote_allowed": True,
        "sort_order": 4,
    },
]

COUNTERS: list[dict[str, Any]] = [
    {"number": 1, "name": "Loket 1", "services": ["A", "C"]},
    {"number": 2, "name": "Loket 2", "services": ["A", "B"]},
    {"number": 3, "name": "Loket 3", "services": ["B", "C"]},
    {"number": 4, "name": "Loket 4", "services": ["D", "C"]},
]


def seed(
    admin: Admin,
    password: str | None = None,
    *,
    slug: str = SLUG,
    name: str = "Kantor Kecamatan Winongan",
    officer_prefix: str = "petugas",
) -> tuple[int, str]:
    """Create the demo office with its services, counters and officers petugas1..4.

    Return the office id and the officers' password (generated when not given). Benchmarks seed
    many such offices, each with its own `slug` and officers (`officer_prefix` 1..4).
    """
    password = password or secrets.token_urlsafe(9)
    office_id = admin.create_office(slug=slug, name=name, timezone="Asia/Jakarta")
    for service in SERVICES:
        admin.create_service(office_id, service, actor="seed")
    for counter in COUNTERS:
        admin.create_counter(office_id, counter, actor="seed")
    for n in range(1, 5):
        admin.create_user(
            username=f"{officer_prefix}{n}",
            password=password,
            role=Role.OFFICER,
            office_id=office_id,
            display_name=f"Petugas Loket {n}",
        )
    return office_id, password
