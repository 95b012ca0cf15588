"""Ticket layout: pure data in, printer-neutral elements out."""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import pytest
import qrcode
from hypothesis import given, settings
from hypothesis import strategies as st

import printer
from printer.layout import (
    LABELS,
    PAPER_58,
    PAPER_80,
    QR,
    Cut,
    Document,
    Image,
    Paper,
    Rule,
    Text,
    format_issued,
    layout,
    qr_module_size,
    zone_abbreviation,
)
from tests.printer.tickets import ISSUED_AT, REFERENCE, TRACKING_URL, logo_png, ticket

PAPERS = [PAPER_58, PAPER_80]
PRINTER_DIR = Path(printer.__file__).parent


def texts(document: Document) -> list[Text]:
    return [element for element in document if isinstance(element, Text)]


def assert_fits(document: Document) -> None:
    paper = document.paper
    for line in texts(document):
        assert len(line.text) <= paper.width(line.size), line
        assert line.text == line.text.rstrip(), line
        # leading space only as a document's continuation indent ("- long ..." / "  ...")
        assert line.text == line.text.lstrip() or (line.text[:2] == "  " and line.text[2] != " ")
        assert "\n" not in line.text


def test_paper_widths() -> None:
    assert (PAPER_58.columns, PAPER_58.dots) == (32, 384)
    assert (PAPER_80.columns, PAPER_80.dots) == (48, 576)
    for paper in PAPERS:
        assert paper.width("normal") == paper.columns
        assert paper.width("large") == paper.columns // 2
        assert 1 <= paper.huge_scale <= 8
        # "huge" is as large as the printer allows while a five-character number fits.
        assert paper.width("huge") >= len("A1000")
        assert paper.huge_scale == 8 or paper.columns // (paper.huge_scale + 1) < len("A1000")


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_reference_ticket(paper: Paper) -> None:
    document = layout(REFERENCE, paper)
    lines = document.lines()
    assert document.paper is paper
    assert_fits(document)
    assert "Kantor Kecamatan Winongan" in lines
    assert "Nomor antrean" in lines
    if paper is PAPER_80:
        assert "Kartu Keluarga (KK)" in lines
        assert "Senin, 23 November 2026 08:05 WIB" in lines
    else:  # 16 large characters a line; the date and time take two lines
        assert lines[lines.index("Kartu Keluarga") + 1] == "(KK)"
        assert lines[lines.index("Senin, 23 November 2026") + 1] == "08:05 WIB"
    assert "Di depan Anda: 4 orang" in lines
    assert "Perkiraan menunggu: 10–20 menit" in lines
    assert "Bawa dokumen:" in lines
    assert "- KTP-el asli dan fotokopi" in lines
    assert "Pantau antrean Anda:" in lines
    assert isinstance(document.elements[-1], Cut)
    assert [e.payload for e in document if isinstance(e, QR)] == [TRACKING_URL]
    assert "CETAK ULANG / REPRINT" not in " ".join(lines)


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_number_is_huge_and_bold(paper: Paper) -> None:
    (number,) = [line for line in texts(layout(REFERENCE, paper)) if line.text == "A015"]
    assert (number.size, number.bold, number.align) == ("huge", True, "center")
    assert paper.scale("huge") == (6 if paper is PAPER_58 else 8)


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_busy_day_number_still_huge(paper: Paper) -> None:
    lines = texts(layout(ticket(number="A1000"), paper))
    assert [line.size for line in lines if line.text == "A1000"] == ["huge"]


def test_number_too_long_for_huge_falls_back() -> None:
    document = layout(ticket(number="LOKET-A-0001"), PAPER_58)
    assert_fits(document)
    (number,) = [line for line in texts(document) if line.text == "LOKET-A-0001"]
    assert number.size == "large"


def test_date_time_in_the_office_zone() -> None:
    assert format_issued(ISSUED_AT, "Asia/Jakarta") == "Senin, 23 November 2026 08:05 WIB"
    assert format_issued(ISSUED_AT, "Asia/Pontianak") == "Senin, 23 November 2026 08:05 WIB"
    assert format_issued(ISSUED_AT, "Asia/Makassar") == "Senin, 23 November 2026 09:05 WITA"
    assert format_issued(ISSUED_AT, "Asia/Jayapura") == "Senin, 23 November 2026 10:05 WIT"
    assert format_issued(ISSUED_AT, "Asia/Makassar", "en") == "Monday, 23 November 2026 09:05 WITA"


