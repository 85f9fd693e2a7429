"""The password policy: long, any characters, no composition rules, not a common password."""
import unicodedata

import pytest
from sqlalchemy import select

from learning.auth import passwords
from learning.auth.passwords import MAX_LENGTH, MIN_LENGTH, password_problem
from learning.extensions import db
from learning.models import User
from tests.conftest import sign_in

# Someone whose name and email have nothing in common with the passwords below.
SAM = {"name": "Sam Reid", "email": "sam@example.org"}


def test_the_deny_list_ships_at_least_the_10000_most_common_passwords():
    lines = passwords.DENY_LIST.read_text(encoding="utf-8").splitlines()
    assert len(set(lines)) == len(lines) >= 10_000
    assert lines[:3] == ["123456", "password", "12345678"], "most common first"


def test_the_deny_list_is_what_the_tool_builds_from_zxcvbn():
    zxcvbn = pytest.importorskip("zxcvbn", reason="zxcvbn is a tooling dependency (requirements-dev.txt)")
    assert zxcvbn
    from tools.build_common_passwords import common_passwords

    assert passwords.DENY_LIST.read_text(encoding="utf-8").splitlines() == common_passwords(None)


@pytest.mark.parametrize("password", [
    "a" * 3 + "bcdefghij",              # 12 characters of nothing special
    "correct horse battery staple",      # spaces
    "all lower case words here",         # no capitals, digits or symbols needed
    "Ünïcödé pâss phrāse ok",            # accents
    "日本語のパスワードはとても長いです",      # any script
    "🦊 fox 🦊 den 🦊 moon",              # emoji
    "x" * 2 + "y" * 2 + "qz" * 30 + "w",  # 64 characters
])
def test_long_passwords_of_any_characters_are_accepted(password):
    assert password_problem(password, **SAM) is None


def test_the_length_limits_count_characters_not_bytes():
    assert "12 characters or more" in password_problem("ab" + "cdefghijk", **SAM)  # 11
    assert password_problem("é" * 2 + "fghijklmnop", **SAM) is None  # 13 characters, more bytes
    assert password_problem("river lamp 7", **SAM) is None  # exactly 12
    long_ok = ("tiger lamp river " * 10)[:MAX_LENGTH]
    assert len(long_ok) == MAX_LENGTH and password_problem(long_ok, **SAM) is None
    assert f"{MAX_LENGTH} characters or fewer" in password_problem(long_ok + "x", **SAM)
    assert MIN_LENGTH == 12 and MAX_LENGTH >= 64


@pytest.mark.parametrize("password", [
    "password1234",        # on the list as it is
    "PASSWORD1234",        # in capitals
    "password 1234",       # with a space put in
    "  password1234  ",    # padded
    "Summer2026!!!!",      # a listed word padded with digits and symbols
    "qwertyuiop123",
    "aaaaaaaaaaaa",        # one character repeated
    "abcabcabcabc",        # a short pattern repeated
    "123412341234",
    "abcdefghijklmn",      # runs along the alphabet or keyboard
    "9876543210987",
    "qwertyuiopasd",
])
def test_common_and_guessable_passwords_are_refused(password):
    assert password_problem(password, **SAM) == passwords.TOO_COMMON


def test_the_persons_own_name_and_email_are_refused():
    pat = {"name": "Pat Fielding", "email": "pat.fielding@example.org"}
    for password in ("PatFielding2026!", "pat.fielding@example.org", "pat fielding 1234", "Safeguarding Learning 1"):
        assert password_problem(password, **pat) == passwords.TOO_PERSONAL, password
    assert password_problem("pat fielding walks the hills", **pat) is None


def test_a_password_typed_in_another_unicode_form_still_signs_in(client, people):
    composed = "café au lait à la crème"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    pat = people.user()
    pat.set_password(composed)
    db.session.commit()
    assert pat.check_password(decomposed)
    assert sign_in(client, pat, decomposed).status_code == 302


def test_the_people_page_shows_a_password_problem_against_the_password_field(client, people):
    sign_in(client, people.user("cora@example.org", role="coordinator"))
    police = people.agency()
    page = client.post("/people/new", data={"name": "Sam Reid", "email": "sam@example.org", "agency": police.id,
                                            "role": "practitioner", "password": "password1234"}).get_data(as_text=True)
    assert 'id="password-error"' in page and "too common" in page
    assert db.session.scalar(select(User).where(User.email == "sam@example.org")) is None


def test_the_invitation_page_refuses_the_persons_own_name_as_their_password(client, people):
    from learning.people.invitations import invitation_token

    amelia = User(email="amelia.hartley@example.org", name="Amelia Hartley", agency_id=people.agency().id)
    db.session.add(amelia)
    db.session.commit()
    link = f"/set-password/{invitation_token(amelia)}"
    for own in ("Amelia Hartley 2026", "amelia.hartley@example.org"):
        page = client.post(link, data={"password": own, "confirm": own}).get_data(as_text=True)
        assert passwords.TOO_PERSONAL in page.replace("&#39;", "'"), own
    db.session.refresh(amelia)
    assert amelia.password_hash is None


def test_the_policy_cannot_be_asked_without_the_persons_name_and_email():
    with pytest.raises(TypeError):
        password_problem("a perfectly long password")  # type: ignore[call-arg]
