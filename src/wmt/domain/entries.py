"""What a value typed by a person must look like before anything uses it.

One home for the rules of entry, so a page and the API give the same answer for the same
value: whole numbers (versions, ids, page numbers), hours, dates, codes and free text. Each
rule returns the value or raises EntryRefused with a sentence saying what to enter.

Only the digits 0 to 9 count as digits: Python's int() and Decimal() also read Arabic-Indic
or full-width digits, which no person means to type into an hours box and no store should
hold. Numbers are bounded by what the store can keep (an INTEGER column holds up to
2,147,483,647), so an absurd value is refused here rather than overflowing the database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2099, 12, 31)
LARGEST_WHOLE_NUMBER = 2**31 - 1  # the largest value of a 32-bit INTEGER column
# The store's columns are declared with these lengths (wmt.store.schema), so what is accepted
# here always fits.
CODE_LENGTH = 40  # staff, team, PDU and region codes
NAME_LENGTH = 200  # names of people, units and reduction reasons
REASON_LENGTH = NAME_LENGTH
NOTES_LENGTH = 1000

_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]*(\.[0-9]+)?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_HUNDREDTH = Decimal("0.01")
# Characters that reorder the text around them: a note or code holding one can be made to
# read differently from what it holds (in the audit log, say), so none is accepted.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\n\r")

# For the JSON Schema of the API: the same rules, as patterns.
# More than 0, with at most 2 decimal places: 7, 7.5, 0.25, 007.50; not 0, 0.00, .5 or 7.
HOURS_PATTERN = r"^(0*[1-9][0-9]*(\.[0-9]{1,2})?|0+\.(0[1-9]|[1-9][0-9]?))$"
# 2000-01-01 to 2099-12-31, month 01 to 12, day 01 to 31 (the calendar says which days exist).
DATE_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
WHOLE_NUMBER_PATTERN = r"^[0-9]+$"


class EntryRefused(ValueError):
    """A value that is not what the field takes; the message says what to enter instead."""


def _other_digits(text: str) -> bool:
    return any(character.isdigit() and not character.isascii() for character in text)


def whole_number(text: str, label: str, *, least: int = 0) -> int:
    """A whole number written with the digits 0 to 9, from `least` to LARGEST_WHOLE_NUMBER."""
    if _other_digits(text):
        raise EntryRefused(f"Enter {label} using the digits 0 to 9")
    if not _WHOLE.fullmatch(text):
        raise EntryRefused(f"Enter {label} as a whole number, like 2")
    # Digits beyond the eleventh cannot be within range: no need to read them as a number.
    value = int(text) if len(text.lstrip("0")) <= 11 else LARGEST_WHOLE_NUMBER + 1
    if not least <= value <= LARGEST_WHOLE_NUMBER:
        raise EntryRefused(
            f"Enter {label} as a whole number from {least} to {LARGEST_WHOLE_NUMBER:,}"
        )
    return value


def hours(text: str, label: str) -> Decimal:
    """Hours a week: more than 0, in decimal digits with at most 2 decimal places.

    How many hours are too many depends on what they are for (contracted hours, or a
    reduction of them): the services check that. Returns the hours to the hundredth.
    """
    if _other_digits(text):
        raise EntryRefused(f"Enter {label} using the digits 0 to 9, like 7.5")
    if not text or text == "-" or not _DECIMAL.fullmatch(text):
        raise EntryRefused(f"Enter {label} as a number, like 7.5")
    whole, _, places = text.lstrip("-").partition(".")
    if len(places) > 2:
        raise EntryRefused(f"Enter {label} with at most 2 decimal places, like 7.25")
    if text.startswith("-") or not any(digit != "0" for digit in whole + places):
        raise EntryRefused(f"Enter {label} greater than 0")
    if not whole:
        raise EntryRefused(f"Enter {label} as a number, like 0.5")
    value = Decimal(text)
    # Far too many hours stay as typed (quantizing them would exceed Decimal's precision):
    # the rule about how many hours are allowed refuses them with its own message.
    return value.quantize(_HUNDREDTH) if len(whole.lstrip("0")) <= 20 else value


def within_range(value: date, label: str) -> date:
    """A date within the years wmt keeps: 2000 to 2099."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise EntryRefused(
            f"{label} must be between {spoken_date(EARLIEST_DATE)} and {spoken_date(LATEST_DATE)}"
        )
    return value


def iso_date(text: str, label: str) -> date:
    """A date written YYYY-MM-DD (only that form: not 20261120 nor week dates), in range."""
    if not _ISO_DATE.fullmatch(text):
        raise EntryRefused(f"Enter {label.lower()} as YYYY-MM-DD, like 2026-11-20")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise EntryRefused(f"{label} must be a real date") from None
    return within_range(value, label)


def spoken_date(value: date) -> str:
    """A date as people write it: 1 December 2026."""
    return f"{value.day} {value:%B %Y}"


def spoken_hours(value: Decimal) -> str:
    """Hours as people write them: 54, 18.5, 7.25."""
    text = format(value.quantize(_HUNDREDTH), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def unsafe_character(text: str, *, line_breaks: bool = False) -> str | None:
    """The first character no text field accepts, described; None if there is none.

    Refused: control characters (NUL, escape, tabs; line breaks unless allowed), lone
    surrogates (which no store can encode), and characters that reverse the text's direction.
    """
    for character in text:
        if line_breaks and character in _LINE_BREAKS:
            continue
        category = unicodedata.category(character)
        if category == "Cc" or category == "Cs" or character in _BIDI_CONTROLS:
            return f"U+{ord(character):04X}"
    return None


def plain_text(text: str, label: str, *, most: int, line_breaks: bool = False) -> str:
    """Text of at most `most` characters with no control characters (see unsafe_character)."""
    if len(text) > most:
        raise EntryRefused(f"{label} must be {most:,} characters or fewer")
    found = unsafe_character(text, line_breaks=line_breaks)
    if found is not None:
        what = "a character" if line_breaks else "a line break or other character"
        raise EntryRefused(
            f"{label} cannot contain {what} that is not printed ({found}); remove it"
        )
    return text


def code(text: str, label: str = "The code") -> str:
    """A staff, team, PDU or region code: 1 to 40 printable characters."""
    if not text:
        raise EntryRefused(f"{label} is missing")
    return plain_text(text, label, most=CODE_LENGTH)
