# `make report` and `make test` each bootstrap .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: report test verify audit clean venv

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/dupitac render --out _output

test: $(STAMP)
	$(BIN)/python -m pytest -q

verify: $(STAMP)
	$(BIN)/dupitac verify

audit: $(STAMP)
	$(BIN)/dupitac audit

clean:
	rm -rf _output .dupitac-cache
