# Two commands: `make run` serves the site, `make test` runs the whole suite.
# Both set up everything they need first (virtualenv, packages, database).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The address in mail links and the one origin websockets accept.
SITE_URL ?= http://$(HOST):$(PORT)
# Two workers (the machines have two cores), and the 20 slowest tests named
# (CI keeps an eye on its time); PYTEST_ARGS= runs serially. Work stealing:
# with xdist's default (load) the browser tests, last in the order, were
# handed out in big chunks, and one worker ran its chunk alone for minutes
# while the other had nothing left; an idle worker now takes half of the
# other's queue.
PYTEST_ARGS ?= -n 2 --dist worksteal --durations=20

.PHONY: run test lint format setup migrate messages clean browser-deps upgrade gallery

# Python >= 3.12: pyenv's .python-version first, then python3.13, python3.12,
# then whatever python3 is, each only if it really is >= 3.12.
PYTHON := $(shell for c in "$$(pyenv which python 2>/dev/null)" python3.13 python3.12 python3; do \
	[ -n "$$c" ] && command -v "$$c" >/dev/null 2>&1 && \
	"$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo "$$c"; break; }; \
	done)

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "Moim needs Python 3.12 or newer (python3.13 or python3.12 on PATH)." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)

# Exactly the locked versions, every file checked against its hash; the
# project itself runs from this folder and is not installed.
$(STAMP): requirements-dev.lock | $(PY)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

run: migrate
	$(PY) manage.py seed_demo
	@echo "Moim: http://$(HOST):$(PORT)/  (Ctrl-C stops the server and the task worker)"
	@SITE_URL=$(SITE_URL) $(PY) manage.py serve --host $(HOST) --port $(PORT)

# The browser tests drive Debian's Chromium; without a CJK font every Hangul
# glyph in their screenshots is an empty box. Installed only when missing,
# and only as root: anyone else is told what to install.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || \
		{ command -v fc-list >/dev/null 2>&1 && [ -z "$$(fc-list :lang=ko family)" ]; }; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Chromium and Korean fonts for the browser tests..."; \
			apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; \
		else \
			echo "The browser tests need Chromium and Korean fonts, which are missing." >&2; \
			echo "Install them as root: apt-get install chromium fonts-noto-cjk" >&2; \
			exit 1; \
		fi; \
	fi

test: setup browser-deps
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# Every page of the demo in ko and en, 390 and 1280 px wide, signed out and
# as each kind of member, into gallery/ with an index.html (not run by CI).
gallery: migrate browser-deps
	$(PY) manage.py gallery --out gallery

# Re-resolves both locks to the newest releases that pyproject.toml's ranges
# allow, shows what moved, installs them and runs the whole suite on them.
LOCK_FLAGS := --universal --python-version 3.12 --generate-hashes --quiet \
	--custom-compile-command "make upgrade"
upgrade: setup
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra s3 $(LOCK_FLAGS) --upgrade \
		-o requirements-dev.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra s3 $(LOCK_FLAGS) --upgrade \
		-c requirements-dev.lock -o requirements.lock
	@echo "Moved:"; git diff -U0 -- requirements-dev.lock | grep -E '^[-+][a-z0-9]' \
		| sed 's/ *\\$$//' | grep . || echo "  nothing"
	$(MAKE) test

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Needs GNU gettext (a translator's tool); the compiled .mo files are committed
# so that `make run` needs nothing beyond Python.
messages: setup
	$(PY) manage.py makemessages -l ko -l en --no-obsolete --ignore=.venv --ignore=tests \
		--ignore=staticfiles --ignore=test-artifacts
	$(PY) manage.py makemessages -d djangojs -l ko -l en --no-obsolete --ignore=.venv \
		--ignore=staticfiles --ignore=test-artifacts --ignore=static/vendor
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
