"""One page per person for leads and coordinators (/people/<id>): details, every action on
the account, and the whole learning record (e-learning attempts including those not passed,
courses booked and attended or missed, training done elsewhere, certificates), in the same
number of queries however long the history. The old record address redirects to it."""
from __future__ import annotations

from datetime import date, timedelta

from learning.courses.bookings import create_course, create_session
from learning.extensions import db
from learning.models import Booking, ExternalRecord, Role, utcnow
from tests.conftest import module_row, sign_in

SLUGS = ["police-protection", "escalation", "core-groups", "public-law-outline", "whole-family"]


def _history(person, records, n: int) -> None:
    """n of everything: failed attempts, completions, course bookings (attended and missed),
    and approved training done elsewhere."""
    now = utcnow()
    for i in range(n):
        slug = SLUGS[i]
        records.failed_attempt(person, slug)
        records.completion(person, SLUGS[-1 - i], completed_at=now - timedelta(days=30 + i))
        course = create_course(f"Course {i}", "", 24, [module_row(slug)])
        session = create_session(course, now - timedelta(days=10 + i), now - timedelta(days=10 + i) + timedelta(hours=2),
                                 f"Venue {i}", False, 12, "")
        db.session.add(Booking(session_id=session.id, user_id=person.id, seat=1,
                               status="attended" if i % 2 == 0 else "absent"))
        db.session.add(ExternalRecord(user_id=person.id, title=f"Elsewhere {i}", provider="County training",
                                      completed_on=date.today() - timedelta(days=100 + i), status="approved",
                                      modules=[module_row(slug)]))
    db.session.commit()


def test_the_persons_page_shows_their_whole_record_and_every_action(client, people, records):
    pat = people.user("pat@example.org", agency="Police A", name="Pat Field")
    _history(pat, records, 2)
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A"))
    page = client.get(f"/people/{pat.id}").get_data(as_text=True)
    for text in ("Pat Field", "Not passed", "2 e-learning attempts in all", "not passed",
                 "Course 0", "Attended", "Course 1", "Did not attend",
                 "Elsewhere 0, County training", "Approved",
                 "Every certificate Pat Field has",
                 "Change details", "Deactivate account"):
        assert text in page, text
    assert page.count('href="/dashboard/attempts/') == 2
    assert page.count('href="/certificates/') == 2
    assert "Change role" not in page and "Reset two-factor sign-in" not in page, "those are for admins"


def test_the_old_learning_record_address_redirects_to_the_one_page(client, people):
    pat = people.user("pat@example.org", agency="Police A")
    sign_in(client, people.user("lead@example.org", role=Role.AGENCY_LEAD, agency="Police A"))
    response = client.get(f"/dashboard/people/{pat.id}")
    assert response.status_code == 302 and response.location == f"/people/{pat.id}"


def test_the_persons_page_costs_the_same_queries_for_a_short_or_long_history(client, people, records, count_queries):
    pat = people.user("pat@example.org", agency="Police A")
    sam = people.user("sam@example.org", agency="Police A")
    _history(pat, records, 1)
    _history(sam, records, 5)
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Police A"))
    counts = []
    for person in (pat, sam):
        with count_queries() as n:
            page = client.get(f"/people/{person.id}")
            assert page.status_code == 200
            counts.append(n())
    assert "Elsewhere 4" in page.get_data(as_text=True)
    assert counts[0] == counts[1] and counts[0] <= 14, counts


def test_an_admin_finds_every_action_on_the_account_in_one_place(client, people):
    pat = people.user("pat@example.org", agency="Police A", name="Pat Field")
    pat.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.commit()
    sign_in(client, people.user("ada@example.org", role=Role.ADMIN, agency="Police A"))
    page = client.get(f"/people/{pat.id}").get_data(as_text=True)
    actions = page[page.index('id="actions"'):page.index('aria-label="On this page"')]
    for label in ("Change details", "Change role", "Reset two-factor sign-in", "Deactivate account",
                  "Download everything held about Pat Field", "Erase Pat Field"):
        assert label in actions, label
    details = page[page.index('id="details"'):page.index('id="modules"')]
    assert "Change" not in details, "the actions are in one place, not beside each detail"


def test_the_invitation_button_sends_its_own_form(client, people):
    from learning.models import User

    invited = User(email="new@example.org", name="New Person", agency_id=people.agency("Police A").id)
    db.session.add(invited)
    db.session.commit()
    sign_in(client, people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Police A"))
    page = client.get(f"/people/{invited.id}").get_data(as_text=True)
    assert f'<form id="invitation-form" method="post" action="/people/{invited.id}/invitation"' in page
    assert 'form="invitation-form"' in page and "Send the invitation again" in page
    response = client.post(f"/people/{invited.id}/invitation")
    assert response.status_code == 302 and response.location == f"/people/{invited.id}"
