"""Staff import: preview, then all rows or none; invitations; the CLI."""
import io
import json
import os
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from learning.extensions import db
from learning.models import AuditEvent, Role, Sector, Team, User
from learning.people.invitations import fingerprint
from tests.conftest import PASSWORD, sign_in
from tests.staff_files import csv_bytes, handmade_xlsx, staff_rows, xlsx_bytes

NEW_PASSWORD = "plum velvet harbour lantern"


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_IMPORT_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


def upload(client, data: bytes, filename: str = "staff.csv", agency_id: int | None = None):
    form = {"file": (io.BytesIO(data), filename)}
    if agency_id:
        form["agency"] = str(agency_id)
    return client.post("/import-staff", data=form, content_type="multipart/form-data")


def preview_token(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response.location.rsplit("/", 1)[1]


def confirm(client, token: str):
    """Confirm the import; a file over STAFF_IMPORT_JOB_ROWS (500) is imported by a job, whose
    page (the job ran at once: tests run the queue immediately) says what was done."""
    response = client.post(f"/import-staff/{token}")
    if response.status_code == 302 and response.location.startswith("/jobs/"):
        return client.get(response.location)
    return response


def count_users() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)))


def user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def import_events() -> list[dict]:
    return [json.loads(e.detail) for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == "staff_import").order_by(AuditEvent.id))]


@pytest.fixture
def coordinator(client, people):
    people.agency("Test Police")
    people.agency("Test Health", Sector.HEALTH)
    cora = people.user("cora@example.org", role=Role.COORDINATOR, agency="Partnership")
    sign_in(client, cora)
    return cora


@pytest.fixture
def lead(client, people):
    people.agency("Test Health", Sector.HEALTH)
    lee = people.user("lee@example.org", role=Role.AGENCY_LEAD, agency="Test Police")
    sign_in(client, lee)
    return lee


# --- the journey --------------------------------------------------------------------------


def test_a_coordinator_previews_a_file_then_imports_it_and_each_new_person_is_emailed_an_invitation(client, coordinator,
                                                                                                      mailbox):
    before = count_users()
    data = csv_bytes([["Amy Adams", "Amy.Adams@Example.org", "Constable", "Response", "Test Police"],
                      ["Ben Begum", "ben@example.org", "Health visitor", "", "test health"]])
    response = upload(client, data)
    token = preview_token(response)
    preview = client.get(response.location).get_data(as_text=True)
    assert "Check the staff file" in preview and "New account" in preview
    assert "The team &#39;Response&#39; will be created in Test Police" in preview
    assert "Import 2 rows" in preview
    assert count_users() == before, "the preview writes nothing"

    done = confirm(client, token).get_data(as_text=True)
    assert "Staff imported" in done
    amy, ben = user("amy.adams@example.org"), user("ben@example.org")
    assert amy.agency.name == "Test Police" and amy.team.name == "Response" and amy.job_title == "Constable"
    assert ben.agency.name == "Test Health" and ben.team_id is None and ben.role == "practitioner"
    assert amy.password_hash is None and amy.active
    assert "We emailed 2 people an invitation to set a password" in done
    assert "/set-password/" not in done, "links are emailed, not listed"
    assert len(mailbox.links("amy.adams@example.org", "/set-password/")) == 1
    assert len(mailbox.links("ben@example.org", "/set-password/")) == 1
    assert import_events() == [{"created": 2, "file": "staff.csv", "moved": 0, "rows": 2, "teams_created": 1,
                                "unchanged": 0, "updated": 0}]


def test_an_invitation_link_sets_a_password_once_and_is_then_dead(client, app, coordinator, mailbox):
    token = preview_token(upload(client, csv_bytes([["Amy Adams", "amy@example.org", "", "", "Test Police"]])))
    confirm(client, token)
    [link] = mailbox.links("amy@example.org", "/set-password/")
    amy_browser = app.test_client()
    page = amy_browser.get(link)
    assert page.status_code == 200 and "amy@example.org" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    short = amy_browser.post(link, data={"password": "short", "confirm": "short"}).get_data(as_text=True)
    assert "Password must be 12 characters or more" in short
    mismatch = amy_browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}).get_data(as_text=True)
    assert "The passwords do not match" in mismatch
    assert user("amy@example.org").password_hash is None

    assert amy_browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).location == "/sign-in"
    assert user("amy@example.org").check_password(NEW_PASSWORD)
    assert sign_in(amy_browser, "amy@example.org", NEW_PASSWORD).status_code == 302

    again = app.test_client().post(link, data={"password": "another long password", "confirm": "another long password"})
    assert again.status_code == 410 and "This link has already been used" in again.get_data(as_text=True)
    assert user("amy@example.org").check_password(NEW_PASSWORD)


