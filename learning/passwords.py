"""Password rules (NCSC and NIST SP 800-63B): long, any characters, no composition rules,
and not one of the passwords attackers try first."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
DENY_LIST = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    if not DENY_LIST.exists():
        return frozenset()
    return frozenset(line.strip().lower() for line in DENY_LIST.read_text(encoding="utf-8").splitlines() if line.strip())


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.lower() in _common() or password.strip().lower() in _common():
        return "That password is too common. Choose a different one, for example three random words"
    return None
