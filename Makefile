# The two commands of the README: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
PYTHON ?= python3

.PHONY: setup demo test bench lint audit lock

setup: $(VENV)/.installed

# requirements.lock pins every dependency to the versions tested; `make lock` renews it.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -c requirements.lock -e '.[test,es,nmt]'
	touch $@

lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip && .venv-lock/bin/pip install --quiet '.[test,es,nmt]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^sme-market-search' > requirements.lock
	rm -rf .venv-lock build *.egg-info

audit: setup
	$(VENV)/bin/python .ci/audit.py

demo: setup
	$(VENV)/bin/smesearch demo

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test: lint audit
	deploy/with-test-services.sh $(VENV)/bin/pytest

bench: setup
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/python -m bench.run_all
