"""GET /health: a liveness check that answers without a session, the database or a template."""
from tests.conftest import sign_in


def test_health_answers_ok_to_anyone_without_touching_the_database(client, count_queries):
    with count_queries() as n:
        response = client.get("/health")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response.mimetype == "text/plain"
    assert n() == 0


def test_health_does_not_load_a_signed_in_person(client, people, count_queries):
    sign_in(client, people.user())
    with count_queries() as n:
        response = client.get("/health")
    assert (response.status_code, response.text, n()) == (200, "ok", 0)
    # The security headers still apply.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
