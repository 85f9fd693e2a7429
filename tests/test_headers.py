"""Security headers on every kind of page, and pages that keep within the CSP."""
import re

from learning.models import Role
from tests.conftest import sign_in
from tests.journey import answer_all, start

SLUG = "police-protection"


def _pages(client, people):
    """(url, response) for one page of every kind, seen by an admin part-way through a module."""
    admin = people.user("adi@example.org", role=Role.ADMIN)
    yield "/sign-in", client.get("/sign-in")
    yield "/no-such-page", client.get("/no-such-page")
    sign_in(client, admin)
    done = start(client, SLUG)
    answer_all(client, done)
    open_ = start(client, "escalation")
    client.post(f"/attempts/{open_}/questions/1", data={"answer": ["option-1"]})
    for url in ("/my-learning", f"/modules/{SLUG}", f"/attempts/{open_}/questions/2",
                f"/attempts/{open_}/questions/1/feedback", f"/attempts/{done}/result", f"/attempts/{done}/review",
                "/people/", "/people/new", "/audit/", "/dashboard/", "/dashboard/staff", "/dashboard/misconceptions",
                "/dashboard/completions", "/courses/", "/courses/manage", "/courses/manage/new", "/external/",
                "/external/new", "/external/review", "/certificates", "/verify", "/agencies/", "/import-staff"):
        yield url, client.get(url)


def test_every_page_sends_the_security_headers(client, people):
    for url, response in _pages(client, people):
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
        assert directives["frame-ancestors"] == "'none'", url
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert directives["script-src"].startswith("'self'"), url
        assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'", url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Referrer-Policy"] == "same-origin", url
        assert headers["X-Frame-Options"] == "DENY", url
        assert headers["Cache-Control"] == "no-store", url


def test_pages_run_no_inline_code_but_the_one_nonced_script(client, people):
    checked = 0
    for url, response in _pages(client, people):
        if response.status_code != 200:
            continue
        html = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or f'nonce="{nonce}"' in tag, (url, tag)
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), f"inline event handler on {url}"
        assert "javascript:" not in html, url
        assert not re.search(r"<[^>]+\sstyle\s*=|<style\b", html), f"inline style on {url} (blocked by style-src)"
        checked += 1
    assert checked >= 10


def test_each_response_gets_a_fresh_nonce(client):
    first, second = (client.get("/sign-in").headers["Content-Security-Policy"] for _ in range(2))
    assert re.search(r"'nonce-[^']{16,}'", first) and first != second


def test_static_files_may_be_cached(client):
    response = client.get("/static/dist/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
