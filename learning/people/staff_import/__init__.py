"""Staff import from an .xlsx or .csv file: read -> check -> preview -> apply.

- reading.parse turns the uploaded bytes into `SourceRow`s, refusing anything that is not
  a plain workbook or UTF-8 CSV with a message a coordinator can act on (`ImportFileError`).
  Workbooks are read by workbook.py: bounds.py reads every XML part once, within the
  bounds of limits.py, before openpyxl opens the file (read-only, values-only, with
  defusedxml installed).
- checking.validate checks every row against the database and the importer's scope and
  says what will happen to each (`Preview`). It writes nothing.
- applying.apply makes every change of a preview without errors in one transaction.
- Between preview and confirm the parsed rows wait server-side (uploads.save_upload), owned
  by the uploader, for an hour at most; the confirm step validates them again.

The web pages (learning/people/imports.py) and `flask import-staff` (learning/cli.py) are
thin wrappers around the names exported here.
"""
from learning.people.staff_import.applying import ImportResult, apply
from learning.people.staff_import.checking import MAX_TEXT, Action, Importer, Preview, PreviewRow, validate
from learning.people.staff_import.reading import parse
from learning.people.staff_import.rows import ImportFileError, ParsedFile, SourceRow
from learning.people.staff_import.uploads import StoredUpload, UploadExpired, discard_upload, load_upload, save_upload, sweep_uploads

__all__ = [
    "MAX_TEXT", "Action", "ImportFileError", "ImportResult", "Importer", "ParsedFile", "Preview", "PreviewRow",
    "SourceRow", "StoredUpload", "UploadExpired", "apply", "discard_upload", "load_upload", "parse", "save_upload",
    "sweep_uploads", "validate",
]
