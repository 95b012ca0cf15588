"""The two disruption texts stay one plain SMS with the longest words they may carry."""

from __future__ import annotations

import pytest

from queue_server.i18n import translate
from queue_server.notifications.rules import SMS_LIMIT, Kind, NotifySettings, is_gsm7, render
from queue_server.services.disruptions import REASON_WORDS, UNKNOWN_END

LONG = {
    "office": "Kantor Kecamatan Winongan", "service": "Perizinan Berusaha (OSS)",
    "number": "A1015", "link": "https://antrean.winongan.go.id/ambil/kec-winongan?lang=id",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("reason", sorted(REASON_WORDS))
def test_the_delay_text_fits_with_every_reason(reason: str, lang: str) -> None:
    for time in ("10:30", "24-11 08:00", translate(UNKNOWN_END, lang)):
        values = {**LONG, "reason": translate(REASON_WORDS[reason], lang), "time": time}
        text = render(Kind.DELAY, lang, values, NotifySettings())
        assert is_gsm7(text) and len(text) <= SMS_LIMIT, (len(text), text)
        assert "{" not in text


@pytest.mark.parametrize("lang", ["id", "en"])
@pytest.mark.parametrize("kind", [Kind.CALLBACK, Kind.CALLBACK_LINK])
def test_the_callback_texts_fit(kind: Kind, lang: str) -> None:
    text = render(kind, lang, LONG, NotifySettings())
    assert is_gsm7(text) and len(text) <= SMS_LIMIT, (len(text), text)
