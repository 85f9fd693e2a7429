"""The impact data is personal data: the person's words are in their subject access
workbook, go on erasure (the figures stay), and reach their lead only if they share them."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from learning.extensions import db
from learning.impact.models import ConfidenceRating, CourseEvaluation, FollowUp
from learning.models import Role
from tests.conftest import sign_in
from tests.test_impact_follow_up import _attended
from tests.test_impact_view import page, trained

WORDS = "I asked to see where the baby sleeps"


def _evaluated(people, person):
    booking = _attended(people, person)
    db.session.add(CourseEvaluation(booking_id=booking.id, user_id=person.id, usefulness=4,
                                    differently="Ask about fathers", comments="Good day", shared=True))
    db.session.commit()


def test_the_subject_access_workbook_holds_ratings_follow_ups_and_evaluations(app, client, people, records):
    person = trained(people, records, 1, example=WORDS, shared=True)[0]
    _evaluated(people, person)
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    wb = load_workbook(io.BytesIO(client.get(f"/people/{person.id}/data.xlsx").data))
    ratings = [r for r in wb["Confidence ratings"].iter_rows(min_row=2, values_only=True)]
    assert sorted((r[1], r[3]) for r in ratings) == [("after", 4), ("before", 2)]
    follow_up = next(wb["Follow-ups"].iter_rows(min_row=2, values_only=True))
    assert follow_up[3:7] == ("Yes", f"{WORDS} 0", None, "Yes")
    evaluation = next(wb["Course evaluations"].iter_rows(min_row=2, values_only=True))
    assert evaluation[2:6] == (4, "Ask about fathers", "Good day", "Yes")


def test_erasure_removes_the_words_and_keeps_the_figures(app, client, people, records):
    crowd = trained(people, records, 5, example=WORDS, shared=True)
    _evaluated(people, crowd[4])
    coordinator = people.user("cat@example.org", Role.COORDINATOR, "Partnership")
    assert f"{WORDS} 4" in page(app, coordinator)
    sign_in(client, people.user("adi@example.org", role=Role.ADMIN))
    assert client.post(f"/people/{crowd[4].id}/erase").status_code == 302
    db.session.expire_all()
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.user_id == crowd[4].id))
    assert (follow_up.example, follow_up.barriers, follow_up.shared, follow_up.used) == (None, None, False, "yes")
    evaluation = db.session.scalar(select(CourseEvaluation))
    assert (evaluation.differently, evaluation.comments, evaluation.usefulness) == (None, None, 4)
    assert db.session.scalars(select(ConfidenceRating).where(ConfidenceRating.user_id == crowd[4].id)).all()
    html = page(app, coordinator)
    assert f"{WORDS} 4" not in html and f"{WORDS} 3" in html
    assert "+2.0, 5 people" in html and "100% <span class=\"govuk-body-s\">of 5" in html  # the figures stay


def test_a_lead_reads_a_follow_up_example_only_when_the_person_shared_it(app, people, records):
    trained(people, records, 5, example="Not for my lead", shared=False)
    lead = people.user("lee@example.org", Role.AGENCY_LEAD, "Test Police")
    assert "Not for my lead" not in page(app, lead)
    assert "Not for my lead" in page(app, people.user("cat@example.org", Role.COORDINATOR, "Partnership"))