def test_an_expired_invitation_link_is_refused(client, app, people):
    police = people.agency()
    amy = User(email="amy@example.org", name="Amy", agency_id=police.id)
    db.session.add(amy)
    db.session.commit()

    class EightDaysAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 8 * 24 * 60 * 60

    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invite", signer=EightDaysAgo)
    token = old.dumps({"u": amy.id, "f": fingerprint(amy)})
    response = client.post(f"/set-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 410 and "This link has expired" in response.get_data(as_text=True)
    assert user("amy@example.org").password_hash is None
    fresh = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invite").dumps({"u": amy.id, "f": fingerprint(amy)})
    assert client.get(f"/set-password/{fresh}").status_code == 200, "the same token made today works"


def test_a_tampered_or_foreign_invitation_link_is_refused(client, app, people):
    police = people.agency()
    amy = User(email="amy@example.org", name="Amy", agency_id=police.id)
    db.session.add(amy)
    db.session.commit()
    wrong_key = URLSafeTimedSerializer("not the key", salt="invite").dumps({"u": amy.id, "f": fingerprint(amy)})
    wrong_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="other").dumps({"u": amy.id, "f": fingerprint(amy)})
    for token in (wrong_key, wrong_salt, "nonsense"):
        response = client.post(f"/set-password/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
        assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)
    assert user("amy@example.org").password_hash is None


def test_a_deactivated_persons_invitation_link_does_not_work(client, app, people):
    police = people.agency()
    amy = User(email="amy@example.org", name="Amy", agency_id=police.id, active=False)
    db.session.add(amy)
    db.session.commit()
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="invite").dumps({"u": amy.id, "f": fingerprint(amy)})
    assert client.get(f"/set-password/{token}").status_code == 404


# --- what the preview says ----------------------------------------------------------------


