"""The smallest Flask app, served by a second gunicorn with the same settings as the real
one. bench/throughput.py prints it as a reference row beside the app's own /health (the
goal's baseline), so the cost of the app's request hooks over Flask itself is visible."""
from flask import Flask

app = Flask(__name__)


@app.get("/bare")
def bare():
    return "ok"
