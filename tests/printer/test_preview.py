"""PNG preview of the same laid-out ticket, read back with a real QR decoder."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from printer.layout import PAPER_58, PAPER_80, Document, Paper, layout
from printer.preview import render_png
from tests.printer.tickets import REFERENCE, TRACKING_URL, logo_png, ticket

PAPERS = [PAPER_58, PAPER_80]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(PNG_SIGNATURE)
    Image.open(io.BytesIO(data)).verify()  # checks chunks and CRCs
    picture = Image.open(io.BytesIO(data))
    picture.load()
    assert picture.format == "PNG"
    return picture


def qr_texts(picture: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(picture)]


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_preview_is_a_png_as_wide_as_the_paper(paper: Paper) -> None:
    picture = open_png(render_png(layout(REFERENCE, paper)))
    assert picture.width == paper.dots
    assert picture.height > picture.width  # a receipt, taller than wide
    assert picture.getpixel((0, 0)) == 255  # white paper


@pytest.mark.parametrize("paper", PAPERS, ids=lambda p: p.name)
def test_preview_qr_decodes_to_the_tracking_url(paper: Paper) -> None:
    picture = open_png(render_png(layout(REFERENCE, paper)))
    assert qr_texts(picture) == [TRACKING_URL]


def test_long_url_still_decodes_on_58mm() -> None:
    url = "https://antrean.kecamatan-winongan.pasuruankab.go.id/t/" + "a1b2c3d4" * 30
    picture = open_png(render_png(layout(ticket(tracking_url=url), PAPER_58)))
    assert picture.width == PAPER_58.dots
    assert qr_texts(picture) == [url]


def test_no_tracking_url_no_qr() -> None:
    picture = open_png(render_png(layout(ticket(tracking_url=None), PAPER_80)))
    assert qr_texts(picture) == []


def test_logo_and_reprint_make_the_receipt_longer() -> None:
    plain = open_png(render_png(layout(REFERENCE, PAPER_80)))
    fuller = open_png(render_png(layout(ticket(office_logo=logo_png(), reprint=True), PAPER_80)))
    assert fuller.width == plain.width
    assert fuller.height > plain.height + 60
    assert qr_texts(fuller) == [TRACKING_URL]


def test_logo_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(logo_png())
    picture = open_png(render_png(layout(ticket(office_logo=path), PAPER_58)))
    assert picture.width == PAPER_58.dots


def test_number_is_drawn_large() -> None:
    # The row band holding the most ink belongs to the huge number.
    picture = open_png(render_png(layout(ticket(tracking_url=None), PAPER_58)))
    inked = [
        y
        for y in range(picture.height)
        if sum(1 for x in range(picture.width) if picture.getpixel((x, y)) < 128) > 20
    ]
    runs: list[list[int]] = []
    for y in inked:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    assert max(len(run) for run in runs) >= 80  # 6 x 24-dot cells: far taller than text


def test_empty_document_is_still_a_png() -> None:
    picture = open_png(render_png(Document(paper=PAPER_58, elements=())))
    assert picture.width == PAPER_58.dots