def test_each_row_error_is_named_by_its_row_number_in_plain_english_and_nothing_is_kept(client, coordinator, upload_dir):
    before = count_users()
    data = csv_bytes([
        ["Amy Adams", "amy@example.org", "", "", "Test Police"],    # row 2: fine
        ["No Email", "", "", "", "Test Police"],                    # row 3
        ["Bad Email", "bad@", "", "", "Test Police"],               # row 4
        ["Amy Again", "AMY@example.org", "", "", "Test Police"],    # row 5
        ["Lost", "lost@example.org", "", "", "Nowhere Agency"],     # row 6
        ["", "noname@example.org", "", "", "Test Police"],          # row 7
        ["No Agency", "noagency@example.org", "", "", ""],          # row 8
    ])
    response = upload(client, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error: Check the staff file" in page
    for message in ("Row 3: the email address is missing",
                    "Row 4: the email address &#39;bad@&#39; is not in the correct format, like name@example.org",
                    "Row 5: the email address amy@example.org is also on row 2",
                    "Row 6: there is no agency called &#39;Nowhere Agency&#39;",
                    "Row 7: the name is missing",
                    "Row 8: the agency is missing"):
        assert message in page, message
    assert "There are problems with 6 rows" in page and "Nothing has been imported" in page
    assert 'href="#row-3"' in page and 'id="row-3"' in page
    assert "Import 7 rows" not in page
    assert count_users() == before
    assert not upload_dir.exists() or not list(upload_dir.iterdir()), "a file with errors is not kept"


def test_headings_are_matched_whatever_their_case_and_spacing_and_other_columns_are_ignored(client, coordinator):
    data = xlsx_bytes([["Amy Adams", "amy@example.org", "Nurse", "Test Health", "ignore me"]],
                      headings=["  Full  Name ", "EMAIL", "Job_Title", "Agency", "Notes"])
    token = preview_token(upload(client, data, "staff.xlsx"))
    page = client.get(f"/import-staff/{token}").get_data(as_text=True)
    assert "These columns are not used and will be ignored: Notes" in page
    confirm(client, token)
    amy = user("amy@example.org")
    assert (amy.name, amy.job_title, amy.agency.name) == ("Amy Adams", "Nurse", "Test Health")


def test_a_coordinator_chooses_one_agency_for_rows_without_one(client, coordinator, people):
    health = people.agency("Test Health")
    data = csv_bytes([["Amy Adams", "amy@example.org"]], headings=["name", "email"])
    assert "the agency is missing" in upload(client, data).get_data(as_text=True)
    confirm(client, preview_token(upload(client, data, agency_id=health.id)))
    assert user("amy@example.org").agency_id == health.id


@pytest.mark.parametrize("filename, make", [
    # A decomposed "e" and diaeresis, U+FFFE, a NUL and U+FDD0 (all kept by UTF-8 and csv).
    ("staff.csv", lambda: csv_bytes([["Zoe\u0308\ufffe Ad\x00ams\ufdd0", "zoe@example.org", "Nurse\U0001fffe", "",
                                      "Test Police"]])),
    # XML itself refuses U+FFFE and NUL; these non-characters it allows.
    ("staff.xlsx", lambda: handmade_xlsx([["name", "email", "job title", "agency"],
                                          ["Zoe\u0308\ufdd0 Adams", "zoe@example.org", "Nurse\U0010ffff", "Test Police"]])),
], ids=["csv", "workbook"])
def test_every_cell_of_an_upload_goes_through_the_text_rule_before_it_is_stored(client, coordinator, filename, make):
    confirm(client, preview_token(upload(client, make(), filename)))
    zoe = user("zoe@example.org")
    assert (zoe.name, zoe.job_title) == ("Zo\u00eb Adams", "Nurse")


def test_names_from_the_file_are_shown_escaped(client, coordinator):
    data = csv_bytes([["<script>alert(1)</script>", "amy@example.org", "", "", "Test Police"]])
    page = client.get(upload(client, data).location).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_existing_person_is_updated_by_email_whatever_its_case_not_duplicated(client, coordinator, people):
    pat = people.user("pat@example.org", name="Pat")
    before = count_users()
    data = csv_bytes([["Pat Fielding", "PAT@Example.ORG", "Sergeant", "Response", "Test Police"]])
    token = preview_token(upload(client, data))
    page = client.get(f"/import-staff/{token}").get_data(as_text=True)
    assert "Update" in page and "Name from &#39;Pat&#39; to &#39;Pat Fielding&#39;" in page
    assert re.search(r"New accounts\s*</dt>\s*<dd[^>]*>\s*0\s*</dd>", page)
    assert re.search(r"Updated\s*</dt>\s*<dd[^>]*>\s*1\s*</dd>", page)
    confirm(client, token)
    assert count_users() == before
    pat = user("pat@example.org")
    assert (pat.name, pat.job_title, pat.team.name) == ("Pat Fielding", "Sergeant", "Response")
    assert pat.check_password(PASSWORD), "an update leaves the password alone"


def test_blank_job_title_and_team_leave_an_existing_persons_own_and_an_identical_row_is_no_change(client, coordinator, people):
    police = people.agency()
    team = Team(agency_id=police.id, name="Response")
    db.session.add(team)
    db.session.commit()
    pat = people.user("pat@example.org", name="Pat")
    pat.job_title, pat.team_id = "Sergeant", team.id
    db.session.commit()
    token = preview_token(upload(client, csv_bytes([["Pat", "pat@example.org", "", "", "Test Police"]])))
    page = client.get(f"/import-staff/{token}").get_data(as_text=True)
    assert "No change" in page
    confirm(client, token)
    pat = user("pat@example.org")
    assert (pat.job_title, pat.team_id) == ("Sergeant", team.id)
    assert import_events()[0]["unchanged"] == 1


def test_a_coordinator_moves_a_person_to_another_agency_and_the_preview_says_so(client, coordinator, people):
    pat = people.user("pat@example.org")
    token = preview_token(upload(client, csv_bytes([["Pat", "pat@example.org", "", "Ward 4", "Test Health"]])))
    page = client.get(f"/import-staff/{token}").get_data(as_text=True)
    assert "Move agency" in page and "Moves from Test Police to Test Health" in page
    confirm(client, token)
    pat = user("pat@example.org")
    assert pat.agency.name == "Test Health" and pat.team.name == "Ward 4"
    assert import_events()[0]["moved"] == 1


def test_an_inactive_agency_takes_no_imports(client, coordinator, people):
    health = people.agency("Test Health")
    health.active = False
    db.session.commit()
    page = upload(client, csv_bytes([["Amy", "amy@example.org", "", "", "Test Health"]])).get_data(as_text=True)
    assert "Row 2: the agency Test Health is inactive" in page
    assert user("amy@example.org") is None


def test_a_coordinator_cannot_change_an_admin_through_an_import(client, coordinator, people):
    people.user("adi@example.org", role=Role.ADMIN, name="Adi")
    page = upload(client, csv_bytes([["Someone Else", "adi@example.org", "", "", "Test Police"]])).get_data(as_text=True)
    assert "Row 2: this person (adi@example.org) has an account with the role &#39;Administrator&#39;, which you cannot change" in page
    assert user("adi@example.org").name == "Adi"


# --- agency leads -------------------------------------------------------------------------


def test_an_agency_lead_imports_their_own_staff_without_an_agency_column(client, lead):
    page = client.get("/import-staff").get_data(as_text=True)
    assert "Add or update the staff of Test Police" in page and 'name="agency"' not in page
    data = csv_bytes([["Amy Adams", "amy@example.org", "Constable", "Response"]], headings=["name", "email", "job title", "team"])
    confirm(client, preview_token(upload(client, data)))
    amy = user("amy@example.org")
    assert amy.agency_id == lead.agency_id and amy.team.name == "Response"
    assert import_events()[0]["agency"] == "Test Police"


def test_an_agency_lead_cannot_import_into_another_agency(client, lead, people):
    health = people.agency("Test Health")
    data = csv_bytes([["Amy Adams", "amy@example.org", "", "", "Test Police"],
                      ["Ben Begum", "ben@example.org", "", "", "Test Health"]])
    page = upload(client, data).get_data(as_text=True)
    assert ("Row 3: the agency is &#39;Test Health&#39;, but you can only import staff into Test Police") in page
    assert user("amy@example.org") is None and user("ben@example.org") is None
    # Nor by choosing the agency in the form: the field is for coordinators and ignored for a lead.
    data = csv_bytes([["Ben Begum", "ben@example.org"]], headings=["name", "email"])
    confirm(client, preview_token(upload(client, data, agency_id=health.id)))
    assert user("ben@example.org").agency_id == lead.agency_id


def test_an_agency_lead_cannot_take_over_someone_from_another_agency(client, lead, people):
    people.user("nina@example.org", name="Nina", agency="Test Health")
    page = upload(client, csv_bytes([["Nina Novak", "nina@example.org", "", "", ""]])).get_data(as_text=True)
    assert "Row 2: this person (nina@example.org) belongs to another agency" in page
    nina = user("nina@example.org")
    assert nina.name == "Nina" and nina.agency.name == "Test Health"


def test_an_upload_belongs_to_the_person_who_made_it(client, app, coordinator, people):
    token = preview_token(upload(client, csv_bytes([["Amy", "amy@example.org", "", "", "Test Police"]])))
    other = app.test_client()
    sign_in(other, people.user("carl@example.org", role=Role.COORDINATOR))
    assert other.get(f"/import-staff/{token}").status_code == 404
    assert other.post(f"/import-staff/{token}").status_code == 404
    assert user("amy@example.org") is None
    assert "Staff imported" in confirm(client, token).get_data(as_text=True)


# --- all or none --------------------------------------------------------------------------


def test_a_1000_row_file_with_one_bad_row_imports_nothing_and_names_the_row(client, coordinator):
    rows = staff_rows(1000)
    rows[736][1] = "not-an-email"  # spreadsheet row 738: the heading is row 1
    before = count_users()
    page = upload(client, xlsx_bytes(rows), "staff.xlsx").get_data(as_text=True)
    assert "There is a problem with row 738" in page
    assert "Row 738: the email address &#39;not-an-email&#39; is not in the correct format" in page
    assert count_users() == before
    assert db.session.scalar(select(func.count(Team.id))) == 0
    assert import_events() == []


def test_a_good_1000_row_file_creates_1000_accounts_in_one_go_and_importing_it_again_updates_them(client, coordinator):
    before = count_users()
    token = preview_token(upload(client, xlsx_bytes(staff_rows(1000)), "staff.xlsx"))
    done = confirm(client, token).get_data(as_text=True)
    assert "1000 new, 0 updated" in done
    assert count_users() == before + 1000
    assert import_events() == [{"created": 1000, "file": "staff.xlsx", "moved": 0, "rows": 1000, "teams_created": 1,
                                "unchanged": 0, "updated": 0}]

    token = preview_token(upload(client, xlsx_bytes(staff_rows(1000, job_title="Sergeant")), "staff.xlsx"))
    confirm(client, token)
    assert count_users() == before + 1000
    assert db.session.scalar(select(func.count(User.id)).where(User.job_title == "Sergeant")) == 1000
    assert import_events()[1]["updated"] == 1000 and import_events()[1]["created"] == 0
    assert db.session.scalar(select(func.count(Team.id))) == 1


def test_the_confirm_step_checks_again_and_imports_nothing_if_a_row_has_gone_wrong_since(client, coordinator, people):
    data = csv_bytes([["Amy", "amy@example.org", "", "", "Test Police"], ["Ben", "ben@example.org", "", "", "Test Health"]])
    token = preview_token(upload(client, data))
    health = people.agency("Test Health")
    health.active = False
    db.session.commit()
    page = confirm(client, token).get_data(as_text=True)
    assert "Nothing has been imported" in page and "Row 3: the agency Test Health is inactive" in page
    assert user("amy@example.org") is None and user("ben@example.org") is None
    assert confirm(client, token).status_code == 404, "the upload is gone"


def test_a_failure_while_writing_leaves_nothing_behind(client, coordinator, monkeypatch):
    from learning.people.staff_import import applying

    def broken_record(*args, **kwargs):
        raise RuntimeError("the audit table is unavailable")

    token = preview_token(upload(client, csv_bytes(staff_rows(5))))
    monkeypatch.setattr(applying, "record", broken_record)
    with pytest.raises(RuntimeError):
        confirm(client, token)
    assert db.session.scalar(select(func.count(User.id)).where(User.email.like("person%"))) == 0
    assert db.session.scalar(select(func.count(Team.id))) == 0


# --- the upload between preview and confirm -----------------------------------------------


def test_the_upload_is_deleted_after_the_import(client, coordinator, upload_dir):
    token = preview_token(upload(client, csv_bytes(staff_rows(2))))
    assert (upload_dir / f"{token}.json").exists()
    assert oct((upload_dir / f"{token}.json").stat().st_mode & 0o777) == "0o600"
    confirm(client, token)
    assert not (upload_dir / f"{token}.json").exists()
    assert confirm(client, token).status_code == 404


def test_an_upload_older_than_an_hour_has_expired(client, coordinator, upload_dir):
    token = preview_token(upload(client, csv_bytes(staff_rows(2))))
    path = upload_dir / f"{token}.json"
    payload = json.loads(path.read_text())
    payload["created"] -= 3601
    path.write_text(json.dumps(payload))
    response = confirm(client, token)
    assert response.status_code == 410 and "This upload has expired" in response.get_data(as_text=True)
    assert not path.exists() and user("person1@example.org") is None


def test_old_uploads_are_swept_away_when_someone_uploads(client, coordinator, upload_dir):
    first = preview_token(upload(client, csv_bytes(staff_rows(2))))
    two_hours_ago = time.time() - 7200
    os.utime(upload_dir / f"{first}.json", (two_hours_ago, two_hours_ago))
    second = preview_token(upload(client, csv_bytes(staff_rows(2))))
    assert not (upload_dir / f"{first}.json").exists() and (upload_dir / f"{second}.json").exists()


def test_an_invented_upload_token_is_not_found(client, coordinator, upload_dir):
    assert client.get("/import-staff/" + "a" * 43).status_code == 404
    assert client.post("/import-staff/..%2F..%2Fsecret_key").status_code == 404
    assert client.post("/import-staff/" + "a" * 43).status_code == 404


def test_confirming_an_import_needs_the_csrf_token(client, app, coordinator, monkeypatch):
    token = preview_token(upload(client, csv_bytes(staff_rows(2))))
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert confirm(client, token).status_code == 400
    assert user("person1@example.org") is None


def test_an_agency_lead_with_no_agency_cannot_import(client, people):
    lone = User(email="lone@example.org", name="Lone", role="agency_lead")
    lone.set_password(PASSWORD)
    db.session.add(lone)
    db.session.commit()
    sign_in(client, lone)
    assert client.get("/import-staff").status_code == 403


# --- the command line ---------------------------------------------------------------------


def test_import_staff_command_imports_a_file_and_emails_each_new_person_an_invitation(runner, people, tmp_path,
                                                                                      mailbox):
    people.agency("Test Police")
    path = tmp_path / "staff.xlsx"
    path.write_bytes(xlsx_bytes(staff_rows(3)))
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 new accounts" in result.output
    assert "3 of 3 invitations to set a password sent" in result.output and "/set-password/" not in result.output
    assert [len(mailbox.links(f"person{n}@example.org", "/set-password/")) for n in (1, 2, 3)] == [1, 1, 1]
    assert "http://127.0.0.1:5000/set-password/" in mailbox.text(mailbox.messages()[0])
    assert count_users() == 3
    assert import_events()[0]["created"] == 3
    assert db.session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "staff_import")) is None


