#!/usr/bin/env bash
# `make run`: set up, then run web (gunicorn), a Celery worker and Celery beat in the
# foreground, with the demo video system. Ctrl-C stops them, and the local PostgreSQL/Redis if this run started them.
# `make run PROFILE=prod`: the production-like profile (docs/operations.md): nginx in front of
# gunicorn on a loopback port, production settings, two Celery workers on separate queues.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VAR="$ROOT/var"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"

PROFILE="${PROFILE:-dev}"
case "$PROFILE" in dev | prod) ;; *) echo "PROFILE must be dev or prod" >&2; exit 2 ;; esac
WEB_INSTANCES="${WEB_INSTANCES:-1}"
WORKER_INSTANCES="${WORKER_INSTANCES:-1}"
for n in "$WEB_INSTANCES" "$WORKER_INSTANCES"; do
    case "$n" in [1-9]) ;; *) echo "WEB_INSTANCES and WORKER_INSTANCES must be 1 to 9" >&2; exit 2 ;; esac
done
if [ "$PROFILE" != prod ] && [ "$WEB_INSTANCES$WORKER_INSTANCES" != 11 ]; then
    echo "WEB_INSTANCES and WORKER_INSTANCES need PROFILE=prod (nginx spreads the requests)" >&2
    exit 2
fi
declare -a WEB_BINDS=()
# WEB_CPUS / WORKER_CPUS (prod, as root): hold each gunicorn instance / intake worker to that
# many CPUs (e.g. 0.5) in a cgroup of its own, as if each ran on a machine of that size. On one
# machine this is how adding an instance is seen to add capacity (docs/scaling.md).
for cpus in "${WEB_CPUS:-}" "${WORKER_CPUS:-}"; do
    [ -z "$cpus" ] && continue
    if [ "$PROFILE" != prod ] || ! [[ "$cpus" =~ ^[0-9]*\.?[0-9]+$ ]]; then
        echo "WEB_CPUS and WORKER_CPUS take a number of CPUs (e.g. 0.5), with PROFILE=prod" >&2
        exit 2
    fi
done
if [ -n "${WEB_CPUS:-}${WORKER_CPUS:-}" ]; then
    probe=/sys/fs/cgroup/cpu
    [ -f /sys/fs/cgroup/cgroup.controllers ] && probe=/sys/fs/cgroup
    if ! mkdir "$probe/laporwarga-probe" 2>/dev/null || ! rmdir "$probe/laporwarga-probe"; then
        echo "WEB_CPUS and WORKER_CPUS need root and the cgroup cpu controller" >&2
        exit 2
    fi
fi
declare -a CGROUPS=()
cpu_capped() { # $1: cgroup name, $2: CPUs; then the command, which runs inside the cgroup
    local name="$1" cpus="$2" quota dir
    shift 2
    if [ -z "$cpus" ]; then exec "$@"; fi
    quota=$(awk -v c="$cpus" 'BEGIN { printf "%d", c * 100000 }')
    if [ -f /sys/fs/cgroup/cgroup.controllers ]; then # cgroup v2
        dir="/sys/fs/cgroup/$name"
        grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control || echo +cpu >/sys/fs/cgroup/cgroup.subtree_control
        mkdir -p "$dir" && echo "$quota 100000" >"$dir/cpu.max"
    else # cgroup v1
        dir="/sys/fs/cgroup/cpu/$name"
        mkdir -p "$dir" && echo 100000 >"$dir/cpu.cfs_period_us" && echo "$quota" >"$dir/cpu.cfs_quota_us"
    fi || { echo "cannot cap $name at $cpus CPUs: needs root and the cgroup cpu controller" >&2; exit 1; }
    echo $$ >"$dir/cgroup.procs" # this shell, then the command it becomes, and its children
    exec "$@"
}

