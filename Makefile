# Two commands: `make run` starts the app, `make test` runs the whole suite (`make lint` is the lint and type gate
# that CI runs first).
# Both create .venv on first use with the first Python 3.11+ that actually runs
# (a pyenv shim for a missing version fails the check and is skipped).

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install --quiet --disable-pip-version-check
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11 python; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
PORT ?= 8501

.PHONY: run test lint bench build-data clean

$(PY):
	@test -n "$(PYTHON)" || { echo "error: Python 3.11 or newer is needed (python3 --version)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt pyproject.toml | $(PY)
	$(PIP) -r requirements.txt
	$(PIP) --no-deps --editable .
	@touch $@

$(VENV)/.test: $(VENV)/.runtime requirements-test.txt requirements-build.txt
	$(PIP) -r requirements-test.txt
	@touch $@

# ruff and mypy from the package's `lint` extra (pyproject.toml), into the same venv
$(VENV)/.lint: $(VENV)/.runtime pyproject.toml
	$(PIP) --editable ".[lint]"
	@touch $@

run: $(VENV)/.runtime
	$(PY) -m streamlit run app.py --server.port $(PORT)

# two workers, one test file each at a time (its fixtures stay together): the suite's subprocesses, servers and
# browsers wait as much as they compute, so two cores finish in about half the time
test: $(VENV)/.test
	$(PY) -m pytest -n 2 --dist loadfile --durations=25 tests

lint: $(VENV)/.lint
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(VENV)/.test
	$(PY) benchmarks/bench_coverage.py

build-data: $(VENV)/.test
	$(PY) -m coverage build-data

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
