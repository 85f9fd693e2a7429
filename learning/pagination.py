"""One page of a long list, and its links for the govukPagination component.

Each paginated view reads the page asked for with `requested_page()`, counts and fetches
its own rows (the staff list's count and rows come from one compliance query, so a generic
paginate over a select would not fit), and hands the template a `Page`. The template shows
the links with `govukPagination(page.links(endpoint, args))` when `page.count > 1`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from learning.numbers import page_number


def requested_page() -> int:
    """The page number in the query string: 1 when missing, not a number or below 1, and
    never past numbers.MAX_PAGE (so the offset stays a number the database takes)."""
    return page_number()


@dataclass(frozen=True)
class Page:
    number: int
    size: int
    total: int

    @classmethod
    def within(cls, number: int, size: int, total: int) -> Page:
        """The page asked for, or the last page there is when it asks for one past the end."""
        return cls(min(number, max((total - 1) // size + 1, 1)), size, total)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def count(self) -> int:
        """How many pages there are (at least one, even for an empty list)."""
        return max((self.total - 1) // self.size + 1, 1)

    @property
    def first_shown(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.size, self.total)

    def numbers(self) -> list[int | None]:
        """The page numbers to link, GOV.UK's way: the first, the last, the current page and
        its neighbours, with None for each gap (shown as an ellipsis)."""
        wanted = sorted({1, self.count} | {n for n in range(self.number - 1, self.number + 2) if 1 <= n <= self.count})
        shown: list[int | None] = []
        for n in wanted:
            if shown and n - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(n)
        return shown

    def links(self, endpoint: str, args: dict[str, Any] | None = None, label: str = "Pages") -> dict[str, Any]:
        """The govukPagination parameters: previous, next and numbered links to `endpoint`
        keeping `args` (the search or filters), and the navigation landmark's label."""
        args = {k: v for k, v in (args or {}).items() if k != "page"}

        def href(n: int) -> str:
            return url_for(endpoint, page=n, **args)

        items = [{"ellipsis": True} if n is None else {"number": n, "href": href(n), "current": n == self.number}
                 for n in self.numbers()]
        params: dict[str, Any] = {"items": items, "landmarkLabel": label}
        if self.number > 1:
            params["previous"] = {"href": href(min(self.number - 1, self.count))}
        if self.number < self.count:
            params["next"] = {"href": href(self.number + 1)}
        return params
