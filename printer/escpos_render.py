"""Render a laid-out ticket to ESC/POS commands with python-escpos."""

from __future__ import annotations

import copy
from typing import Any

from escpos.capabilities import Profile
from escpos.constants import QR_ECLEVEL_H, QR_ECLEVEL_L, QR_ECLEVEL_M, QR_ECLEVEL_Q
from escpos.escpos import Escpos
from escpos.printer import Dummy

from printer.charset import plain_text
from printer.layout import QR, Cut, Document, Feed, Image, Paper, Rule, Text
from printer.logo import load_logo

# Code page 0 (PC437) is the power-on default of ESC/POS printers; text is folded to it.
CODE_PAGE = "CP437"

_ERROR_CORRECTION = {"L": QR_ECLEVEL_L, "M": QR_ECLEVEL_M, "Q": QR_ECLEVEL_Q, "H": QR_ECLEVEL_H}


def profile_for(paper: Paper) -> Any:
    """Return python-escpos's default ESC/POS profile with the paper's width and columns."""
    default = Profile.profile_data
    profile = Profile(columns=paper.columns, features=dict(default["features"]))
    # A copy, so the library's shared default profile stays untouched; a known pixel width
    # lets image() centre pictures (and stops it printing a warning to stdout).
    data = copy.deepcopy(default)
    data["media"] = {"dpi": 203, "width": {"mm": paper.width_mm, "pixels": paper.dots}}
    profile.profile_data = data
    return profile


def write(printer: Escpos, document: Document) -> None:
    """Send a document's commands to any python-escpos printer object."""
    paper = document.paper
    printer.hw("INIT")
    printer.magic.force_encoding(CODE_PAGE)
    for element in document:
        match element:
            case Text(text=text, size=size, bold=bold, align=align):
                scale = paper.scale(size)
                printer.set(align=align, bold=bold, custom_size=True, width=scale, height=scale)
                printer.textln(plain_text(text))
            case Rule(char=char):
                printer.set(align="left", bold=False, custom_size=True, width=1, height=1)
                printer.textln(plain_text(char)[:1] * paper.columns)
            case QR(payload=payload, size=size, error_correction=level):
                printer.set(align="center")
                # Native GS ( k: the printer draws the code, and the payload stays in the bytes.
                printer.qr(payload, native=True, size=size, ec=_ERROR_CORRECTION[level])
                printer.ln()
            case Image(source=source, max_width=max_width):
                printer.set(align="left")
                printer.image(load_logo(source, min(max_width, paper.dots)), center=True)
            case Feed(lines=lines):
                printer.print_and_feed(max(0, min(lines, 255)))
            case Cut():
                printer.cut()


def render(document: Document) -> bytes:
    """Render a document to ESC/POS bytes."""
    dummy = Dummy(profile=profile_for(document.paper))
    write(dummy, document)
    return bytes(dummy.output)
