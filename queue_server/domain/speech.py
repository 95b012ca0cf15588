"""What the lobby hears for a call: "Nomor antrean A lima belas, silakan menuju loket tiga".

Pure text: numbers read the Indonesian way (whole or digit by digit), letters by their
Indonesian names, the counter by its number or its name, through an office's own template.
Turning the text into audio is `queue_server.announcer`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

ONES_ID = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
LETTERS_ID = {
    "A": "a", "B": "be", "C": "ce", "D": "de", "E": "e", "F": "ef", "G": "ge", "H": "ha",
    "I": "i", "J": "je", "K": "ka", "L": "el", "M": "em", "N": "en", "O": "o", "P": "pe",
    "Q": "ki", "R": "er", "S": "es", "T": "te", "U": "u", "V": "fe", "W": "we", "X": "eks",
    "Y": "ye", "Z": "zet",
}  # fmt: skip

ONES_EN = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS_EN = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen")  # fmt: skip
TENS_EN = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
LETTERS_EN = {letter: letter for letter in LETTERS_ID}  # English speech engines say letters well

TICKET_NUMBER = re.compile(r"^([A-Z]{1,2})(\d+)$")
DIGITS = re.compile(r"\d+")


class NumberStyle(StrEnum):
    WHOLE = "whole"  # A015 -> "A lima belas"
    DIGITS = "digits"  # A015 -> "A nol satu lima"


class CounterWords(StrEnum):
    NUMBER = "number"  # "loket tiga"
    NAME = "name"  # the counter's own name, e.g. "Loket Dukcapil"


DEFAULT_TEMPLATE_ID = "Nomor antrean {nomor}, silakan menuju {loket}"
DEFAULT_TEMPLATE_EN = "Number {nomor}, please go to {loket}"


@dataclass(frozen=True)
class VoiceSettings:
    """How an office's calls are announced (the administration pages edit these)."""

    style: NumberStyle = NumberStyle.WHOLE
    counter_words: CounterWords = CounterWords.NUMBER
    template_id: str = DEFAULT_TEMPLATE_ID
    template_en: str = DEFAULT_TEMPLATE_EN
    english: bool = False  # also say it in English, after the Indonesian


def say_number_id(n: int) -> str:
    """0..999,999 in Indonesian words: 11 sebelas, 100 seratus, 1000 seribu, 2021 dua ribu dua
    puluh satu."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"cannot read {n}")
    if n < 10:
        return ONES_ID[n]
    if n < 20:
        if n == 10:
            return "sepuluh"
        if n == 11:
            return "sebelas"
        return f"{ONES_ID[n - 10]} belas"
    if n < 100:
        tens, rest = divmod(n, 10)
        return _join(f"{ONES_ID[tens]} puluh", rest, say_number_id)
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "seratus" if hundreds == 1 else f"{ONES_ID[hundreds]} ratus"
        return _join(head, rest, say_number_id)
    thousands, rest = divmod(n, 1000)
    head = "seribu" if thousands == 1 else f"{say_number_id(thousands)} ribu"
    return _join(head, rest, say_number_id)


def say_number_en(n: int) -> str:
    """0..999,999 in English words (for offices that also announce in English)."""
    if n < 0 or n >= 1_000_000:
        raise ValueError(f"cannot read {n}")
    if n < 10:
        return ONES_EN[n]
    if n < 20:
        return TEENS_EN[n - 10]
    if n < 100:
        tens, rest = divmod(n, 10)
        return TENS_EN[tens] + (f"-{ONES_EN[rest]}" if rest else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return _join(f"{ONES_EN[hundreds]} hundred", rest, say_number_en)
    thousands, rest = divmod(n, 1000)
    return _join(f"{say_number_en(thousands)} thousand", rest, say_number_en)


def _join(head: str, rest: int, say: Callable[[int], str]) -> str:
    return head if rest == 0 else f"{head} {say(rest)}"


def say_letters(letters: str, lang: str = "id") -> str:
    names = LETTERS_EN if lang == "en" else LETTERS_ID
    return " ".join(names.get(ch, ch) for ch in letters.upper())


def say_digits(digits: str, lang: str = "id") -> str:
    ones = ONES_EN if lang == "en" else ONES_ID
    return " ".join(ones[int(ch)] for ch in digits)


def say_ticket(number: str, style: NumberStyle, lang: str = "id") -> str:
    """ "A015" -> "A lima belas" (whole) or "A nol satu lima" (digits)."""
    match = TICKET_NUMBER.match(number.strip().upper())
    if match is None:
        return say_numbers_in(number, lang)
    letters, digits = match.groups()
    if style is NumberStyle.DIGITS:
        spoken = say_digits(digits, lang)
    else:
        spoken = (say_number_en if lang == "en" else say_number_id)(int(digits))
    return f"{say_letters(letters, lang)} {spoken}"


def say_numbers_in(text: str, lang: str = "id") -> str:
    """Every run of digits in `text` read as a whole number ("Loket 2" -> "Loket dua")."""
    say = say_number_en if lang == "en" else say_number_id
    return DIGITS.sub(lambda m: say(int(m.group())) if len(m.group()) <= 6 else m.group(), text)


def say_counter(number: int, name: str, words: CounterWords, lang: str = "id") -> str:
    if words is CounterWords.NAME and name.strip():
        return say_numbers_in(name.strip(), lang)
    say = say_number_en if lang == "en" else say_number_id
    return f"{'counter' if lang == 'en' else 'loket'} {say(number)}"


def announcement(
    settings: VoiceSettings, number: str, counter: int, counter_name: str = ""
) -> list[tuple[str, str]]:
    """The texts to speak for a call (or a recall: the same again), as (language, text)."""
    spoken = []
    languages = ("id", "en") if settings.english else ("id",)
    for lang in languages:
        template = settings.template_en if lang == "en" else settings.template_id
        values = {
            "nomor": say_ticket(number, settings.style, lang),
            "loket": say_counter(counter, counter_name, settings.counter_words, lang),
        }
        text = _fill(template, values) or _fill(
            DEFAULT_TEMPLATE_EN if lang == "en" else DEFAULT_TEMPLATE_ID, values
        )
        spoken.append((lang, text))
    return spoken


def _fill(template: str, values: dict[str, str]) -> str:
    """The template with {nomor} and {loket} filled; other braces are left as they are."""
    return re.sub(r"\{(nomor|loket)\}", lambda m: values[m.group(1)], template).strip()
