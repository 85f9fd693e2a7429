"""Response headers and the per-request CSP nonce."""
from __future__ import annotations

import secrets

from flask import Flask, g


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)

    @app.after_request
    def _headers(response):
        # The one inline script (GOV.UK's js-enabled class) carries the nonce; nothing else
        # inline may run.
        nonce = g.get("csp_nonce", "")
        script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        response.headers.setdefault(
            "Content-Security-Policy",
            f"default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response
