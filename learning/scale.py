"""A synthetic workforce for scale tests: `flask seed-scale --practitioners N`.

Reproducible for a given seed, inserted in bulk (no ORM objects per row), with dates
spread so that every status occurs: in date, expiring, expired, in progress, not started.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from datetime import timedelta

from sqlalchemy import func, insert, select, text

from .catalogue import catalogue, sync_modules
from .extensions import db
from .models import Agency, Attempt, Completion, Sector, Team, User, utcnow
from .status import add_months

PREFIX = "Scale agency"
CHUNK = 10_000
SECTORS = [s.value for s in Sector]


def _chunks(rows: Iterator[dict], size: int = CHUNK) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _agencies(count: int) -> list[tuple[int, list[int]]]:
    """Create (or reuse) `count` scale agencies with four teams each."""
    existing = {a.name: a for a in db.session.scalars(select(Agency).where(Agency.name.like(f"{PREFIX} %")))}
    result = []
    for i in range(1, count + 1):
        name = f"{PREFIX} {i:03}"
        agency = existing.get(name)
        if agency is None:
            agency = Agency(name=name, sector=SECTORS[i % len(SECTORS)], active=True)
            agency.teams = [Team(name=f"Team {t}") for t in "ABCD"]
            db.session.add(agency)
            db.session.flush()
        result.append((agency.id, [t.id for t in agency.teams]))
    db.session.commit()
    return result


def seed_scale(practitioners: int, agencies: int = 50, seed: int = 1,
               progress: Callable[[int], None] | None = None) -> dict:
    """Add `practitioners` people (numbered after any added before) with their learning."""
    rng = random.Random(f"{seed}-{practitioners}-{_next_id(User)}")
    now = utcnow().replace(microsecond=0)
    modules = list(sync_modules(catalogue()).values())
    agency_rows = _agencies(agencies)
    start = db.session.scalar(select(func.count(User.id)).where(User.email.like("scale-%"))) or 0
    probe = User()
    probe.set_password(f"scale-{seed}-not-for-sign-in")
    user_id, attempt_id = _next_id(User), _next_id(Attempt)
    counts = {"users": 0, "attempts": 0, "completions": 0}

    for block in range(0, practitioners, CHUNK):
        users, attempts, completions = [], [], []
        for n in range(block, min(block + CHUNK, practitioners)):
            number = start + n
            agency_id, teams = agency_rows[number % len(agency_rows)]
            users.append({"id": user_id, "email": f"scale-{number}@example.org", "name": f"Scale Person {number:06}",
                          "password_hash": probe.password_hash, "role": "practitioner", "agency_id": agency_id,
                          "team_id": teams[number % len(teams)], "job_title": "Practitioner", "active": True,
                          "created_at": now})
            for module in modules:
                roll = rng.random()
                if roll < 0.25:
                    continue  # not started
                started = now - timedelta(days=rng.randint(0, 900))
                if roll < 0.35:
                    attempts.append({"id": attempt_id, "user_id": user_id, "module_id": module.id,
                                     "module_version": module.version, "status": "in_progress", "started_at": started,
                                     "total": 8, "path": [], "score": None, "passed": None, "submitted_at": None})
                    attempt_id += 1
                    continue
                passed = roll >= 0.40
                attempts.append({"id": attempt_id, "user_id": user_id, "module_id": module.id,
                                 "module_version": module.version, "status": "submitted", "started_at": started,
                                 "submitted_at": started + timedelta(minutes=18), "score": 8 if passed else 5,
                                 "total": 8, "passed": passed, "path": []})
                if passed:
                    completed = started + timedelta(minutes=18)
                    completions.append({
                        "user_id": user_id, "module_id": module.id, "attempt_id": attempt_id, "completed_at": completed,
                        "expires_at": add_months(completed, module.validity_months), "module_version": module.version,
                        "score": 100, "source": "e-learning", "certificate_code": f"S{seed}-{attempt_id:09d}",
                    })
                attempt_id += 1
            user_id += 1
        db.session.execute(insert(User), users)
        db.session.execute(insert(Attempt), attempts)
        db.session.execute(insert(Completion), completions)
        db.session.commit()
        counts["users"] += len(users)
        counts["attempts"] += len(attempts)
        counts["completions"] += len(completions)
        if progress:
            progress(len(users))
    _reset_sequences()
    return counts


def _reset_sequences() -> None:
    """Explicit ids skip PostgreSQL's sequences; move them past the rows just written."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("user", "attempt", "completion"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), (SELECT max(id) FROM \"{table}\"))"))
    db.session.commit()
