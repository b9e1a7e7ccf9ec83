# One-command set-up: `make demo` and `make test` work from a fresh clone on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := .ci/constraints.txt
STATIC := src/torchloupe/serve/static/index.html
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_PROGRESS_BAR := off

.PHONY: all setup demo test test-fast web types lock bench system clean

all: setup

# System packages the tests need: Chromium (browser tests) and PostgreSQL (team store).
system:
	@need=(); [ -x /usr/bin/chromium ] || need+=(chromium); \
	if [ $${#need[@]} -gt 0 ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q >/dev/null && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$${need[@]}" >/dev/null; \
	  else echo "Missing system packages: $${need[*]} (install with: sudo apt-get install $${need[*]})"; fi; fi

# torch first, from the pinned CPU build, so that no dependency pulls a CUDA build.
$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.torch: $(BIN)/python
	$(BIN)/pip install -q -c $(CONSTRAINTS) torch==2.13.0
	@touch $@

$(VENV)/.installed: $(VENV)/.torch pyproject.toml $(CONSTRAINTS)
	$(BIN)/pip install -q -c $(CONSTRAINTS) -e ".[dev]"
	$(BIN)/python -c 'import torch; assert torch.version.cuda is None, ("a CUDA torch crept in", torch.__version__)'
	@touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error

SCHEMA := web/src/generated/openapi.json

# The API's schema, written by the server's code: the page's TypeScript types are generated from it.
$(SCHEMA): $(VENV)/.installed $(shell find src/torchloupe -name '*.py' -not -path '*/static/*' 2>/dev/null)
	@mkdir -p $(@D)
	$(BIN)/python -m torchloupe.serve.openapi $@

$(STATIC): web/node_modules/.package-lock.json $(SCHEMA) $(shell find web/src web/index.html web/vite.config.ts -type f -not -path 'web/src/generated/*' 2>/dev/null)
	cd web && npm run build --silent

web: $(STATIC)

# The page's API types, regenerated from the server's code, and the page type-checked against them.
types: $(SCHEMA) web/node_modules/.package-lock.json
	cd web && npm run typecheck --silent

setup: $(VENV)/.installed web

demo: setup
	$(BIN)/torchloupe demo

test: system setup
	cd web && npm test --silent
	$(BIN)/python -m pytest -q -ra --durations=10

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow and not browser"

bench: setup
	$(BIN)/python benchmarks/log_overhead.py

# Regenerate the full lock of Python dependencies in a scratch environment (takes minutes).
lock:
	d=$$(mktemp -d) && $(PY) -m venv $$d/env && \
	$$d/env/bin/pip install -q torch==2.13.0 && \
	$$d/env/bin/pip install -q -c <(echo torch==2.13.0) -e ".[dev]" && \
	$$d/env/bin/pip freeze --exclude-editable | grep -vi '^torchloupe' | \
	  sed 's/^torch==2.13.0+cpu$$/torch==2.13.0/' > $(CONSTRAINTS) && rm -rf $$d

clean:
	rm -rf $(VENV) web/node_modules src/torchloupe/serve/static
