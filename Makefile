# Atelier: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
CHROMIUM ?= /usr/bin/chromium
LOCALSTRIPE_PORT ?= 8420
LOCAL_WEBHOOK_SECRET := whsec_atelier_local
RECONCILE_SECONDS ?= 60


.PHONY: run test lint format bench bench-http install chromium migrate seed serve clean

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed

# Without STRIPE_SECRET_KEY, payments go to localstripe (a Stripe test server) started
# here in the background on loopback, with the app's webhook registered. With
# STRIPE_SECRET_KEY set, the app talks to Stripe itself. Either way `orders reconcile`
# runs beside the app every RECONCILE_SECONDS, applying payments whose webhook was lost.
# Both stop with the app.
run: seed
	@if [ -z "$$STRIPE_SECRET_KEY" ]; then \
		$(BIN)/python scripts/localstripe_server.py --port $(LOCALSTRIPE_PORT) \
			--webhook-url http://127.0.0.1:$(PORT)/api/webhooks/stripe \
			--webhook-secret $(LOCAL_WEBHOOK_SECRET) & \
		localstripe_pid=$$!; \
		export STRIPE_SECRET_KEY=sk_test_local STRIPE_PUBLISHABLE_KEY=pk_test_local \
			STRIPE_WEBHOOK_SECRET=$(LOCAL_WEBHOOK_SECRET) \
			STRIPE_API_BASE=http://127.0.0.1:$(LOCALSTRIPE_PORT); \
	fi; \
	$(FLASK) orders reconcile --every $(RECONCILE_SECONDS) & reconcile_pid=$$!; \
	trap 'kill $$reconcile_pid $$localstripe_pid 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

serve: seed
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 wsgi:app

# Debian's Chromium for the browser tests, when we may install it.
chromium:
	@if [ ! -x $(CHROMIUM) ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	fi

test: install chromium
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy configurator
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install
	@if [ -f bench/run.py ]; then \
		$(BIN)/python bench/run.py; \
	else \
		for script in bench/*.py; do \
			[ -e "$$script" ] || continue; \
			echo "== $$script"; $(BIN)/python "$$script" || exit 1; \
		done; \
	fi

# The app under gunicorn with wrk (installed when missing and root): hello, configure,
# cached and cold previews (also run by `make bench`, which runs every bench/*.py).
bench-http: install
	$(BIN)/python bench/http_load.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
