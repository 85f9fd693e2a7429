"""Workbook exporters. Each is a module with a build(out, ...) function that writes an
.xlsx in openpyxl's write-only mode; the registry names them for the CLI and the views."""
from learning.compliance import completions_workbook, compliance_workbook
from learning.courses import attendance_sheet, non_attendance
from learning.data_protection import subject_access
from learning.exports.download import XLSX_MIME, send_workbook

EXPORTERS = {
    "compliance": compliance_workbook,
    "completions": completions_workbook,
    "attendance": attendance_sheet,
    "non-attendance": non_attendance,
    "subject-access": subject_access,
}

__all__ = ["EXPORTERS", "XLSX_MIME", "send_workbook"]
