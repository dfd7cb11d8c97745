# The two commands of the README: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
PYTHON ?= python3

.PHONY: setup demo test bench lint audit

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test,es,nmt]'
	touch $@

audit: setup
	$(VENV)/bin/python .ci/audit.py

demo: setup
	$(VENV)/bin/smesearch demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Coverage (pyproject.toml: [tool.coverage]) includes the commands and crawls the tests run as
# subprocesses; its data stays outside the working tree.
test: lint audit
	mkdir -p "$${TMPDIR:-/tmp}/smesearch-coverage"
	deploy/with-test-services.sh $(VENV)/bin/pytest --cov --cov-report=term --durations=15

bench: setup
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/python -m bench.run_all
