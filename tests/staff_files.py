"""Builders for staff import files: CSV, real workbooks, and hand-made hostile ones."""
from __future__ import annotations

import csv
import io
import zipfile
from xml.sax.saxutils import escape

import openpyxl

HEADINGS = ["name", "email", "job title", "team", "agency"]


def csv_bytes(rows: list[list[str]], headings: list[str] = HEADINGS, encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(headings)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list], headings: list[str] = HEADINGS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def staff_rows(count: int, agency: str = "Test Police", prefix: str = "person", team: str = "Response",
               job_title: str = "Constable") -> list[list[str]]:
    return [[f"Person {n}", f"{prefix}{n}@example.org", job_title, team, agency] for n in range(1, count + 1)]


_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Staff" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""

# "Billion laughs": ten levels of ten references each expand to 10^9 copies of "lol".
ENTITY_BOMB = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
               + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
               + "]>")


def handmade_xlsx(rows: list[list[str]], doctype_in: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook written by hand, with its strings in sharedStrings.xml as Excel
    writes them. `doctype_in` ("sheet" or "strings") puts ENTITY_BOMB in that part and a
    reference to it in place of the first email address."""
    strings: list[str] = []
    cells = []
    for r, row in enumerate(rows, 1):
        refs = []
        for c, value in enumerate(row):
            strings.append(value)
            refs.append(f'<c r="{chr(65 + c)}{r}" t="s"><v>{len(strings) - 1}</v></c>')
        cells.append(f'<row r="{r}">{"".join(refs)}</row>')
    items = [f"<si><t>{escape(s)}</t></si>" for s in strings]
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             + "".join(cells) + "</sheetData></worksheet>")
    shared = (f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{len(items)}" '
              f'uniqueCount="{len(items)}">' + "".join(items) + "</sst>")
    prolog = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    if doctype_in == "strings":
        shared = prolog + ENTITY_BOMB + shared.replace(escape(rows[1][1]), "&lol9;", 1)
    else:
        shared = prolog + shared
    if doctype_in == "sheet":
        sheet = prolog + ENTITY_BOMB + sheet.replace('<v>0</v>', '<v>0</v></c><c r="Z1" t="inlineStr"><is><t>&lol9;</t></is>', 1)
    else:
        sheet = prolog + sheet
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        archive.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
