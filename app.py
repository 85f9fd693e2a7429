"""Entry point: `flask --app app run`, `gunicorn app:app`."""
import sys

from learning import create_app

# The app refuses to start on invalid content, except for `flask content ...`, which
# must start in order to report what is wrong.
app = create_app(strict_content="content" not in sys.argv[1:])
