"""Workbook exporters. Each is a module with a build(out, ...) function that writes an
.xlsx in openpyxl's write-only mode; the registry names them for the CLI and the views."""
from . import completions_workbook, compliance_workbook

EXPORTERS = {
    "compliance": compliance_workbook,
    "completions": completions_workbook,
}

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
