"""IKM per Permenpan RB 14/2017: a worked example, the grade boundaries, exact 1/9 weights."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.domain import skm
from queue_server.domain.skm import UNSUR, InvalidAnswer, check, grade, index


def test_worked_example() -> None:
    # Four respondents. Per element: sum / 4 (the NRR); IKM = 25 x sum(NRR x 1/9).
    responses = [
        [3, 3, 4, 4, 3, 3, 4, 3, 3],
        [4, 3, 3, 4, 3, 4, 4, 3, 2],
        [3, 2, 3, 4, 3, 3, 3, 3, 3],
        [3, 3, 3, 4, 4, 3, 4, 2, 3],
    ]
    result = index(responses)
    assert result.respondents == 4
    assert [result.average(i) for i in range(9)] == [
        Decimal("3.250"), Decimal("2.750"), Decimal("3.250"), Decimal("4.000"), Decimal("3.250"),
        Decimal("3.250"), Decimal("3.750"), Decimal("2.750"), Decimal("2.750"),
    ]  # fmt: skip
    # sum of NRR = 29.0; 29 / 9 = 3.2222...; x 25 = 80.5555... -> 80.56, grade B (Baik)
    assert result.ikm == Decimal("80.56")
    assert (result.grade, result.grade_words) == ("B", "Baik")


def test_exact_ninths_not_the_printed_0_111() -> None:
    everyone_perfect = index([[4] * 9] * 10)
    assert everyone_perfect.ikm == Decimal("100.00")  # 0.111 would give 99.90
    assert everyone_perfect.grade == "A"
    lowest = index([[1] * 9])
    assert lowest.ikm == Decimal("25.00") and lowest.grade == "D"


@pytest.mark.parametrize(
    ("ikm", "letter", "words"),
    [
        ("100.00", "A", "Sangat Baik"), ("88.31", "A", "Sangat Baik"), ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"), ("76.60", "C", "Kurang Baik"), ("65.00", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"), ("25.00", "D", "Tidak Baik"),
    ],
)  # fmt: skip
def test_grade_boundaries(ikm: str, letter: str, words: str) -> None:
    assert grade(Decimal(ikm)) == (letter, words)


def test_rounding_happens_before_grading() -> None:
    # 100 respondents scoring 3,179 in all: IKM = 25 x 31.79 / 9 = 88.3055... -> 88.31, which is
    # an A; graded before rounding it would have been a B (below 88.31)
    responses = [[4, 4, 4, 4, 4, 3, 3, 3, 3]] * 79 + [[4, 4, 4, 4, 3, 3, 3, 3, 3]] * 21
    result = index(responses)
    assert result.ikm == Decimal("88.31") and result.grade == "A"


def test_no_respondents() -> None:
    empty = index([])
    assert empty.respondents == 0 and empty.ikm is None and empty.grade is None


@pytest.mark.parametrize("bad", [[4] * 8, [4] * 10, [0] + [4] * 8, [5] + [4] * 8, [True] * 9])
def test_answers_are_nine_scores_of_one_to_four(bad: list[int]) -> None:
    with pytest.raises(InvalidAnswer):
        check(bad)


@given(st.lists(st.lists(st.integers(1, 4), min_size=9, max_size=9), min_size=1, max_size=40))
def test_ikm_is_25_times_the_mean_of_the_averages(responses: list[list[int]]) -> None:
    result = index(responses)
    total = Fraction(sum(sum(r) for r in responses), len(responses))
    expected = total * 25 / len(UNSUR)
    assert result.ikm is not None
    assert abs(Fraction(str(result.ikm)) - expected) <= Fraction(1, 200)
    assert Decimal("25.00") <= result.ikm <= Decimal("100.00")


def test_periods_offices_publish_for() -> None:
    found = {(p.kind, p.number, p.year): (p.first, p.last) for p in skm.periods(date(2026, 5, 2))}
    assert found == {
        ("semester", 2, 2025): (date(2025, 7, 1), date(2025, 12, 31)),
        ("quarter", 1, 2026): (date(2026, 1, 1), date(2026, 3, 31)),
        ("quarter", 2, 2026): (date(2026, 4, 1), date(2026, 6, 30)),  # begun, not yet over
        ("semester", 1, 2026): (date(2026, 1, 1), date(2026, 6, 30)),
        ("year", 0, 2026): (date(2026, 1, 1), date(2026, 12, 31)),
    }
