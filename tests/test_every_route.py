"""Every route, as every role, with the input a careless person or an attacker sends: no 5xx.

A property-based walk of `app.url_map` (Hypothesis): for each role (anonymous,
practitioner, agency lead, coordinator, admin) and every route, draw a method and fill every
path parameter, every field of the forms its view uses and the query parameters it reads,
with generated values (whole numbers past 64 bits and negative, control characters and
non-characters, NUL, 10,000-character strings, malformed dates, right-to-left text and
emoji, and the real ids and codes of a small world so that views get past their lookups),
and fail on any 5xx. The test client runs with TESTING on, so an exception in a view is
raised here rather than turned into a 500, and Hypothesis reports it with the request.

The example budget is bounded and each role's walk of each route has a fixed seed, so a run
takes the same path every time and a failure found once is found again.
"""
from __future__ import annotations

import inspect
import os
import re
import zlib
from datetime import timedelta
from urllib.parse import quote

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import update

from learning.courses import bookings
from learning.extensions import db
from learning.models import Role, User, utcnow
from learning.people.invitations import invitation_token
from tests.conftest import module_row, sign_in

ROLES = [None, Role.PRACTITIONER, Role.AGENCY_LEAD, Role.COORDINATOR, Role.ADMIN]
# Examples per route and role, for the routes the role may open; two for those it may not,
# whose refusal must not fail either. More for a longer search:
# FUZZ_EXAMPLES=200 pytest tests/test_every_route.py
EXAMPLES_PER_ROUTE = int(os.environ.get("FUZZ_EXAMPLES", "10"))
EXAMPLES_REFUSED = 2
# Routes with nothing to fill that would end the walk's own session.
SKIPPED = {"auth.sign_out", "static"}
# Query parameters every list page may be given.
QUERY_NAMES = ["page", "agency", "next"]

# The first of each list comes first: Hypothesis starts from the simplest choice.
SPECIAL_NUMBERS = [2**64, 2**31, 2**31 - 1, 2**63, 2**63 - 1, 10**40, -1, 0, 1, -(2**63)]
SPECIAL_TEXT = [
    "\x00", "a\x00b", "", " ", "\ufffe", "\uffff", "\U0010ffff", "\ufdd0", "\x0b\x1b\x7f", "\r\n\t",
    "x" * 10_000, "🦊" * 2_000, "مرحبا بالعالم", "\u202eevil\u202c", "👩‍👩‍👧 Zoë", "Zoe\u0308",
    "=HYPERLINK(\"http://evil.example\")", "<script>alert(1)</script>", "../../etc/passwd", "%00", "1e9", "NaN",
    "٣", "²", "1 2", "31 2 2026", "2026-02-31", "9999", "99999",
]


def _form_classes():
    seen, stack = {}, list(FlaskForm.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("learning."):
            seen[cls.__name__] = cls
    return seen


def _fields(form_class) -> dict[str, bool]:
    """A form's field names, each with whether it is a date (three boxes under one name)."""
    from learning.fields import GovDateField

    return {name: issubclass(value.field_class, GovDateField)
            for base in form_class.__mro__ if base.__module__.startswith("learning.")
            for name, value in vars(base).items() if hasattr(value, "field_class")}


def _source(view) -> str:
    """The view's source and that of the functions of its module it calls (one level)."""
    view = inspect.unwrap(view)
    source = inspect.getsource(view)
    module = inspect.getmodule(view)
    for name in set(re.findall(r"\b(_?[a-z]\w*)\(", source)):
        helper = getattr(module, name, None)
        if inspect.isfunction(helper) and helper.__module__ == module.__name__ and helper is not view:
            source += inspect.getsource(helper)
    return source


def fields_for(view) -> dict[str, bool]:
    """What a view reads: the fields of the forms it uses (named in its source or its
    helpers'), the query parameters it reads itself, the answer field the question page
    builds per question, and the list pages' page and agency."""
    source = _source(view)
    names = {name: is_date for cls_name, cls in _form_classes().items() if re.search(rf"\b{cls_name}\b", source)
             for name, is_date in _fields(cls).items()}
    for name in re.findall(r"request\.(?:args|form|values)\.(?:get|getlist)\(\s*\"(\w+)\"", source):
        names.setdefault(name, False)
    if "answer_form" in source or "kept_choice" in source:
        names.update({"answer": False, "choice": False})
    for name in QUERY_NAMES:
        names.setdefault(name, False)
    return names


@pytest.fixture
def world(app, people, records):
    """A small partnership: two agencies with a team each, a person in each role, a
    completion, an attempt under way, a course session with a booking, external learning
    waiting for review, and an invitation."""
    from learning.models import Team

    police, health = people.agency("Test Police"), people.agency("Health Trust")
    for agency in (police, health):
        db.session.add(Team(agency_id=agency.id, name=f"{agency.name} team"))
    db.session.commit()
    users = {
        Role.PRACTITIONER: people.user("pat@example.org"),
        Role.AGENCY_LEAD: people.user("lee@example.org", role=Role.AGENCY_LEAD),
        Role.COORDINATOR: people.user("cora@example.org", role=Role.COORDINATOR, agency="Health Trust"),
        Role.ADMIN: people.user("adi@example.org", role=Role.ADMIN),
    }
    people.user("sam@example.org", agency="Health Trust")
    invited = User(email="new@example.org", name="New Person", agency_id=police.id)
    db.session.add(invited)
    db.session.commit()
    pat = users[Role.PRACTITIONER]
    completion = records.completion(pat, "police-protection", completed_at=utcnow() - timedelta(days=10))
    course = bookings.create_course("Neglect day", "", 24, [module_row("escalation")])
    start = utcnow() + timedelta(days=3)
    session = bookings.create_session(course, start, start + timedelta(hours=2), "Hall 2", False, 5, "Ada")
    bookings.book(session, pat)
    learner = app.test_client()
    sign_in(learner, pat)
    learner.post("/modules/escalation/start")
    learner.post("/external/new", data={"title": "Course elsewhere", "provider": "College",
                                        "completed_on": ["1", "3", "2026"]})
    ids = set()
    for table in db.metadata.sorted_tables:
        if "id" in table.c:
            ids.update(db.session.execute(table.select().with_only_columns(table.c.id)).scalars())
    return {
        "users": users,
        "ids": sorted(ids),
        "slugs": sorted(app.extensions["catalogue"].modules),
        "codes": [completion.certificate_code],
        "tokens": [invitation_token(invited)],
        "kinds": ["register", "sign-in"],
    }


def _text(world) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SPECIAL_TEXT),
        st.text(max_size=40),
        st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
        st.sampled_from(SPECIAL_NUMBERS).map(str),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(world["ids"] + world["slugs"] + world["codes"]).map(str),
    )


