#!/usr/bin/env bash
# Update and compile the Indonesian and English catalogues (each app's locale/, plus locale/ for
# config/ and templates/). With --compile, only compile (used by the set-up).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
if [ "${1:-}" != "--compile" ]; then
    mkdir -p locale
    for app in apps/*/; do [ -f "$app/apps.py" ] && mkdir -p "$app/locale"; done
    "$PY" manage.py makemessages -l id -l en --no-obsolete -v 0 \
        --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='bench/*' --ignore='scripts/*'
fi
"$PY" manage.py compilemessages -v 0 --ignore='.venv/*' --ignore='var/*'
