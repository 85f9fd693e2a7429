"""The smallest Flask app, served by the same gunicorn settings as the real one, so
bench/throughput.py can say how much of a request's cost is the app's own work."""
from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    return "ok"
