# The two commands in README.md: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

.PHONY: setup run test test-pg assets serve clean

setup: $(VENV)/.installed learning/static/dist/app.css

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

learning/static/dist/app.css: node_modules/.package-lock.json learning/assets/app.scss learning/assets/build.mjs learning/assets/init.mjs
	npm run --silent build

assets: node_modules/.package-lock.json
	npm run --silent build

# Serve the app with demo data on the embedded SQLite database in instance/.
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite; set TEST_DATABASE_URL to run it on PostgreSQL instead.
test: setup
	$(BIN)/pytest

test-pg: setup
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules learning/static/dist
