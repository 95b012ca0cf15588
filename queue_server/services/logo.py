"""An office's logo: checked from its bytes (not its name or header) and stored small, as the
PNG the print agent and the ticket preview use."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

MAX_BYTES = 256 * 1024  # what an office may upload
MAX_SIDE = 384  # stored within 384 x 384: 58 mm paper's dots (tickets print it half-width)
GREYS = 16  # the printer dithers to black and white anyway; fewer greys keep print jobs small
MAX_PIXELS = 4096 * 4096  # a small file may still claim a huge picture (a decompression bomb)
FORMATS = frozenset({"PNG", "JPEG"})


class InvalidImage(ValueError):
    """Not a PNG or JPEG picture that opens cleanly."""


def normalise(data: bytes) -> bytes:
    """Check `data` is a PNG or JPEG picture and return it as a greyscale PNG on white, within
    MAX_SIDE x MAX_SIDE pixels; raise InvalidImage otherwise."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise InvalidImage(f"not PNG or JPEG but {probe.format}")
                width, height = probe.size
                if not (width > 0 and height > 0 and width * height <= MAX_PIXELS):
                    raise InvalidImage(f"{width}x{height} pixels")
                probe.verify()  # checksums and structure, without decoding every pixel
            with Image.open(io.BytesIO(data)) as opened:  # verify() spends the file
                upright = ImageOps.exif_transpose(opened)  # phone photos lie on their side
                picture = upright.convert("RGBA")
    except InvalidImage:
        raise
    except Exception as error:  # Pillow refuses broken files with many kinds of exception
        raise InvalidImage(type(error).__name__) from None
    white = Image.new("RGBA", picture.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, picture).convert("L")
    grey.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # keeps its proportions
    step = 255 / (GREYS - 1)
    grey = grey.point(lambda v: round(round(v / step) * step))
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    return out.getvalue()
