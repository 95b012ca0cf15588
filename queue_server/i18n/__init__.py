"""One translation mechanism for every user-facing text: Indonesian first, English second.

Indonesian is the source language: the Indonesian text *is* the gettext msgid, and the
English catalog (`locales/en/LC_MESSAGES/messages.po`, read at runtime with Babel) translates
it. Mark text with `_()` in templates, `gettext`/`translate`/`both` in code, or `N_()` where the
text is only translated later (tables of messages). See docs/i18n.md for the workflow.
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import IO, Any, Literal

import jinja2
from babel.messages.pofile import read_po
from jinja2.runtime import Context

__all__ = [
    "DEFAULT_LANG",
    "LANGUAGES",
    "N_",
    "Lang",
    "both",
    "catalog_path",
    "gettext",
    "install_jinja",
    "negotiate",
    "normalize_lang",
    "read_catalog",
    "reload_catalogs",
    "translate",
]

Lang = Literal["id", "en"]
LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANG = "id"

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"

# Old ISO 639 code for Indonesian, still sent by some Android/Java clients.
_ALIASES = {"in": "id"}


def N_(msgid: str) -> str:
    """Mark `msgid` for extraction and return it unchanged; translate it later."""
    return msgid


def catalog_path(lang: str) -> Path:
    """Return the path of the .po file translating Indonesian msgids into `lang`."""
    return LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(fileobj: IO[bytes], lang: str) -> dict[str, str]:
    """Read a .po file into msgid -> msgstr; fuzzy and untranslated entries are left out."""
    catalog = read_po(fileobj, locale=lang, domain=DOMAIN)
    table: dict[str, str] = {}
    for message in catalog:
        if not message.id or message.fuzzy or message.pluralizable:
            continue
        if isinstance(message.id, str) and isinstance(message.string, str) and message.string:
            table[message.id] = message.string
    return table


@cache
def _catalog(lang: str) -> Mapping[str, str]:
    """Load the catalog for `lang` once; a missing file is an empty catalog."""
    path = catalog_path(lang)
    if not path.is_file():
        return {}
    with path.open("rb") as fileobj:
        return read_catalog(fileobj, lang)


def reload_catalogs() -> None:
    """Forget the loaded catalogs; the next lookup reads the .po files again."""
    _catalog.cache_clear()


def normalize_lang(lang: object) -> Lang:
    """Map "en", "EN", "en-US", "en_GB", "in" ... to a supported language; else Indonesian."""
    if not isinstance(lang, str):
        return "id"
    primary = lang.strip().lower().replace("_", "-").split("-", 1)[0]
    primary = _ALIASES.get(primary, primary)
    return "en" if primary == "en" else "id"


def gettext(msgid: str, lang: str) -> str:
    """Return `msgid` (Indonesian) in `lang`, falling back to the Indonesian text."""
    code = normalize_lang(lang)
    if code == DEFAULT_LANG:
        return msgid
    return _catalog(code).get(msgid, msgid)


class _Missing:
    """A placeholder whose parameter was not given: it renders as itself."""

    __slots__ = ("conversion", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.conversion: str | None = None


class _LenientFormatter(string.Formatter):
    """`str.format` that leaves a placeholder as is when its parameter is missing."""

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        try:
            return super().get_field(field_name, args, kwargs)
        except (KeyError, IndexError, AttributeError, TypeError):
            return _Missing(field_name), field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if isinstance(value, _Missing):
            value.conversion = conversion
            return value
        return super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, _Missing):
            conversion = f"!{value.conversion}" if value.conversion else ""
            spec = f":{format_spec}" if format_spec else ""
            return f"{{{value.name}{conversion}{spec}}}"
        return super().format_field(value, format_spec)


_formatter = _LenientFormatter()


def _format(text: str, params: Mapping[str, Any]) -> str:
    try:
        return _formatter.vformat(text, (), params)
    except (ValueError, TypeError):  # a broken template (stray brace, bad spec)
        return text


def translate(msgid: str, lang: str, /, **params: Any) -> str:
    """Translate `msgid` into `lang`, then fill its `{placeholders}` from `params`.

    A placeholder without a parameter is left as is; `{{`/`}}` are literal braces.
    """
    return _format(gettext(msgid, lang), params)


def both(msgid: str, /, **params: Any) -> dict[str, str]:
    """Return the text in every language: {"id": ..., "en": ...}."""
    return {lang: translate(msgid, lang, **params) for lang in LANGUAGES}


_LANG_RANGE = re.compile(r"^(?:\*|[a-z]{1,8}(?:-[a-z0-9]{1,8})*)$")
_MAX_HEADER = 4096


def negotiate(accept_language: str | None) -> Lang:
    """Pick "en" or "id" from an HTTP Accept-Language header; "id" when nothing fits.

    Follows q-values (ties keep header order); `q=0` refuses a language; `*` means
    any language, so it gives the default. Malformed input never raises.
    """
    if not isinstance(accept_language, str) or not accept_language:
        return "id"
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language[:_MAX_HEADER].split(",")):
        tag, *params = (part.strip() for part in item.split(";"))
        tag = tag.lower().replace("_", "-")
        if not _LANG_RANGE.match(tag):
            continue
        quality = 1.0
        for param in params:
            key, sep, value = param.partition("=")
            if sep and key.strip().lower() == "q":
                try:
                    quality = float(value.strip())
                except ValueError:
                    quality = math.nan
        if not math.isfinite(quality):
            continue
        quality = min(max(quality, 0.0), 1.0)
        if quality > 0:
            ranked.append((-quality, position, tag))
    for _quality, _position, tag in sorted(ranked):
        if tag == "*":
            return "id"
        primary = tag.split("-", 1)[0]
        primary = _ALIASES.get(primary, primary)
        if primary in LANGUAGES:
            return normalize_lang(primary)
    return "id"


def install_jinja(env: jinja2.Environment) -> None:
    """Make `{{ _("Ambil nomor antrean") }}` work in `env`'s templates.

    The language comes from the template variable `lang` (default Indonesian); keyword
    arguments fill placeholders: `{{ _("Loket {n}", n=3) }}`.
    """

    @jinja2.pass_context
    def _(context: Context, msgid: str, /, **params: Any) -> str:
        return translate(msgid, str(context.get("lang") or DEFAULT_LANG), **params)

    env.globals["_"] = _
