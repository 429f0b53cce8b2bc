#!/usr/bin/env bash
# `make run`: set up, then run web (gunicorn), a Celery worker and Celery beat in the
# foreground. Ctrl-C stops them, and the local PostgreSQL/Redis if this run started them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VAR="$ROOT/var"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"

was_running=$(scripts/dev.sh status 2>/dev/null | grep -c ': running' || true)
scripts/dev.sh setup
BIN="$ROOT/.venv/bin"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is taken; set PORT=... (e.g. PORT=8001 make run)" >&2
    exit 1
fi

pids=()
cleanup() {
    trap - INT TERM EXIT
    echo
    echo "==> stopping web, worker and beat"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "$was_running" -eq 0 ]; then scripts/dev.sh stop; fi
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

"$BIN/gunicorn" config.wsgi:application --bind "$HOST:$PORT" --workers "${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}" \
    --access-logfile "$VAR/log/access.log" --error-logfile "$VAR/log/web.log" --timeout 30 &
pids+=($!)
"$BIN/celery" -A config worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
    --logfile "$VAR/log/worker.log" &
pids+=($!)
"$BIN/celery" -A config beat --loglevel INFO --logfile "$VAR/log/beat.log" \
    --pidfile "$VAR/run/beat.pid" &
pids+=($!)

for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
pw="${DEMO_PASSWORD:-demo-password}"
cat <<MSG

  Lapor Warga is running.

    Admin            http://$HOST:$PORT/admin/
    API docs         http://$HOST:$PORT/api/docs/   (Redoc: /api/redoc/, schema: /api/schema/)
    Health           http://$HOST:$PORT/healthz
    Routing lookup   http://$HOST:$PORT/api/v1/routing/lookup/?lat=-6.1754&lon=106.8272&category=banjir
    Dashboard        http://$HOST:$PORT/dashboard/   (duty view: /dashboard/piket/)

  Demo logins (password: $pw)
    admin                  superuser
    triase                 central triage (Diskominfotik)
    petugas.gambir         officer, Kelurahan Gambir
    sda.jakpus             officer, Suku Dinas SDA Jakarta Pusat
    supervisor.sda.jakpus  supervisor, Suku Dinas SDA Jakarta Pusat
    manajer                manager
    dpo                    data protection officer
    fkdm.gambir            kelurahan monitor (FKDM / petugas piket), Gambir: /dashboard/piket/

  Logs: var/log/ (web.log, worker.log, beat.log, sms.log, push.log). Ctrl-C stops everything.

MSG
# Exit (and clean up) as soon as any of the three stops.
wait -n "${pids[@]}"
echo "==> a process exited; see var/log/" >&2
exit 1
