"""Every route declares who may use it, and the declarations hold."""
import re


from learning.access import PUBLIC
from learning.models import Role

from .conftest import sign_in

# Flask's own static file route serves the compiled CSS and JavaScript to anyone.
EXEMPT = {"static"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT:
            continue
        yield rule, getattr(app.view_functions[rule.endpoint], "access_rule", None)


def _url(rule) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "1" if "id" in m.group(1) or "number" in m.group(1) else "x", rule.rule)


def test_every_route_declares_an_access_rule(app):
    missing = [rule.rule for rule, access in _rules(app) if access is None]
    assert missing == [], f"routes with no access rule: {missing}"


def test_every_non_public_route_sends_a_signed_out_visitor_to_sign_in(app, client):
    checked = 0
    for rule, access in _rules(app):
        if access == PUBLIC:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            assert response.status_code == 302 and "/sign-in" in response.location, (rule.rule, method)
            checked += 1
    assert checked > 10


def test_role_routes_refuse_a_lower_role(app, client, people):
    sign_in(client, people.user(role=Role.PRACTITIONER))
    refused = 0
    for rule, access in _rules(app):
        if not access or not access.startswith("role:"):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(_url(rule), method=method)
            assert response.status_code in (403, 404), (rule.rule, method, response.status_code)
            refused += 1
    assert refused >= 2


def test_post_without_a_csrf_token_is_refused(app, client, people):
    sign_in(client, people.user())
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = client.post("/modules/police-protection/start")
        assert response.status_code == 400
        assert client.post("/sign-out").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_pages_send_security_headers(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
