#!/usr/bin/env bash
# Development and CI set-up for Lapor Warga.
#
#   scripts/dev.sh setup      install what is missing, start PostGIS + Redis, migrate, load fixtures
#   scripts/dev.sh services   only start the project-local PostGIS + Redis (or check DATABASE_URL/REDIS_URL)
#   scripts/dev.sh stop       stop the project-local servers started under var/
#   scripts/dev.sh status     show what runs and where
#
# Everything it creates lives under var/ (see docs/operations.md). It is idempotent: running it
# again reuses the cluster, the ports and the data.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PG_BASE_PORT="${LW_PG_BASE_PORT:-55432}"
REDIS_BASE_PORT="${LW_REDIS_BASE_PORT:-56379}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31mERROR:\033[0m %s\n' "$*" >&2; exit 1; }

mkdir -p "$VAR/log" "$VAR/run" "$VAR/keys"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@";
    elif command -v sudo >/dev/null 2>&1; then sudo "$@";
    else die "need root to run: $*  (install it by hand, or run as root)"; fi
}

# ---------------------------------------------------------------- system packages
pg_major() {
    # The newest installed server, else the distribution's default major version.
    local v
    v=$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed -E 's#.*/postgresql/([0-9]+)/.*#\1#' | sort -n | tail -1 || true)
    if [ -z "$v" ]; then
        v=$(apt-cache depends postgresql 2>/dev/null | sed -nE 's/.*Depends: postgresql-([0-9]+)$/\1/p' | head -1 || true)
    fi
    echo "${v:-15}"
}

