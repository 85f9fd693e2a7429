"""What a refused staff-import upload costs a worker: time and peak memory, file by file.

    .venv/bin/python bench/hostile_uploads.py

Writes each hostile file of tests/test_uploads.py (the issue's 41 KB nested workbook and
4.6 MB million-row workbook, a corrupt deflate stream and the rest) to a temporary folder,
then reads each in a fresh process with learning.people.staff_import.parse, as the upload page
does. Each process reports the wall and processor time of the parse, and its peak resident
memory (VmHWM, reset just before the parse) above its resident memory at that moment. Two
more rows show the dearest files the bounds let through: the most XML elements allowed, and
text up to the unpacked-size limit; and one shows a good 5,000-row list, for scale.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys, time
from pathlib import Path
from learning.people import staff_import

def status(field):
    line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field + ":"))
    return int(line.split()[1]) / 1024

path = Path(sys.argv[1])
data = path.read_bytes()
Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current resident size
before = status("VmRSS")
wall, cpu = time.perf_counter(), time.process_time()
try:
    outcome = f"read {len(staff_import.parse(path.name, data, 5000).rows)} rows"
except staff_import.ImportFileError as exc:
    outcome = str(exc).split(".")[0]
print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu,
                  "peak_mb": status("VmHWM") - before, "outcome": outcome}))
"""


def files() -> dict[str, tuple[str, bytes]]:
    from learning.people.staff_import import limits
    from tests.staff_files import (
        _staff_with,
        csv_bytes,
        many_elements_xlsx,
        staff_rows,
        xlsx_bytes,
    )
    from tests.test_uploads import HOSTILE_FILES

    made = {kind: (filename, make()) for kind, (make, filename, _) in HOSTILE_FILES.items()}
    # Within every bound: as many elements as allowed, then text up to the unpacked limit in
    # cells of the longest run allowed between two tags.
    made["at the element bound (allowed)"] = ("staff.xlsx", many_elements_xlsx(limits.MAX_XML_ELEMENTS - 100))
    cell = b"a" * (limits.MAX_XML_RUN_BYTES - 1024)
    count = limits.MAX_UNPACKED_BYTES // len(cell) - 1
    long_rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>' % (n, n) + cell + b"</t></is></c></row>"
                         for n in range(3, 3 + count))
    made["text up to the unpacked limit (allowed)"] = ("staff.xlsx", _staff_with(rows=long_rows))
    made["a good list of 5,000 staff"] = ("staff.xlsx", xlsx_bytes(staff_rows(5000)))
    made["a good CSV of 5,000 staff"] = ("staff.csv", csv_bytes(staff_rows(5000)))
    return made


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'file':58} {'size':>9} {'wall s':>7} {'cpu s':>6} {'peak MB':>8}  outcome")
        for kind, (filename, data) in files().items():
            path = Path(folder) / filename
            path.write_bytes(data)
            run = subprocess.run([sys.executable, "-c", CHILD, str(path)], cwd=ROOT, capture_output=True, text=True,
                                 check=True)
            result = json.loads(run.stdout.strip().splitlines()[-1])
            print(f"{kind:58} {len(data) / 1024:>7.0f}KB {result['wall']:>7.2f} {result['cpu']:>6.2f} "
                  f"{result['peak_mb']:>8.1f}  {result['outcome'][:60]}")


if __name__ == "__main__":
    main()
