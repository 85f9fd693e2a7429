"""Demo data: agencies, the four demo accounts and a spread of learning records, so every
status appears on every screen. Idempotent: running it again changes nothing."""
from __future__ import annotations

import random
import zlib
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import select

from learning.compliance.status import add_months
from learning.content import ModuleContent
from learning.content.catalogue import catalogue, sync_modules
from learning.courses import bookings
from learning.courses.times import from_local
from learning.extensions import db
from learning.learner.attempts import certificate_code, draw_questions
from learning.models import Agency, Attempt, AttemptQuestion, AttemptStatus, BookingStatus, Completion, Course, Module, Role, Sector, Team, User, utcnow

DEFAULT_PASSWORD = "demo-learning-2026"
# The demo coordinator's and admin's two-factor secret: printed by seed-demo and given in
# README so a tester can add it to an authenticator app. Public, like the password: demo only.
DEMO_TOTP_SECRET = "NORTHBROOKDEMOTOTPSECRETKEY23456"
TWO_FACTOR_ROLES = (Role.COORDINATOR, Role.ADMIN)

AGENCIES = [
    ("Northbrook Police", Sector.POLICE, ["Response", "Child Abuse Investigation", "Neighbourhood"]),
    ("Northbrook Hospitals NHS Trust", Sector.HEALTH, ["Children's ward", "Emergency department", "Midwifery"]),
    ("Northbrook Community Health", Sector.HEALTH, ["Health visiting", "School nursing"]),
    ("Northbrook Children's Social Care", Sector.CHILDRENS_SOCIAL_CARE, ["Assessment", "Child protection", "Family support"]),
    ("Northbrook Schools and Nurseries", Sector.EDUCATION, ["Primary", "Early years"]),
    ("Northbrook Family Support Project", Sector.VOLUNTARY, ["Outreach"]),
]

ACCOUNTS = [
    ("practitioner@example.org", "Pat Fielding", Role.PRACTITIONER, "Northbrook Police", "Response", "Police constable"),
    ("lead@example.org", "Lee Marsh", Role.AGENCY_LEAD, "Northbrook Police", "Child Abuse Investigation", "Training sergeant"),
    ("coordinator@example.org", "Cora Nwosu", Role.COORDINATOR, "Northbrook Children's Social Care", None, "Partnership training coordinator"),
    ("admin@example.org", "Adi Shah", Role.ADMIN, "Northbrook Children's Social Care", None, "System administrator"),
]

FIRST = ["Amy", "Ben", "Chloe", "Dan", "Esme", "Femi", "Grace", "Harry", "Isla", "Jack", "Kiran", "Lucy",
         "Mo", "Nina", "Owen", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Usha", "Vic", "Will", "Zara"]
LAST = ["Adams", "Begum", "Clarke", "Davies", "Evans", "Fraser", "Green", "Hussain", "Iqbal", "Jones",
        "Khan", "Lewis", "Morgan", "Novak", "Okoro", "Patel", "Reid", "Singh", "Taylor", "Walsh"]
STAFF_PER_AGENCY = 8


def _agency_and_teams(name: str, sector: Sector, team_names: list[str]) -> tuple[Agency, dict[str, Team]]:
    agency = db.session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, sector=sector.value, active=True)
        db.session.add(agency)
        db.session.flush()
    teams = {t.name: t for t in agency.teams}
    for team_name in team_names:
        if team_name not in teams:
            teams[team_name] = Team(agency_id=agency.id, name=team_name)
            db.session.add(teams[team_name])
    db.session.flush()
    return agency, teams


def _user(email, name, role, agency, team, job_title, password_hash) -> tuple[User, bool]:
    user = db.session.scalar(select(User).where(User.email == email))
    if user:
        return user, False
    user = User(email=email, name=name, role=role.value, agency_id=agency.id,
                team_id=team.id if team else None, job_title=job_title)
    user.password_hash = password_hash  # hashed once: every demo account shares the password
    db.session.add(user)
    db.session.flush()
    return user, True


