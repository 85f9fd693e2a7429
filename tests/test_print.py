"""Every workbook as it prints: each is converted to PDF by LibreOffice (headless) and the
PDF is read back with pypdf. A4 pages; the partnership, the sheet's title, the protective
marking, "Page X of Y" and the date produced on every page; the column headings again on
every later page of a long sheet; no text printed below the readable limit. The first page
of each is saved as a PNG in tests/screenshots/ for a person to look at.

Without LibreOffice the rendering test is skipped with the reason, unless
BROWSER_TESTS=required (as in .ci/run), when it fails instead. `make test` installs it."""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from learning.compliance import Scope
from learning.compliance.trend import demo_history
from learning.courses import bookings
from learning.exports import EXPORTERS
from learning.exports.cells import LANDSCAPE_CHARS, MIN_SCALE, produced_on
from learning.extensions import db
from learning.models import BookingStatus, User, utcnow
from tests.conftest import module_row

SCREENSHOTS = Path(__file__).parent / "screenshots"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
A4 = (595.3, 841.9)  # points
READABLE_PT = 7.9  # 11 pt cells at the 75% floor print at 8.25 pt; headers and footers at 9 pt
STAFF = 70


def _unavailable(reason: str):
    if os.environ.get("BROWSER_TESTS") == "required":
        pytest.fail(f"the rendering test is required here: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def soffice():
    if not SOFFICE:
        _unavailable("LibreOffice is not installed (apt-get install libreoffice-calc-nogui poppler-utils)")
    if not shutil.which("pdftoppm"):
        _unavailable("pdftoppm is not installed (apt-get install poppler-utils)")
    return SOFFICE


@pytest.fixture
def workforce(people, records):
    """Enough people, completions and bookings that the long sheets run to several pages."""
    slug = "police-protection"
    course = bookings.create_course("Multi-agency safeguarding & escalation", "", 24, [module_row(slug)])
    start = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    session = bookings.create_session(course, start, start + timedelta(hours=3), "Town Hall, Room 1", False,
                                      STAFF, "Ann Trainer")
    booked = []
    for i in range(STAFF):
        person = people.user(f"person{i}@example.org", agency="Northbrook Police" if i % 2 else "Northbrook Health",
                             name=f"Person {i:02d} Surname")
        person.job_title = "Safeguarding officer"
        records.completion(person, slug, completed_at=utcnow() - timedelta(days=3 * i + 1))
        booked.append(bookings.book(session, person))
    for i in range(3):  # the session is full: these wait (the sign-in sheet's second sheet)
        bookings.book(session, people.user(f"waiting{i}@example.org", name=f"Waiting {i} Person"))
    db.session.commit()
    demo_history()  # a year of figures for the Trend sheet's table and chart
    return session, booked, person


def build(session, booked, person, folder: Path) -> dict[str, Path]:
    today = date.today()
    calls = {
        "compliance": lambda out: EXPORTERS["compliance"].build(out, Scope(), "Cora Coordinator", 60),
        "completions": lambda out: EXPORTERS["completions"].build(out, module_row("police-protection"), None,
                                                                   None, None, "Cora Coordinator"),
        "sign-in-sheet": lambda out: EXPORTERS["attendance"].build(out, session, register=False),
        "register": lambda out: EXPORTERS["attendance"].build(out, session, register=True),
        "non-attendance": lambda out: EXPORTERS["non-attendance"].build(
            out, bookings.non_attendance(None, today - timedelta(days=1), today + timedelta(days=1)),
            today - timedelta(days=1), today + timedelta(days=1)),
        "subject-access": lambda out: EXPORTERS["subject-access"].build(out, person, "Cora Coordinator"),
    }
    files = {}
    for name, call in calls.items():
        files[name] = folder / f"{name}.xlsx"
        with files[name].open("wb") as out:
            call(out)
    return files


def to_pdf(soffice: str, files: dict[str, Path], folder: Path) -> dict[str, Path]:
    profile = folder / "profile"  # its own profile, so runs side by side do not share a lock
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder), *map(str, files.values())],
                   check=True, capture_output=True, timeout=300)
    return {name: path.with_suffix(".pdf") for name, path in files.items()}


def smallest_text(page) -> float:
    """The smallest size, in points on paper, of any text drawn on the page."""
    sizes = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])
            sizes.append(font_size * math.sqrt(abs(a * d - b * c)))

    page.extract_text(visitor_text=visit)
    return min(sizes) if sizes else 0


