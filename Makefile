# The two commands the README promises: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest bench venv clean

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

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
