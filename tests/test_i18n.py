"""The one translation mechanism: Indonesian msgids, an English catalog, and its guards."""

from __future__ import annotations

import io
import re
import string

import jinja2
import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from queue_server import i18n
from queue_server.domain import errors as domain_errors
from queue_server.domain.model import TicketStatus
from queue_server.i18n import (
    DEFAULT_LANG,
    LANGUAGES,
    N_,
    both,
    catalog_path,
    gettext,
    install_jinja,
    negotiate,
    read_catalog,
    translate,
)
from queue_server.i18n.errors import (
    CLOSED_ALL_DAY_TEXT,
    ERROR_TEXT,
    PSEUDO_STATUS_TEXT,
    STATUS_TEXT,
    error_messages,
)
from queue_server.i18n.update import (
    COMMENT_TAGS,
    KEYWORDS,
    ROOT,
    SOURCE_DIRS,
    load_mapping,
    merge,
    missing,
)

NOT_IN_CATALOG = "Teks ini sengaja tidak ada di katalog."


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _english_catalog() -> Catalog:
    with catalog_path("en").open("rb") as fileobj:
        return read_po(fileobj, locale="en")


def _extracted() -> dict[str, list[str]]:
    """Every msgid marked in the code, with where it was found (the same way update.py does)."""
    method_map, options_map = load_mapping()
    found: dict[str, list[str]] = {}
    for source in SOURCE_DIRS:
        if not (ROOT / source).is_dir():
            continue
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / source, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS
        ):
            msgid = message if isinstance(message, str) else message[0]
            found.setdefault(msgid, []).append(f"{source}/{filename}:{lineno}")
    return found


# --- Basics ---------------------------------------------------------------------------------


def test_languages() -> None:
    assert LANGUAGES == ("id", "en")
    assert DEFAULT_LANG == "id"
    assert N_("Ambil nomor antrean") == "Ambil nomor antrean"


def test_translate_both_ways() -> None:
    msgid = ERROR_TEXT["unknown_counter"]
    assert gettext(msgid, "id") == msgid
    assert gettext(msgid, "en") == "Counter {counter} was not found."
    assert translate(msgid, "id", counter=3) == "Loket 3 tidak ditemukan."
    assert translate(msgid, "en", counter=3) == "Counter 3 was not found."
    assert both(msgid, counter="A") == {
        "id": "Loket A tidak ditemukan.",
        "en": "Counter A was not found.",
    }


def test_language_codes_are_normalized() -> None:
    msgid = ERROR_TEXT["unknown_ticket"]
    for lang in ("en", "EN", "en-US", "en_GB", " en "):
        assert gettext(msgid, lang) == "Queue number not found."
    for lang in ("id", "ID", "id-ID", "in"):
        assert gettext(msgid, lang) == msgid


def test_unknown_language_falls_back_to_indonesian() -> None:
    msgid = ERROR_TEXT["unknown_ticket"]
    for lang in ("fr", "", "xx-YY", "english", "123"):
        assert gettext(msgid, lang) == msgid
    assert translate(ERROR_TEXT["unknown_counter"], "de", counter=2) == "Loket 2 tidak ditemukan."


def test_msgid_missing_from_catalog_falls_back_to_indonesian() -> None:
    assert gettext(NOT_IN_CATALOG, "en") == NOT_IN_CATALOG
    text = "Loket {n} belum ada di katalog."
    assert translate(text, "en", n=4) == "Loket 4 belum ada di katalog."
    assert both(NOT_IN_CATALOG) == {"id": NOT_IN_CATALOG, "en": NOT_IN_CATALOG}


def test_missing_params_leave_placeholders() -> None:
    msgid = ERROR_TEXT["counter_taken"]
    assert translate(msgid, "id", counter=2) == "Loket 2 sedang digunakan oleh petugas {officer}."
    assert translate(msgid, "en") == "Counter {counter} is in use by officer {officer}."
    assert translate("Nomor {n:>3} dan {x!r}", "id") == "Nomor {n:>3} dan {x!r}"
    assert translate("Loket {counter.name} / {0[1]}", "id") == "Loket {counter.name} / {0[1]}"
    assert translate("Loket {n}", "id", n=1, extra="abaikan") == "Loket 1"


