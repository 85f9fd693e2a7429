"""One page per person, in a real browser at 1280, 375 and 320 px: a lead opens a member of
staff from the dashboard's staff table and finds their details, the actions on the account
and the whole learning record on one page that does not scroll sideways; the old record
address lands on it. Every page is scanned with axe."""
from datetime import date

import pytest
from sqlalchemy import select

from tests.browser.axe import Variant
from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import sign_in, sign_out

pytestmark = pytest.mark.browser

VARIANTS = [pytest.param(DESKTOP, id="desktop"), pytest.param(Variant(375, 812), id="375px"),
            pytest.param(PHONE, id="320px")]
SECTIONS = ["Actions", "On this page", "Details", "Modules and attempts", "Courses", "Training done elsewhere",
            "Certificates"]


def _someone_with_a_course(site) -> tuple[int, str]:
    """A Northbrook Police member of staff (not the demo practitioner) who was on the demo's
    past course, with a rejected record of training done elsewhere added once."""
    from learning.models import Agency, Booking, ExternalRecord, User

    with site.db() as session:
        person = session.execute(
            select(User.id, User.name).join(Booking, Booking.user_id == User.id).join(Agency)
            .where(Agency.name == "Northbrook Police", User.role == "practitioner",
                   User.email != "practitioner@example.org", Booking.status == "attended")
            .order_by(User.id)).first()
        assert person, "the demo's past course had Northbrook Police staff on it"
        if not session.scalar(select(ExternalRecord.id).where(ExternalRecord.user_id == person.id)):
            session.add(ExternalRecord(user_id=person.id, title="Safeguarding refresher", provider="County College",
                                       completed_on=date(2026, 3, 1), status="rejected",
                                       review_note="The certificate was not attached."))
            session.commit()
        return person.id, person.name


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_lead_finds_a_persons_details_actions_and_whole_record_on_one_page(visit, site, variant):
    person_id, name = _someone_with_a_course(site)
    tab = visit(variant)
    sign_in(tab, "lead@example.org", scan_as=None)
    tab.go(f"/dashboard/staff?agency={_agency_of(tab, person_id)}&q={name.split()[0]}")
    tab.follow(name)
    assert tab.page.url.endswith(f"/people/{person_id}")
    assert tab.heading() == name
    tab.scan("person", "lead")
    headings = [h.strip() for h in tab.page.locator("main h2").all_inner_texts()]
    assert [h for h in SECTIONS if h not in headings] == [], headings
    text = tab.text()
    for seen in ("Attended", "Safeguarding refresher, County College", "Rejected", "Change details",
                 "Deactivate account", "e-learning attempt"):
        assert seen in text, seen
    width = tab.page.evaluate("document.documentElement.scrollWidth")
    assert width <= variant.width, f"the page scrolls sideways: {width} px"

    tab.go(f"/dashboard/people/{person_id}")
    assert tab.page.url.endswith(f"/people/{person_id}") and tab.heading() == name
    sign_out(tab)


def _agency_of(tab, person_id: int) -> int:
    from learning.models import User

    with tab.site.db() as session:
        return session.get(User, person_id).agency_id
