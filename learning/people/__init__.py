"""The partnership's people: agencies and teams (agencies.py), accounts (views.py, accounts.py,
invitations.py) and the staff import (imports.py, staff_import/). One blueprint; every view
declares its access rule."""
from flask import Blueprint

bp = Blueprint("people", __name__)

# The view modules register their routes on bp.
from learning.people import agencies, imports, views  # noqa: E402,F401
