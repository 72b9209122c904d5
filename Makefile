# ckanext-publicservices — the two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 5000
STAMP := $(VENV)/.installed
# The exact versions installed (setup.py keeps ranges); CKAN's own version is taken from it.
CONSTRAINTS ?= constraints/ckan-2.12.txt
CKAN_PIN = $(shell sed -n 's/^ckan==//p' $(CONSTRAINTS))

.PHONY: screenshots fuzz browser-tools rdf-tools config-reference constraints install install-matrix demo test test-project test-matrix test-search-conformance bench lint format clean

install: $(STAMP)

# Re-installs when setup.py (ranges) or the constraints (exact versions) change. CKAN is installed
# first and explicitly, as a portal has it: the suite's metadata does not require CKAN.
$(STAMP): setup.py $(CONSTRAINTS)
	@$(PYTHON) devstack/check_build_env.py
	@test -n "$(CKAN_PIN)" || { echo "no ckan==VERSION line in $(CONSTRAINTS)" >&2; exit 1; }
	@echo "==> creating $(VENV) with CKAN $(CKAN_PIN) and the suite (a few minutes the first time)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install --progress-bar off -q --upgrade pip setuptools wheel
	@$(PY) -m pip install --progress-bar off -c $(CONSTRAINTS) "ckan[requirements]==$(CKAN_PIN)"
	@# the editable install writes the egg-info into the checkout: one venv at a time
	@mkdir -p .devstack && flock .devstack/editable-install.lock \
		$(PY) -m pip install --progress-bar off -c $(CONSTRAINTS) -e ".[dev]"
	@touch $(STAMP)

# Rewrites the constraints from what the venv holds (after a deliberate upgrade of a dependency).
constraints: install
	@{ sed -n '/^#/p' $(CONSTRAINTS); $(PY) -m pip freeze --exclude-editable | grep -v '^#'; } \
		> $(CONSTRAINTS).new && mv $(CONSTRAINTS).new $(CONSTRAINTS)

demo: install
	@$(PY) -m devstack demo --port $(PORT)

# Chromium (Debian) and axe-core (npm, git-ignored) for the browser tests, unless they are skipped.
browser-tools: install
	@if [ "$$PUBLICSERVICES_SKIP_BROWSER" != "1" ]; then $(PY) -m devstack.browser; fi

# rapper and serdi (Debian), the DCAT tests' independent RDF parsers: installed when missing.
rdf-tools: install
	@$(PY) -m devstack.rdftools

# The new-dataset form's pages at 1280 and 375 px, written to docs/screenshots/ (the README shows
# them), by the browser test that checks each page.
screenshots: browser-tools rdf-tools
	@PUBLICSERVICES_DOCS_SCREENSHOTS=1 $(PY) -m devstack test --suite project \
		tests/browser/test_form_pages.py -q -k with_a_mistake $(ARGS)

# The whole suite: the project's tests, then CKAN's own search tests against the search service.
test: browser-tools rdf-tools
	@$(PY) -m devstack test --suite all

test-project: browser-tools rdf-tools
	@$(PY) -m devstack test --suite project $(ARGS)

# Hostile payloads over HTTP to every action the suite adds or chains (tests/boundary/test_fuzz.py):
# FUZZ_EXAMPLES of them (default 10,500) with a random seed it prints; FUZZ_SEED=n replays a run.
fuzz: browser-tools rdf-tools
	@FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-10500} FUZZ_MIN=$${FUZZ_MIN:-10000} \
		$(PY) -m devstack test --suite project tests/boundary/test_fuzz.py -q -s $(ARGS)

# The project's suite on CKAN 2.11, the other supported version: its own venv from its constraints,
# stamp-cached like install. CKAN's own search tests (the conformance run) stay with `make test`.
# Left out here, each for a reason: test_distribution (it installs the built wheel into stock
# CKAN 2.11 and 2.12 venvs itself, so `make test` covers both versions), and most of the fuzz
# payloads: the input boundary they probe is the suite's own code, the same on both versions,
# and gets its 2,100 in `make test`; here MATRIX_FUZZ_EXAMPLES of them (fixed seed) check that
# 2.11's core answers them the same way.
MATRIX_VENV ?= .venv-2.11
MATRIX_CONSTRAINTS ?= constraints/ckan-2.11.txt
MATRIX_FUZZ_EXAMPLES ?= 600
MATRIX_ARGS ?= --deselect tests/foundation/test_distribution.py
install-matrix:
	@$(MAKE) --no-print-directory VENV=$(MATRIX_VENV) CONSTRAINTS=$(MATRIX_CONSTRAINTS) install

test-matrix:
	@$(MAKE) --no-print-directory VENV=$(MATRIX_VENV) CONSTRAINTS=$(MATRIX_CONSTRAINTS) \
		browser-tools rdf-tools
	@FUZZ_EXAMPLES=$(MATRIX_FUZZ_EXAMPLES) FUZZ_MIN=$$(( $(MATRIX_FUZZ_EXAMPLES) * 9 / 10 )) \
		FUZZ_SEED=211 $(MATRIX_VENV)/bin/python -m devstack test --suite project \
		$(MATRIX_ARGS) $(ARGS)

test-search-conformance: install
	@$(PY) -m devstack test --suite conformance

bench: install
	@$(PY) -m bench

lint: install
	@$(VENV)/bin/ruff check ckanext devstack tests bench setup.py
	@$(VENV)/bin/ruff format --check ckanext devstack tests bench setup.py
	@$(VENV)/bin/mypy

format: install
	@$(VENV)/bin/ruff format ckanext devstack tests bench setup.py

clean:
	rm -rf .devstack build dist *.egg-info

# The suite's translatable strings (Python, templates, JS, scheming labels; see babel.cfg).
.PHONY: i18n
POT := ckanext/publicservices/i18n/ckanext-publicservices.pot
i18n: install
	@$(PY) -m babel.messages.frontend -q extract -F babel.cfg -k _ -k N_ -k gettext \
		-k ngettext:1,2 -c TRANSLATORS: --sort-by-file --project ckanext-publicservices \
		--version "$$($(PY) setup.py --version 2>/dev/null)" -o $(POT) .

# README's configuration reference, regenerated from config_declaration.yaml
config-reference: install
	@$(PY) -m devstack.config_reference
