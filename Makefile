# Uitleen: `make run` to try it, `make test` to check it. Needs Python 3.11 or newer.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations messages migrate lint format bench clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Uitleen needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed  ## Create .venv and install the app

install-test: $(VENV)/.installed-test  ## Create .venv and install the app with test tools

translations: $(VENV)/.installed  ## Compile the gettext catalogues
	$(BIN)/pybabel -q compile -d uitleen/translations

# File names but no line numbers in the catalogues: moving code then changes nothing there.
messages: $(VENV)/.installed  ## After changing texts: extract them and update every catalogue
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext --add-location=file \
		--project=uitleen --copyright-holder=Uitleen -o uitleen/translations/messages.pot .
	$(BIN)/pybabel -q update -i uitleen/translations/messages.pot -d uitleen/translations \
		--no-fuzzy-matching --ignore-obsolete
	@echo "Now translate the empty msgstr entries in uitleen/translations/*/LC_MESSAGES/messages.po."

migrate: translations  ## Apply database migrations
	$(BIN)/uitleen db upgrade

# Labels point at UITLEEN_BASE_URL; unless given, it is where this server listens (with
# HOST=0.0.0.0: this machine's address on the local network, so phones there can scan).
run: migrate  ## Migrate, add the demo when empty, serve on HOST:PORT (HOST=0.0.0.0 for phones)
	$(BIN)/uitleen seed-demo --if-empty
	@base_url="$${UITLEEN_BASE_URL:-$$($(BIN)/python -c 'import sys; from uitleen.config import development_base_url; print(development_base_url(*sys.argv[1:]))' '$(HOST)' '$(PORT)')}"; \
	echo "Open $$base_url in your browser. Labels printed now lead there."; \
	UITLEEN_BASE_URL="$$base_url" $(BIN)/uitleen run --host $(HOST) --port $(PORT)

test: install-test translations  ## Run the whole test suite (PostgreSQL too when DATABASE_URL says so)
	$(BIN)/pytest

lint: install-test  ## ruff lint and format check, and the layer order of the packages
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo

format: install-test  ## Format the code
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install-test translations  ## Run every benchmark and print one table
	$(BIN)/python bench/run

clean:  ## Remove the virtualenv and caches
	rm -rf $(VENV) .pytest_cache .ruff_cache
