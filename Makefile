# Two commands work on a fresh machine: `make test` and `make serve` (set-up included).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup build test serve bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

build: $(STAMP)
	$(BIN)/apg build

dist/manifest.json: $(STAMP)
	$(BIN)/apg build

test: $(STAMP)
	$(BIN)/python -m pytest

serve: dist/manifest.json
	$(BIN)/apg serve

bench: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run

clean:
	rm -rf dist
