# The two commands of the README: `make demo` and `make test`. Both set everything up first.
VENV ?= .venv
PYTHON ?= python3

.PHONY: setup test-setup demo test bench lint audit wheels

# The native one-pass search (native/) is built with cargo where the machine has it; without it
# the embedded backend runs every search through the tantivy binding. Cargo's build directory is
# kept outside the tree, so that a second setup rebuilds in seconds instead of minutes. The crates
# the search depends on are pinned exactly in native/Cargo.toml; the Cargo.lock a build writes
# beside it is its own output and stays out of git.
CARGO_TARGET_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/smesearch/cargo-target

# `setup` installs what the demo and a server run; `test-setup` adds the test tools, the
# Elasticsearch client and the neural translation runtime (Playwright, mypy, CTranslate2...),
# which the demo does not use (README: sizes).
setup: $(VENV)/.installed $(VENV)/.native

test-setup: setup $(VENV)/.tested

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e .
	touch $@

$(VENV)/.tested: $(VENV)/.installed
	$(VENV)/bin/pip install --quiet -e '.[test,es,nmt]'
	touch $@

$(VENV)/.native: $(VENV)/.installed native/Cargo.toml native/pyproject.toml native/src/lib.rs
	@if command -v cargo >/dev/null; then \
	  echo "building the native search (native/, about 3 minutes the first time)"; \
	  CARGO_TARGET_DIR=$(CARGO_TARGET_DIR) $(VENV)/bin/pip install --quiet ./native && touch $@; \
	else \
	  echo "cargo not found: searches run through the tantivy binding, facets in a second pass (install Rust to build native/)"; \
	fi

audit: test-setup
	$(VENV)/bin/python .ci/audit.py

demo: setup
	$(VENV)/bin/smesearch demo

lint: test-setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# Coverage (pyproject.toml: [tool.coverage]) includes the commands and crawls the tests run as
# subprocesses; its data stays outside the working tree.
test: lint audit
	mkdir -p "$${TMPDIR:-/tmp}/smesearch-coverage"
	deploy/with-test-services.sh $(VENV)/bin/pytest --cov --cov-report=term --durations=15

bench: test-setup
	$(VENV)/bin/pip install --quiet -e '.[bench]'
	$(VENV)/bin/python -m bench.run_all

# The native search's wheels for Linux x86-64 and aarch64 (native/build-wheels.sh), into native/dist.
wheels: test-setup
	VENV=$(abspath $(VENV)) CARGO_TARGET_DIR=$(CARGO_TARGET_DIR) native/build-wheels.sh $(abspath native/dist)
