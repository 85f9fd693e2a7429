"""The board pack: a PDF from the dashboards' figures and its own (recommendations, the
questions most often answered wrong, course attendance), checked with pypdf, every page
rendered to PNG in tests/screenshots/board-pack-*.png (when pdftoppm is there) for a
person to look at."""
import shutil
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from learning.compliance.trend import demo_history
from learning.content.catalogue import catalogue
from learning.models import AuditEvent, Role, utcnow
from tests.conftest import PASSWORD, sign_in

SCREENSHOTS = Path(__file__).parent / "screenshots"
SLUG = "police-protection"


def texts_of(path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def screenshots(pdf: Path, name: str) -> list[Path]:
    """Every page as a PNG, for a person to look at."""
    if not shutil.which("pdftoppm"):
        return []
    SCREENSHOTS.mkdir(exist_ok=True)
    for old in SCREENSHOTS.glob(f"{name}-[0-9]*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf), str(SCREENSHOTS / name)], check=True, timeout=120)
    return sorted(SCREENSHOTS.glob(f"{name}-[0-9]*.png"))


def assert_every_page_is_a4_with_header_and_footer(app, path):
    reader = PdfReader(path)
    for number, page in enumerate(reader.pages, 1):
        assert sorted((round(float(page.mediabox.width)), round(float(page.mediabox.height)))) == [595, 842]
        text = page.extract_text()
        lines = text.splitlines()
        # The header (the first line) names the partnership and carries the protective marking; so does the footer.
        assert app.config["PARTNERSHIP_NAME"] in lines[0] and "OFFICIAL-SENSITIVE" in lines[0]
        assert "OFFICIAL-SENSITIVE" in lines[-1] and f"Page {number} of {len(reader.pages)}" in lines[-1]


@pytest.fixture
def history(people, records):
    for i in range(4):
        person = people.user(f"p{i}@example.org", agency="Northbrook Police" if i % 2 else "Northbrook Health")
        if i < 3:
            records.completion(person, SLUG, completed_at=utcnow() - timedelta(days=10))
    demo_history()


def test_the_board_pack_builds_from_the_demo_data_with_every_section(app, runner, ctx, tmp_path):
    assert runner.invoke(args=["seed-demo", "--password", PASSWORD]).exit_code == 0
    out = tmp_path / "board-pack.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert_every_page_is_a4_with_header_and_footer(app, out)
    texts = texts_of(out)
    assert "Safeguarding learning: board pack" in texts[0] and "Covers: Every agency." in texts[0]
    everything = " ".join(" ".join(texts).split())
    for heading in ("Headline figures", "Compliance over the period", "Compliance by agency and module",
                    "Coverage of the review's recommendations", "Questions most often answered wrong",
                    "Attendance of face-to-face courses", "Learning into practice", "Notes on method"):
        assert heading in everything
    assert "Answers counted at " in everything
    assert "Up " in everything and " points" in everything  # the demo's year of history rises
    first_recommendation = next(iter(catalogue().recommendations.values())).title
    assert " ".join(first_recommendation.split()[:4]) in everything
    assert "Child protection conference training" in everything  # the demo's course with its register taken
    assert "All courses" in everything
    assert AuditEvent.query.filter_by(action="export_board_pack").count() == 1
    assert len(screenshots(out, "board-pack-demo")) == len(texts) or not shutil.which("pdftoppm")


def test_the_board_pack_for_one_agency_by_id_or_name_shows_that_agency_only(runner, history, people, tmp_path):
    police = people.agency("Northbrook Police")
    for ref in (str(police.id), "Northbrook Police"):
        out = tmp_path / "police.pdf"
        result = runner.invoke(args=["export", "board-pack", "--out", str(out), "--agency", ref])
        assert result.exit_code == 0, result.output
        everything = "\n".join(texts_of(out))
        assert "Covers: Northbrook Police." in everything and "Northbrook Health" not in everything
    missing = runner.invoke(args=["export", "board-pack", "--out", str(tmp_path / "x.pdf"), "--agency", "99999"])
    assert missing.exit_code != 0 and "No agency with the id or name '99999'" in missing.output


def test_from_and_to_limit_the_period(runner, history, tmp_path):
    today = utcnow().date()
    start = (today.replace(day=1) - timedelta(days=100)).replace(day=1)
    out = tmp_path / "period.pdf"
    result = runner.invoke(args=["export", "board-pack", "--out", str(out), "--from", start.isoformat(),
                                 "--to", today.isoformat()])
    assert result.exit_code == 0, result.output
    everything = " ".join(" ".join(texts_of(out)).split())
    assert f"Period: {start.day} {start:%b %Y} to {today.day} {today:%b %Y}" in everything
    assert f"from {start:%b %Y} to {today:%b %Y}" in everything  # the chart's months
    before = start - timedelta(days=1)
    assert f"{before:%b %Y}" not in everything.split("Compliance over the period")[1].split("Compliance by")[0]
    wrong = runner.invoke(args=["export", "board-pack", "--out", str(out), "--from", today.isoformat(),
                                "--to", (today - timedelta(days=1)).isoformat()])
    assert wrong.exit_code != 0 and "must be the same as or before its end" in wrong.output


def test_the_questions_most_often_wrong_leave_out_those_answered_by_fewer_than_five(app, people, tmp_path, ctx):
    from learning.compliance.board_pack.figures import most_missed
    from learning.compliance.insight import MIN_PEOPLE
    from tests.journey import answer_all, start

    for i in range(MIN_PEOPLE):  # five people in two agencies: suppressed in each, counted across the partnership
        user = people.user(f"p{i}@example.org", agency="Big" if i < 3 else "Small")
        browser = app.test_client()
        sign_in(browser, user)
        answer_all(browser, start(browser, SLUG), wrong=8)
    found = most_missed(None)
    assert found.questions and all(q.cell.people == MIN_PEOPLE for q in found.questions)
    assert found.questions[0].cell.percent_wrong == 100
    assert most_missed((people.agency("Big").id,)).questions == []


def test_coordinators_download_the_board_pack_from_the_dashboard_and_it_is_audited(app, client, history, people):
    sign_in(client, people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership"))
    assert "/dashboard/board-pack.pdf" in client.get("/dashboard/").get_data(as_text=True)
    response = client.get("/dashboard/board-pack.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    event = AuditEvent.query.filter_by(action="export_board_pack").one()
    assert event.actor_email == "cora@example.org" and '"via": "web"' in event.detail
    police = people.agency("Northbrook Police")
    one = client.get(f"/dashboard/board-pack.pdf?agency={police.id}")
    assert one.status_code == 200
    lead = app.test_client()
    sign_in(lead, people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Northbrook Police"))
    assert lead.get("/dashboard/board-pack.pdf").status_code == 403


def test_the_board_pack_builds_from_seed_scale_at_10k_in_under_a_minute(app, runner, ctx, tmp_path):
    result = runner.invoke(args=["seed-scale", "--practitioners", "10000", "--agencies", "20", "--seed", "7"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "scale.pdf"
    began = time.monotonic()
    result = runner.invoke(args=["export", "board-pack", "--out", str(out)])
    took = time.monotonic() - began
    assert result.exit_code == 0, result.output
    assert took < 30, f"the board pack took {took:.1f} s at 10,000 staff"
    assert_every_page_is_a4_with_header_and_footer(app, out)
    everything = " ".join(" ".join(texts_of(out)).split())
    assert "Scale agency" in everything and "Scale course" in everything
    screenshots(out, "board-pack-scale")


def test_a_period_in_the_future_is_refused():
    from learning.compliance.board_pack import PeriodError, period

    today = date(2026, 12, 5)
    assert period(None, None, today) == (date(2026, 1, 1), today)
    with pytest.raises(PeriodError):
        period(None, today + timedelta(days=1), today)


def test_build_board_pack_reports_its_progress_for_a_job_to_show(history, people):
    import io

    from learning.compliance.board_pack import STEPS, build_board_pack

    steps = []
    out = io.BytesIO()
    counts = build_board_pack(out, people.agency("Northbrook Police").id, progress=lambda done, total: steps.append((done, total)))
    assert steps == [(n, STEPS) for n in range(1, STEPS + 1)]
    assert out.getvalue().startswith(b"%PDF") and counts["pages"] == len(PdfReader(io.BytesIO(out.getvalue())).pages)