def test_broken_templates_do_not_crash() -> None:
    for text in ("Kurung { tidak ditutup", "Kurung } tidak dibuka", "{n:zz}", "{!}"):
        assert translate(text, "id", n=1) == text
    assert translate("Kurung {{literal}} {n}", "id", n=1) == "Kurung {literal} 1"


def test_read_catalog_ignores_fuzzy_and_empty_entries() -> None:
    po = (
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Selamat datang"\nmsgstr "Welcome"\n\n'
        '#, fuzzy\nmsgid "Selamat pagi"\nmsgstr "Good evening"\n\n'
        'msgid "Selamat siang"\nmsgstr ""\n'
    )
    table = read_catalog(io.BytesIO(po.encode("utf-8")), "en")
    assert table == {"Selamat datang": "Welcome"}


def test_catalog_is_loaded_once() -> None:
    i18n.reload_catalogs()
    gettext(ERROR_TEXT["not_found"], "en")
    gettext(ERROR_TEXT["forbidden"], "en")
    info = i18n._catalog.cache_info()
    assert info.misses == 1
    assert info.hits >= 1


# --- Accept-Language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "id"),
        ("", "id"),
        ("en", "en"),
        ("EN", "en"),
        ("id", "id"),
        ("en-US,en;q=0.9,id;q=0.8", "en"),
        ("id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7", "id"),
        ("id;q=0.5, en;q=0.9", "en"),
        ("en;q=0.5, id", "id"),
        ("fr-FR,fr;q=0.9,en;q=0.5", "en"),
        ("fr-FR,de;q=0.9", "id"),
        ("en;q=0", "id"),
        ("en;q=0.0, id;q=0", "id"),
        ("*", "id"),
        ("fr, *;q=0.5, en;q=0.4", "id"),
        ("en;q=0.5, id;q=0.5", "en"),
        ("in-ID, en;q=0.3", "id"),
        ("en_US", "en"),
        ("  en-GB  ;  q=0.8 , id ; q = 0.7 ", "en"),
        ("en;q=abc, id;q=0.1", "id"),
        ("en;q=nan, id;q=0.1", "id"),
        ("en;q=inf", "id"),
        ("en;q=-1, id", "id"),
        ("en;q=2", "en"),
        ("en;level=1;q=0.9", "en"),
        (";;;,,,q=1,=,;q=", "id"),
        ("garbage!!, en", "en"),
        ("ñ-ES, 中文, en;q=0.2", "en"),
        ("\x00\xff\ud800", "id"),
        ("en-" + "x" * 20, "id"),
        ("en-x-private", "en"),
        ("id," * 10_000 + "en", "id"),
        ("fr," * 10_000 + "en", "id"),  # past the length cap: never looked at
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert negotiate(header) == expected


def test_negotiate_never_raises_on_odd_input() -> None:
    for header in (b"en", 42, object(), ["en"]):
        assert negotiate(header) == "id"  # type: ignore[arg-type]


# --- Jinja ----------------------------------------------------------------------------------


def test_install_jinja_uses_lang_from_context() -> None:
    env = jinja2.Environment(autoescape=True)
    install_jinja(env)
    template = env.from_string(
        '{{ _("Loket {counter} tidak ditemukan.", counter=n) }}|{{ _("Belum diterjemahkan") }}'
    )
    assert template.render(lang="en", n=3) == "Counter 3 was not found.|Belum diterjemahkan"
    assert template.render(lang="id", n=3) == "Loket 3 tidak ditemukan.|Belum diterjemahkan"
    assert template.render(n=3) == "Loket 3 tidak ditemukan.|Belum diterjemahkan"
    assert template.render(lang=None, n=3) == "Loket 3 tidak ditemukan.|Belum diterjemahkan"
    assert template.render(lang="fr", n=3) == "Loket 3 tidak ditemukan.|Belum diterjemahkan"


def test_install_jinja_escapes_and_keeps_missing_params() -> None:
    env = jinja2.Environment(autoescape=True)
    install_jinja(env)
    template = env.from_string('{{ _("Petugas {officer}", officer=name) }} {{ _("Loket {n}") }}')
    assert template.render(name="<b>Budi</b>") == "Petugas &lt;b&gt;Budi&lt;/b&gt; Loket {n}"


