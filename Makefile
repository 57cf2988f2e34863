# Scrutiny: `make demo` scores the bundled example; `make test` runs every check.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := examples/child-t-review.docx

.PHONY: install install-dev demo test lint typecheck pytest serve train export evaluate benchmark benchmark-report clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The serving stack only: onnxruntime, tokenizers, numpy, FastAPI. No torch.
$(VENV)/.installed-serve: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

# Training and development extras. torch is pinned and installed first so that no
# resolver ever reaches for a multi-GB CUDA build.
$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[train,dev,archive,ray]'
	touch $@ $(VENV)/.installed-serve

install: $(VENV)/.installed-serve
install-dev: $(VENV)/.installed-dev

demo: install
	$(BIN)/scrutiny score $(EXAMPLE) --format markdown
	$(BIN)/scrutiny score $(EXAMPLE) --format html --out out/child-t-review.html
	@echo "HTML report written to out/child-t-review.html"

lint: install-dev
	$(BIN)/ruff check service training evaluation tests
	$(BIN)/ruff format --check service training evaluation tests

typecheck: install-dev
	$(BIN)/mypy service training evaluation

pytest: install-dev
	$(BIN)/pytest -q

test: lint typecheck pytest

serve: install
	$(BIN)/scrutiny serve

train: install-dev
	$(BIN)/scrutiny train

export: install-dev
	$(BIN)/scrutiny export

evaluate: install-dev
	$(BIN)/scrutiny evaluate

benchmark: install-dev
	$(BIN)/python -m evaluation.benchmark

benchmark-report: install-dev
	$(BIN)/python -m evaluation.benchmark_report

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
