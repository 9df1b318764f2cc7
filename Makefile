# Two commands work on a fresh machine: `make test` and `make serve` (set-up included).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The query page's browser assets (YASGUI), pinned in package.json / package-lock.json, served by the server.
UI := node_modules/@zazuko/yasgui/build/yasgui.min.js

.PHONY: setup build test serve bench clean

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

setup: $(STAMP) $(UI)

build: $(STAMP)
	$(BIN)/apg build

dist/manifest.json: $(STAMP)
	$(BIN)/apg build

test: $(STAMP) $(UI)
	$(BIN)/python -m pytest

serve: dist/manifest.json $(UI)
	$(BIN)/apg serve

# wrk (Debian) keeps the load generator light; without it bench falls back to a Python one.
bench: $(STAMP)
	command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk; } || true
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.run --no-build --unique --out bench/results-unique.md
	$(BIN)/python -m bench.run --no-build --floor && $(BIN)/python -m bench.slow

clean:
	rm -rf dist
