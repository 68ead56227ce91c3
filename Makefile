# Two commands set everything up: `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test soak lint bench mutate clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q --no-deps scrapy-redis==0.9.1
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/deeply demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest

soak: $(STAMP)
	$(BIN)/python -m pytest -m soak

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python -m bench

# Mutation testing of the rule modules (bench/mutation.py), one at a time on two workers; not in CI.
mutate: $(STAMP)
	test -x $(BIN)/mutmut || $(BIN)/pip install -q -e '.[test,mutation]'
	nice -n 10 $(BIN)/python -m bench.mutation $(MODULES)

clean:
	rm -rf $(VENV) demo-output
