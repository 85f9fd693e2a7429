"""One page of a long list and the govukPagination links to the others."""
from __future__ import annotations

import pytest

from learning.pagination import Page, requested_page


def test_a_page_knows_its_rows_and_how_many_pages_there_are():
    page = Page(number=2, size=25, total=60)
    assert (page.offset, page.count, page.first_shown, page.last_shown) == (25, 3, 26, 50)
    assert Page(number=1, size=25, total=0).count == 1


@pytest.mark.parametrize(("number", "count", "shown"), [
    (1, 1, [1]),
    (1, 3, [1, 2, 3]),
    (1, 10, [1, 2, None, 10]),
    (5, 10, [1, None, 4, 5, 6, None, 10]),
    (3, 10, [1, 2, 3, 4, None, 10]),
    (10, 10, [1, None, 9, 10]),
])
def test_the_numbered_links_are_the_ends_and_the_neighbours_with_gaps_between(number, count, shown):
    assert Page(number=number, size=10, total=count * 10).numbers() == shown


def test_the_links_keep_the_search_and_mark_the_current_page(app):
    with app.test_request_context("/audit/?page=2&action=export"):
        links = Page(number=2, size=10, total=30).links("audit.events", {"action": "export", "page": 2})
    assert links["previous"]["href"] == "/audit/?page=1&action=export"
    assert links["next"]["href"] == "/audit/?page=3&action=export"
    assert [item["current"] for item in links["items"]] == [False, True, False]


def test_the_first_and_last_pages_have_no_link_beyond_them(app):
    with app.test_request_context("/"):
        assert "previous" not in Page(number=1, size=10, total=30).links("audit.events")
        assert "next" not in Page(number=3, size=10, total=30).links("audit.events")


@pytest.mark.parametrize(("query", "number"), [("", 1), ("?page=4", 4), ("?page=0", 1), ("?page=-2", 1), ("?page=x", 1)])
def test_the_requested_page_is_a_number_from_one(app, query, number):
    with app.test_request_context(f"/{query}"):
        assert requested_page() == number
