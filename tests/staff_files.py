"""Builders for staff import files: CSV, real workbooks, and hand-made hostile ones."""
from __future__ import annotations

import csv
import io
import struct
import zipfile
import zlib
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


def workbook_parts(rows: list[list[str]], doctype_in: str | None = None) -> dict[str, bytes]:
    """The parts of a minimal workbook written by hand, with its strings in sharedStrings.xml
    as Excel writes them. `doctype_in` ("sheet" or "strings") puts ENTITY_BOMB in that part
    and a reference to it in place of the first email address."""
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
    return {"[Content_Types].xml": _CONTENT_TYPES.encode(), "_rels/.rels": _RELS.encode(),
            "xl/workbook.xml": _WORKBOOK.encode(), "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS.encode(),
            "xl/worksheets/sheet1.xml": sheet.encode(), "xl/sharedStrings.xml": shared.encode()}


def handmade_xlsx(rows: list[list[str]], doctype_in: str | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A workbook of `workbook_parts` (see there), plus any `extra` parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**workbook_parts(rows, doctype_in), **(extra or {})}.items():
            archive.writestr(name, data)
    return buffer.getvalue()


# --- hostile workbooks: each within the upload size limit, each once a worker's undoing ----

STAFF = [["name", "email", "agency"], ["Amy Adams", "amy@example.org", "Test Police"]]
SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"


def _staff_with(first: bytes = b"", rows: bytes = b"", part: str = SHEET) -> bytes:
    """The STAFF workbook with `first` written just inside the root element of `part` and
    `rows` after the staff rows of the sheet."""
    parts = workbook_parts(STAFF)
    data = parts[part]
    at = data.index(b">", data.index(b"<worksheet" if part == SHEET else b"<sst")) + 1
    parts[part] = data[:at] + first + data[at:]
    parts[SHEET] = parts[SHEET].replace(b"</sheetData>", rows + b"</sheetData>")
    return raw_zip({name: deflated(data) for name, data in parts.items()})


def nested_xml_xlsx(depth: int = 5_500_000, part: str = SHEET) -> bytes:
    """Elements nested `depth` deep. The default is the issue's 41 KB workbook that
    unpacks to 38 MB of `<x><x><x>...`."""
    return _staff_with(b"<x>" * depth + b"</x>" * depth, part=part)


def million_rows_xlsx(rows: int = 1_000_000) -> bytes:
    """The STAFF rows, then `rows` more rows of one empty cell each: by default the issue's
    4.6 MB workbook."""
    first = len(STAFF) + 1
    return _staff_with(rows=b"".join(b'<row r="%d"><c r="A%d"/></row>' % (n, n) for n in range(first, first + rows)))


def many_elements_xlsx(elements: int) -> bytes:
    """`elements` empty elements side by side in the sheet."""
    return _staff_with(b"<x/>" * elements)


def long_tag_xlsx(length: int) -> bytes:
    """One tag `length` bytes long in the sheet."""
    return _staff_with(b'<x a="' + b"a" * length + b'"/>')


def declared_size_xlsx(ref: str) -> bytes:
    """The STAFF workbook saying its sheet spans `ref` (like "A1:E5001")."""
    return _staff_with(f'<dimension ref="{ref}"/>'.encode())


def far_cell_xlsx(column: str) -> bytes:
    """A third row with a cell in `column` and nothing else."""
    return _staff_with(rows=f'<row r="3"><c r="{column}3" t="inlineStr"><is><t>far</t></is></c></row>'.encode())


def damaged_xlsx(how: str) -> bytes:
    """The STAFF workbook with its worksheet damaged `how`: "bad deflate" (a compressed
    block of a type that does not exist), "bad CRC" or "truncated member" (the
    compressed stream cut in half, the zip around it intact)."""
    members = {name: deflated(data) for name, data in workbook_parts(STAFF).items()}
    packed, crc, size = members[SHEET]
    if how == "bad deflate":
        packed = bytes([packed[0] | 0b110]) + packed[1:]  # block type 3 is reserved
    elif how == "bad CRC":
        crc ^= 1
    elif how == "truncated member":
        packed = packed[: len(packed) // 2]
    members[SHEET] = (packed, crc, size)
    return raw_zip(members)


def deflated(data: bytes) -> tuple[bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(), zlib.crc32(data), len(data)


def raw_zip(members: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip written byte by byte from each member's deflated bytes, CRC and unpacked size,
    so that a test can make any of them wrong."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, (packed, crc, size) in members.items():
        encoded = name.encode()
        offset = out.tell()
        fields = struct.pack("<HHHHHIII", 20, 0, 8, 0, 0x21, crc, len(packed), size)
        out.write(b"PK\x03\x04" + fields + struct.pack("<HH", len(encoded), 0) + encoded + packed)
        directory.write(b"PK\x01\x02" + struct.pack("<H", 20) + fields
                        + struct.pack("<HHHHHII", len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start, length = out.tell(), directory.tell()
    out.write(directory.getvalue())
    out.write(b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, len(members), len(members), length, start, 0))
    return out.getvalue()
