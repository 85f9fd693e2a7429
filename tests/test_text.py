"""The one rule for text: NFC, and nothing XML 1.0 forbids."""
from learning.text import clean, clean_or_none, has_forbidden


def test_clean_removes_characters_that_xml_forbids():
    assert clean("Sam\x00 Lee\ufffe\uffff\U0010ffff\ud800\x0b") == "Sam Lee"


def test_clean_keeps_tabs_line_breaks_and_every_allowed_script():
    text = "Line one\tA\r\nלאה 李 🙂 Zoë"
    assert clean(text) == text


def test_clean_normalises_to_nfc():
    assert clean("Zoe\u0308") == "Zo\u00eb"


def test_clean_or_none_passes_none_and_empty_through():
    assert clean_or_none(None) is None
    assert clean("") == ""


def test_has_forbidden_says_whether_clean_would_change_characters():
    assert has_forbidden("a\x00") and has_forbidden("\ufdd0")
    assert not has_forbidden("Zoë")


def test_clean_removes_control_characters_from_plain_ascii_too():
    assert clean("Sam\x00 Lee\x1f\x7f") == "Sam Lee\x7f"
