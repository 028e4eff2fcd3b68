# Zhengji: `make run` serves the demo campaign, `make test` runs the whole suite.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgresql://postgres@127.0.0.1:5432/zhengji
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# Two workers for the two cores; `make test PYTEST_ARGS=` runs serially. worksteal: each worker
# starts on its own contiguous half of the suite (module-scoped fixtures are built once, not on both
# workers) and an idle worker takes tests from the end of the other's queue, so a long test near the
# end does not leave one core idle.
PYTEST_ARGS ?= -n 2 --dist worksteal
# Branch coverage of the SQLite pass; the floor is fail_under in pyproject.toml ([tool.coverage.report]).
COV_ARGS ?= --cov=zhengji --cov-branch --cov-report=term:skip-covered
# DEMO_LIVE=1 (default): also load the live copy of the demo campaign, collecting today; 0: only 2025.
DEMO_LIVE ?= 1
DEMO_FLAGS := $(if $(filter 1 yes true,$(DEMO_LIVE)),--live)
APT_PACKAGES := chromium clamav-daemon ffmpeg wrk espeak-ng gettext fonts-noto-cjk libchromaprint-tools libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test setup setup-dev system-deps static messages demo lint bench clean

## Debian packages (ffmpeg, chromium, clamd for the virus-scan tests, espeak-ng, gettext, CJK fonts) where missing; we are root.
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.stamp-runtime: requirements.txt constraints.txt
	test -x $(PYTHON) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-runtime requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt -c constraints.txt
	touch $@

## Front-end packages from the npm registry at pinned versions, copied into our static files.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

zhengji/static/vendor/.stamp: node_modules/.package-lock.json scripts/vendor.sh
	bash scripts/vendor.sh
	touch $@

static: zhengji/static/vendor/.stamp

messages: $(VENV)/.stamp-runtime
	$(PYTHON) scripts/compile_messages.py

setup: system-deps $(VENV)/.stamp-runtime static messages
setup-dev: setup $(VENV)/.stamp-dev

demo: setup
	$(PYTHON) manage.py migrate --no-input
	$(PYTHON) manage.py load_demo $(DEMO_FLAGS)

## Serve the demo campaign at http://127.0.0.1:8000 with the background task worker and the
## scheduler, under scripts/supervise.py: one that dies is restarted alone (with back-off), the
## others keep running; Ctrl-C stops all.
run: demo
	@$(PYTHON) manage.py demo_accounts $(DEMO_FLAGS)
	@echo "Serving http://$(HOST):$(PORT)/ with a task worker (db_worker) and the scheduler; Ctrl-C stops all."
	@$(PYTHON) scripts/supervise.py \
	  "worker=$(PYTHON) manage.py db_worker --queue-name default --no-reload" \
	  "scheduler=$(PYTHON) manage.py scheduler" \
	  "web=$(PYTHON) manage.py runserver $(HOST):$(PORT) --noreload"

## Static checks (ruff, import contracts, mypy), then the whole suite on SQLite with branch coverage
## (report also in var/coverage.txt), then again on PostgreSQL (with Redis) when they are reachable.
test: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy
	$(PYTHON) manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS) $(COV_ARGS)
	@mkdir -p var && $(BIN)/coverage report > var/coverage.txt 2>&1 || true
	@if $(PYTHON) scripts/reachable.py 127.0.0.1 5432; then \
	  echo "== PostgreSQL pass =="; \
	  extra=""; if $(PYTHON) scripts/reachable.py 127.0.0.1 6379; then echo "(with Redis)"; extra="REDIS_URL=$(REDIS_TEST_URL) EXPECT_CACHE=redis"; fi; \
	  env DATABASE_URL=$(PG_URL) EXPECT_DB_VENDOR=postgresql $$extra $(BIN)/pytest $(PYTEST_ARGS) -p no:cacheprovider; \
	else echo "PostgreSQL not reachable: PostgreSQL pass skipped"; fi

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

bench: setup-dev
	$(PYTHON) bench/run.py

clean:
	rm -rf $(VENV) node_modules zhengji/static/vendor var
