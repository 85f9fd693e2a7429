"""The figures of "Questions staff get wrong" counted by the worker and kept
(learning/compliance/counted_questions.py): the pages, the workbook's sheet and the board pack
read them, say when they were counted, ask for a count when they are old, and agree with
counting afresh, suppression included."""
from __future__ import annotations

from datetime import timedelta

import pytest

from learning.compliance import counted, counted_questions
from learning.compliance.counted_table import CountedFigures
from learning.compliance.insight import MIN_PEOPLE, Sort, by_agency, first_answer_errors, question_figures, within
from learning.extensions import db
from learning.jobs import periodic
from learning.models import Role, utcnow
from tests.conftest import sign_in
from tests.test_insight import SLUG, crowd

PAGE = "/dashboard/misconceptions"
ONE = f"/dashboard/misconceptions/{SLUG}/pp-01"


@pytest.fixture
def kept(app, monkeypatch):
    """Figures kept as in production, and this process free to ask for a count."""
    monkeypatch.setitem(app.config, "QUESTION_FIGURES_SECONDS", 1800)
    monkeypatch.setattr(counted, "_asked", {})


@pytest.fixture
def answers(people):
    """Answers that need both kinds of suppression: A (6 people) and B (9) are shown, but C's 2
    could be worked out from the total, so A's figure is hidden too."""
    crowd(people, "Police A", 6, SLUG, "pp-01", wrong=3)
    crowd(people, "Police B", 9, SLUG, "pp-01", wrong=1, prefix="b")
    crowd(people, "Police C", 2, SLUG, "pp-01", wrong=2, prefix="c")
    crowd(people, "Police B", 7, SLUG, "pp-03", wrong=7, prefix="d")


@pytest.fixture
def coordinator(client, people):
    user = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    sign_in(client, user)
    return user


def _kept_row():
    db.session.expire_all()
    return db.session.get(CountedFigures, counted_questions.QUESTIONS)


@pytest.mark.parametrize("url", [PAGE, ONE])
def test_before_the_first_count_the_pages_say_the_figures_are_being_counted(client, kept, answers, coordinator, url):
    page = client.get(url).get_data(as_text=True)
    assert "The figures are being counted" in page and "Refresh the page" in page and "Counted at" not in page
    # Asking queued a count (run at once in the tests): the next visit has the figures.
    assert _kept_row() is not None
    page = client.get(url).get_data(as_text=True)
    assert "Counted at" in page and "being counted" not in page


def test_the_pages_show_the_figures_as_counted_until_they_are_counted_again(client, kept, answers, people,
                                                                           coordinator):
    counted_questions.recount()
    page = client.get(f"/dashboard/misconceptions/{SLUG}/pp-03").get_data(as_text=True)
    assert "<strong>100%</strong> of 7 people" in page and "Counted at" in page
    crowd(people, "Police B", 3, SLUG, "pp-03", wrong=0, prefix="e")
    assert "of 7 people" in client.get(f"/dashboard/misconceptions/{SLUG}/pp-03").get_data(as_text=True)
    counted_questions.recount()
    assert "<strong>70%</strong> of 10 people" in client.get(f"/dashboard/misconceptions/{SLUG}/pp-03").get_data(as_text=True)


def test_old_figures_are_shown_with_their_time_and_a_count_is_asked_for(client, kept, answers, coordinator):
    counted_questions.recount()
    row = _kept_row()
    row.counted_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    page = client.get(PAGE).get_data(as_text=True)
    assert "Counted at" in page and "pp-03" in page
    assert _kept_row().counted_at > utcnow() - timedelta(minutes=1)  # counted again (at once, in the tests)


def test_a_count_is_asked_for_at_most_every_half_minute_by_a_process(client, kept, answers, coordinator, monkeypatch):
    asked = []
    monkeypatch.setattr("learning.jobs.tasks.count_question_figures", lambda: asked.append(1))
    client.get(PAGE)
    client.get(PAGE)
    assert asked == [1]


def test_the_worker_counts_the_figures_every_15_minutes(app, kept, answers):
    assert _kept_row() is None
    periodic.count_question_figures()
    assert _kept_row() is not None
    assert counted_questions.recount(unless_newer_than=60) is False  # just counted
    assert counted_questions.recount() is True


def test_kept_figures_survive_their_json(answers):
    errors = first_answer_errors()
    assert counted_questions.from_json(counted_questions.to_json(errors)) == errors
    assert errors


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("agency", [None, "Police A", "Police B", "Police C"])
@pytest.mark.parametrize("module", [None, SLUG])
def test_the_figures_from_the_kept_row_agree_with_counting_afresh(kept, answers, people, sort, agency, module):
    counted_questions.recount()
    kept_errors = counted_questions.kept().errors
    agency_id = people.agency(agency).id if agency else None
    fresh = question_figures(agency_id, module, sort)
    assert question_figures(agency_id, module, sort, errors=kept_errors) == fresh
    scope = None if agency_id is None else (agency_id,)
    assert by_agency(SLUG, "pp-01", scope, errors=kept_errors) == by_agency(SLUG, "pp-01", scope)


def test_suppression_is_applied_to_the_kept_figures_as_read(kept, answers, people):
    counted_questions.recount()
    partnership, cells = by_agency(SLUG, "pp-01", None, errors=counted_questions.kept().errors)
    a, b, c = (cells[people.agency(name).id] for name in ("Police A", "Police B", "Police C"))
    assert partnership.people == 17 and not partnership.suppressed
    assert c.people < MIN_PEOPLE and c.suppressed  # too few
    assert a.protects_another and a.percent_wrong is None  # would give C away
    assert not b.suppressed


def test_the_cells_within_some_agencies_are_those_counted_for_them(answers, people):
    some = (people.agency("Police A").id, people.agency("Police C").id)
    assert within(first_answer_errors(), some) == first_answer_errors(some)
    assert within(first_answer_errors(), None, SLUG) == first_answer_errors(module_slug=SLUG)


def test_the_workbook_sheet_and_the_board_pack_read_the_kept_figures(kept, answers, people, monkeypatch):
    from learning.compliance.board_pack.figures import most_missed

    counted_questions.recount()
    monkeypatch.setattr(counted_questions, "first_answer_errors", lambda: pytest.fail("counted again"))
    found = most_missed(None)
    assert [(q.cell.people, q.cell.wrong) for q in found.questions] == [(7, 7), (17, 6)]
    assert most_missed((people.agency("Police B").id,)).questions[0].cell.people == 7
    assert found.counted_at == _kept_row().counted_at  # the pack says when


def test_before_the_first_count_a_report_counts_its_figures_itself(kept, answers):
    report = counted_questions.for_a_report()
    assert report.errors == first_answer_errors()


def test_the_workbook_sheet_shows_the_kept_figures_and_when_they_were_counted(client, kept, answers, people,
                                                                              coordinator):
    import io

    from openpyxl import load_workbook

    from learning.content.catalogue import catalogue

    counted_questions.recount()
    crowd(people, "Police B", 3, SLUG, "pp-03", wrong=0, prefix="e")  # after the count: not in it
    ws = load_workbook(io.BytesIO(client.get("/dashboard/compliance.xlsx").data))["Misconceptions"]
    assert "Counted at" in ws["A2"].value
    prompt = catalogue().modules[SLUG].question("pp-03").prompt
    row = next(r for r in ws.iter_rows(min_row=5, values_only=True) if r[1] == prompt)
    assert row[2] == 7 and row[3] == 1
