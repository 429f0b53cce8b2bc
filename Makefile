# Lapor Warga — developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help run prod test setup services stop status lint fmt typecheck pytest bench drill load shell dbshell migrations messages clean

help: ## list the commands
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  make \1\t\2/' | expand -t 22

run: ## install what is missing, start PostGIS + Redis, migrate, seed, run web + worker + beat (PROFILE=prod: nginx, production settings, two workers)
	@PROFILE=$(PROFILE) scripts/run.sh

prod: ## the production-like profile: make run PROFILE=prod
	@PROFILE=prod scripts/run.sh

test: ## the same set-up, then lint, types, import contracts, migrations check, OpenAPI validation and the whole suite
	@scripts/test.sh

setup: ## only the set-up part of `make run` (servers, venv, migrations, fixtures)
	@scripts/dev.sh setup

services: ## only start the project-local PostgreSQL + Redis (and the venv)
	@scripts/dev.sh services

stop: ## stop the project-local PostgreSQL + Redis under var/
	@scripts/dev.sh stop

status: ## what runs, on which ports
	@scripts/dev.sh status

lint: ## ruff, format check, mypy, import contracts, makemigrations --check, OpenAPI validation
	@scripts/test.sh --lint-only

fmt: ## fix what ruff can fix and format the code
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

pytest: ## only the test suite (servers must be up: make services); ARGS="-k routing"
	@scripts/test.sh --pytest-only $(ARGS)

bench: ## benchmarks; each prints a ratio against a baseline measured in the same run
	@scripts/dev.sh setup
	@$(PY) -m bench

drill: ## fault drills against a running stack (kill -9, Redis/PostgreSQL down, Ctrl-C); ARGS="pool-kill"
	@scripts/dev.sh setup
	@$(PY) -m drills $(ARGS)

load: ## load test (locust, 127.0.0.1): LOAD_USERS=200 users for LOAD_SECONDS=60 s; fails on a 5xx or a lost report
	@was=$$(scripts/dev.sh status 2>/dev/null | grep -c ': running' || true); \
	scripts/dev.sh setup && $(PY) -m loadtest; rc=$$?; \
	if [ "$$was" -eq 0 ]; then scripts/dev.sh stop; fi; exit $$rc

shell: ## Django shell on the project database
	@scripts/dev.sh services >/dev/null
	@$(PY) manage.py shell

dbshell: ## psql on the project database
	@scripts/dev.sh services >/dev/null
	@$(PY) manage.py dbshell

migrations: ## make migrations after a model change
	@$(PY) manage.py makemigrations

messages: ## update and compile the translations (id, en)
	@scripts/messages.sh

clean: ## stop the servers and delete var/ (all local data!) and .venv/
	@scripts/dev.sh stop || true
	rm -rf var .venv
