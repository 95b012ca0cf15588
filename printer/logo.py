"""Turn an office logo into the 1-bit picture both the printer and the preview show."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image


def load_logo(source: bytes | Path, max_width: int) -> Image.Image:
    """Load a logo, flatten transparency onto white, shrink to max_width and dither to 1 bit."""
    with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as opened:
        picture = opened.convert("RGBA")
    white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, picture).convert("L")
    if grey.width > max_width:
        height = max(1, round(grey.height * max_width / grey.width))
        grey = grey.resize((max_width, height), Image.Resampling.LANCZOS)
    return grey.convert("1")
