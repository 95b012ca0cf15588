"""Decode the ESC/POS commands the renderer emits back into lines, QR codes, images and cuts.

Strict on purpose: a command it does not know fails the test, so a change in what we send
to printers is noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, LF = 0x1B, 0x1D, 0x0A


@dataclass(frozen=True)
class Line:
    text: str
    width: int  # character magnification, from GS !
    height: int
    bold: bool
    align: int  # ESC a: 0 left, 1 centre, 2 right


@dataclass(frozen=True)
class QRCode:
    payload: str
    module_size: int
    error_correction: int  # 48 L, 49 M, 50 Q, 51 H


@dataclass
class Decoded:
    lines: list[Line] = field(default_factory=list)
    qr_codes: list[QRCode] = field(default_factory=list)
    qr_stored: list[str] = field(default_factory=list)  # every GS ( k cn=49 fn=80 payload
    images: list[tuple[int, int]] = field(default_factory=list)  # (width in dots, height)
    feeds: list[int] = field(default_factory=list)
    cuts: int = 0
    resets: int = 0
    code_pages: list[int] = field(default_factory=list)

    @property
    def texts(self) -> list[str]:
        return [line.text for line in self.lines]


def decode(data: bytes) -> Decoded:
    out = Decoded()
    width = height = 1
    bold = False
    align = 0
    code_page = 0
    text = bytearray()
    text_style: tuple[int, int, bool, int] | None = None
    qr_size, qr_level, qr_pending = 3, 48, None
    i = 0

    def need(count: int) -> bytes:
        if i + count > len(data):
            raise AssertionError(f"command at {i} is cut short: {data[i : i + count]!r}")
        return data[i : i + count]

    while i < len(data):
        byte = data[i]
        if byte == ESC:
            command = need(2)[1]
            if command == ord("@"):  # initialise
                width = height = 1
                bold, align = False, 0
                out.resets += 1
                i += 2
            elif command == ord("t"):  # select code page
                code_page = need(3)[2]
                out.code_pages.append(code_page)
                i += 3
            elif command == ord("a"):  # justification
                align = need(3)[2] % 48
                i += 3
            elif command == ord("E"):  # emphasis
                bold = bool(need(3)[2] & 1)
                i += 3
            elif command == ord("d"):  # print and feed n lines
                out.feeds.append(need(3)[2])
                i += 3
            else:
                raise AssertionError(f"unknown ESC command {command:#04x} at {i}")
        elif byte == GS:
            command = need(2)[1]
            if command == ord("!"):  # character size
                n = need(3)[2]
                width, height = (n >> 4) + 1, (n & 0x0F) + 1
                i += 3
            elif command == ord("V"):  # cut
                mode = need(3)[2]
                i += 4 if mode in (65, 66) else 3
                out.cuts += 1
            elif command == ord("(") and need(3)[2] == ord("k"):  # 2D code
                low, high = need(5)[3:5]
                size = low + 256 * high
                body = need(5 + size)[5:]
                cn, fn = body[0], body[1]
                if cn != 49:
                    raise AssertionError(f"GS ( k for symbol {cn}, not a QR code")
                if fn == 67:
                    qr_size = body[2]
                elif fn == 69:
                    qr_level = body[2]
                elif fn == 80:  # store data: m (48) then the payload
                    qr_pending = body[3:].decode("utf-8")
                    out.qr_stored.append(qr_pending)
                elif fn == 81:  # print the stored symbol
                    if qr_pending is None:
                        raise AssertionError("QR print without stored data")
                    out.qr_codes.append(QRCode(qr_pending, qr_size, qr_level))
                elif fn != 65:  # 65: select model
                    raise AssertionError(f"unknown QR function {fn}")
                i += 5 + size
            elif command == ord("v") and need(3)[2] == ord("0"):  # raster bit image
                header = need(8)
                width_bytes = header[4] + 256 * header[5]
                rows = header[6] + 256 * header[7]
                need(8 + width_bytes * rows)
                out.images.append((width_bytes * 8, rows))
                i += 8 + width_bytes * rows
            else:
                raise AssertionError(f"unknown GS command {command:#04x} at {i}")
        elif byte == LF:
            if text_style is None:
                text_style = (width, height, bold, align)
            if code_page != 0:
                raise AssertionError(f"text in code page {code_page}; the decoder reads PC437")
            out.lines.append(Line(text.decode("cp437"), *text_style))
            text.clear()
            text_style = None
            i += 1
        elif byte < 0x20 or byte == 0x7F:
            raise AssertionError(f"unexpected control byte {byte:#04x} at {i}")
        else:
            if text_style is None:
                text_style = (width, height, bold, align)
            text.append(byte)
            i += 1
    if text:
        raise AssertionError(f"text never printed (no line feed): {bytes(text)!r}")
    return out
