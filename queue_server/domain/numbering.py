"""Ticket numbers: a service prefix and at least three digits (A001..A999, A1000..), or four
where the office asks for them (A0001..A9999, A10000..)."""

from __future__ import annotations


def format_number(prefix: str, seq: int, digits: int = 3) -> str:
    """Return the printed number for the `seq`-th ticket of the day."""
    if seq < 1:
        raise ValueError("seq starts at 1")
    return f"{prefix}{seq:0{digits}d}"


def parse_number(number: str) -> tuple[str, int]:
    """Split "A015" into ("A", 15)."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix) :]
    if not prefix or not digits:
        raise ValueError(f"not a ticket number: {number!r}")
    return prefix, int(digits)
