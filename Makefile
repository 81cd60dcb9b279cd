# The front door. `make report` builds the sample reports; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup report test bench sample clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (dxreport)" >/dev/null
	touch $(STAMP)

report: setup
	$(BIN)/dxreport run params/danang-2026-Q3.yaml

test: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q tests
	$(BIN)/python -m pytest -q --nbval-lax notebooks

bench: setup
	$(BIN)/python bench/run.py

sample: setup
	$(BIN)/dxreport sample --city danang

clean:
	rm -rf build reports/*/ .pytest_cache