def test_import_staff_command_dry_run_prints_the_preview_and_writes_nothing(runner, people, tmp_path):
    people.agency("Test Police")
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(staff_rows(2)))
    result = runner.invoke(args=["import-staff", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Row 2: person1@example.org: New account" in result.output
    assert "New team: Response in Test Police" in result.output and "Dry run: nothing was written." in result.output
    assert count_users() == 0 and db.session.scalar(select(func.count(Team.id))) == 0


def test_import_staff_command_exits_non_zero_and_prints_every_error(runner, people, tmp_path):
    people.agency("Test Police")
    rows = staff_rows(4)
    rows[1][1] = ""
    rows[3][4] = "Nowhere"
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(rows))
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1
    assert "Row 3: the email address is missing" in result.output
    assert "Row 5: there is no agency called 'Nowhere'" in result.output
    assert "Nothing was imported." in result.output
    assert count_users() == 0


def test_import_staff_command_agency_option_fills_rows_without_an_agency(runner, people, tmp_path):
    police = people.agency("Test Police")
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes([["Amy", "amy@example.org"]], headings=["name", "email"]))
    assert "No agency called 'Nowhere'" in runner.invoke(args=["import-staff", str(path), "--agency", "Nowhere"]).output
    result = runner.invoke(args=["import-staff", str(path), "--agency", "test police"])
    assert result.exit_code == 0, result.output
    assert user("amy@example.org").agency_id == police.id


def test_import_staff_command_refuses_a_bad_file_clearly(runner, people, tmp_path):
    path = tmp_path / "staff.xlsx"
    path.write_bytes(os.urandom(2048))
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 1 and "is not an Excel workbook" in result.output and count_users() == 0


def test_import_staff_command_prints_the_links_when_the_invitations_cannot_be_sent(runner, app, people, tmp_path,
                                                                                   monkeypatch):
    people.agency("Test Police")
    # Nothing listens on port 1 of this machine: the connection is refused at once.
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 1)
    path = tmp_path / "staff.csv"
    path.write_bytes(csv_bytes(staff_rows(1)))
    result = runner.invoke(args=["import-staff", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 of 1 invitations to set a password sent" in result.output
    assert re.search(r"person1@example.org\thttp://127.0.0.1:5000/set-password/\S+", result.output)