def test_local_date_not_utc_date() -> None:
    # 17:30 UTC on Sunday is already Monday 00:30 in Jakarta.
    late = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)
    assert format_issued(late, "Asia/Jakarta") == "Senin, 23 November 2026 00:30 WIB"
    assert format_issued(late, "UTC") == "Minggu, 22 November 2026 17:30 UTC+0"


def test_zone_outside_indonesia_shows_offset() -> None:
    assert zone_abbreviation("Asia/Kolkata", ISSUED_AT) == "UTC+5:30"
    assert zone_abbreviation("America/Sao_Paulo", ISSUED_AT) == "UTC-3"


def test_date_line_in_layout_wita_and_wib() -> None:
    wita = layout(ticket(timezone="Asia/Makassar"), PAPER_80).lines()
    assert "Senin, 23 November 2026 09:05 WITA" in wita
    wib = layout(ticket(), PAPER_80).lines()
    assert "Senin, 23 November 2026 08:05 WIB" in wib
    # On 58 mm the time and its zone keep together on their own line.
    narrow = layout(ticket(timezone="Asia/Makassar", language="en"), PAPER_58).lines()
    assert "Monday, 23 November 2026" in narrow
    assert "09:05 WITA" in narrow


def test_english_labels() -> None:
    document = layout(ticket(language="en"), PAPER_80)
    lines = document.lines()
    assert_fits(document)
    for expected in (
        "Queue number",
        "Ahead of you: 4 people",
        "Estimated wait: 10–20 min",
        "Please bring:",
        "Track your queue:",
        "Thank you, have a nice day",
        "Monday, 23 November 2026 08:05 WIB",
    ):
        assert expected in lines
    indonesian = {LABELS["id"][key] for key in ("number", "documents", "track", "footer")}
    assert not indonesian & set(lines)


def test_label_table_is_complete_and_plain() -> None:
    assert set(LABELS) == {"id", "en"}
    assert set(LABELS["id"]) == set(LABELS["en"])
    for labels in LABELS.values():
        for label in labels.values():
            # Only characters thermal printers have (the en dash is folded when printing).
            assert all(ord(char) < 128 or char == "–" for char in label), label


def test_default_footer_is_indonesian() -> None:
    lines = layout(REFERENCE, PAPER_80).lines()
    assert "Terima kasih, semoga hari Anda menyenangkan" in lines
    custom = layout(ticket(footer="Layanan gratis, tanpa calo"), PAPER_80).lines()
    assert "Layanan gratis, tanpa calo" in custom
    assert "Terima kasih, semoga hari Anda menyenangkan" not in custom


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_reprint_marker(paper: Paper) -> None:
    document = layout(ticket(reprint=True), paper)
    first = document.elements[0]
    assert isinstance(first, Text)
    assert (first.text, first.bold) == ("CETAK ULANG / REPRINT", True)
    assert isinstance(document.elements[1], Rule)


@pytest.mark.parametrize("documents", [[], ["", "  "]])
def test_no_documents_no_heading(documents: list[str]) -> None:
    lines = layout(ticket(documents=documents), PAPER_58).lines()
    assert "Bawa dokumen:" not in lines
    assert not [line for line in lines if line.startswith("- ")]


def test_documents_wrap_with_hanging_indent() -> None:
    long_doc = "Surat pengantar RT/RW dari kelurahan setempat yang masih berlaku tiga bulan"
    lines = layout(ticket(documents=[long_doc]), PAPER_58).lines()
    start = lines.index("Bawa dokumen:") + 1
    wrapped = lines[start : start + 3]
    assert wrapped[0].startswith("- ")
    assert all(line.startswith("  ") for line in wrapped[1:])
    assert " ".join(line.strip("- ").strip() for line in wrapped) == long_doc


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_very_long_names_wrap(paper: Paper) -> None:
    office = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kabupaten " * 3
    word = "Pelayanan" * 12  # longer than any line
    service = f"Perizinan Berusaha Berbasis Risiko {word} dan Persetujuan Bangunan Gedung"
    document = layout(ticket(office_name=office, service_name=service), paper)
    assert_fits(document)
    printed = "".join("".join(document.lines()).split())
    # Nothing is lost: every character of both names is printed, in order.
    assert "".join(office.split()) in printed
    assert "".join(service.split()) in printed


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(alphabet=st.sampled_from("abcdefghij KLMNOPQRST-/()."), max_size=200),
    documents=st.lists(st.text(alphabet="xyz -/", max_size=120), max_size=5),
    number=st.from_regex(r"[A-Z]{1,3}[0-9]{3,5}", fullmatch=True),
    paper=st.sampled_from(PAPERS),
    language=st.sampled_from(["id", "en"]),
)
def test_wrapping_never_exceeds_the_width(
    name: str, documents: list[str], number: str, paper: Paper, language: str
) -> None:
    data = ticket(
        office_name=name or "Kantor",
        service_name=name or "Layanan",
        number=number,
        documents=documents,
        tracking_url=f"https://antrean.local/t/{name.replace(' ', '')}",
        language=language,
        ahead=123456,
        estimate_low=100,
        estimate_high=1000,
    )
    assert_fits(layout(data, paper))


