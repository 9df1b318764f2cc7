# Two commands work on a fresh machine: `make test` and `make serve` (set-up included), also started together.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The query page's browser assets (YASGUI), pinned in package.json / package-lock.json, served by the server.
UI := node_modules/@zazuko/yasgui/build/yasgui.min.js
# Comunica, the SPARQL engine the Triple Pattern Fragments test drives (tests/comunica/, its own npm package).
COMUNICA := tests/comunica/node_modules/@comunica/query-sparql-file/package.json

# The set-up (venv, pip install, npm ci, the build) runs under one lock (flock, util-linux), so `make serve` and
# `make test` started at the same moment in a fresh clone do not both create the venv or both run npm ci: the
# second waits, and its inner make then finds the set-up done. Without flock the set-up runs unlocked.
LOCK := .setup.lock
FLOCK := $(if $(shell command -v flock 2>/dev/null),flock $(LOCK))
LOCKED = $(FLOCK) $(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST))
# jemalloc (Debian: libjemalloc2) for apg serve's query processes (server/allocator.py), installed when root.
JEMALLOC := ldconfig -p 2>/dev/null | grep -q "libjemalloc.so.2 " || { [ "$$(id -u)" = 0 ] && { apt-get install \
  -y -qq libjemalloc2 || { apt-get update -qq && apt-get install -y -qq libjemalloc2; }; } >/dev/null 2>&1; } || true
QUICK := not browser and not slow and not fuzz and not apache and not comunica and not engine and not replica

.PHONY: setup build test quick lint serve bench bench-build clean _build

# ---------------------------------------------------------------- commands (each takes the lock for its set-up)
setup:
	@$(LOCKED) $(STAMP) $(UI) $(COMUNICA)

build:
	@$(LOCKED) _build

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# The quick loop: lint, then everything but the browser, slow (wheel install), fuzz and apache groups.
quick: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -m "$(QUICK)"

lint: setup
	$(BIN)/ruff check .

serve: setup
	@$(LOCKED) dist/manifest.json
	@$(JEMALLOC)
	$(BIN)/apg serve

# wrk (Debian) keeps the load generator light; without it bench falls back to a Python one.
bench: setup
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk; } || true
	@$(JEMALLOC)
	$(FLOCK) $(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.run --no-build --unique --system-allocator --out bench/results-unique.md
	$(BIN)/python -m bench.run --no-build --floor --out bench/results-floor.md
	$(BIN)/python -m bench.slow

# The build at 1×, 10×, 100× the real graph (bench/results-build.md; bench/README.md for 500× and 1000×).
bench-build: setup
	$(BIN)/python -m bench.build --sizes 1,10,100 --out bench/results-build.md

clean:
	rm -rf dist

# ---------------------------------------------------------------- set-up steps (run by the commands, locked)
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

$(UI): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --ignore-scripts && touch $@; \
	else \
		echo "npm not found: /sparql will offer a plain query form instead of YASGUI (install Node.js and npm)" >&2; \
	fi

$(COMUNICA): tests/comunica/package.json tests/comunica/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd tests/comunica && npm ci --no-audit --no-fund --ignore-scripts && touch $(CURDIR)/$@; \
	else \
		echo "npm not found: the Comunica test (tests/server/test_fragments_comunica.py) will skip" >&2; \
	fi

dist/manifest.json: $(STAMP)
	$(BIN)/apg build

_build: $(STAMP)
	$(BIN)/apg build