def _path_value(kind: str, world) -> st.SearchStrategy[str]:
    if kind == "id":
        return st.one_of(st.sampled_from(SPECIAL_NUMBERS), st.sampled_from(world["ids"]),
                         st.integers(min_value=0, max_value=2**70)).map(str)
    known = {"slug": world["slugs"], "code": world["codes"], "token": world["tokens"], "kind": world["kinds"]}
    return st.one_of(st.sampled_from(known.get(kind, ["x"])), _text(world))


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED), key=lambda r: r.rule)


def _date(world) -> st.SearchStrategy[list[str]]:
    part = st.one_of(st.sampled_from(SPECIAL_NUMBERS).map(str), st.sampled_from(SPECIAL_TEXT),
                     st.integers(min_value=-5, max_value=10_000).map(str))
    return st.one_of(st.lists(part, min_size=3, max_size=3), st.lists(part, min_size=0, max_size=5))


@st.composite
def requests(draw, app, world, rule):
    """A method, the rule's path filled in, a query string and a form, for one route."""
    method = draw(st.sampled_from(sorted(rule.methods - {"HEAD", "OPTIONS"})))
    path = rule.rule
    for converter, argument in re.findall(r"<(?:(\w+):)?(\w+)>", rule.rule):
        kind = "id" if converter in ("id", "int") else argument.replace("_id", "")
        value = draw(_path_value(kind, world))
        path = re.sub(rf"<(?:\w+:)?{argument}>", quote(value, safe=""), path, count=1)
    fields = fields_for(app.view_functions[rule.endpoint])
    names = sorted(fields)
    values = {name: _date(world) if is_date else st.lists(_text(world), min_size=1, max_size=3)
              for name, is_date in fields.items()}
    chosen = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    filled = {name: draw(values[name]) for name in chosen}
    if method == "POST":
        in_query = draw(st.lists(st.sampled_from(names), unique=True, max_size=2))
        return method, path, {name: draw(values[name]) for name in in_query}, filled
    return method, path, filled, {}


def _reset(user: User | None) -> None:
    """Undo what the walk may have done to the acting person (a role changed, deactivated,
    erased, signed out everywhere) so each example acts in the role it was drawn for."""
    if user is not None:
        db.session.execute(update(User).where(User.id == user.id).values(
            role=user.role, active=True, erased_at=None, session_epoch=0, email=user.email, name=user.name))
        db.session.commit()


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_no_input_to_any_route_is_a_server_error(app, world, role):
    from learning.extensions import limiter

    user = world["users"].get(role)
    snapshot = User(id=user.id, role=user.role, email=user.email, name=user.name) if user else None
    client = app.test_client()
    if user:
        sign_in(client, user)

    def walk(request):
        method, path, query, form = request
        _reset(snapshot)
        limiter.reset()
        try:
            response = client.open(path, method=method, query_string=query, data=form if method == "POST" else None)
        except Exception as exc:
            if not (explore := os.environ.get("FUZZ_EXPLORE")):
                raise
            # Exploring: log every failure and go on, rather than stop at the first.
            import traceback
            with open(explore, "a") as out:
                out.write(f"{role} {method} {path[:100]!r} {str(query)[:200]} {str(form)[:300]}\n"
                          f"{''.join(traceback.format_exception(exc)[-3:])}\n")
            db.session.rollback()
            return
        if log := os.environ.get("FUZZ_LOG"):
            with open(log, "a") as out:
                out.write(f"{role} {method} {response.status_code} {path[:80]!r}\n")
        assert response.status_code < 500, f"{method} {path} {query} {form}: {response.status_code}"

    for rule in _rules(app):
        examples = EXAMPLES_PER_ROUTE if _may_open(client, rule, world) else EXAMPLES_REFUSED
        # A fixed seed per role and route: the same walk on every run, a different one per route.
        walk_route = seed(zlib.crc32(f"{role} {rule.rule}".encode()))(
            settings(max_examples=examples, database=None, deadline=None, suppress_health_check=list(HealthCheck))(
                given(request=requests(app, world, rule))(walk)))
        walk_route()


def _may_open(client, rule, world) -> bool:
    """Whether the signed-in role gets past the route's access check (a 404 for a made-up
    id counts: the view ran). POST-only routes count as open."""
    if "GET" not in rule.methods:
        return True
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(world["ids"][0]) if "id" in m.group(0) else "x", rule.rule)
    response = client.get(path)
    return response.status_code != 403 and "/sign-in" not in (response.location or "")
