"""Absolute links to the service, built from BASE_URL.

Certificates are printed and carried away, and emails are read outside the service, so
their links use the configured public address rather than whatever host a request came
in on. Works with or without a request (the CLI has none)."""
from __future__ import annotations

from flask import current_app


def absolute_url(endpoint: str, **values) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path
