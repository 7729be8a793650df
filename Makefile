# MS Progress — `make run` serves the dashboard; `make test` runs every check CI runs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
# `make run` listens on this machine only; `make run HOST=0.0.0.0` serves every network interface.
HOST   ?= 127.0.0.1
REPLICAS ?= 2

.PHONY: run test lint typecheck pytest snapshot refresh browser-deps deck-deps proxy-deps clean help bench bench-memory loadtest serve-cluster audit

help:
	@echo "make run       set up .venv and serve the dashboard on the shipped snapshot (PORT=$(PORT), HOST=$(HOST); HOST=0.0.0.0 for the network)"
	@echo "make serve-cluster REPLICAS=n   n app processes behind HAProxy (sticky sessions) on HOST:PORT"
	@echo "make test      set up dev tools + Chromium + LibreOffice + HAProxy, then ruff, mypy and pytest (browser and deck tests included)"
	@echo "make snapshot  rebuild data/snapshots/<new id> from data/raw and make it CURRENT"
	@echo "make bench     time queries and pages on the real snapshot and SYNTHETIC 100x data, judge the targets (bench/results.md)"
	@echo "make bench-memory  peak memory of the build with 0, 100k and 1M SYNTHETIC member rows (bench/results.md)"
	@echo "make loadtest  server capacity (CPU-s per visit, sessions/min, memory; bench/results.md), 2 replicas with one killed, 20 browsers"
	@echo "make audit     pip-audit the installed packages for known vulnerabilities (needs the network)"
	@echo "make refresh   pull ClinicalTrials.gov + NIH RePORTER APIs into data/raw/*_api/<date>/ (resumes), then build"

$(VENV)/.ok:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ needed, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: pyproject.toml $(VENV)/.ok
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.dev-installed: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

# NOTE: --server.port and --server.address override STREAMLIT_SERVER_PORT / _ADDRESS: choose them
# with `make run PORT=8600 HOST=0.0.0.0` (the default listens on this machine only).
run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address $(HOST)

serve-cluster: $(VENV)/.installed proxy-deps
	$(PY) -m msprogress.cluster --replicas $(REPLICAS) --port $(PORT) --host $(HOST)

snapshot: $(VENV)/.installed
	$(PY) -m msprogress.ingest build

REFRESH_ARGS ?=
refresh: $(VENV)/.installed
	$(PY) -m msprogress.refresh $(REFRESH_ARGS)

# Debian's Chromium for the Playwright browser tests (Playwright's own browser download does not work offline).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian chromium for browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null; }

# LibreOffice (Impress), poppler and Liberation Sans (the metrics text is fitted with) for the deck test: it renders the PowerPoint deck to PDF and PNG
# and checks where the words landed (tests/test_deck.py).
deck-deps:
	@{ command -v soffice && command -v pdftotext && command -v pdftoppm && fc-list | grep -q "Liberation Sans"; } >/dev/null 2>&1 || { \
	  echo "installing Debian libreoffice-impress and poppler-utils for the deck test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    libreoffice-impress poppler-utils fonts-liberation >/dev/null; }

# Debian's HAProxy for `make serve-cluster` and its test (sticky sessions, websockets).
proxy-deps:
	@command -v haproxy >/dev/null 2>&1 || test -x /usr/sbin/haproxy || { \
	  echo "installing Debian haproxy for the cluster"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq haproxy >/dev/null; }

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(VENV)/.dev-installed
	$(PY) -m mypy

# The 15 slowest tests are printed at the end (CI output too). No test judges time: timings are
# `make bench` and `make loadtest`. Test files run in TEST_WORKERS processes (pytest-xdist), a
# file's tests in one worker (--dist loadfile: a browser module shares one server and browser);
# much of a browser test is waiting on the browser, so 2 workers fill 2 cores. TEST_WORKERS=0 runs
# everything in this process.
TEST_WORKERS ?= 2
pytest: $(VENV)/.dev-installed browser-deps deck-deps proxy-deps
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=15

test: lint typecheck pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache test-artifacts

# BENCH_ARGS=--with-1000x adds the 1000x scale (about 20 GB while it is generated); --no-browser
# skips the Playwright repaint timing.
BENCH_ARGS ?=
bench: $(VENV)/.dev-installed browser-deps
	$(PY) -m bench.run $(BENCH_ARGS)
	$(PY) -m bench.browser_load

# Server capacity with the server pinned to one core and the load generator to the other
# (bench/capacity.py; figures into bench/results.md), two replicas behind HAProxy with one killed
# midway (bench/cluster_load.py), then 20 browsers x 10 interactions (bench/browser_load.py).
loadtest: $(VENV)/.dev-installed browser-deps proxy-deps
	$(PY) -m bench.capacity
	$(PY) -m bench.cluster_load
	$(PY) -m bench.browser_load

# The real build of a temporary copy of data/raw plus SYNTHETIC member files (never written to
# data/), under /usr/bin/time -v: about 10 minutes on 2 cores.
bench-memory: $(VENV)/.installed
	$(PY) -m bench.member_memory 0 100000 1000000 --write

# Known vulnerabilities in the installed packages (pip-audit, --strict). Needs the network, so it is
# not part of `make test`; when the vulnerability service cannot answer it says why and exits 2.
AUDIT_SERVICE ?= pypi
audit: $(VENV)/.dev-installed
	$(PY) .ci/audit.py --service $(AUDIT_SERVICE)
