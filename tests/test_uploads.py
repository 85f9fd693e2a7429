"""Upload safety: every kind of bad file gets a plain-English reason and writes nothing."""
import io
import os
import time
import zipfile

import openpyxl
import pytest
from defusedxml import EntitiesForbidden
from sqlalchemy import func, select

from learning.extensions import db
from learning.models import AuditEvent, Role, Team, User
from learning.people import staff_import
from learning.people.staff_import import limits
from learning.people.staff_import.workbook import openpyxl_rows
from tests.conftest import sign_in
from tests.staff_files import (
    STRINGS,
    csv_bytes,
    damaged_xlsx,
    declared_size_xlsx,
    far_cell_xlsx,
    handmade_xlsx,
    long_tag_xlsx,
    many_elements_xlsx,
    million_rows_xlsx,
    nested_xml_xlsx,
    staff_rows,
    xlsx_bytes,
)

GOOD_ROWS = [["name", "email", "agency"], ["Amy Adams", "amy@example.org", "Test Police"],
             ["Ben Begum", "ben@example.org", "Test Police"]]


@pytest.fixture(autouse=True)
def upload_dir(app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "STAFF_IMPORT_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


@pytest.fixture
def coordinator(client, people):
    people.agency("Test Police")
    cora = people.user("cora@example.org", role=Role.COORDINATOR)
    sign_in(client, cora)
    return cora


def upload(client, data: bytes, filename: str):
    return client.post("/import-staff", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def assert_nothing_written(upload_dir) -> None:
    db.session.expire_all()
    assert db.session.scalar(select(func.count(User.id))) == 1, "only the coordinator"
    assert db.session.scalar(select(func.count(Team.id))) == 0
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "staff_import")) == 0
    assert not upload_dir.exists() or not list(upload_dir.iterdir())


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _with_member(workbook: bytes, name: str, data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook))
    return _zip({**{n: source.read(n) for n in source.namelist()}, name: data})