def test_templates_see_lang_in_included_templates() -> None:
    loader = jinja2.DictLoader(
        {
            "page.html": '{% include "part.html" %}',
            "part.html": '{{ _("Nomor antrean tidak ditemukan.") }}',
        }
    )
    env = jinja2.Environment(loader=loader, autoescape=True)
    install_jinja(env)
    assert env.get_template("page.html").render(lang="en") == "Queue number not found."


# --- Catalog completeness -------------------------------------------------------------------


def test_every_extracted_msgid_has_english() -> None:
    """The guard: text marked anywhere in the code must have a reviewed English translation.

    When this fails, run `python -m queue_server.i18n.update` and fill in the English.
    """
    catalog = _english_catalog()
    problems = []
    for msgid, where in sorted(_extracted().items()):
        message = catalog.get(msgid)
        if message is None:
            problems.append(f"not in catalog: {msgid!r} ({where[0]})")
        elif message.fuzzy:
            problems.append(f"fuzzy, needs review: {msgid!r} ({where[0]})")
        elif not isinstance(message.string, str) or not message.string.strip():
            problems.append(f"no English: {msgid!r} ({where[0]})")
    assert not problems, "run `python -m queue_server.i18n.update`, then translate:\n" + "\n".join(
        problems
    )


def test_extraction_finds_all_error_and_status_text() -> None:
    extracted = _extracted()
    tables = (ERROR_TEXT, CLOSED_ALL_DAY_TEXT, STATUS_TEXT, PSEUDO_STATUS_TEXT)
    for table in tables:
        for msgid in table.values():
            assert msgid in extracted


