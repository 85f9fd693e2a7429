"""'Questions staff get wrong': the partnership's figures per question, suppression of small
numbers (and of figures that would give them away), sort, filters, pages and a lead's scope."""
from __future__ import annotations

import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl.utils import get_column_letter

from learning.compliance.insight import MIN_PEOPLE, Cell, Sort, protect, question_figures
from learning.content.catalogue import catalogue
from learning.extensions import db
from learning.models import Attempt, AttemptQuestion, AttemptStatus, Role, utcnow
from tests.conftest import module_row, sign_in

SLUG = "police-protection"


def answer(user, slug: str, question_id: str, *correct: bool) -> None:
    """`user` answers the question once per value, in order (the first is their first answer)."""
    module = module_row(slug)
    start = utcnow() - timedelta(days=1)
    for n, right in enumerate(correct):
        attempt = Attempt(user_id=user.id, module_id=module.id, module_version=module.version, total=8, path=[],
                          status=AttemptStatus.SUBMITTED.value, submitted_at=start + timedelta(minutes=n), passed=False)
        attempt.questions = [AttemptQuestion(position=1, question_id=question_id, option_order=[], answer=[],
                                             is_correct=right, answered_at=start + timedelta(minutes=n))]
        db.session.add(attempt)
    db.session.commit()


def crowd(people, agency: str, count: int, slug: str, question_id: str, wrong: int, prefix: str = "p"):
    """`count` people of `agency` answer the question first time; `wrong` of them wrongly."""
    users = [people.user(f"{prefix}{i}-{agency.lower().replace(' ', '')}@example.org", agency=agency) for i in range(count)]
    for i, user in enumerate(users):
        answer(user, slug, question_id, i >= wrong)
    return users


