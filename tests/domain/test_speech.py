"""Indonesian number reading (DOMAIN.md rules), letters, and the announcement text."""

from __future__ import annotations

import pytest

from queue_server.domain.speech import (
    LETTERS_ID,
    CounterWords,
    NumberStyle,
    VoiceSettings,
    announcement,
    say_counter,
    say_number_en,
    say_number_id,
    say_ticket,
)

SPOT_CHECKS = {
    0: "nol", 1: "satu", 9: "sembilan", 10: "sepuluh", 11: "sebelas", 12: "dua belas",
    19: "sembilan belas", 20: "dua puluh", 21: "dua puluh satu", 99: "sembilan puluh sembilan",
    100: "seratus", 101: "seratus satu", 105: "seratus lima", 110: "seratus sepuluh",
    111: "seratus sebelas", 200: "dua ratus", 999: "sembilan ratus sembilan puluh sembilan",
    1000: "seribu", 1001: "seribu satu", 1011: "seribu sebelas", 1100: "seribu seratus",
    2000: "dua ribu", 2024: "dua ribu dua puluh empat", 9999: "sembilan ribu sembilan ratus "
    "sembilan puluh sembilan", 11000: "sebelas ribu", 100000: "seratus ribu",
}  # fmt: skip


@pytest.mark.parametrize(("n", "words"), sorted(SPOT_CHECKS.items()))
def test_spot_checks(n: int, words: str) -> None:
    assert say_number_id(n) == words


WORDS = ["nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]
UNITS = {word: i for i, word in enumerate(WORDS)}


def _parse(words: str) -> int:
    """An independent reader of Indonesian number words (the inverse, written separately)."""
    total, current = 0, 0
    tokens = words.split()
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if token == "sepuluh":
            current += 10
        elif token == "sebelas":
            current += 11
        elif token == "seratus":
            current += 100
        elif token == "seribu":
            total += 1000
        elif token in UNITS and nxt in ("belas", "puluh", "ratus", "ribu"):
            value = UNITS[token]
            if nxt == "belas":
                current += 10 + value
            elif nxt == "puluh":
                current += 10 * value
            elif nxt == "ratus":
                current += 100 * value
            else:
                total += (current + value) * 1000
                current = 0
            i += 1
        elif token == "ribu":
            total += current * 1000
            current = 0
        elif token in UNITS:
            current += UNITS[token]
        else:
            raise ValueError(token)
        i += 1
    return total + current


@pytest.mark.parametrize("start", range(0, 10_000, 1000))
def test_every_number_to_9999_reads_back(start: int) -> None:
    for n in range(start, start + 1000):
        words = say_number_id(n)
        assert _parse(words) == n, (n, words)
        assert "  " not in words and words == words.strip()
        # Indonesian says se-, never "satu" before a multiplier
        for wrong in ("satu belas", "satu puluh", "satu ratus", "satu ribu"):
            assert wrong not in f"{words} ", (n, words)
        if n:
            assert "nol" not in words.split()


@pytest.mark.parametrize(("letter", "name"), sorted(LETTERS_ID.items()))
def test_every_letter_has_its_indonesian_name(letter: str, name: str) -> None:
    assert say_ticket(f"{letter}005", NumberStyle.DIGITS) == f"{name} nol nol lima"
    assert say_ticket(f"{letter}015", NumberStyle.WHOLE) == f"{name} lima belas"


def test_letters_follow_domain_md() -> None:
    assert [LETTERS_ID[c] for c in "AQRWXYZ"] == ["a", "ki", "er", "we", "eks", "ye", "zet"]
    assert len(LETTERS_ID) == 26
    assert say_ticket("AB1000", NumberStyle.WHOLE) == "a be seribu"


def test_default_announcement_reads_as_domain_md() -> None:
    assert announcement(VoiceSettings(), "A015", 3) == [
        ("id", "Nomor antrean a lima belas, silakan menuju loket tiga")
    ]
    digits = VoiceSettings(style=NumberStyle.DIGITS)
    assert announcement(digits, "A005", 3)[0][1] == (
        "Nomor antrean a nol nol lima, silakan menuju loket tiga"
    )


def test_counter_by_name_template_and_english() -> None:
    settings = VoiceSettings(
        counter_words=CounterWords.NAME,
        template_id="Panggilan untuk {nomor} di {loket}",
        english=True,
    )
    assert announcement(settings, "B121", 2, "Loket 2 Dukcapil") == [
        ("id", "Panggilan untuk be seratus dua puluh satu di Loket dua Dukcapil"),
        ("en", "Number B one hundred twenty-one, please go to Loket two Dukcapil"),
    ]
    assert say_counter(4, "", CounterWords.NAME) == "loket empat"  # no name: the number


def test_an_empty_template_falls_back_to_the_default() -> None:
    settings = VoiceSettings(template_id="   ")
    assert (
        announcement(settings, "C001", 1)[0][1]
        == "Nomor antrean ce satu, silakan menuju loket satu"
    )


def test_english_numbers() -> None:
    assert [say_number_en(n) for n in (0, 13, 21, 100, 115, 1000, 2024)] == [
        "zero", "thirteen", "twenty-one", "one hundred", "one hundred fifteen",
        "one thousand", "two thousand twenty-four",
    ]  # fmt: skip
