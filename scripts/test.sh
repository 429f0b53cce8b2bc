#!/usr/bin/env bash
# `make test`: set up like `make run`, then lint, types, migrations, OpenAPI and pytest.
#   scripts/test.sh                 everything
#   scripts/test.sh --lint-only     only the static checks (ruff, mypy, import contracts, …)
#   scripts/test.sh --pytest-only   only pytest (extra args are passed on)
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
mode=all
case "${1:-}" in --lint-only) mode=lint; shift ;; --pytest-only) mode=pytest; shift ;; esac

# What ran before this run is left as it was (a developer's `make run`); what this run starts
# is stopped when it ends, pass or fail or Ctrl-C, and a cluster it created outside the
# checkout (a checkout the postgres user cannot enter) is deleted.
before=$(scripts/dev.sh status 2>/dev/null || true)
pg_was_running=$(grep -c '^postgres: running' <<<"$before" || true)
redis_was_running=$(grep -c '^redis: running' <<<"$before" || true)
cluster=$(scripts/dev.sh cluster-path 2>/dev/null || true)
cluster_existed=0
if [ -n "$cluster" ] && [ -s "$cluster/data/PG_VERSION" ]; then cluster_existed=1; fi
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ "${LW_KEEP_SERVERS:-0}" != 1 ] && [ "$mode" != lint ]; then
        [ "$redis_was_running" -eq 0 ] && scripts/dev.sh stop-redis >/dev/null 2>&1
        [ "$pg_was_running" -eq 0 ] && scripts/dev.sh stop-postgres >/dev/null 2>&1
        [ "$cluster_existed" -eq 0 ] && scripts/dev.sh drop-outside-cluster >/dev/null 2>&1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The end-to-end test drives Debian's headless Chromium: the set-up installs it for tests.
export LW_WITH_BROWSER="${LW_WITH_BROWSER:-1}"
if [ "$mode" = pytest ]; then
    scripts/dev.sh services || exit 1
else
    scripts/dev.sh setup || exit 1
fi
PY="$ROOT/.venv/bin/python"
export DJANGO_SETTINGS_MODULE=config.settings.test

failed=()
step() {
    local name=$1; shift
    printf '\n\033[1;34m==> %s\033[0m\n' "$name"
    local start=$SECONDS
    if "$@"; then printf '    ok (%ss)\n' $((SECONDS - start)); else failed+=("$name"); fi
}

if [ "$mode" != pytest ]; then
    step "ruff check" "$PY" -m ruff check .
    step "ruff format --check" "$PY" -m ruff format --check .
    step "mypy" "$PY" -m mypy apps config
    step "import contracts (layers)" "$ROOT/.venv/bin/lint-imports" --no-cache
    step "makemigrations --check" "$PY" manage.py makemigrations --check --dry-run
    step "OpenAPI schema validation" "$PY" manage.py spectacular --validate --fail-on-warn --file /dev/null
fi
if [ "$mode" != lint ]; then
    step "pytest" "$PY" -m pytest "$@"
fi
if [ "$mode" = all ]; then
    # The guard against tests that depend on today's date: the suite again, with the clock
    # a year and a day ahead, and at the next leap day's month end (docs/conventions.md,
    # "Time in tests"). The browser journeys are left out: they test pages, not dates.
    for clock in +366d next-leap-day; do
        step "pytest, clock at $clock" env LW_TEST_CLOCK="$clock" "$PY" -m pytest -q \
            -p no:cacheprovider --ignore=tests/e2e
    done
    step "generated API client (openapi-python-client)" scripts/client_check.sh
fi
if [ ${#failed[@]} -gt 0 ]; then
    printf '\n\033[1;31mFAILED:\033[0m %s\n' "${failed[*]}"
    exit 1
fi
printf '\n\033[1;32mall checks passed\033[0m\n'
