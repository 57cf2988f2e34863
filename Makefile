# Scrutiny: `make demo` scores the bundled example; `make test` runs every check.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := examples/child-t-review.docx

.PHONY: install install-dev demo test lint typecheck pytest serve train export evaluate benchmark benchmark-report benchmark-archive clean

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

pytest: install-dev browser
	$(BIN)/pytest -q

test: lint typecheck pytest

# The browser tests drive Debian's Chromium through Playwright (never `playwright install`):
# install it with apt-get when it is missing (sudo when not root); without apt the browser
# tests skip and say why.
.PHONY: browser screenshots exemplars
CHROMIUM ?= /usr/bin/chromium
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "make browser: apt-get is not available; install Chromium at $(CHROMIUM) or the browser tests will be skipped"; \
	fi

# Screenshots of every step of the browser tests, in out/screenshots/.
screenshots: install-dev browser
	SCRUTINY_SCREENSHOTS=out/screenshots $(BIN)/pytest -q tests/service/web/test_browser.py

serve: install
	$(BIN)/scrutiny serve

train: install-dev
	$(BIN)/scrutiny train

# An export replaces the graph: the embedding head is fitted on the new graph and mixed
# into it (training/embedding_head.py), then the exemplar bank (embedded with the graph) is
# rebuilt. VERSION is the model version written.
VERSION ?= 1.6.0
export: install-dev
	$(BIN)/scrutiny export --version $(VERSION)
	$(BIN)/python -m training.embedding_head --model models/scrutiny-minilm-v1 --version $(VERSION)
	$(BIN)/scrutiny exemplars

exemplars: install-dev
	$(BIN)/scrutiny exemplars

evaluate: install-dev
	$(BIN)/scrutiny evaluate

benchmark: install-dev
	$(BIN)/python -m evaluation.benchmark

benchmark-report: install-dev
	$(BIN)/python -m evaluation.benchmark_report

# The HTTP API under load: 2, 4 and 16 clients, a minute each (evaluation/load.py); a
# 10-minute soak with memory each minute; 1,000 mutated files through the upload route.
.PHONY: load soak fuzz
load: install-dev
	$(BIN)/python -m evaluation.load --clients 2,4,16 --seconds 60

soak: install-dev
	$(BIN)/python -m evaluation.load --clients 4 --soak 600

fuzz: install-dev
	$(BIN)/python -m evaluation.fuzz --files 1000

# Batch scoring of a synthetic 20-report archive: local (1x2, 2x1) and Ray engines (minutes).
benchmark-archive: install-dev
	$(BIN)/python -m evaluation.benchmark_archive --reports 20 --pages 50

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
