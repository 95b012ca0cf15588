"""ESC/POS rendering, checked by decoding the bytes python-escpos produced."""

from __future__ import annotations

import pytest

from printer.charset import plain_text
from printer.escpos_render import render, write
from printer.layout import PAPER_58, PAPER_80, QR, Cut, Document, Feed, Paper, Rule, Text, layout
from tests.printer.escpos_decoder import Line, decode
from tests.printer.tickets import REFERENCE, TRACKING_URL, logo_png, ticket

PAPERS = [PAPER_58, PAPER_80]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_reference_ticket_decodes(paper: Paper) -> None:
    data = render(layout(REFERENCE, paper))
    decoded = decode(data)

    assert data.startswith(b"\x1b@")  # ESC @ first: a clean printer state for every ticket
    assert decoded.resets == 1
    assert decoded.code_pages == [0]
    assert "Kantor Kecamatan Winongan" in decoded.texts
    (number,) = [line for line in decoded.lines if line.text == "A015"]
    scale = paper.scale("huge")
    assert number == Line("A015", width=scale, height=scale, bold=True, align=1)
    assert "Perkiraan menunggu: 10-20 menit" in decoded.texts  # en dash folded for PC437
    assert "- KTP-el asli dan fotokopi" in decoded.texts
    assert decoded.cuts == 1
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed past the cutter, then a full cut


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_qr_payload_is_in_the_store_command(paper: Paper) -> None:
    document = layout(REFERENCE, paper)
    decoded = decode(render(document))
    assert decoded.qr_stored == [TRACKING_URL]
    (qr_element,) = [e for e in document if isinstance(e, QR)]
    (printed,) = decoded.qr_codes
    assert printed.payload == TRACKING_URL
    assert printed.module_size == qr_element.size
    assert printed.error_correction == 49  # M


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_every_line_fits_the_paper(paper: Paper) -> None:
    long_ticket = ticket(
        office_name="Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kota Makassar",
        service_name="Perizinan Berusaha Berbasis Risiko untuk Usaha Mikro dan Kecil",
        documents=["Nomor Induk Berusaha dari OSS atau bukti pendaftaran yang masih berlaku"],
        reprint=True,
        office_logo=logo_png(),
    )
    decoded = decode(render(layout(long_ticket, paper)))
    for line in decoded.lines:
        assert len(line.text) * line.width <= paper.columns, line
    rules = [line for line in decoded.lines if set(line.text) <= {"-", "="} and line.text]
    assert rules
    assert all(len(rule.text) == paper.columns and rule.width == 1 for rule in rules)
    assert "CETAK ULANG / REPRINT" in decoded.texts
    (image,) = decoded.images
    assert image[0] <= paper.dots


def test_logo_is_a_centred_raster_image() -> None:
    decoded = decode(render(layout(ticket(office_logo=logo_png(300, 120)), PAPER_58)))
    # Shrunk to half the paper, then padded to the full width so it prints centred.
    assert decoded.images == [(PAPER_58.dots, 77)]  # 300 x 120 -> 192 x 77


def test_rendering_prints_nothing_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    render(layout(ticket(office_logo=logo_png()), PAPER_80))
    assert capsys.readouterr().out == ""


def test_english_ticket_decodes() -> None:
    decoded = decode(render(layout(ticket(language="en", reprint=True), PAPER_80)))
    assert "Queue number" in decoded.texts
    assert "Estimated wait: 10-20 min" in decoded.texts
    assert decoded.texts[0] == "CETAK ULANG / REPRINT"


def test_feed_and_sizes() -> None:
    document = Document(
        paper=PAPER_80,
        elements=(
            Text("kiri"),
            Text("besar", size="large", align="right"),
            Feed(3),
            Rule("="),
            Cut(),
        ),
    )
    decoded = decode(render(document))
    assert decoded.lines[0] == Line("kiri", 1, 1, False, 0)
    assert decoded.lines[1] == Line("besar", 2, 2, False, 2)
    assert decoded.lines[2].text == "=" * 48
    assert 3 in decoded.feeds


def test_write_drives_any_escpos_printer() -> None:
    from escpos.printer import Dummy

    from printer.escpos_render import profile_for

    dummy = Dummy(profile=profile_for(PAPER_58))
    document = layout(REFERENCE, PAPER_58)
    write(dummy, document)
    assert dummy.output == render(document)


def test_profile_copy_leaves_library_default_alone() -> None:
    from escpos.capabilities import Profile

    from printer.escpos_render import profile_for

    profile_for(PAPER_58)
    assert Profile.profile_data["media"]["width"]["pixels"] == "Unknown"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10–20 menit", "10-20 menit"),
        ("“Antrean” — loket 2…", '"Antrean" - loket 2...'),
        ("Café Sultan", "Café Sultan"),  # é is in PC437
        ("Kantor Ōsaka", "Kantor Osaka"),
        ("Loket 🙂", "Loket ?"),
    ],
)
def test_plain_text(text: str, expected: str) -> None:
    assert plain_text(text) == expected
    plain_text(text).encode("cp437")
