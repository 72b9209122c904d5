# ckanext-publicservices — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: browser-tools config-reference install demo test test-project test-search-conformance bench lint format clean

install: $(STAMP)

# Re-installs when setup.py (the one place dependencies are pinned) changes.
$(STAMP): setup.py
	@$(PYTHON) devstack/check_build_env.py
	@echo "==> creating $(VENV) and installing the suite with its dependencies (a few minutes the first time)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --progress-bar off -q --upgrade pip setuptools wheel
	@$(PY) -m pip install --progress-bar off -e ".[dev]"
	@touch $(STAMP)

demo: install
	@$(PY) -m devstack demo --port $(PORT)

# Chromium (Debian) and axe-core (npm, git-ignored) for the browser tests, unless they are skipped.
browser-tools: install
	@if [ "$$PUBLICSERVICES_SKIP_BROWSER" != "1" ]; then $(PY) -m devstack.browser; fi

# The whole suite: the project's tests, then CKAN's own search tests against the search service.
test: browser-tools
	@$(PY) -m devstack test --suite all

test-project: browser-tools
	@$(PY) -m devstack test --suite project $(ARGS)

test-search-conformance: install
	@$(PY) -m devstack test --suite conformance

bench: install
	@$(PY) -m bench

lint: install
	@$(VENV)/bin/ruff check ckanext devstack tests bench setup.py
	@$(VENV)/bin/ruff format --check ckanext devstack tests bench setup.py

format: install
	@$(VENV)/bin/ruff format ckanext devstack tests bench setup.py

clean:
	rm -rf .devstack build dist *.egg-info

# README's configuration reference, regenerated from config_declaration.yaml
config-reference: install
	@$(PY) -m devstack.config_reference
