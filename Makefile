# The two commands the README promises: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench venv clean timeline-figure

venv:
	@scripts/setup-venv.sh

demo: venv
	$(BIN)/comfort-hub demo --duration 25

test: venv
	@scripts/ensure-system-packages.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(BIN)/mypy

pytest: venv
	@scripts/ensure-system-packages.sh
	$(BIN)/pytest

# The figures docs/performance.md reports, in full (the test command runs them --quick).
bench: venv
	$(BIN)/comfort-hub bench detect
	$(BIN)/comfort-hub bench latency
	$(BIN)/comfort-hub bench scale

# docs/timeline.png (shown in the README): the scripted demo's session, drawn the way
# `comfort-hub timeline` draws any session. Run it again whenever the picture changes.
timeline-figure: venv
	@folder=$$(mktemp -d) && trap 'rm -rf "$$folder"' EXIT && \
	$(BIN)/comfort-hub demo --duration 25 --no-web --data-dir "$$folder" >/dev/null && \
	$(BIN)/comfort-hub timeline latest --format png --out docs/timeline.png --data-dir "$$folder"
	@chmod 644 docs/timeline.png

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
