"""The real app (app:app) with one fault put in: the compliance workbook fails when it
reaches a person called "Breaks The Export", half-way through reading the staff matrix.
The name goes to openpyxl with a character XML cannot hold, so the failure comes from
inside openpyxl's worksheet writer, as a real bad character once did (the exception stays
referenced from a cycle there, so nothing is freed when the request ends).
tests/test_gunicorn.py serves it to show that an export failing part-way leaves no
transaction open in the worker that ran it. Never part of the app itself."""
import os

from app import app
from learning.compliance import compliance_workbook

BREAKS = "Breaks The Export"
_safe_text = compliance_workbook.safe_text


def _failing_safe_text(value):
    if value == BREAKS:
        return "Breaks \ufffe the export"  # past the real safe_text: lxml refuses it
    return _safe_text(value)


compliance_workbook.safe_text = _failing_safe_text

__all__ = ["app"]


@app.after_request
def _name_the_worker(response):
    """Which worker answered, so a test can tell it has been through every worker."""
    response.headers["X-Worker"] = str(os.getpid())
    return response
