"""Running the partnership's people: agencies and teams (agencies.py), accounts (people.py)
and the staff import (imports.py). One blueprint; every view declares its access rule."""
from flask import Blueprint

bp = Blueprint("admin", __name__)

from . import agencies, imports, people  # noqa: E402,F401  (the modules register their routes on bp)
