"""GET /health: a liveness check for load balancers and the throughput benchmark.

It answers "ok" from the running app without touching the database, a template or the
session, so it measures (and monitors) the web stack itself: gunicorn, Flask, the app's
request hooks and headers. bench/throughput.py compares the learner's pages with it.
"""
from __future__ import annotations

from flask import Blueprint

from learning.access import public
from learning.extensions import limiter

bp = Blueprint("health", __name__)


@bp.get("/health")
@limiter.exempt  # nothing to throttle: it reads nothing and changes nothing
@public
def health():
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8"}
