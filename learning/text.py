"""The one rule for text that people and files give us.

Every text that arrives (a form field, a search box, a cell of a staff import) goes through
`clean` on the way in, and every workbook cell goes through it again on the way out, so that
text stored before this rule existed cannot break an export either.

- Unicode is normalised to NFC, so the same name typed on two keyboards is the same string.
- Characters that XML 1.0 forbids are removed: C0 controls other than tab, line feed and
  carriage return (NUL included), unpaired surrogates, and the non-characters U+FFFE, U+FFFF
  (in every plane) and U+FDD0 to U+FDEF. A workbook is XML, so one such character would
  make every workbook that includes it unreadable; PostgreSQL refuses NUL outright.
"""
from __future__ import annotations

import re
import unicodedata

# XML 1.0 allows #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF];
# the non-characters are allowed by that production but "discouraged", and openpyxl and
# LibreOffice refuse U+FFFE and U+FFFF, so they go too.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(1, 17))
    + "]"
)


# Most text is ASCII, where only the control characters can be forbidden and NFC changes
# nothing; a class without the astral non-characters is several times quicker to scan.
_FORBIDDEN_ASCII = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(value: str) -> str:
    """`value` in NFC with every character XML 1.0 forbids removed."""
    if not value:
        return value
    if value.isascii():
        return _FORBIDDEN_ASCII.sub("", value)
    # Remove first: normalising a string that holds a lone surrogate raises.
    return unicodedata.normalize("NFC", _FORBIDDEN.sub("", value))


def clean_or_none(value: str | None) -> str | None:
    return None if value is None else clean(value)


def has_forbidden(value: str) -> bool:
    """Whether `value` holds a character `clean` would remove (for a field's error message)."""
    return bool(_FORBIDDEN.search(value))