was_running=$(scripts/dev.sh status 2>/dev/null | grep -c ': running' || true)
if [ "$PROFILE" = prod ]; then LW_WITH_NGINX=1 scripts/dev.sh setup; else scripts/dev.sh setup; fi
BIN="$ROOT/.venv/bin"
WEB_BINDS[1]="$HOST:$PORT"
if [ "$PROFILE" = prod ]; then
    # Production settings, with the loopback opt-outs of HTTPS (no TLS on 127.0.0.1) and a
    # secret of this profile's own, generated once into var/prod.env.
    if [ ! -s "$VAR/prod.env" ]; then
        umask 077
        {
            echo "DJANGO_SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
            echo "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost"
            echo "DJANGO_SECURE_SSL_REDIRECT=false"
            echo "DJANGO_SESSION_COOKIE_SECURE=false"
            echo "DJANGO_CSRF_COOKIE_SECURE=false"
            echo "DJANGO_SECURE_HSTS_SECONDS=0"
            echo "NUM_PROXIES=1"
        } >"$VAR/prod.env"
        umask 022
    fi
    set -a; . "$VAR/prod.env"; set +a
    export DJANGO_SETTINGS_MODULE=config.settings.production
    "$BIN/python" manage.py collectstatic --noinput -v 0
    # WEB_INSTANCES gunicorn instances (default 1), each on a loopback port of its own, all
    # in nginx's upstream: the horizontal-scaling shape of docs/scaling.md on one machine.
    upstream=""
    for i in $(seq "$WEB_INSTANCES"); do
        WEB_BINDS[i]="127.0.0.1:$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        upstream+="server ${WEB_BINDS[i]}; "
    done
    mkdir -p "$VAR/nginx/tmp" "$VAR/log"
    chown nobody:nogroup "$VAR/nginx/tmp" 2>/dev/null || true
    sed -e "s#@ROOT@#$ROOT#g" -e "s#@VAR@#$VAR#g" -e "s#@LISTEN@#$HOST:$PORT#g" \
        -e "s#server @UPSTREAM@;#$upstream#g" deploy/nginx/laporwarga-local.conf >"$VAR/nginx/nginx.conf"
fi

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    echo "port $PORT is taken; set PORT=... (e.g. PORT=8001 make run)" >&2
    exit 1
fi

# Each child runs in a session (and process group) of its own (setsid): Ctrl-C in the
# terminal reaches this script only, never gunicorn's or Celery's workers directly. On exit
# the script sends SIGTERM: gunicorn stops accepting, lets its workers finish the requests in
# flight (up to --graceful-timeout), then exits; Celery finishes its running tasks (warm
# shutdown). A child that dies on its own is named and restarted (docs/operations.md).
declare -A pid_of=() started_at=() restarts=()
stopping=0

started() { pid_of[$1]=$!; started_at[$1]=$SECONDS; }
instance_suffix() { [ "$1" = 1 ] || echo "$1"; } # web, web2, web3...; worker, worker2...
start_web() { # $1: the instance (1 when omitted)
    local i="${1:-1}"
    CGROUPS+=("laporwarga-web$i")
    setsid bash -c "$(declare -f cpu_capped); cpu_capped \"\$@\"" _ "laporwarga-web$i" "${WEB_CPUS:-}" \
        "$BIN/gunicorn" config.wsgi:application --bind "${WEB_BINDS[i]}" \
        --workers "${WEB_CONCURRENCY:-$(( 2 * $(nproc) + 1 ))}" --timeout 30 --graceful-timeout 30 \
        --access-logfile "$VAR/log/access.log" --error-logfile "$VAR/log/web.log" \
        --logger-class apps.core.log_redaction.RedactingGunicornLogger &
    started "web$(instance_suffix "$i")"
}
start_worker() { # $1: the instance (1 when omitted)
    local i="${1:-1}" suffix
    suffix=$(instance_suffix "$i")
    if [ "$PROFILE" = prod ]; then # intake side effects and CCTV (the default queue)
        CGROUPS+=("laporwarga-worker$i")
        setsid bash -c "$(declare -f cpu_capped); cpu_capped \"\$@\"" _ "laporwarga-worker$i" \
            "${WORKER_CPUS:-}" "$BIN/celery" -A config worker -Q celery -n "intake$suffix@%h" --loglevel INFO \
            --concurrency "${CELERY_CONCURRENCY:-2}" --logfile "$VAR/log/worker$suffix.log" &
    else
        setsid "$BIN/celery" -A config worker --loglevel INFO --concurrency "${CELERY_CONCURRENCY:-2}" \
            --logfile "$VAR/log/worker.log" &
    fi
    started "worker$suffix"
}
start_periodic() { # prod: SLA and the other beat jobs (CELERY_TASK_ROUTES in production.py)
    setsid "$BIN/celery" -A config worker -Q periodic -n "periodic@%h" --loglevel INFO \
        --concurrency 1 --logfile "$VAR/log/worker-periodic.log" &
    started periodic
}
start_nginx() {
    setsid nginx -p "$VAR/nginx" -c "$VAR/nginx/nginx.conf" -e "$VAR/log/nginx-error.log" \
        -g "daemon off;" &
    started nginx
}
start_beat() {
    rm -f "$VAR/run/beat.pid" # a killed beat leaves it behind
    setsid "$BIN/celery" -A config beat --loglevel INFO --logfile "$VAR/log/beat.log" \
        --pidfile "$VAR/run/beat.pid" &
    started beat
}

