"""Files visitors send through the chat channel: photos (JPEG, PNG, WebP) and PDF documents.

The type is read from the file's bytes, never from its name or the type the sender declared: an
image must open and verify with Pillow, a PDF must start with `%PDF-`. Anything else, or anything
over `MAX_BYTES`, is refused before a byte is stored.

WhatsApp Cloud API webhooks carry only a media id; `GraphMedia` fetches the bytes with the
office gateway's access token. Tests use a fake `MediaSource`.
"""

from __future__ import annotations

import io
import json
import re
import urllib.error
import urllib.request
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
PDF = "application/pdf"
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", PDF: "pdf"}


class FileRefused(Exception):
    """Why a file is not taken: "too_big" or "wrong_type"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Incoming:
    """A file as it arrived (not yet checked)."""

    data: bytes
    filename: str = ""
    too_big: bool = False  # known to be over MAX_BYTES before its bytes were read (or kept)

    @classmethod
    def oversized(cls, filename: str = "") -> Incoming:
        """A file refused for its size alone: its bytes are never held."""
        return cls(b"", filename, too_big=True)


def media_type(data: bytes, too_big: bool = False) -> str:
    """The file's type from its bytes; raises FileRefused when too big or not allowed."""
    if too_big or len(data) > MAX_BYTES:
        raise FileRefused("too_big")
    if not data:
        raise FileRefused("wrong_type")
    if data.startswith(b"%PDF-"):
        return PDF
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # decompression-bomb warnings become a refusal below
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise FileRefused("wrong_type") from None
    if kind not in IMAGE_TYPES:
        raise FileRefused("wrong_type")
    return IMAGE_TYPES[kind]


def safe_name(filename: str, checked_type: str) -> str:
    """A plain file name for the download, its extension the checked type's."""
    stem = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1].rsplit(".", 1)[0]
    kept = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "-" for ch in stem)
    kept = re.sub("-{2,}", "-", kept)[:60].strip("-")  # ASCII: it goes in an HTTP header
    return f"{kept or 'berkas'}.{EXTENSIONS[checked_type]}"


class MediaError(Exception):
    """The media could not be fetched (the visitor is told to send it again)."""


class MediaSource(Protocol):
    def fetch(self, media_id: str) -> Incoming: ...


def _get(url: str, token: str, timeout: float, limit: int) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bytes(response.read(limit))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise MediaError(type(error).__name__) from None


@dataclass
class GraphMedia:
    """WhatsApp Cloud API media: look the id up, then download its URL (both with the token)."""

    token: str
    api: str = "https://graph.facebook.com/v21.0"
    timeout: float = 20.0

    def fetch(self, media_id: str) -> Incoming:
        if not media_id.isalnum():
            raise MediaError("bad media id")
        raw = _get(f"{self.api.rstrip('/')}/{media_id}", self.token, self.timeout, 64 * 1024)
        try:
            url = str(json.loads(raw)["url"])
        except (ValueError, KeyError, TypeError):
            raise MediaError("no media url") from None
        if not url.startswith("https://"):
            raise MediaError("media url is not https")
        # one byte more than allowed: enough to tell a file is too big
        return Incoming(_get(url, self.token, self.timeout, MAX_BYTES + 1))


def media_source_for(gateway: Mapping[str, Any]) -> MediaSource | None:
    """The office's way to fetch WhatsApp media (None: its gateway cannot)."""
    token = gateway.get("token")
    return GraphMedia(str(token)) if gateway.get("kind") == "whatsapp" and token else None
