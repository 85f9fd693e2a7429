"""The live server's log is watched: a traceback in it fails the browser tests."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request

from flask import Flask
from werkzeug.serving import make_server

from tests.server_log import TracebackCatcher


def test_an_error_in_a_served_view_is_caught_with_its_traceback():
    app = Flask("broken")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/boom")
    def boom():
        raise ValueError("embedded null byte")

    @app.route("/fine")
    def fine():
        return "ok"

    catcher = TracebackCatcher().attach(app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        assert urllib.request.urlopen(f"{base}/fine").read() == b"ok"
        assert catcher.take() == []
        try:
            urllib.request.urlopen(f"{base}/boom")
        except urllib.error.HTTPError as error:
            assert error.code == 500
        caught = catcher.take()
        assert len(caught) == 1 and "Traceback" in caught[0] and "embedded null byte" in caught[0]
        assert catcher.take() == [], "taken once"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        catcher.detach(app)
