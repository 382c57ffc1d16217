# Two commands matter: `make run` (set up and run everything) and `make test` (set up and run
# every test). Everything else here is what they depend on.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EDITOR_SOURCES := $(shell find static/editor -type f 2>/dev/null)

.PHONY: run test setup browser lint format bench clean

run: setup
	$(BIN)/python manage.py serve

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: $(VENV)/.installed node_modules/.installed static/dist/editor.js

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/editor.js: node_modules/.installed vite.config.js $(EDITOR_SOURCES)
	npm run build --silent

# The browser tests drive Debian's Chromium (Playwright's own download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: setup browser
	$(BIN)/python tests/benchmarks/bench_engine.py
	$(BIN)/python tests/benchmarks/bench_api.py
	$(BIN)/python tests/benchmarks/bench_designer.py

clean:
	rm -rf $(VENV) node_modules static/dist var