def _records(user: User, modules, rng: random.Random, now) -> None:
    """A realistic mix: in date, expiring, expired, in progress, failed and not started."""
    for module in modules:
        roll = rng.random()
        if roll < 0.2:
            continue  # not started
        if roll < 0.3:
            _in_progress(user, module, rng, now - timedelta(days=rng.randint(0, 10)))
            continue
        months_ago = rng.choice([1, 3, 6, 12, 20, 22, 23, 26, 30])
        completed = now - timedelta(days=30 * months_ago + rng.randint(0, 20))
        passed = rng.random() > 0.1
        score = rng.choice([6, 7, 8]) if passed else rng.choice([3, 4, 5])
        if passed:
            score = max(score, 7)
        attempt = Attempt(user_id=user.id, module_id=module.id, module_version=module.version,
                          status=AttemptStatus.SUBMITTED.value, started_at=completed - timedelta(minutes=20),
                          submitted_at=completed, score=score, total=8, passed=passed, path=[])
        _answers(attempt, module, score, rng, completed)
        db.session.add(attempt)
        db.session.flush()
        if passed:
            db.session.add(Completion(
                user_id=user.id, module_id=module.id, attempt_id=attempt.id, completed_at=completed,
                expires_at=add_months(completed, module.validity_months), module_version=module.version,
                score=round(100 * score / 8), source="e-learning", certificate_code=certificate_code(),
            ))


def drawn_question_rows(content: ModuleContent, rng: random.Random) -> list[dict]:
    """The questions an attempt draws, as `attempts.start_or_resume` draws them (options
    shuffled where the question type shuffles), as rows for AttemptQuestion: position,
    question_id, option_order. Demo and seed-scale attempts in progress have them, so the
    learner's Start resumes at question 1 and the attempt can be submitted."""
    rows = []
    for position, question in enumerate(draw_questions(content, rng), 1):
        order = [o.id for o in question.options]
        if question.kind.shuffle:
            rng.shuffle(order)
        rows.append({"position": position, "question_id": question.id, "option_order": order})
    return rows


def _in_progress(user: User, module: Module, rng: random.Random, started) -> None:
    """An attempt started and not finished: its questions drawn, none answered yet."""
    content = catalogue().modules.get(module.slug)
    if content is None:
        return
    rows = drawn_question_rows(content, rng)
    attempt = Attempt(user_id=user.id, module_id=module.id, module_version=content.version, total=len(rows),
                      path=[stage.id for stage in content.main_stages], started_at=started)
    attempt.questions.extend(AttemptQuestion(**row) for row in rows)
    db.session.add(attempt)


def _answers(attempt: Attempt, module, score: int, rng: random.Random, when) -> None:
    """Drawn questions with answers (score of them right), so the misconception report has data."""
    content = catalogue().modules.get(module.slug)
    if content is None:
        return
    rows = answered_question_rows(content, score, rng, when)
    attempt.total = len(rows)
    attempt.path = [stage.id for stage in content.main_stages]
    attempt.questions.extend(AttemptQuestion(**row) for row in rows)


def answered_question_rows(content: ModuleContent, score: int, rng: random.Random, when) -> list[dict]:
    """The questions a submitted attempt drew, answered at `when` with `score` of them right,
    as rows for AttemptQuestion. Questions some people find hard are wrong more often, as
    in real life. Demo and seed-scale attempts have them, so the misconception report has data."""
    questions = draw_questions(content, rng)
    hardness = {q.id: (zlib.crc32(q.id.encode()) % 7) / 10 for q in questions}
    hardest = sorted(questions, key=lambda q: hardness[q.id] + rng.random() * 0.5, reverse=True)
    wrong = {q.id for q in hardest[:len(questions) - score]}
    rows = []
    for position, question in enumerate(questions, 1):
        order = [o.id for o in question.options]
        right = question.correct_ids()
        answer = [next(o for o in order if o not in right)] if question.id in wrong else right
        rows.append({"position": position, "question_id": question.id, "option_order": order, "answer": answer,
                     "is_correct": question.id not in wrong, "answered_at": when})
    return rows