def test_extraction_covers_templates_and_keywords(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("src")
    (root / "page.html").write_text(
        '<p>{{ _("Ambil nomor antrean") }} {{ _("Loket {n}", n=3) }}</p>', encoding="utf-8"
    )
    (root / "code.py").write_text(
        "def f(lang):\n"
        '    return (N_("Satu"), gettext("Dua", lang), translate("Tiga {x}", lang, x=1),'
        ' both("Empat"), _("Lima"))\n',
        encoding="utf-8",
    )
    method_map, options_map = load_mapping()
    found = {
        message
        for _, _, message, _, _ in extract_from_dir(
            root, method_map, options_map, keywords=KEYWORDS
        )
    }
    assert found == {"Ambil nomor antrean", "Loket {n}", "Satu", "Dua", "Tiga {x}", "Empat", "Lima"}


def test_catalog_entries_are_well_formed() -> None:
    catalog = _english_catalog()
    assert catalog.locale is not None and str(catalog.locale) == "en"
    assert catalog.mime_headers
    headers = dict(catalog.mime_headers)
    assert headers["Language"] == "en"
    assert "charset=utf-8" in headers["Content-Type"]
    for message in catalog:
        if not message.id:
            continue
        assert isinstance(message.id, str) and isinstance(message.string, str)
        assert message.string.strip(), message.id
        assert not message.fuzzy, message.id
        # A translator cannot rename, drop or invent a placeholder.
        assert _fields(message.string) == _fields(message.id), message.id


def test_indonesian_spelling() -> None:
    texts = " ".join(_extracted()).lower()
    assert not re.search(r"\bantrian\b|\bsilahkan\b|\bkadaluarsa\b|\bkadaluwarsa\b", texts)


def test_update_merges_new_msgids_without_writing() -> None:
    template = Catalog()
    template.add(NOT_IN_CATALOG, locations=[("queue_server/x.py", 1)])
    template.add(ERROR_TEXT["not_found"], locations=[("queue_server/i18n/errors.py", 1)])
    merged = merge(template, "en")
    assert missing(merged) == [NOT_IN_CATALOG]
    message = merged.get(ERROR_TEXT["not_found"])
    assert message is not None and message.string == "The requested data was not found."


# --- Error texts ----------------------------------------------------------------------------

SAMPLE_PARAMS = {
    "opens": "08:00",
    "closes": "15:00",
    "service": "KTP",
    "last_ticket": "14:00",
    "quota": 50,
    "counter": 3,
    "officer": "Budi",
    "current": "waiting",
    "target": "done",
    "office": "kec-menteng",
    "cap": 2,
    "prefix": "A",
    "days": 14,
    "time": "09:30",
    "left": 4,
}

DOMAIN_CODES = {
    cls.code
    for cls in vars(domain_errors).values()
    if isinstance(cls, type)
    and issubclass(cls, domain_errors.DomainError)
    and cls is not domain_errors.DomainError
}

API_CODES = {
    "invalid_request",
    "not_authenticated",
    "forbidden",
    "not_found",
    "invalid_credentials",
    "invalid_phone",
    "idempotency_conflict",
    "rate_limited",
    "internal_error",
    "nothing_waiting",
    "office_not_found",
    "conflict",
    "wrong_device",
}


def test_every_error_code_has_text() -> None:
    assert set(ERROR_TEXT) >= DOMAIN_CODES
    assert set(ERROR_TEXT) >= API_CODES


@pytest.mark.parametrize("code", sorted(ERROR_TEXT))
def test_every_error_renders_in_both_languages(code: str) -> None:
    assert _fields(ERROR_TEXT[code]) <= set(SAMPLE_PARAMS)
    messages = error_messages(code, **SAMPLE_PARAMS)
    assert set(messages) == set(LANGUAGES)
    for lang, text in messages.items():
        assert text.strip(), (code, lang)
        assert "{" not in text and "}" not in text, (code, lang, text)
    assert messages["id"] != messages["en"], code


def test_error_messages_examples() -> None:
    assert error_messages("counter_taken", counter=2, officer="Siti") == {
        "id": "Loket 2 sedang digunakan oleh petugas Siti.",
        "en": "Counter 2 is in use by officer Siti.",
    }
    assert error_messages("office_closed", opens="08:00", closes="15:30") == {
        "id": "Mohon maaf, kantor sedang tutup. Jam layanan hari ini 08:00–15:30.",
        "en": "Sorry, the office is closed. Today's service hours are 08:00–15:30.",
    }


def test_closed_all_day_reads_naturally() -> None:
    office = error_messages("office_closed", opens="", closes="")
    assert office == {
        "id": "Mohon maaf, kantor tutup hari ini.",
        "en": "Sorry, the office is closed today.",
    }
    service = error_messages("service_closed", service="KTP", opens="", closes="")
    assert service == {
        "id": "Mohon maaf, layanan KTP tidak tersedia hari ini.",
        "en": "Sorry, the KTP service is not available today.",
    }
    for text in (*office.values(), *service.values()):
        assert "–" not in text


def test_invalid_transition_translates_statuses() -> None:
    assert error_messages("invalid_transition", current="done", target="called") == {
        "id": "Tiket berstatus selesai tidak dapat diubah menjadi dipanggil.",
        "en": "A ticket with status “done” cannot be changed to “called”.",
    }
    at_counter = error_messages("invalid_transition", current="waiting", target="at_counter")
    assert at_counter["id"] == (
        "Tiket berstatus menunggu tidak dapat diubah menjadi ditangani di loket."
    )
    assert "handled at a counter" in at_counter["en"]
    # An unknown status stays as given rather than failing.
    odd = error_messages("invalid_transition", current="weird", target="done")
    assert odd["id"] == "Tiket berstatus weird tidak dapat diubah menjadi selesai."


def test_status_text_covers_every_ticket_status() -> None:
    assert set(STATUS_TEXT) == {status.value for status in TicketStatus}
    for status in TicketStatus:
        words = both(STATUS_TEXT[status.value])
        assert words["id"] != words["en"], status


def test_unknown_code_gives_internal_error() -> None:
    assert error_messages("no_such_code", x=1) == error_messages("internal_error")
    assert error_messages("internal_error")["en"] == (
        "A system error occurred. Please try again in a moment."
    )


def test_error_messages_work_from_a_domain_error() -> None:
    err = domain_errors.InvalidTransition(current="cancelled", target="waiting")
    messages = error_messages(err.code, **err.params)
    assert messages["id"] == "Tiket berstatus dibatalkan tidak dapat diubah menjadi menunggu."
    assert messages["en"] == "A ticket with status “cancelled” cannot be changed to “waiting”."
