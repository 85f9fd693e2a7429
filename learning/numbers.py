"""Whole numbers from addresses, query strings and forms, kept to what the database holds.

A number past 64 bits in `/people/<id>` or `?page=` raised OverflowError on SQLite and
"integer out of range" on PostgreSQL: a 500 for a mistyped link. Here an id that no row
could have is simply not found (404), and a page number is kept within the pages there are.
"""
from __future__ import annotations

from flask import request
from werkzeug.routing import IntegerConverter

# The largest id the id columns hold on both databases: they are INTEGER, 32 bits on
# PostgreSQL, which refuses a larger number in a comparison ("integer out of range").
MAX_ID = 2**31 - 1
# Far beyond any real list, and small enough that (page - 1) * page size stays in range.
MAX_PAGE = 1_000_000


class IdConverter(IntegerConverter):
    """`<id:user_id>` in a route: a whole number from 0 to MAX_ID; anything else is a 404."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(value) -> int:
    """`int(value)` for a form field's `coerce`, refusing (ValueError) a number no id could be."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError("Not a number this service uses")
    return number


def int_arg(name: str) -> int | None:
    """A whole number from the query string (?agency=3), or None when it is absent, not a
    number, or not one any row could have: treated as if it had not been given."""
    try:
        return whole_number(request.args.get(name, ""))
    except ValueError:
        return None


def page_number(name: str = "page") -> int:
    """?page= as a page from 1 to MAX_PAGE: a missing or malformed page is the first, one
    past the end is the last the list could have (pagination.Page.within brings it back to
    the last page there is)."""
    try:
        page = int(request.args.get(name, ""))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)