def questions_on(page: str) -> list[tuple[str, str, str]]:
    """(question link text, people who answered, share wrong) for each row of the table."""
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0] if "<tbody" in page else ""
    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, re.S):
        cells = [html.unescape(re.sub(r"<[^>]+>", " ", c)) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
        link = re.search(r'href="/dashboard/misconceptions/([^"]+)"', row)
        rows.append((link.group(1) if link else "", " ".join(cells[1].split()), " ".join(cells[2].split())))
    return rows


@pytest.fixture
def coordinator(client, people):
    user = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    sign_in(client, user)
    return user


def test_figures_from_fewer_than_five_people_are_not_shown(client, people, coordinator):
    crowd(people, "Police A", MIN_PEOPLE - 1, SLUG, "pp-01", wrong=MIN_PEOPLE - 1)
    page = client.get(f"/dashboard/misconceptions?module={SLUG}").text
    rows = dict((q, (n, share)) for q, n, share in questions_on(page))
    assert rows[f"{SLUG}/pp-01"] == (f"Fewer than {MIN_PEOPLE}", "Not shown")
    # The page says why, and what each word and symbol in its cells means.
    assert f"Figures from fewer than {MIN_PEOPLE} people are not shown" in page
    for words in (f"<strong>Fewer than {MIN_PEOPLE}</strong>", "<strong>Not shown</strong>", "<strong>No answers yet</strong>",
                  "percentage (%)", "<strong>People who answered</strong>", "<strong>Share wrong</strong>"):
        assert words in page, words
    assert rows[f"{SLUG}/pp-03"] == ("0", "No answers yet")
    crowd(people, "Police B", 1, SLUG, "pp-01", wrong=0, prefix="q")  # the fifth person, right first time
    rows = dict((q, (n, share)) for q, n, share in questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}").text))
    assert rows[f"{SLUG}/pp-01"] == ("5", "80%")


def test_only_the_first_answer_counts(client, people, coordinator):
    for i in range(MIN_PEOPLE):
        answer(people.user(f"r{i}@example.org"), SLUG, "pp-01", False, True, True)
    rows = dict((q, (n, share)) for q, n, share in questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}").text))
    assert rows[f"{SLUG}/pp-01"] == ("5", "100%")


def test_cells_at_the_boundary_and_the_cells_that_would_give_a_small_one_away():
    assert Cell(MIN_PEOPLE - 1, 1).suppressed and Cell(MIN_PEOPLE - 1, 1).percent_wrong is None
    assert not Cell(MIN_PEOPLE, 1).suppressed and Cell(MIN_PEOPLE, 1).percent_wrong == 20
    # One small agency next to a total that is shown: the smallest shown agency hides too.
    protected = protect({1: Cell(2, 1), 2: Cell(6, 3), 3: Cell(9, 3)})
    assert [protected[a].suppressed for a in (1, 2, 3)] == [True, True, False]
    # Two small agencies that together hold five people need nothing more.
    protected = protect({1: Cell(2, 1), 2: Cell(3, 1), 3: Cell(9, 3)})
    assert [protected[a].suppressed for a in (1, 2, 3)] == [True, True, False]
    # Nothing small, or a total too small to show: nothing changes.
    assert not any(c.suppressed for c in protect({1: Cell(5, 1), 2: Cell(6, 3)}).values())
    assert all(c.suppressed for c in protect({1: Cell(2, 1), 2: Cell(1, 0)}).values())


def test_the_questions_are_sorted_by_share_wrong_by_default_and_by_people_or_module_on_request(client, people, coordinator):
    crowd(people, "Police A", 10, SLUG, "pp-03", wrong=3)   # 30% of 10
    crowd(people, "Police A", 5, SLUG, "pp-19", wrong=4, prefix="s")  # 80% of 5
    crowd(people, "Police A", 2, SLUG, "pp-01", wrong=2, prefix="t")  # not shown
    order = [q for q, _, _ in questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}").text)]
    assert order[:2] == [f"{SLUG}/pp-19", f"{SLUG}/pp-03"]
    assert f"{SLUG}/pp-01" in order[2:]
    by_people = [q for q, _, _ in questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}&sort=answered").text)]
    assert by_people[:3] == [f"{SLUG}/pp-03", f"{SLUG}/pp-19", f"{SLUG}/pp-01"]
    by_module = [q for q, _, _ in questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}&sort=module").text)]
    assert by_module == [f"{SLUG}/{q.id}" for q in catalogue().modules[SLUG].questions]


def test_the_module_and_agency_filters(client, people, coordinator):
    crowd(people, "Police A", 5, SLUG, "pp-01", wrong=5)
    crowd(people, "Police B", 5, SLUG, "pp-01", wrong=0, prefix="b")
    police_b = people.agency("Police B").id
    page = client.get(f"/dashboard/misconceptions?module={SLUG}").text
    rows = questions_on(page)
    assert {q.split("/")[0] for q, _, _ in rows} == {SLUG} and len(rows) == len(catalogue().modules[SLUG].questions)
    assert (f"{SLUG}/pp-01", "10", "50%") in rows
    rows = questions_on(client.get(f"/dashboard/misconceptions?module={SLUG}&agency={police_b}").text)
    assert (f"{SLUG}/pp-01", "5", "0%") in rows
    # A choice that is not in the list says so, and the page still shows the partnership's figures.
    page = client.get("/dashboard/misconceptions?module=no-such-module").text
    assert "Select a module from the list" in page and len(questions_on(page)) == 20


def test_the_questions_come_twenty_to_a_page(client, coordinator):
    everything = sum(len(m.questions) for m in catalogue().ordered())
    first = client.get("/dashboard/misconceptions").text
    assert len(questions_on(first)) == 20 and f"Questions 1 to 20 of {everything}." in first
    assert 'href="/dashboard/misconceptions?page=2"' in first
    last_page = (everything - 1) // 20 + 1
    last = client.get(f"/dashboard/misconceptions?page={last_page + 5}").text  # past the end: the last page
    assert len(questions_on(last)) == everything - 20 * (last_page - 1)
    kept = client.get(f"/dashboard/misconceptions?module={SLUG}&sort=answered").text
    assert "Pages of questions" not in kept  # one module fits on a page
    seen = {q for n in range(1, last_page + 1) for q, _, _ in questions_on(client.get(f"/dashboard/misconceptions?page={n}").text)}
    assert len(seen) == everything


def test_the_detail_shows_each_agency_with_the_same_suppression(client, people, coordinator):
    crowd(people, "Police A", 6, SLUG, "pp-01", wrong=3)
    crowd(people, "Police B", 2, SLUG, "pp-01", wrong=2, prefix="b")
    crowd(people, "Police C", 9, SLUG, "pp-01", wrong=3, prefix="c")
    page = client.get(f"/dashboard/misconceptions/{SLUG}/pp-01").text
    assert "All agencies together:" in page and "<strong>47%</strong> of 17 people" in page
    rows = {r[0]: r[1:] for r in _agency_rows(page)}
    assert rows["Police B"] == ["Fewer than 5", "Not shown"]
    assert rows["Police A"] == ["Not shown", "Not shown"]  # 17 - 9 - 6 would give Police B away
    assert rows["Police C"] == ["9", "33%"]
    # The list filtered to Police A hides it the same way.
    police_a = people.agency("Police A").id
    rows = dict((q, (n, s)) for q, n, s in questions_on(client.get(f"/dashboard/misconceptions?agency={police_a}&module={SLUG}").text))
    assert rows[f"{SLUG}/pp-01"] == ("Not shown", "Not shown")
    assert client.get(f"/dashboard/misconceptions/{SLUG}/no-such-question").status_code == 404
    assert client.get("/dashboard/misconceptions/no-such-module/pp-01").status_code == 404


def _agency_rows(page: str) -> list[list[str]]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [[" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
            for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def test_a_lead_sees_their_own_agency_only(client, people):
    crowd(people, "Police A", 5, SLUG, "pp-01", wrong=5)
    crowd(people, "Police B", 5, SLUG, "pp-01", wrong=0, prefix="b")
    lead = people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police B")
    sign_in(client, lead)
    page = client.get(f"/dashboard/misconceptions?module={SLUG}").text
    assert (f"{SLUG}/pp-01", "5", "0%") in questions_on(page)
    assert 'name="agency"' not in page and "Police A" not in page
    assert client.get(f"/dashboard/misconceptions?agency={people.agency('Police A').id}").status_code == 404
    detail = client.get(f"/dashboard/misconceptions/{SLUG}/pp-01").text
    assert [r[0] for r in _agency_rows(detail)] == ["Police B"] and "All agencies together" not in detail
    assert "Police A" not in detail


def test_each_page_runs_one_aggregate(client, people, coordinator, count_queries):
    crowd(people, "Police A", 6, SLUG, "pp-01", wrong=3)
    urls = ("/dashboard/misconceptions", f"/dashboard/misconceptions/{SLUG}/pp-01")
    small = {}
    for url in urls:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
            small[url] = counted()
    crowd(people, "Police B", 12, SLUG, "pp-03", wrong=3, prefix="b")
    for url in urls:
        with count_queries() as counted:
            client.get(url)
            assert counted() == small[url]


def test_the_service_sorts_questions_it_cannot_show_last(app, people, ctx):
    crowd(people, "Police A", 3, SLUG, "pp-01", wrong=3)
    crowd(people, "Police A", 5, SLUG, "pp-03", wrong=0, prefix="z")
    found = question_figures(None, SLUG, Sort.WRONG)
    assert found[0].question.id == "pp-03" and found[0].cell.percent_wrong == 0
    assert found[1].cell.people == 3 or found[1].cell.share_wrong is None  # 100% of 3 is not shown first


def test_the_workbook_sheet_has_the_partnership_figures_frozen_headings_and_a_filter(client, people, coordinator):
    from openpyxl import load_workbook

    crowd(people, "Police A", 6, SLUG, "pp-01", wrong=3)
    crowd(people, "Police B", 2, SLUG, "pp-01", wrong=2, prefix="b")
    crowd(people, "Police C", 9, SLUG, "pp-01", wrong=3, prefix="c")
    wb = load_workbook(io.BytesIO(client.get("/dashboard/compliance.xlsx").data))
    ws = wb["Misconceptions"]
    assert ws.freeze_panes == "C5" and wb["Coverage"].freeze_panes == "C4"
    header = [c.value for c in ws[4]]
    everything = sum(len(m.questions) for m in catalogue().ordered())
    assert ws.auto_filter.ref == f"A4:{get_column_letter(len(header))}{4 + everything}"
    assert header[:4] == ["Module", "Question", "All agencies: people who answered", "All agencies: share wrong"]
    prompt = catalogue().modules[SLUG].question("pp-01").prompt
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == prompt)
    by = dict(zip(header, row, strict=True))
    assert by["All agencies: people who answered"] == 17 and round(by["All agencies: share wrong"], 2) == 0.47
    assert by["Police A: share wrong"] == "Not shown" and by["Police B: share wrong"] == f"Fewer than {MIN_PEOPLE}"
    assert by["Police C: share wrong"] == pytest.approx(3 / 9)
