# The two commands of the README: `make run` and `make test`. Everything else is set-up that
# they do for you (a virtual environment in .venv, installed from the pinned constraints).
PYTHON ?= python3
# `make run PORT=8001` when 8000 is taken.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

# One worker per CPU (at most 4): the fuzzing, the browsers and the real servers wait on each
# other less. Each worker has its own test database and Redis key prefix (tests/conftest.py).
# `make test PYTEST_ARGS=-n0` runs in one process.
test: $(STAMP)
	$(PY) -m pytest -n logical --maxprocesses=4 --dist loadfile $(PYTEST_ARGS)

install: $(STAMP)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Engawa needs Python 3.11 or newer; set PYTHON=python3.x")'
	@echo "==> [1/3] a virtual environment in $(VENV)"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "==> [2/3] pip itself"
	$(PY) -m pip install --quiet --upgrade pip
	@echo "==> [3/3] Engawa and its pinned dependencies (a few minutes the first time)"
	$(PY) -m pip install --progress-bar on -c constraints.txt -e '.[dev]'
	touch $(STAMP)
	@echo "==> installed"
