# The two commands a newcomer needs: `make test` and (later) `make demo`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test install bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/score_corpus.py tests/data/corpus/dev
	$(BIN)/python bench/parse_speed.py tests/data/corpus/dev

clean:
	rm -rf $(VENV) build *.egg-info

.PHONY: demo
# Fresh demo database (var/demo.sqlite3), demo logins printed, served on 127.0.0.1:8000.
demo: $(STAMP)
	$(BIN)/dieuhanh demo

.PHONY: messages
# Refresh the Vietnamese (source) and English catalogues and compile them.
messages: $(STAMP)
	$(BIN)/python scripts/i18n.py
