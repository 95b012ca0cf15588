"""Fold text to the characters thermal printers' code page 437 has."""

from __future__ import annotations

import unicodedata

# Punctuation that code page 437 lacks, with the plain characters printed instead.
_PLAIN = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "•": "-",
        "\u00a0": " ",
    }
)


def plain_text(text: str) -> str:
    """Fold text to code page 437: dashes and quotes to ASCII, accents dropped, else "?"."""
    out = []
    for char in text.translate(_PLAIN):
        try:
            char.encode("cp437")
        except UnicodeEncodeError:
            ascii_part = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
            out.append(ascii_part or "?")
        else:
            out.append(char)
    return "".join(out)
