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

was_running=$(scripts/dev.sh status 2>/dev/null | grep -c ': running' || true)
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

if [ "${CI:-}" != "true" ] && [ "$was_running" -eq 0 ] && [ "$mode" = all ]; then
    scripts/dev.sh stop >/dev/null 2>&1 || true
fi
if [ ${#failed[@]} -gt 0 ]; then
    printf '\n\033[1;31mFAILED:\033[0m %s\n' "${failed[*]}"
    exit 1
fi
printf '\n\033[1;32mall checks passed\033[0m\n'