def _courses(now, users: Sequence[User]) -> None:
    """A course with a past session (register taken) and an upcoming one (bookings, a wait list)."""
    if db.session.scalar(select(Course.id)):
        return
    modules = {m.slug: m for m in db.session.scalars(select(Module))}
    course = bookings.create_course(
        "Child protection conference training",
        "What a conference decides, what each agency brings, and how to record dissent.",
        24, [modules[s] for s in ("core-groups", "escalation") if s in modules])
    # Wall-clock times in the partnership's time zone, stored in UTC (learning/courses/times.py).
    past_start = from_local((now - timedelta(days=14)).replace(hour=9, minute=30, second=0, microsecond=0))
    past = bookings.create_session(course, past_start + timedelta(days=30), past_start + timedelta(days=30, hours=3),
                                   "Council Chamber, Civic Centre", False, 12, "Ann Trainer")
    for user in users[:6]:
        bookings.book(past, user)
    past.starts_at, past.ends_at = past_start, past_start + timedelta(hours=3)
    db.session.commit()
    marks = [BookingStatus.ATTENDED] * 4 + [BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE]
    bookings.take_register(past, {b.id: m for b, m in zip(past.bookings, marks, strict=True)})
    upcoming_start = from_local((now + timedelta(days=21)).replace(hour=13, minute=0, second=0, microsecond=0))
    upcoming = bookings.create_session(course, upcoming_start, upcoming_start + timedelta(hours=3),
                                       "Training Room 2, Northbrook Hospital", False, 4, "Dev Patel")
    for user in users[6:11]:
        bookings.book(upcoming, user)
    family = bookings.create_course("Whole family approach", "Working with the whole family, including fathers "
                                    "and male carers.", 36, [modules[s] for s in ("lived-experience",) if s in modules])
    online_start = from_local((now + timedelta(days=35)).replace(hour=10, minute=0, second=0, microsecond=0))
    # Online: the venue is the joining link, which the booking confirmation and reminder give.
    online = bookings.create_session(family, online_start, online_start + timedelta(hours=2),
                                     "https://teams.example.org/meet/whole-family-approach", True, 30, "Kerry Fox")
    for user in users[11:14]:
        bookings.book(online, user)


def seed_demo(password: str = DEFAULT_PASSWORD) -> list[str]:
    rng = random.Random(2026)
    now = utcnow()
    probe = User()
    probe.set_password(password)
    modules = list(sync_modules(catalogue()).values())
    agencies = {}
    for name, sector, team_names in AGENCIES:
        agencies[name] = _agency_and_teams(name, sector, team_names)
    created = 0
    report = []
    for email, name, role, agency_name, team_name, job in ACCOUNTS:
        agency, teams = agencies[agency_name]
        user, new = _user(email, name, role, agency, teams.get(team_name) if team_name else None, job, probe.password_hash)
        created += new
        if role in TWO_FACTOR_ROLES and user.totp_secret is None:
            user.totp_secret = DEMO_TOTP_SECRET
        report.append(f"{role.value:<13} {email}" + ("  (two-factor sign-in)" if role in TWO_FACTOR_ROLES else ""))
    for index, (agency, teams) in enumerate(agencies.values()):
        team_list = list(teams.values())
        for n in range(STAFF_PER_AGENCY):
            first, last = FIRST[(index * 5 + n) % len(FIRST)], LAST[(index * 7 + n * 3) % len(LAST)]
            email = f"{first}.{last}.{index}{n}@example.org".lower()
            user, new = _user(email, f"{first} {last}", Role.PRACTITIONER, agency, team_list[n % len(team_list)],
                              "Practitioner", probe.password_hash)
            created += new
            if new:
                _records(user, modules, rng, now)
    db.session.commit()
    staff = db.session.scalars(select(User).where(User.role == Role.PRACTITIONER.value).order_by(User.id)).all()
    _courses(now, staff)
    from learning.compliance.trend import demo_history

    demo_history(now.date())  # a year of compliance figures, so the trend charts show something
    from learning.impact.demo import seed_impact

    seed_impact(now)  # confidence ratings, evaluations and follow-up answers for the impact page
    from learning.compliance.counted import recount

    recount()  # the partnership dashboard's figures, ready before the worker's first count
    from learning.compliance import counted_questions

    counted_questions.recount()  # and the questions staff get wrong
    return [f"Demo data ready: {len(agencies)} agencies, {created} new accounts.", "Demo accounts:", *report,
            "Password for every demo account: the one given with --password, or the default in README.md.",
            f"Two-factor secret of the demo coordinator and admin (add it to an authenticator app): {DEMO_TOTP_SECRET}"]
