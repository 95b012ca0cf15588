"""One Jinja environment factory for every page: translations, icons, static files.

Pages live next to the code that serves them (`queue_server/web/templates`,
`kiosk_client/templates`, ...); each gets an environment that also sees the shared layout.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from queue_server.i18n import LANGUAGES, install_jinja, translate

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
ICON_DIR = STATIC_DIR / "icons"
TEMPLATE_DIR = WEB_DIR / "templates"


@cache
def icon(name: str) -> Markup:
    """An inline SVG icon from the vendored set (static/icons, Tabler Icons, MIT)."""
    path = ICON_DIR / f"{name}.svg"
    if not path.is_file() or path.parent != ICON_DIR:
        raise KeyError(f"unknown icon {name!r}")
    return Markup(path.read_text(encoding="utf-8").strip())


def page_data(value: Any) -> Markup:
    """JSON for a `<script type="application/json">` block (no inline script runs)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    # Inside <script>, "</" could end the element early.
    return Markup(text.replace("</", "<\\/"))


def texts(table: Mapping[str, str], lang: str) -> dict[str, str]:
    """A table of Indonesian msgids (marked with N_) in `lang`, for a page's scripts.

    Placeholders stay as `{name}` for the script to fill.
    """
    return {key: translate(msgid, lang) for key, msgid in table.items()}


def rupiah(amount: int, lang: str = "id") -> str:
    """A fee as Indonesians write it: "Rp 10.000" ("Rp 10,000" in English)."""
    return "Rp " + format_decimal(amount, locale="id_ID" if lang == "id" else "en_US")


def templates(*extra: Path) -> Jinja2Templates:
    """Templates from `extra` directories first, then the shared layout."""
    loader = jinja2.FileSystemLoader([*map(str, extra), str(TEMPLATE_DIR)])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    install_jinja(env)
    env.globals["icon"] = icon
    env.globals["page_data"] = page_data
    env.globals["languages"] = LANGUAGES
    env.globals["rupiah"] = rupiah
    return Jinja2Templates(env=env)