BAD_FILES = {
    "random bytes named .xlsx": (lambda: os.urandom(4096), "staff.xlsx",
                                 "The file ends in .xlsx but it is not an Excel workbook"),
    "random bytes named .csv": (lambda: b"\xff\xfe\x00\x81" + os.urandom(4096), "staff.csv",
                                "The file is not saved as UTF-8 text"),
    "a truncated workbook": (lambda: xlsx_bytes(staff_rows(50))[:3000], "staff.xlsx",
                             "The workbook is damaged or incomplete"),
    "a CSV renamed .xlsx": (lambda: csv_bytes(staff_rows(3)), "staff.xlsx",
                            "it looks like a CSV or text file. Rename it to end in .csv"),
    "a macro-enabled workbook (.xlsm)": (lambda: xlsx_bytes(staff_rows(3)), "staff.xlsm",
                                         "Macro-enabled workbooks are not accepted"),
    "a workbook containing a VBA project, named .xlsx": (
        lambda: _with_member(xlsx_bytes(staff_rows(3)), "xl/vbaProject.bin", b"\xd0\xcf\x11\xe0macros"),
        "staff.xlsx", "This workbook contains macros, which are not accepted"),
    "an entity expansion in the worksheet": (lambda: handmade_xlsx(GOOD_ROWS, doctype_in="sheet"), "staff.xlsx",
                                             "The workbook contains XML that is not allowed"),
    "an entity expansion in the shared strings": (lambda: handmade_xlsx(GOOD_ROWS, doctype_in="strings"),
                                                  "staff.xlsx", "The workbook contains XML that is not allowed"),
    "an old .xls workbook": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "staff.xls",
                             "This is an old-style Excel file (.xls)"),
    "a password-protected workbook": (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "staff.xlsx",
                                      "password-protected"),
    "a Word document named .xlsx": (lambda: _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
                                    "staff.xlsx", "it is not an Excel workbook (it may be another kind of document)"),
    "a zip that unpacks to 60 MB": (lambda: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>",
                                                  "xl/worksheets/sheet1.xml": b" " * (60 * 1024 * 1024)}),
                                    "staff.xlsx", "The workbook is too large once unpacked"),
    "a text file": (lambda: b"name,email\n", "staff.txt", "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)"),
    "an empty file": (lambda: b"", "staff.csv", "The file is empty"),
    "a file with headings only": (lambda: b"name,email,agency\r\n", "staff.csv",
                                  "The file has column headings but no staff in the rows below them"),
    "a sheet with no email column": (lambda: xlsx_bytes([["Amy", "Test Police"]], headings=["name", "agency"]),
                                     "staff.xlsx", "There is no &#39;email&#39; column"),
    "a sheet with two email columns": (lambda: csv_bytes([["Amy", "a@example.org", "b@example.org"]],
                                                         headings=["name", "email", "E-mail"]),
                                       "staff.csv", "There are two &#39;email&#39; columns (B and C)"),
    "a CSV with an unclosed quotation mark": (lambda: b'name,email,agency\r\n"Amy,amy@example.org,Test Police\r\n',
                                              "staff.csv", "of the CSV file cannot be read"),
    "a CSV saved as UTF-16 text without a byte order mark": (
        lambda: csv_bytes(staff_rows(2), encoding="utf-16-le"), "staff.csv", "it contains binary data"),
    "a workbook named .csv": (lambda: xlsx_bytes(staff_rows(2)), "staff.csv",
                              "The file ends in .csv but it is an Excel workbook"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_each_kind_of_bad_file_gets_a_clear_error_and_writes_nothing(client, coordinator, upload_dir, kind):
    make, filename, message = BAD_FILES[kind]
    started = time.monotonic()
    response = upload(client, make(), filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page, page[page.find("govuk-error-summary"):][:1500]
    assert "<title>Error: Import staff" in page and "govuk-error-summary" in page
    assert time.monotonic() - started < 10
    assert_nothing_written(upload_dir)


def test_a_file_over_the_size_limit_gets_a_clear_413_page(client, coordinator, upload_dir, app):
    assert app.config["MAX_CONTENT_LENGTH"] == 5 * 1024 * 1024
    response = upload(client, b"x" * (5 * 1024 * 1024 + 1), "staff.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is too large" in page and "5 MB" in page
    assert_nothing_written(upload_dir)


def test_the_size_limit_holds_with_csrf_protection_on(client, coordinator, upload_dir, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = upload(client, b"x" * (6 * 1024 * 1024), "staff.csv")
    assert response.status_code == 413 and "The file is too large" in response.get_data(as_text=True)
    assert_nothing_written(upload_dir)


def test_uploading_without_choosing_a_file_asks_for_one(client, coordinator, upload_dir):
    page = client.post("/import-staff", data={}, content_type="multipart/form-data").get_data(as_text=True)
    assert "Select an Excel (.xlsx) or CSV (.csv) file" in page and "<title>Error: Import staff" in page
    assert_nothing_written(upload_dir)


def test_more_rows_than_the_limit_is_refused_with_a_clear_message(client, coordinator, upload_dir, app, monkeypatch):
    assert app.config["STAFF_IMPORT_MAX_ROWS"] == 5000
    monkeypatch.setitem(app.config, "STAFF_IMPORT_MAX_ROWS", 10)
    page = upload(client, xlsx_bytes(staff_rows(11)), "staff.xlsx").get_data(as_text=True)
    assert "The file has more than 10 rows of staff. Blank rows count too" in page
    assert "Split a longer list into files of 10 rows or fewer" in page
    assert_nothing_written(upload_dir)
    assert upload(client, xlsx_bytes(staff_rows(10)), "staff.xlsx").status_code == 302, "ten rows are fine"


@pytest.mark.parametrize("filename, data", [
    ("staff.csv", csv_bytes(staff_rows(3) + [["", "", "", "", ""]] * 20)),
    ("staff.xlsx", million_rows_xlsx(rows=20)),
], ids=["csv", "workbook"])
def test_blank_rows_count_towards_the_row_limit(app, filename, data):
    with pytest.raises(staff_import.ImportFileError, match="more than 10 rows of staff. Blank rows count too"):
        staff_import.parse(filename, data, max_rows=10)


DAMAGED = "The workbook is damaged or incomplete: it may not have finished saving or uploading."
TOO_MUCH = "The workbook has far more in it than a staff list needs, so it was not opened."

# Each within the 5 MB upload limit, each once able to hold a worker for seconds, take
# gigabytes, or make a 500.
HOSTILE_FILES = {
    "the 41 KB workbook of XML nested millions deep": (nested_xml_xlsx, "staff.xlsx",
                                                      "The workbook is too large once unpacked"),
    "the 4.6 MB workbook of a million rows of one empty cell": (million_rows_xlsx, "staff.xlsx",
                                                                "The workbook is too large once unpacked"),
    "rows of one empty cell beyond the row limit": (lambda: million_rows_xlsx(5000), "staff.xlsx",
                                                    "The file has more than 5,000 rows of staff. Blank rows count too"),
    "XML nested a thousand deep in the worksheet": (lambda: nested_xml_xlsx(1000), "staff.xlsx", TOO_MUCH),
    "XML nested a thousand deep in the shared strings": (lambda: nested_xml_xlsx(1000, part=STRINGS), "staff.xlsx",
                                                         TOO_MUCH),
    "more XML elements than a staff list has": (lambda: many_elements_xlsx(limits.MAX_XML_ELEMENTS), "staff.xlsx",
                                                TOO_MUCH),
    "a tag longer than any a workbook writes": (lambda: long_tag_xlsx(limits.MAX_XML_RUN_BYTES + 1), "staff.xlsx",
                                                TOO_MUCH),
    "a sheet that declares a million rows": (lambda: declared_size_xlsx("A1:E1048576"), "staff.xlsx",
                                             "The file has more than 5,000 rows of staff"),
    "a sheet that declares every column": (lambda: declared_size_xlsx("A1:XFD2"), "staff.xlsx",
                                           "The sheet has more than 100 columns, counting blank ones"),
    "a cell in the last column": (lambda: far_cell_xlsx("XFD"), "staff.xlsx",
                                  "Row 3 of the file has more than 100 columns, counting blank ones"),
    "a cell beyond the last column": (lambda: far_cell_xlsx("ZZZZ"), "staff.xlsx",
                                      "The sheet has more than 100 columns"),
    "a compressed stream that is not deflate": (lambda: damaged_xlsx("bad deflate"), "staff.xlsx", DAMAGED),
    "a part whose checksum is wrong": (lambda: damaged_xlsx("bad CRC"), "staff.xlsx", DAMAGED),
    "a part whose compressed stream stops half way": (lambda: damaged_xlsx("truncated member"), "staff.xlsx",
                                                      DAMAGED),
    "a CSV row of a million one-letter columns": (lambda: ("name,email\r\n" + "ā," * 1_500_000).encode(),
                                                  "staff.csv", "Row 2 of the file has more than 100 columns"),
    "a CSV row of 101 columns": (lambda: csv_bytes([["Amy", "amy@example.org"] + [""] * 99],
                                                   headings=["name", "email"] + [f"x{n}" for n in range(98)]),
                                 "staff.csv", "Row 2 of the file has more than 100 columns"),
}


@pytest.mark.parametrize("kind", list(HOSTILE_FILES))
def test_each_hostile_file_is_refused_with_a_clear_error_and_writes_nothing(client, coordinator, upload_dir, kind):
    make, filename, message = HOSTILE_FILES[kind]
    response = upload(client, make(), filename)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page, page[page.find("govuk-error-summary"):][:1500]
    assert "<title>Error: Import staff" in page
    assert_nothing_written(upload_dir)


def test_a_staff_list_of_100_columns_and_as_many_rows_as_allowed_is_read(app):
    headings = ["name", "email", "agency"] + [f"extra {n}" for n in range(97)]
    rows = [[f"Person {n}", f"person{n}@example.org", "Test Police"] + [""] * 97 for n in range(40)]
    assert len(staff_import.parse("staff.csv", csv_bytes(rows, headings=headings), max_rows=40).rows) == 40
    assert len(staff_import.parse("staff.xlsx", xlsx_bytes(staff_rows(5000)), max_rows=5000).rows) == 5000


def test_reading_stops_once_it_has_used_its_processor_time(app, monkeypatch):
    monkeypatch.setattr(limits, "READ_SECONDS", -1)
    for filename, data in (("staff.xlsx", xlsx_bytes(staff_rows(3))), ("staff.csv", csv_bytes(staff_rows(3)))):
        with pytest.raises(staff_import.ImportFileError, match="The file took too long to read"):
            staff_import.parse(filename, data, max_rows=10)


def test_openpyxl_itself_refuses_entity_declarations_because_defusedxml_is_installed():
    """Our own check stops a DOCTYPE before openpyxl opens the file; this proves the second
    line of defence holds on its own: openpyxl, reading the sheet, refuses the entity."""
    assert openpyxl.DEFUSEDXML is True
    data = handmade_xlsx(GOOD_ROWS, doctype_in="sheet")
    with pytest.raises(staff_import.ImportFileError, match="entity declarations"):
        list(openpyxl_rows(data))
    with pytest.raises(Exception) as raised:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        list(workbook.worksheets[0].iter_rows(values_only=True))
    causes = []
    error = raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(c, EntitiesForbidden) for c in causes), causes


def test_a_workbook_with_entity_declarations_in_its_strings_is_refused_by_openpyxl_too():
    data = handmade_xlsx(GOOD_ROWS, doctype_in="strings")
    with pytest.raises(staff_import.ImportFileError, match="entity declarations"):
        list(openpyxl_rows(data))


def test_a_csv_with_a_byte_order_mark_from_excel_is_read(client, coordinator, upload_dir):
    data = b"\xef\xbb\xbf" + csv_bytes([["Zoë Ağca", "zoe@example.org", "", "", "Test Police"]])
    response = upload(client, data, "staff.csv")
    assert response.status_code == 302
    client.post(response.location)
    assert db.session.scalar(select(User.name).where(User.email == "zoe@example.org")) == "Zoë Ağca"


def test_a_csv_saved_in_a_windows_encoding_is_refused_with_how_to_save_it(client, coordinator, upload_dir):
    data = csv_bytes([["Zoë Adams", "zoe@example.org", "", "", "Test Police"]], encoding="cp1252")
    page = upload(client, data, "staff.csv").get_data(as_text=True)
    assert "The file is not saved as UTF-8 text" in page and "CSV UTF-8 (Comma delimited)" in page
    assert_nothing_written(upload_dir)


def test_a_semicolon_separated_csv_is_read(app):
    data = b"name;email;agency\r\nAmy;amy@example.org;Test Police\r\n"
    assert staff_import.parse("staff.csv", data, 10).rows[0].email == "amy@example.org"


def test_control_characters_in_cells_are_removed(app):
    data = csv_bytes([["Amy\x07 \x1bAdams", "amy@example.org", "", "", "Test Police"]])
    assert staff_import.parse("staff.csv", data, 10).rows[0].name == "Amy Adams"


def test_a_hand_made_workbook_with_shared_strings_is_read(app):
    rows = staff_import.parse("staff.xlsx", handmade_xlsx(GOOD_ROWS), 10).rows
    assert [(r.number, r.email) for r in rows] == [(2, "amy@example.org"), (3, "ben@example.org")]
