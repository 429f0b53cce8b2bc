#!/usr/bin/env bash
# The app's API through a generated client (docs/api.md, "Generated clients"): generate a
# Python client from the OpenAPI schema with openapi-python-client (PyPI), import every module
# and run a typed journey against a live test server (tests/generated_client/).
# Run by scripts/test.sh; needs the servers (scripts/dev.sh services) and .venv.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
GENERATOR_VERSION="openapi-python-client>=0.29,<0.30"
WORK="$ROOT/var/openapi-client"
GEN="$WORK/venv"
mkdir -p "$WORK"
# The generator has its own venv: its dependencies (pydantic, typer, ...) stay out of the app's.
if [ ! -x "$GEN/bin/openapi-python-client" ]; then
    "$ROOT/.venv/bin/python" -m venv "$GEN"
    "$GEN/bin/pip" install -q --upgrade pip >"$WORK/pip.log" 2>&1 || true
    "$GEN/bin/pip" install -q "$GENERATOR_VERSION" >>"$WORK/pip.log" 2>&1 \
        || { tail -20 "$WORK/pip.log"; exit 1; }
fi
export DJANGO_SETTINGS_MODULE=config.settings.test
"$ROOT/.venv/bin/python" manage.py spectacular --file "$WORK/schema.yaml"
rm -rf "$WORK/pkg" && mkdir -p "$WORK/pkg"
# A custom template only adds an import the stock one misses for endpoints with two request
# bodies (openapi-python-client issue #1451); drop it once a release fixes that.
PATH="$ROOT/.venv/bin:$PATH" "$GEN/bin/openapi-python-client" generate \
    --path "$WORK/schema.yaml" --output-path "$WORK/pkg/lapor_warga_client" --meta none \
    --custom-template-path "$ROOT/scripts/openapi_client_templates" >"$WORK/generate.log" 2>&1 \
    || { tail -30 "$WORK/generate.log"; exit 1; }
LW_GENERATED_CLIENT="$WORK/pkg" "$ROOT/.venv/bin/python" -m pytest -q -p no:cacheprovider \
    tests/generated_client
