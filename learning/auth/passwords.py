"""Password rules (NCSC and NIST SP 800-63B): long, any characters, no composition rules,
and not one of the passwords attackers try first.

- 12 to 128 characters, counted after Unicode normalisation; spaces and any script allowed.
- Not on the deny-list (learning/auth/common_passwords.txt, the 30,000 most common passwords,
  built by tools/build_common_passwords.py), also after removing spaces, and not a common
  password padded with digits and symbols ("Summer2026!!!!").
- Not a run or repeat of a few characters ("aaaaaaaaaaaa", "abcabcabcabc", "qwertyuiopas").
- Not the person's own name or email address, or the service's name, give or take digits
  and punctuation.

Passwords are NFKC-normalised before hashing and checking, so the same password typed on
a phone and a PC (composed or decomposed accents, full-width digits) still matches.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 128
DENY_LIST = Path(__file__).with_name("common_passwords.txt")

TOO_COMMON = "That password is too common or too easy to guess. Choose a different one, for example three random words"
TOO_PERSONAL = "Your password must not be your name, your email address or the name of this service"

# Keyboard and alphabet runs that people pad to the minimum length.
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "01234567890123456789", "qwertyuiopasdfghjklzxcvbnm", "qwertzuiop",
         "azertyuiop", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")
_REPEATED = re.compile(r"(.{1,4}?)\1+", re.DOTALL)


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def _common() -> frozenset[str]:
    # Loaded once per process on first use (about 2 MB); a missing file is a packaging
    # error that must not silently switch the check off.
    return frozenset(line.strip().casefold() for line in DENY_LIST.read_text(encoding="utf-8").splitlines()
                     if line.strip())


def _letters(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalpha())


def _is_run_or_repeat(squashed: str) -> bool:
    if _REPEATED.fullmatch(squashed):
        return True
    return any(squashed in run or squashed in run[::-1] for run in _RUNS)


def password_problem(password: str, *, name: str, email: str, also: Iterable[str] = ()) -> str | None:
    """What is wrong with `password`, in words for the person choosing it; None if nothing.

    The one policy for every place a password is set. `name` and `email` are the person's
    own, and required, so no caller can forget them; `also`: anything else they must not use.
    """
    context = (name, email, *also)
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    folded = password.casefold()
    squashed = "".join(folded.split())
    letters = _letters(password)
    common = _common()
    if folded.strip() in common or squashed in common or (letters and letters in common):
        return TOO_COMMON
    if _is_run_or_repeat(squashed):
        return TOO_COMMON
    personal = {_letters(word) for word in (*context, "password", "safeguarding learning")}
    for word in context:
        if "@" in word:  # the part of an email address before the @ on its own, too
            personal.add(_letters(word.split("@", 1)[0]))
    if letters and letters in {w for w in personal if len(w) >= 4}:
        return TOO_PERSONAL
    return None
