"""Phone numbers as Indonesians write them (08.., +628.., 628..), stored as E.164."""

from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    pass


def normalise(raw: str, region: str = "ID") -> str:
    """Return `raw` in E.164 form, or raise InvalidPhone."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(raw) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(raw)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str | None) -> str | None:
    """Show a number the way staff may see it: 0812****5678."""
    if not e164:
        return None
    try:
        national = phonenumbers.format_number(
            phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        national = e164
    digits = "".join(ch for ch in national if ch.isdigit())
    if len(digits) <= 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