@pytest.mark.parametrize(
    ("ahead", "expected"),
    [
        (0, "Tidak ada antrean di depan Anda"),
        (1, "Di depan Anda: 1 orang"),
        (7, "Di depan Anda: 7 orang"),
    ],
)
def test_ahead(ahead: int, expected: str) -> None:
    assert expected in layout(ticket(ahead=ahead), PAPER_80).lines()


def test_estimate_forms() -> None:
    same = layout(ticket(estimate_low=15, estimate_high=15), PAPER_80).lines()
    assert "Perkiraan menunggu: hingga 15 menit" in same
    none = layout(ticket(estimate_low=None, estimate_high=None), PAPER_80).lines()
    assert not [line for line in none if line.startswith("Perkiraan")]


def test_no_tracking_url_no_qr() -> None:
    document = layout(ticket(tracking_url=None), PAPER_80)
    assert not [e for e in document if isinstance(e, QR)]
    assert "Pantau antrean Anda:" not in document.lines()


def test_logo_is_an_image_element() -> None:
    logo = logo_png()
    document = layout(ticket(office_logo=logo), PAPER_58)
    (image,) = [e for e in document if isinstance(e, Image)]
    assert image.source == logo
    assert image.max_width <= PAPER_58.dots


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
@pytest.mark.parametrize("length", [10, 40, 100, 250, 500])
def test_qr_module_size_fits_the_paper(paper: Paper, length: int) -> None:
    payload = "https://antrean.local/t/" + "x" * (length - 24)
    size = qr_module_size(payload, paper)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    assert 1 <= size <= 8
    assert (code.modules_count + 8) * size <= paper.dots


def test_qr_payload_too_long() -> None:
    with pytest.raises(ValueError, match="too long"):
        qr_module_size("x" * 2000, PAPER_80)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issued_at": datetime(2026, 11, 23, 9, 5)}, "timezone-aware"),
        ({"timezone": "Asia/Bandung"}, "unknown time zone"),
        ({"language": "jv"}, "language"),
        ({"number": " "}, "number"),
        ({"ahead": -1}, "ahead"),
        ({"estimate_low": 5, "estimate_high": None}, "both"),
        ({"estimate_low": 20, "estimate_high": 10}, "estimate_low <= estimate_high"),
    ],
)
def test_ticket_data_is_validated(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ticket(**changes)


def test_documents_become_a_tuple() -> None:
    assert ticket(documents=["KTP"]).documents == ("KTP",)
    assert hash(ticket(documents=["KTP"])) == hash(ticket(documents=("KTP",)))


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_printer_package_never_imports_queue_server() -> None:
    modules = sorted(PRINTER_DIR.rglob("*.py"))
    assert len(modules) >= 5
    for module in modules:
        assert "queue_server" not in _imported_roots(module), module


def test_layout_is_pure() -> None:
    allowed = {"__future__", "textwrap", "collections", "dataclasses", "datetime", "pathlib"}
    allowed |= {"typing", "zoneinfo"}
    assert _imported_roots(PRINTER_DIR / "layout.py") <= allowed


@pytest.mark.parametrize("paper", PAPERS)
def test_a_long_document_wraps_under_its_bullet(paper: Paper) -> None:
    doc = "Surat pengantar RT/RW yang ditandatangani dan distempel oleh ketua RT dan RW setempat"
    document = layout(ticket(documents=(doc,)), paper)
    assert_fits(document)
    lines = [t.text for t in texts(document)]
    first = next(i for i, text in enumerate(lines) if text.startswith("- Surat"))
    assert lines[first + 1].startswith("  ") and not lines[first + 1].startswith("   ")
