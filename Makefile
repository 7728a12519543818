# Two commands matter: `make run` and `make test`. Both create .venv and install the locked
# dependencies on first use (a stamp file makes the second run fast).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: run test lint format lock browser bench clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m ui.serve --server.port $(PORT)

# The browser tests need Debian's chromium; as root we install it, otherwise say how.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  else echo "Browser tests need Chromium: install the 'chromium' package (or set RIGHTFIT_CHROMIUM)."; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: $(STAMP) browser lint
	$(BIN)/python -m pytest

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | sed '1i # Pinned versions of the app and its test tools: what CI tested. Regenerate with `make lock`.' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