start_vms() {
    # The demo video system (docs/cctv.md) posts test-pattern clips to the API every minute.
    setsid "$BIN/python" manage.py run_demo_vms --base-url "http://$HOST:$PORT" \
        --key demo-vms-key >>"$VAR/log/demo-vms.log" 2>&1 &
    started vms
}
cleanup() {
    trap - INT TERM EXIT
    stopping=1
    echo
    echo "==> stopping web, worker, beat and the demo VMS (draining requests and tasks in flight)"
    local name
    for name in "${!pid_of[@]}"; do kill -TERM "${pid_of[$name]}" 2>/dev/null || true; done
    for name in "${!pid_of[@]}"; do
        while kill -0 "${pid_of[$name]}" 2>/dev/null; do sleep 0.2; done
    done
    local group
    for group in "${CGROUPS[@]}"; do # empty now: their processes have exited
        rmdir "/sys/fs/cgroup/$group" "/sys/fs/cgroup/cpu/$group" 2>/dev/null || true
    done
    if [ "$was_running" -eq 0 ]; then scripts/dev.sh stop; fi
}
trap 'cleanup; exit 0' INT TERM
trap cleanup EXIT

for i in $(seq "$WEB_INSTANCES"); do start_web "$i"; done
for i in $(seq "$WORKER_INSTANCES"); do start_worker "$i"; done
start_beat
if [ "$PROFILE" = prod ]; then
    start_periodic
    # nginx only once every gunicorn instance listens: a refused connection marks an upstream
    # down for fail_timeout, and with every instance still booting that is a 502 for each
    # request in those seconds ("no live upstreams").
    for bind in "${WEB_BINDS[@]}"; do
        for _ in $(seq 600); do
            (exec 3<>"/dev/tcp/${bind%:*}/${bind##*:}") 2>/dev/null && break
            sleep 0.1
        done
    done
    start_nginx
fi

for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
    sleep 0.1
done
start_vms
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

  Demo video system (VMS API, Authorization: Api-Key demo-vms-key)
    demo                   4 cameras around Gambir; clips in var/cctv/, log var/log/demo-vms.log

  Logs: var/log/ (web.log, worker.log, beat.log, sms.log, push.log). Ctrl-C stops everything
  (gracefully: requests and tasks in flight finish).

MSG
# Supervise: a child that exits is named and restarted; one that keeps dying (5 times, each
# within 10 s of its start) stops the whole run.
while true; do
    wait -n -p died "${pid_of[@]}" 2>/dev/null && status=0 || status=$?
    [ "$stopping" = 1 ] && break
    [ -n "${died:-}" ] || continue
    for name in "${!pid_of[@]}"; do
        [ "${pid_of[$name]}" = "$died" ] || continue
        echo "==> $name (pid $died) exited with status $status; restarting it (see var/log/)" >&2
        if [ $(( SECONDS - started_at[$name] )) -lt 10 ]; then
            restarts[$name]=$(( ${restarts[$name]:-0} + 1 ))
        else
            restarts[$name]=0
        fi
        if [ "${restarts[$name]}" -ge 5 ]; then
            echo "==> $name keeps dying; stopping everything" >&2
            exit 1
        fi
        sleep 1
        base=${name%%[0-9]*} # web2 -> start_web 2
        "start_$base" "${name#"$base"}"
    done
    died=""
done
