"""The board pack: a PDF from the dashboards' figures, checked with pypdf, its pages
rendered to PNG in tests/screenshots/ (when pdftoppm is there) for a person to look at."""
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from learning.models import AuditEvent, utcnow
from learning.compliance.trend import demo_history

from tests.conftest import module_row

SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture
def history(people, records):
    for i in range(4):
        person = people.user(f"p{i}@example.org", agency="Northbrook Police" if i % 2 else "Northbrook Health")
        if i < 3:
            records.completion(person, "police-protection", completed_at=utcnow() - timedelta(days=10))
    demo_history()


def test_the_board_pack_builds_a_short_a4_pdf_of_the_figures_from_the_command_line(runner, history, tmp_path, app):
    out = tmp_path / "board-pack.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    pages = PdfReader(out).pages
    texts = [page.extract_text() for page in pages]
    assert "Safeguarding learning: board pack" in texts[0]
    for number, (page, text) in enumerate(zip(pages, texts, strict=True), 1):
        assert sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height)))) == [595, 842]
        assert app.config["PARTNERSHIP_NAME"] in text and "OFFICIAL-SENSITIVE" in text
        assert f"Page {number} of {len(pages)}" in text
    everything = "\n".join(texts)
    title = module_row("police-protection").title
    assert "Compliance over the last twelve months" in everything and "+" in everything
    assert "Compliance by agency and module" in everything and "Northbrook Health" in everything
    assert "Notes on method" in everything and title in everything
    assert AuditEvent.query.filter_by(action="export_board_pack").count() == 1
    if shutil.which("pdftoppm"):
        SCREENSHOTS.mkdir(exist_ok=True)
        for number in (2, 3, 4):
            subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(number), "-l", str(number), "-singlefile",
                            str(out), str(SCREENSHOTS / f"board-pack-{number}")], check=True, timeout=60)


def test_the_board_pack_for_one_agency_shows_that_agency_only(runner, history, tmp_path):
    out = tmp_path / "police.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out), "--agency", "Northbrook Police"])
    assert result.exit_code == 0, result.output
    everything = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "Covers: Northbrook Police." in everything and "Northbrook Health" not in everything


def test_seed_scale_keeps_a_year_of_history_and_the_board_pack_builds_from_it(runner, ctx, tmp_path):
    from learning.compliance.trend import monthly

    result = runner.invoke(args=["seed-scale", "--practitioners", "300", "--agencies", "3", "--seed", "5"])
    assert result.exit_code == 0, result.output
    trend = monthly()
    assert trend.lines and all(None not in line.percents for line in trend.lines)
    out = tmp_path / "scale.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(PdfReader(out).pages) == 6  # with the impact page (learning/impact/board_page.py)
