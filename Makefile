# Taskpulse — `make run` to serve, `make test` to run the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Third-party browser code, copied from node_modules (package-lock.json) at set-up.
VENDOR := static/vendor/socket.io.min.js static/vendor/marked.esm.js static/vendor/purify.es.js
PYTEST_ARGS ?=

.PHONY: run test test-stock layering migrate setup browser bench bench-smoke bench-redis lint typecheck asyncapi clean

run: setup migrate
	$(VENV)/bin/taskpulse serve

test: setup browser
	$(PY) -m pytest $(PYTEST_ARGS)

# The real-time and scale-out suites on the libraries' stock path: every hook of
# src/taskpulse/internals off (docs/architecture.md, "Library internals").
test-stock: setup
	TASKPULSE_SIO_LIBRARY_HOOKS=false $(PY) -m pytest $(PYTEST_ARGS) tests/web/socket \
	  tests/scaleout tests/agent/test_socket_e2e.py tests/internals/test_hooks.py

# Direction of dependency, library internals fenced, module and function size.
layering: $(STAMP)
	$(PY) -m taskpulse.tools.layering

setup: $(STAMP) $(VENDOR)

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test,postgres,redis]"
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(VENDOR) &: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js static/vendor/socket.io.min.js
	cp node_modules/socket.io-client/dist/socket.io.min.js.map static/vendor/
	cp node_modules/marked/lib/marked.esm.js static/vendor/marked.esm.js
	cp node_modules/dompurify/dist/purify.es.mjs static/vendor/purify.es.js

migrate: $(STAMP)
	$(VENV)/bin/taskpulse migrate

# Debian's Chromium for the browser tests (Playwright's own download is not used).
# Installed when missing and we may (root with apt-get); otherwise those tests skip.
browser:
	@command -v chromium >/dev/null 2>&1 || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null \
	  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "warning: could not install chromium; browser tests will skip"

lint: $(STAMP)
	$(VENV)/bin/flake8 src tests benchmarks

typecheck: $(STAMP)
	$(VENV)/bin/mypy

asyncapi: $(STAMP)
	$(PY) -m taskpulse.tools.asyncapi > docs/asyncapi.yaml

bench: setup
	$(PY) -m benchmarks.run

bench-smoke: setup
	$(PY) -m benchmarks.run --smoke

# What several processes on Redis cost, next to the single-process path (needs Redis).
bench-redis: setup
	$(PY) -m benchmarks.redis_scaleout

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
