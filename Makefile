# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TEST_ENV := DJANGO_SETTINGS_MODULE=qms.settings.test

.PHONY: install run test test-db lint fmt migrations-check schema-check pytest unit worker fault stack browser clean

install: $(STAMP) node_modules/.package-lock.json

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r requirements.lock
	touch $(STAMP)

node_modules/.package-lock.json: package-lock.json package.json
	npm ci --no-audit --no-fund --loglevel=error

# Re-resolve the Python lock after changing pyproject.toml dependencies.
lock:
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock -q

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bin/run-dev

test: install lint migrations-check schema-check pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: test-db
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run

# The test settings name database "qms" (pytest creates test_qms beside it); it must exist for the
# migrations check to read the migration history. Quiet when PostgreSQL already has it.
test-db:
	@psql "$${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/qms}" -tAc 'SELECT 1' >/dev/null 2>&1 \
	  || createdb -h 127.0.0.1 -U postgres qms

schema-check:
	$(TEST_ENV) $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml

# Everything once (worker tests on Redis), then the worker tests again on RabbitMQ.
pytest:
	$(PY) -m pytest
	$(PY) -m pytest -m worker --broker=rabbitmq

unit:
	$(PY) -m pytest -m "not browser and not worker and not stack"

browser:
	$(PY) -m pytest -m browser

worker:
	$(PY) -m pytest -m worker
	$(PY) -m pytest -m worker --broker=rabbitmq

fault:
	$(PY) -m pytest -m fault

# Object storage: moto's S3 server on a free loopback port (tests/storage).
s3:
	$(PY) -m pytest -m s3

# The production-shaped stack on this machine: see README.md, "Production-shaped stack".
stack: install
	bin/stack

clean:
	rm -rf $(VENV) node_modules var staticfiles