def test_every_workbook_prints_on_a4_with_headers_footers_and_headings_on_every_page(
        app, workforce, soffice, tmp_path):
    session, booked, person = workforce
    session.starts_at = utcnow() - timedelta(hours=4)  # the register is taken after the session
    db.session.commit()
    marks = [BookingStatus.ATTENDED, BookingStatus.ABSENT, BookingStatus.ABSENT, BookingStatus.CANCELLED_LATE]
    bookings.take_register(session, {b.id: marks[i % 4] for i, b in enumerate(booked)})
    bookings.add_walk_in(session, db.session.scalar(select(User).where(User.email == "waiting0@example.org")))
    pdfs = to_pdf(soffice, build(session, booked, person, tmp_path), tmp_path)
    SCREENSHOTS.mkdir(exist_ok=True)
    partnership = app.config["PARTNERSHIP_NAME"]
    produced = f"Produced {produced_on()}"
    long_sheets = set()
    for name, pdf in pdfs.items():
        pages = PdfReader(pdf).pages
        texts = [page.extract_text() for page in pages]
        for number, (page, text) in enumerate(zip(pages, texts, strict=True), 1):
            where = f"{name} page {number}"
            size = sorted((float(page.mediabox.width), float(page.mediabox.height)))
            assert size == pytest.approx(list(A4), abs=2), f"{where} is not A4: {size}"
            for expected in (partnership, "OFFICIAL-SENSITIVE", produced):
                assert expected in text, f"{where} has no {expected!r} in its header or footer"
            assert re.search(rf"Page {number} of {len(pages)}", text), f"{where} has no 'Page {number} of N'"
            assert smallest_text(page) >= READABLE_PT, f"{where} prints text at {smallest_text(page):.1f} pt"
        # Column headings on every page: each sheet's headings, wherever its pages fall.
        for heading, sheet in HEADINGS.get(name, []):
            pages_of_sheet = [t for t in texts if sheet in t]
            assert pages_of_sheet, f"{name}: no page has the sheet title {sheet!r}"
            if len(pages_of_sheet) > 1:
                long_sheets.add(f"{name}: {sheet}")
            missing = [i for i, t in enumerate(pages_of_sheet, 1) if heading not in t]
            assert not missing, f"{name}: pages {missing} of {sheet!r} have no heading {heading!r}"
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(SCREENSHOTS / f"print-{name}")], check=True, timeout=120)
    # The data is large enough that these run to several pages, so the checks above mean something.
    assert {"compliance: Staff matrix", "completions: E-learning completions", "sign-in-sheet: Sign-in sheet",
            "register: Register"} <= long_sheets, long_sheets


# (a heading that must appear on every page of the sheet, the sheet's title in the page header).
# Sheets too wide for one page repeat their first column on the pages to the right, so
# that column's heading is the one on every page.
HEADINGS = {
    "compliance": [("Agency", "Summary"), ("Month", "Trend"), ("Name", "Staff matrix"), ("Name", "Completions"),
                   ("Recommendation", "Coverage"), ("Question", "Misconceptions")],
    "completions": [("Name", "E-learning completions")],
    "sign-in-sheet": [("Signature", "Sign-in sheet"), ("Joined the wait list", "Wait list")],
    "register": [("Attendance", "Register")],
    "non-attendance": [("Agency", "Non-attendance")],
    "subject-access": [("Module", "Completions"), ("When", "Activity")],
}


def test_a_sheet_too_wide_to_shrink_readably_spans_pages_instead_of_shrinking(app, people, records, tmp_path):
    """The staff matrix has two columns per module: fitted to one page wide it would print
    far below 8 pt, so it prints at the 75% floor across pages, repeating the names."""
    from openpyxl import load_workbook

    records.completion(people.user(), "police-protection", completed_at=utcnow() - timedelta(days=1))
    path = tmp_path / "compliance.xlsx"
    EXPORTERS["compliance"].build(str(path), Scope(), "Cora", 60)
    wb = load_workbook(path)
    matrix, about = wb["Staff matrix"], wb["About"]
    widths = sum(d.width for d in matrix.column_dimensions.values() if d.width)
    assert widths * MIN_SCALE > LANDSCAPE_CHARS  # too wide to fit, for the test to mean anything
    assert not matrix.sheet_properties.pageSetUpPr.fitToPage
    assert matrix.page_setup.scale == 75 and matrix.page_setup.orientation == "landscape"
    assert matrix.print_title_cols == "$A:$A" and matrix.print_title_rows == "$1:$1"
    assert about.sheet_properties.pageSetUpPr.fitToPage and about.page_setup.fitToWidth == 1
    assert int(about.page_setup.paperSize) == 9  # A4
