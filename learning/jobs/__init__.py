"""Work that leaves the request: a Huey queue (SQLite in instance/ on one machine, Redis when
JOBS_URL or REDIS_URL is set), the workbooks built as jobs with their progress, and the
worker's periodic clean-up.

- queue.py: the Huey instance, configured from the app; `task` and `periodic` decorators
  that run a function inside the app's context; `flask --app app worker`.
- models.py: the `Job` row (who asked, what, how far, the file).
- service.py: asking for a workbook (one job per person and workbook at a time), running
  it with progress, the figures the progress page shows, and the clean-up rules.
- kinds.py: the workbooks that run as jobs, each with its size, its build and its checks.
- periodic.py: the periodic tasks (clean-up now; add the daily ones there).
- views.py: the progress page, its JSON, the download and Try again.
"""
