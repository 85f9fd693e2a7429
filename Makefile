# The two commands in README.md: `make run` and `make test`. Each sets up what it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
HOST   ?= 127.0.0.1
PORT   ?= 5000

CHROMIUM_PATH ?= /usr/bin/chromium

.PHONY: setup run lint test test-pg assets serve clean chromium libreoffice

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

# Serve the app with demo data on the embedded SQLite database in instance/, with a job
# queue worker beside it (big workbooks, emails); Ctrl-C stops both.
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@$(FLASK) worker --workers 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The browser tests (tests/browser) drive Debian's Chromium. Installed here when it is
# missing and we are root; otherwise they are skipped, and say why.
chromium:
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium from Debian's packages for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null \
	    || echo "Could not install Chromium: the browser tests will be skipped."; \
	else \
	  echo "No Chromium at $(CHROMIUM_PATH) and not root: the browser tests will be skipped."; \
	  echo "Install it with: sudo apt-get install chromium chromium-driver"; \
	fi

# The rendering test (tests/test_print.py) prints every workbook to PDF with LibreOffice
# headless, reads it with pypdf and saves first pages as PNGs with pdftoppm; Carlito has
# Calibri's widths (openpyxl's default font), so columns print as wide as Excel prints them.
# Installed like Chromium: when missing and we are root; otherwise the test is skipped.
libreoffice:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
	    && fc-list | grep -q Carlito; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing LibreOffice Calc, poppler-utils and Carlito for the rendering test"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito >/dev/null \
	    || echo "Could not install LibreOffice: the rendering test will be skipped."; \
	else \
	  echo "No LibreOffice and not root: the rendering test will be skipped."; \
	  echo "Install it with: sudo apt-get install libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito"; \
	fi

# Lint and types, with the rules chosen in pyproject.toml: ruff over the whole tree
# (learning, tests, bench, tools, migrations), mypy over learning/.
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy learning

# Lint and types first, then the whole suite on SQLite, browser tests included; set
# TEST_DATABASE_URL to run it on PostgreSQL instead.
test: lint chromium libreoffice
	$(BIN)/pytest

# The browser tests serve the app on their own SQLite database whatever TEST_DATABASE_URL
# says, so the PostgreSQL run leaves them out rather than repeat them.
test-pg: setup libreoffice
	TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/pytest -m "not browser"

clean:
	rm -rf $(VENV) node_modules learning/static/dist
