"""NATO Stock Numbers and NCAGE codes: normalisation, formatting, sanity checks."""

from __future__ import annotations

import re

_NSN = re.compile(r"^(\d{4})-?(\d{2})-?(\d{3})-?(\d{4})$")
_NCAGE = re.compile(r"^[A-Z0-9]{5}$")


def normalise_nsn(text: str) -> str | None:
    """The 13 digits of an NSN written with or without dashes; None if `text` is no NSN."""
    match = _NSN.match(text.strip())
    return "".join(match.groups()) if match else None


def format_nsn(digits: str) -> str:
    """`"1320123456789"` → `"1320-12-345-6789"`."""
    return f"{digits[0:4]}-{digits[4:6]}-{digits[6:9]}-{digits[9:13]}"


def canonical_item_code(text: str) -> str:
    """Item codes that are NSNs take the dashed form, so both spellings name one item."""
    digits = normalise_nsn(text)
    return format_nsn(digits) if digits is not None else text


def supply_class(nsn: str) -> str | None:
    """The four-digit NATO Supply Class of an NSN, or None when `nsn` is no NSN."""
    digits = normalise_nsn(nsn)
    return digits[:4] if digits else None


def is_ncage(code: str) -> bool:
    """Five upper-case letters or digits; country patterns are not inferred."""
    return _NCAGE.match(code) is not None
