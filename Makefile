# Two commands do all the set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The CPU build of torch; override on a GPU machine, e.g. `make TORCH=torch run`.
TORCH  ?= torch==2.13.0
ARGS   ?=
PYTEST_ARGS ?=

.PHONY: run test lint fmt bench clean-venv icons

$(BIN)/.installed: pyproject.toml setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q "$(TORCH)"
	$(BIN)/python -m pip install -q -e ".[test,onnx]"
	touch $@

run: $(BIN)/.installed
	$(BIN)/lgad-studio $(ARGS)

test: $(BIN)/.installed
	$(BIN)/ruff check lgad_studio tests benchmarks
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(BIN)/.installed
	$(BIN)/ruff check lgad_studio tests benchmarks
	$(BIN)/ruff format --check lgad_studio tests benchmarks

fmt: $(BIN)/.installed
	$(BIN)/ruff format lgad_studio tests benchmarks
	$(BIN)/ruff check --fix lgad_studio tests benchmarks

icons: $(BIN)/.installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python resources/icons/render_pngs.py

clean-venv:
	rm -rf $(VENV)
