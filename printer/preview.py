"""Draw a laid-out ticket as a PNG receipt, one image pixel per printer dot (203 dpi)."""

from __future__ import annotations

import io
from functools import cache

import qrcode
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from qrcode.image.pil import PilImage

from printer.charset import plain_text
from printer.layout import QR, Cut, Document, Feed, Image, Rule, Text
from printer.logo import load_logo

# Font A of ESC/POS printers is 12 x 24 dots; a line advances about 30 dots.
CELL_HEIGHT = 24
LINE_GAP = 6
FONT_SIZE = 20
MARGIN = 16

_QR_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's bundled font: no font files needed on the kiosk or in CI.
    return ImageFont.load_default(size=size)


def _fitted_font(
    draw: ImageDraw.ImageDraw, text: str, size: int, width: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # The bundled font is proportional; shrink the rare line that would overflow the paper.
    while size > 6 and draw.textlength(text, font=_font(size)) > width:
        size -= 1
    return _font(size)


def _qr_image(element: QR, width: int) -> PILImage.Image:
    box = element.size
    while True:
        code = qrcode.QRCode(
            error_correction=_QR_LEVELS[element.error_correction], box_size=box, border=4
        )
        code.add_data(element.payload)
        code.make(fit=True)
        picture: PILImage.Image = code.make_image(image_factory=PilImage).get_image()
        if picture.width <= width or box == 1:
            return picture.convert("L")
        box -= 1


class _Receipt:
    def __init__(self, width: int) -> None:
        self.width = width
        self.canvas = PILImage.new("L", (width, 4000), 255)
        self.draw = ImageDraw.Draw(self.canvas)
        self.y = MARGIN

    def _room(self, height: int) -> None:
        if self.y + height + MARGIN > self.canvas.height:
            bigger = PILImage.new("L", (self.width, 2 * (self.y + height + MARGIN)), 255)
            bigger.paste(self.canvas, (0, 0))
            self.canvas = bigger
            self.draw = ImageDraw.Draw(self.canvas)

    def text(self, element: Text, scale: int) -> None:
        height = (CELL_HEIGHT + LINE_GAP) * scale
        self._room(height)
        # Show what the printer prints: the same code-page folding as the ESC/POS renderer.
        text = plain_text(element.text)
        # Bold like a printer does it: the same glyphs struck again a dot or more to the right.
        smear = max(1, scale // 2) if element.bold else 0
        room = self.width - smear
        font = _fitted_font(self.draw, text, FONT_SIZE * scale, room)
        length = self.draw.textlength(text, font=font)
        x = {"left": 0.0, "center": (room - length) / 2, "right": room - length}[element.align]
        for dx in range(smear + 1):
            self.draw.text(
                (x + dx, self.y + CELL_HEIGHT * scale), text, font=font, fill=0, anchor="ls"
            )
        self.y += height

    def rule(self, char: str) -> None:
        height = CELL_HEIGHT + LINE_GAP
        self._room(height)
        middle = self.y + height // 2
        offsets = (-2, 2) if char == "=" else (0,)
        for offset in offsets:
            for x in range(0, self.width, 12):
                self.draw.line((x + 2, middle + offset, x + 9, middle + offset), fill=0, width=2)
        self.y += height

    def picture(self, picture: PILImage.Image) -> None:
        self._room(picture.height + LINE_GAP)
        self.canvas.paste(picture.convert("L"), ((self.width - picture.width) // 2, self.y))
        self.y += picture.height + LINE_GAP

    def feed(self, lines: int) -> None:
        self.y += (CELL_HEIGHT + LINE_GAP) * lines

    def cut(self) -> None:
        self.y += MARGIN
        self._room(2)
        for x in range(0, self.width, 8):
            self.draw.line((x, self.y, x + 4, self.y), fill=160)
        self.y += 2

    def png(self) -> bytes:
        out = io.BytesIO()
        self.canvas.crop((0, 0, self.width, self.y + MARGIN)).save(out, format="PNG")
        return out.getvalue()


def render_png(document: Document) -> bytes:
    """Draw the document as a white receipt as wide as the paper's printable dots."""
    paper = document.paper
    receipt = _Receipt(paper.dots)
    for element in document:
        match element:
            case Text(size=size):
                receipt.text(element, paper.scale(size))
            case Rule(char=char):
                receipt.rule(char)
            case QR():
                receipt.picture(_qr_image(element, paper.dots))
            case Image(source=source, max_width=max_width):
                receipt.picture(load_logo(source, min(max_width, paper.dots)))
            case Feed(lines=lines):
                receipt.feed(lines)
            case Cut():
                receipt.cut()
    return receipt.png()