ensure_system_packages() {
    command -v apt-get >/dev/null 2>&1 || { log "no apt-get: make sure PostgreSQL+PostGIS, GDAL and Redis are installed"; return 0; }
    local want=() v
    need_pg=1; need_redis=1
    [ -n "${DATABASE_URL:-}" ] && need_pg=0
    [ -n "${REDIS_URL:-}" ] && need_redis=0
    v=$(pg_major)
    if [ "$need_pg" = 1 ]; then
        dpkg -s "postgresql-$v" >/dev/null 2>&1 || want+=("postgresql-$v")
        dpkg -s "postgresql-$v-postgis-3" >/dev/null 2>&1 || want+=("postgresql-$v-postgis-3")
    fi
    dpkg -s gdal-bin >/dev/null 2>&1 || want+=(gdal-bin)
    dpkg -s gettext >/dev/null 2>&1 || want+=(gettext)
    dpkg -s postgresql-client >/dev/null 2>&1 || dpkg -s "postgresql-client-$v" >/dev/null 2>&1 || want+=(postgresql-client)
    [ "$need_redis" = 1 ] && { dpkg -s redis-server >/dev/null 2>&1 || want+=(redis-server); }
    # The demo VMS (manage.py run_demo_vms) records test-pattern clips with ffmpeg.
    dpkg -s ffmpeg >/dev/null 2>&1 || want+=(ffmpeg)
    dpkg -s fonts-dejavu-core >/dev/null 2>&1 || want+=(fonts-dejavu-core)
    # nginx only for the production-like profile (make run PROFILE=prod).
    if [ "${LW_WITH_NGINX:-0}" = 1 ]; then
        dpkg -s nginx-light >/dev/null 2>&1 || dpkg -s nginx >/dev/null 2>&1 || want+=(nginx-light)
    fi
    if [ "${LW_WITH_BROWSER:-0}" = 1 ]; then
        dpkg -s chromium >/dev/null 2>&1 || want+=(chromium)
        dpkg -s chromium-driver >/dev/null 2>&1 || want+=(chromium-driver)
    fi
    if ! python3 -c 'import ensurepip' >/dev/null 2>&1 && ! [ -x "$PY" ]; then want+=(python3-venv); fi
    if [ ${#want[@]} -gt 0 ]; then
        log "installing system packages: ${want[*]}"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends "${want[@]}" >"$VAR/log/apt.log" 2>&1 \
            || { tail -20 "$VAR/log/apt.log"; die "apt-get install failed (see var/log/apt.log)"; }
    fi
    # Debian starts a system-wide cluster and redis on the default ports when the packages
    # install; we never use them, and leave them as they are.
}

# ---------------------------------------------------------------- python
ensure_venv() {
    local py="" candidate
    for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
        [ -n "$candidate" ] || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then
            py=$(command -v "$candidate"); break
        fi
    done
    [ -n "$py" ] || die "Python 3.11+ not found (set PYTHON=/path/to/python3.11)"
    if [ ! -x "$PY" ]; then
        log "creating .venv with $py"
        "$py" -m venv "$VENV"
    fi
    local stamp="$VENV/.installed-$(sha1sum "$ROOT/pyproject.toml" | cut -c1-12)"
    if [ ! -f "$stamp" ]; then
        log "installing Python dependencies into .venv (pyproject.toml changed or first run)"
        "$PY" -m pip install -q --upgrade pip >"$VAR/log/pip.log" 2>&1 || true
        "$PY" -m pip install -q -e "$ROOT[dev]" >>"$VAR/log/pip.log" 2>&1 \
            || { tail -30 "$VAR/log/pip.log"; die "pip install failed (see var/log/pip.log)"; }
        rm -f "$VENV"/.installed-*
        touch "$stamp"
    fi
}

# ---------------------------------------------------------------- ports
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

log_since() { tail -n "+$(($1 + 1))" "$2" 2>/dev/null; } # line count, file: the lines added since

free_port_from() {
    local p=$1
    while port_in_use "$p"; do p=$((p + 1)); done
    echo "$p"
}

# ---------------------------------------------------------------- secrets for development
ensure_secret() { # file, python expression
    local f="$VAR/keys/$1"
    if [ ! -s "$f" ]; then
        (umask 077; python3 -c "import secrets, base64; print($2)" >"$f")
    fi
    cat "$f"
}

# ---------------------------------------------------------------- PostgreSQL + PostGIS
PG_USER_RUN=()   # how to run server binaries (as postgres when we are root)

# Run a command as the cluster's owner from /, which every user may enter (the checkout may not be).
as_pg() { (cd / && "${PG_USER_RUN[@]}" "$@"); }

pg_paths() {
    local v bindir
    v=$(pg_major)
    bindir="/usr/lib/postgresql/$v/bin"
    [ -x "$bindir/postgres" ] || die "PostgreSQL $v server binaries not found in $bindir"
    PG_BIN="$bindir"
    if [ "$(id -u)" -eq 0 ]; then
        PG_USER_RUN=(runuser -u postgres --)
        # The postgres user must reach the data directory. A checkout under a private home
        # (e.g. /root) is not reachable, so the cluster then lives in /var/tmp and var/postgres
        # is a link to it (recorded in var/postgres.path).
        if runuser -u postgres -- test -x "$VAR" 2>/dev/null; then
            PG_HOME="$VAR/postgres"
        else
            local h
            h=$(printf '%s' "$ROOT" | sha1sum | cut -c1-12)
            PG_HOME="/var/tmp/laporwarga-$h/postgres"
        fi
    else
        PG_USER_RUN=()
        PG_HOME="$VAR/postgres"
    fi
    PGDATA="$PG_HOME/data"
    echo "$PG_HOME" >"$VAR/postgres.path"
}

# A cluster kept outside a checkout (see pg_paths) records the checkout it belongs to; one
# whose checkout is gone (a deleted clone) is stopped and removed by the next set-up anywhere.
collect_orphan_clusters() {
    [ "$(id -u)" -eq 0 ] || return 0
    local dir owner pgdata
    for dir in /var/tmp/laporwarga-*/; do
        [ -f "$dir/checkout" ] || continue
        owner=$(cat "$dir/checkout")
        [ -d "$owner" ] && continue
        pgdata="${dir}postgres/data"
        if [ -f "$pgdata/postmaster.pid" ]; then
            (cd / && runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$pgdata" -m immediate -w stop) \
                >/dev/null 2>&1 || true
        fi
        log "removing the cluster of a deleted checkout ($owner): ${dir%/}"
        rm -rf "${dir:?}"
    done
}

# Stop the cluster and delete it when it lives outside the checkout (make test removes a
# cluster it created there, so that a throwaway clone leaves nothing behind).
drop_outside_cluster() {
    pg_paths
    case "$PG_HOME" in "$VAR"/*) return 0 ;; esac
    stop_postgres
    log "removing $PG_HOME (created outside the checkout by this run)"
    rm -rf "$(dirname "$PG_HOME")"
    rm -f "$VAR/postgres" "$VAR/postgres.path"
}

pg_running() { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

pg_psql_super() { # run psql as the cluster superuser over the local socket
    as_pg psql -X -q -v ON_ERROR_STOP=1 -h "$PG_HOME/run" -p "$PG_PORT" -U postgres "$@"
}

start_postgres() {
    pg_paths
    collect_orphan_clusters
    local existing_port=""
    [ -f "$VAR/ports.env" ] && existing_port=$(sed -n 's/^PG_PORT=//p' "$VAR/ports.env")
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        log "creating PostgreSQL cluster in $PGDATA"
        if [ "$(id -u)" -eq 0 ]; then
            mkdir -p "$PG_HOME"
            chown postgres: "$PG_HOME"
            chmod 700 "$PG_HOME"
            [ "$PG_HOME" = "$VAR/postgres" ] || echo "$ROOT" >"$(dirname "$PG_HOME")/checkout"
        else
            mkdir -p "$PG_HOME"; chmod 700 "$PG_HOME"
        fi
        as_pg mkdir -p "$PG_HOME/run"
        as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth-local=trust \
            --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >"$VAR/log/initdb.log" 2>&1 \
            || { cat "$VAR/log/initdb.log"; die "initdb failed"; }
        as_pg sh -c "cat >> '$PGDATA/postgresql.conf'" <<EOF
# Lapor Warga development cluster
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_HOME/run'
fsync = ${LW_PG_FSYNC:-on}
max_connections = 200
shared_buffers = 256MB
logging_collector = off
EOF
    fi
    if [ "$(id -u)" -eq 0 ] && [ "$PG_HOME" != "$VAR/postgres" ]; then
        ln -sfn "$PG_HOME" "$VAR/postgres"
    fi
    if pg_running; then
        PG_PORT=$(sed -n '4p' "$PGDATA/postmaster.pid")
        log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    else
        PG_PORT=${existing_port:-$PG_BASE_PORT}
        port_in_use "$PG_PORT" && PG_PORT=$(free_port_from "$PG_BASE_PORT")
        local attempt
        for attempt in 1 2 3 4 5 6 7 8 9 10; do
            log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
            as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_HOME/postgres.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null 2>&1 \
                && break
            # A port nothing listens on can still be taken (an outgoing connection's local
            # port: these ports lie in Linux's ephemeral range): take the next free one.
            if [ "$attempt" -lt 10 ] && tail -5 "$PG_HOME/postgres.log" | grep -q "Address already in use"; then
                PG_PORT=$(free_port_from $((PG_PORT + 1)))
                continue
            fi
            tail -20 "$PG_HOME/postgres.log"; die "PostgreSQL did not start"
        done
        echo "started" >"$VAR/run/postgres.started-by-us"
    fi
    local pw
    pw=$(ensure_secret db_password 'secrets.token_hex(16)')
    pg_psql_super -d postgres <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'laporwarga') THEN
    CREATE ROLE laporwarga LOGIN CREATEDB PASSWORD '$pw';
  ELSE
    ALTER ROLE laporwarga LOGIN CREATEDB PASSWORD '$pw';
  END IF;
END \$\$;
SQL
    # The benchmarks' runner writes out the previous benchmark's dirty pages (bench/_common.py).
    pg_psql_super -d postgres -c "GRANT pg_checkpoint TO laporwarga" >/dev/null 2>&1 || true
    if ! pg_psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='laporwarga'" | grep -q 1; then
        pg_psql_super -d postgres -c "CREATE DATABASE laporwarga OWNER laporwarga"
    fi
    # PostGIS in template1 too, so that test databases (created by the unprivileged role) have it.
    for db in template1 laporwarga; do
        pg_psql_super -d "$db" -c "CREATE EXTENSION IF NOT EXISTS postgis" 2>/dev/null \
            || die "could not create the postgis extension (is postgresql-*-postgis-3 installed?)"
    done
    LOCAL_DATABASE_URL="postgis://laporwarga:$pw@127.0.0.1:$PG_PORT/laporwarga"
}

stop_postgres() {
    pg_paths
    if pg_running; then
        log "stopping PostgreSQL"
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null || true
    fi
    rm -f "$VAR/run/postgres.started-by-us"
}

# ---------------------------------------------------------------- Redis
redis_pid() { [ -f "$VAR/run/redis.pid" ] && cat "$VAR/run/redis.pid"; }
redis_running() { local p; p=$(redis_pid) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

start_redis() {
    local existing_port=""
    [ -f "$VAR/ports.env" ] && existing_port=$(sed -n 's/^REDIS_PORT=//p' "$VAR/ports.env")
    mkdir -p "$VAR/redis"
    if redis_running; then
        REDIS_PORT=${existing_port}
        log "Redis already running on 127.0.0.1:$REDIS_PORT"
    else
        REDIS_PORT=${existing_port:-$REDIS_BASE_PORT}
        port_in_use "$REDIS_PORT" && REDIS_PORT=$(free_port_from "$REDIS_BASE_PORT")
        command -v redis-server >/dev/null 2>&1 || die "redis-server not found"
        local attempt mark
        for attempt in 1 2 3 4 5 6 7 8 9 10; do
            log "starting Redis on 127.0.0.1:$REDIS_PORT"
            mark=$({ wc -l <"$VAR/log/redis.log"; } 2>/dev/null || echo 0)
            redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" --daemonize yes \
                --pidfile "$VAR/run/redis.pid" --logfile "$VAR/log/redis.log" --save "" --appendonly no \
                --protected-mode yes
            for _ in $(seq 50); do
                port_in_use "$REDIS_PORT" && redis_running && break
                log_since "$mark" "$VAR/log/redis.log" | grep -q "Address already in use" && break
                sleep 0.1
            done
            port_in_use "$REDIS_PORT" && redis_running && break
            # As for PostgreSQL: a port can be taken without anything listening on it.
            if [ "$attempt" -lt 10 ] \
                && log_since "$mark" "$VAR/log/redis.log" | grep -q "Address already in use"; then
                REDIS_PORT=$(free_port_from $((REDIS_PORT + 1)))
                continue
            fi
            die "Redis did not start (see var/log/redis.log)"
        done
        echo "started" >"$VAR/run/redis.started-by-us"
    fi
    LOCAL_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

stop_redis() {
    if redis_running; then
        log "stopping Redis"
        kill "$(redis_pid)" 2>/dev/null || true
        for _ in $(seq 50); do redis_running || break; sleep 0.1; done
    fi
    rm -f "$VAR/run/redis.pid" "$VAR/run/redis.started-by-us"
}

# ---------------------------------------------------------------- environment file
write_env() {
    local secret master index
    secret=$(ensure_secret django_secret_key 'secrets.token_urlsafe(50)')
    master=$(ensure_secret identity_master_key 'base64.b64encode(secrets.token_bytes(32)).decode()')
    index=$(ensure_secret identity_blind_index_key 'base64.b64encode(secrets.token_bytes(32)).decode()')
    # A server given by DATABASE_URL / REDIS_URL has no local port: keep the one recorded.
    local old_pg="" old_redis=""
    if [ -f "$VAR/ports.env" ]; then
        old_pg=$(sed -n 's/^PG_PORT=//p' "$VAR/ports.env")
        old_redis=$(sed -n 's/^REDIS_PORT=//p' "$VAR/ports.env")
    fi
    {
        echo "# Written by scripts/dev.sh; the real environment wins over this file."
        echo "PG_PORT=${PG_PORT:-$old_pg}"
        echo "REDIS_PORT=${REDIS_PORT:-$old_redis}"
    } >"$VAR/ports.env"
    (umask 077; {
        echo "# Generated by scripts/dev.sh for this checkout. Variables set in the real environment win."
        echo "DJANGO_SECRET_KEY=$secret"
        echo "DATABASE_URL=${DATABASE_URL:-$LOCAL_DATABASE_URL}"
        echo "REDIS_URL=${REDIS_URL:-$LOCAL_REDIS_URL}"
        echo "IDENTITY_MASTER_KEYS=dev1:$master"
        echo "IDENTITY_BLIND_INDEX_KEYS=1:$index"
        echo "SMS_BACKEND=apps.core.messaging.FileSmsBackend"
        echo "PUSH_BACKEND=apps.core.messaging.FilePushBackend"
        echo "LW_VAR_DIR=$VAR"
    } >"$VAR/local.env")
}

services() {
    ensure_system_packages
    if [ -z "${DATABASE_URL:-}" ]; then start_postgres; else log "using DATABASE_URL from the environment"; fi
    if [ -z "${REDIS_URL:-}" ]; then start_redis; else log "using REDIS_URL from the environment"; fi
    write_env
}

setup() {
    services
    ensure_venv
    log "migrating"
    "$PY" "$ROOT/manage.py" migrate --noinput -v 0
    log "loading the Jakarta fixtures and demo accounts"
    "$PY" "$ROOT/manage.py" load_areas "$ROOT/fixtures/jakarta_kelurahan.geojson" --commit --quiet
    "$PY" "$ROOT/manage.py" load_cameras "$ROOT/fixtures/jakarta_cctv.geojson" --commit --quiet
    "$PY" "$ROOT/manage.py" seed_reference_data --demo
    # The demo video system (docs/cctv.md): key demo-vms-key, a few Gambir cameras.
    "$PY" "$ROOT/manage.py" register_vms demo "Demo VMS" --key demo-vms-key --demo-cameras
    "$PY" "$ROOT/manage.py" seed_triage_texts
    "$PY" "$ROOT/manage.py" sync_holidays --years $(( $(date +%Y) - 1 )) $(date +%Y) $(( $(date +%Y) + 1 ))
    # A modest history so that the queues and managers' reports are not empty (only once).
    "$PY" "$ROOT/manage.py" generate_demo_data --reports 300 --days 60 --if-empty
    "$PY" "$ROOT/manage.py" refresh_dashboard
    "$PY" "$ROOT/manage.py" collectstatic --noinput -v 0
    "$ROOT/scripts/messages.sh" --compile
}

stop() {
    stop_redis
    stop_postgres
}

status() {
    pg_paths
    if pg_running; then echo "postgres: running ($PGDATA)"; else echo "postgres: stopped"; fi
    if redis_running; then echo "redis: running (pid $(redis_pid))"; else echo "redis: stopped"; fi
    [ -f "$VAR/ports.env" ] && cat "$VAR/ports.env"
}

case "${1:-}" in
    setup) setup ;;
    services) services; ensure_venv ;;
    venv) ensure_venv ;;
    stop) stop ;;
    stop-postgres) stop_postgres ;;
    stop-redis) stop_redis ;;
    drop-outside-cluster) drop_outside_cluster ;;
    cluster-path) pg_paths; echo "$PG_HOME" ;;
    status) status ;;
    *) echo "usage: $0 setup|services|venv|stop|stop-postgres|stop-redis|status|cluster-path|drop-outside-cluster" >&2; exit 2 ;;
esac
