"""The follow-up three months on, and the course evaluation: sent by send-follow-ups, listed
on My learning, a link that works only for its person and only once."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from learning.courses import bookings
from learning.extensions import db
from learning.impact.follow_up import from_token
from learning.impact.models import ConfidenceRating, CourseEvaluation, FollowUp
from learning.models import BookingStatus, utcnow
from tests.conftest import module_row, sign_in

EXAMPLE = "I asked who checks the grandmother's help."


def follow_up_from(link: str, user_id: int):
    return from_token(link.rsplit("/follow-ups/", 1)[1].strip("/").split("/")[0], user_id)


def _browser(app, person):
    client = app.test_client()
    sign_in(client, person)
    return client


def test_send_follow_ups_asks_once_per_completion_after_the_configured_days(app, runner, people, records, mailbox):
    person = people.user()
    due = records.completion(person, "core-groups", utcnow() - timedelta(days=91))
    records.completion(person, "escalation", utcnow() - timedelta(days=80))  # not yet
    records.completion(person, "police-protection", utcnow() - timedelta(days=400))  # long past: not asked
    dry = runner.invoke(args=["send-follow-ups", "--dry-run"])
    assert "Dry run: 1 follow-up and 0 course evaluation invitations due" in dry.output
    assert db.session.scalar(select(func.count(FollowUp.id))) == 0
    result = runner.invoke(args=["send-follow-ups"])
    assert result.exit_code == 0 and "Sent 1 follow-up" in result.output, result.output
    assert [f.completion_id for f in db.session.scalars(select(FollowUp))] == [due.id]
    links = mailbox.links(person.email, "/follow-ups/")
    assert len(links) == 1
    assert "Have you used your safeguarding learning?" in mailbox.messages(person.email)[0]["Subject"]
    assert "Sent 0 follow-ups" in runner.invoke(args=["send-follow-ups"]).output
    assert len(mailbox.links(person.email, "/follow-ups/")) == 1


def test_follow_ups_go_in_batches_each_completion_once_with_its_own_link(app, ctx, people, records, mailbox):
    from learning.impact.follow_up import send_follow_ups

    people_asked = [people.user(f"p{i}@example.org") for i in range(5)]
    for person in people_asked:
        records.completion(person, "core-groups", utcnow() - timedelta(days=91))
    assert send_follow_ups(batch=2) == 5
    asked = {f.user_id: f.id for f in db.session.scalars(select(FollowUp))}
    for person in people_asked:
        [link] = mailbox.links(person.email, "/follow-ups/")  # one email each, nobody twice
        assert follow_up_from(link, person.id).id == asked[person.id]
    assert send_follow_ups(batch=2) == 0 and len(mailbox.messages()) == 5


def test_follow_up_days_is_configurable(app, runner, people, records):
    person = people.user()
    records.completion(person, "core-groups", utcnow() - timedelta(days=31))
    app.config["FOLLOW_UP_DAYS"] = 30
    try:
        assert "Sent 1 follow-up" in runner.invoke(args=["send-follow-ups"]).output
    finally:
        app.config["FOLLOW_UP_DAYS"] = 90


def test_the_link_works_only_for_its_person_and_only_once(app, runner, people, records, mailbox):
    person, other = people.user(), people.user("sam@example.org")
    records.completion(person, "core-groups", utcnow() - timedelta(days=95))
    runner.invoke(args=["send-follow-ups"])
    link = mailbox.links(person.email, "/follow-ups/")[0]
    assert app.test_client().get(link).status_code == 302  # sign in first
    assert _browser(app, other).get(link).status_code == 404
    assert _browser(app, person).get(link.replace("/follow-ups/", "/follow-ups/x")).status_code == 404
    browser = _browser(app, person)
    my_learning = browser.get("/my-learning").get_data(as_text=True)
    assert "Tell us how your learning went" in my_learning and "Monitoring the child protection plan" in my_learning
    page = browser.get(link).get_data(as_text=True)
    assert "Have you used this learning in your practice?" in page
    missing = browser.post(link, data={"example": EXAMPLE}).get_data(as_text=True)
    assert "Select yes, no or not yet" in missing
    assert "Select yes, no or not yet" in browser.post(link, data={"used": "maybe"}).get_data(as_text=True)
    done = browser.post(link, data={"used": "yes", "example": EXAMPLE, "barriers": "Time", "shared": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    answer = db.session.scalar(select(FollowUp))
    assert (answer.used, answer.example, answer.barriers, answer.shared) == ("yes", EXAMPLE, "Time", True)
    again = browser.post(link, data={"used": "no", "example": "Changed"})
    assert "You have already answered" in again.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(FollowUp)).used == "yes"
    assert "Tell us how your learning went" not in browser.get("/my-learning").get_data(as_text=True)


def _attended(people, person):
    course = bookings.create_course("Core groups day", "Together", 24, [module_row("core-groups")])
    start = utcnow() + timedelta(days=5)
    session = bookings.create_session(course, start, start + timedelta(hours=3), "Room 1", False, 10, "Ann")
    booking = bookings.book(session, person)
    session.starts_at = utcnow() - timedelta(days=1)
    db.session.commit()
    bookings.take_register(session, {booking.id: BookingStatus.ATTENDED})
    return booking


def test_an_attended_course_is_evaluated_once_from_the_email_or_my_learning(app, runner, people, mailbox):
    person = people.user()
    booking = _attended(people, person)
    assert "1 course evaluation invitation" in runner.invoke(args=["send-follow-ups"]).output
    link = mailbox.links(person.email, "/bookings/")[0]
    assert link == f"/bookings/{booking.id}/evaluation"
    assert _browser(app, people.user("sam@example.org")).get(link).status_code == 404
    browser = _browser(app, person)
    assert "Evaluate Core groups day" in browser.get("/my-learning").get_data(as_text=True)
    page = browser.get(link).get_data(as_text=True)
    assert "How useful was the course?" in page and 'name="before_rec_core_groups"' in page
    bad = browser.post(link, data={"usefulness": "7", "after_rec_core_groups": "0"}).get_data(as_text=True)
    assert "Select how useful the course was, from 1 to 5" in bad and "Select how confident you are, from 1 to 5" in bad
    sent = browser.post(link, data={"usefulness": "4", "before_rec_core_groups": "2", "after_rec_core_groups": "4",
                                    "before_rec_plo": "1", "differently": EXAMPLE})
    assert sent.status_code == 302
    db.session.expire_all()
    evaluation = db.session.scalar(select(CourseEvaluation))
    assert (evaluation.usefulness, evaluation.differently, evaluation.shared) == (4, EXAMPLE, False)
    ratings = {(r.moment, r.recommendation, r.rating) for r in db.session.scalars(select(ConfidenceRating))}
    assert ratings == {("before", "rec-core-groups", 2), ("after", "rec-core-groups", 4)}
    assert "You have already answered" in browser.post(link, data={"usefulness": "1"}).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(CourseEvaluation)).usefulness == 4
    assert "Evaluate Core groups day" not in browser.get("/my-learning").get_data(as_text=True)
