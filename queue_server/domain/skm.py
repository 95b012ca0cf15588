"""The community satisfaction survey (Survei Kepuasan Masyarakat, Permenpan RB 14/2017) and its
index (IKM). Pure.

Nine elements (unsur), each rated 1-4. The index: average each element over respondents, weight
each by 1/9 (exactly: the regulation prints 0.111, a rounding of 1/9), sum, multiply by 25;
round to two decimals; then grade A-D.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# (key, the element's Indonesian wording as offices print it)
UNSUR: tuple[tuple[str, str], ...] = (
    ("u1", "Persyaratan"),
    ("u2", "Sistem, mekanisme, dan prosedur"),
    ("u3", "Waktu penyelesaian"),
    ("u4", "Biaya/tarif"),
    ("u5", "Produk spesifikasi jenis pelayanan"),
    ("u6", "Kompetensi pelaksana"),
    ("u7", "Perilaku pelaksana"),
    ("u8", "Penanganan pengaduan, saran dan masukan"),
    ("u9", "Sarana dan prasarana"),
)
KEYS: tuple[str, ...] = tuple(key for key, _ in UNSUR)
WEIGHT = Fraction(1, len(UNSUR))  # the regulation's 0.111, exactly
SCALE = 25

# (lowest IKM of the grade, grade, its words), best first
GRADES: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal("88.31"), "A", "Sangat Baik"),
    (Decimal("76.61"), "B", "Baik"),
    (Decimal("65.00"), "C", "Kurang Baik"),
    (Decimal("25.00"), "D", "Tidak Baik"),
)

# The respondent fields of the regulation's form (all optional)
AGE_GROUPS = ("<20", "20-29", "30-39", "40-49", "50-59", "60+")
SEXES = ("L", "P")
EDUCATION = ("SD", "SMP", "SMA", "D1-D3", "D4/S1", "S2", "S3")
OCCUPATIONS = ("PNS", "TNI", "POLRI", "Swasta", "Wirausaha", "Pelajar/Mahasiswa", "Lainnya")


class InvalidAnswer(ValueError):
    pass


def check(scores: Sequence[int]) -> tuple[int, ...]:
    """Nine scores, each 1 (tidak baik) .. 4 (sangat baik)."""
    if len(scores) != len(UNSUR) or any(
        not isinstance(s, int) or isinstance(s, bool) or not 1 <= s <= 4 for s in scores
    ):
        raise InvalidAnswer("nine scores of 1..4 are needed")
    return tuple(scores)


@dataclass(frozen=True)
class Index:
    respondents: int
    averages: tuple[Fraction, ...]  # per element (the NRR), exact
    ikm: Decimal | None  # 25..100, two decimals; None without respondents
    grade: str | None
    grade_words: str | None

    def average(self, i: int, places: int = 3) -> Decimal:
        return _round(self.averages[i], places)


def _round(value: Fraction, places: int) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def grade(ikm: Decimal) -> tuple[str, str]:
    for lowest, letter, words in GRADES:
        if ikm >= lowest:
            return letter, words
    return GRADES[-1][1], GRADES[-1][2]


def index(responses: Iterable[Sequence[int]]) -> Index:
    """IKM of `responses` (each nine scores)."""
    totals = [0] * len(UNSUR)
    count = 0
    for response in responses:
        for i, score in enumerate(check(response)):
            totals[i] += score
        count += 1
    return index_of_totals(count, totals)


def index_of_totals(count: int, totals: Sequence[int]) -> Index:
    """IKM of `count` respondents whose scores add up to `totals` per element (as a grouped
    query sums them)."""
    if len(totals) != len(UNSUR):
        raise InvalidAnswer("nine element totals are needed")
    if count == 0:
        return Index(0, tuple(Fraction(0) for _ in UNSUR), None, None, None)
    averages = tuple(Fraction(total, count) for total in totals)
    ikm = _round(sum((a * WEIGHT for a in averages), Fraction(0)) * SCALE, 2)
    letter, words = grade(ikm)
    return Index(count, averages, ikm, letter, words)


@dataclass(frozen=True)
class Period:
    """A period offices publish their IKM for: kind is "quarter", "semester" or "year"."""

    kind: str
    number: int  # 1-4 for a quarter, 1-2 for a semester, 0 for a year
    year: int
    first: date
    last: date


def _months(year: int, first_month: int, months: int, kind: str, number: int) -> Period:
    end_month = first_month + months - 1
    last = date(year, end_month, monthrange(year, end_month)[1])
    return Period(kind, number, year, date(year, first_month, 1), last)


def periods(today: date) -> list[Period]:
    """The periods a recap is usually asked for around `today`: this year's quarters and
    semesters so far, the last semester of the year before, and the whole year."""
    year = today.year
    out = [_months(year - 1, 7, 6, "semester", 2)]
    out += [_months(year, 1 + 3 * q, 3, "quarter", q + 1) for q in range(4)
            if date(year, 1 + 3 * q, 1) <= today]  # fmt: skip
    out += [_months(year, 1 + 6 * s, 6, "semester", s + 1) for s in range(2)
            if date(year, 1 + 6 * s, 1) <= today]  # fmt: skip
    out.append(_months(year, 1, 12, "year", 0))
    return out
