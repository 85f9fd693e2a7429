"""Response headers and the per-request CSP nonce."""
from __future__ import annotations

import secrets

from flask import Flask, current_app, g, request

HSTS_SECONDS = 365 * 24 * 3600


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(nonce: str | None) -> str:
    # The one inline script (GOV.UK's js-enabled class) carries the nonce; nothing else
    # inline may run: no inline event handlers, no javascript: URLs, no inline styles.
    script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
    return (
        f"default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "object-src 'none'"
    )


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)

    @app.after_request
    def _headers(response):
        wanted = {
            "Content-Security-Policy": content_security_policy(g.get("csp_nonce")),
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "DENY",  # frame-ancestors for older browsers
            "Cross-Origin-Opener-Policy": "same-origin",
        }
        if request.endpoint != "static":
            # Pages hold personal data: nothing for the back button or a shared computer's
            # cache to show after sign-out.
            wanted["Cache-Control"] = "no-store"
        if current_app.config.get("PRODUCTION"):
            wanted["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}; includeSubDomains"
        # A header the view set itself stays (a certificate has its own policy and caching).
        # One pass over the response's headers: Headers.setdefault searches them three times
        # per name, raising and catching a KeyError for each one missing.
        set_by_view = {name.lower() for name, _value in response.headers}
        response.headers.extend((name, value) for name, value in wanted.items() if name.lower() not in set_by_view)
        return response
