#!/usr/bin/env bash
# `make loadtest`: simulated architects working through Crossroads against gunicorn.
#
# Run through scripts/with-postgres.sh (it exports DATABASE_URL for a throwaway server).
# Migrates, collects the static files, creates the load's teams and accounts
# (loadtest/setup_data.py), starts gunicorn with production settings, warms every worker
# up, runs locust headless (loadtest/locustfile.py) and prints one table per step, also
# written to bench/loadtest.json. gunicorn and the temporary files go whatever happens.
#
# Exit status: 0 when the run completed, goals met or not (it is a measurement); non-zero
# when the load test itself could not run.
#
# Settings (environment): LOADTEST_USERS (50), LOADTEST_SPAWN_RATE (10 per second),
# LOADTEST_VISITS (visits per user, 1), LOADTEST_THINK (a person's pause between two steps,
# "low,high" seconds, "2,4"), LOADTEST_WORKERS (gunicorn workers, 4),
# LOADTEST_TIME_LIMIT (the run's hard limit, 150s), LOADTEST_OUT (bench/loadtest.json).
set -eu

cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ]; then
    echo "DATABASE_URL is not set: run this through scripts/with-postgres.sh (make loadtest)." >&2
    exit 2
fi

bin=.venv/bin
users=${LOADTEST_USERS:-50}
spawn_rate=${LOADTEST_SPAWN_RATE:-10}
workers=${LOADTEST_WORKERS:-4}
time_limit=${LOADTEST_TIME_LIMIT:-150s}
out=${LOADTEST_OUT:-bench/loadtest.json}
export LOADTEST_VISITS=${LOADTEST_VISITS:-1}
export LOADTEST_THINK=${LOADTEST_THINK:-2,4}
export LOADTEST_WORKERS=$workers

work=$(mktemp -d /tmp/crossroads-load.XXXXXX)
server_pid=""
stop_all() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Production settings, as the app runs behind its TLS proxy.
export DEBUG=false
export SECRET_KEY="$("$bin/python" -c 'import secrets; print(secrets.token_urlsafe(50))')"
export ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false LOG_LEVEL=WARNING
export STATIC_ROOT="$work/static" DJANGO_SETTINGS_MODULE=advisor.settings

started=$SECONDS
echo "== Preparing: migrations, static files, $users accounts with their teams"
"$bin/python" manage.py migrate --no-input -v0
# Hashed names and manifest as in production, without pre-compressing (see the module).
DJANGO_SETTINGS_MODULE=loadtest.static_settings "$bin/python" manage.py collectstatic \
    --no-input -v0 >/dev/null
"$bin/python" -m loadtest.setup_data --users "$users" --out "$work/accounts.json"
echo "   ready in $((SECONDS - started)) s"

port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
host="http://127.0.0.1:$port"
"$bin/gunicorn" advisor.wsgi -w "$workers" -b "127.0.0.1:$port" --log-level warning \
    --graceful-timeout 5 >"$work/gunicorn.log" 2>&1 &
server_pid=$!
echo "== gunicorn ($workers workers) on $host: waiting for /healthz"
healthy=""
for _ in $(seq 150); do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "gunicorn stopped before answering:" >&2
        tail -n 30 "$work/gunicorn.log" >&2
        exit 1
    fi
    if "$bin/python" -c "import sys, urllib.request as u; sys.exit(u.urlopen('$host/healthz', timeout=2).status != 200)" 2>/dev/null; then
        healthy=1
        break
    fi
    sleep 0.2
done
if [ -z "$healthy" ]; then
    echo "gunicorn did not answer /healthz within 30 s:" >&2
    tail -n 30 "$work/gunicorn.log" >&2
    exit 1
fi

export GUNICORN_PID=$server_pid LOADTEST_ACCOUNTS="$work/accounts.json"
locust_run() {
    "$bin/locust" -f loadtest/locustfile.py --headless --host "$host" --only-summary \
        --loglevel WARNING --exit-code-on-error 0 --stop-timeout 10 "$@"
}

echo "== Warming up every worker (one visit of 8 users, not measured)"
if ! LOADTEST_WARMUP=1 locust_run -u 8 -r 8 -t 60s >"$work/warmup.log" 2>&1; then
    tail -n 30 "$work/warmup.log" >&2
    exit 1
fi

echo "== Running: $users users (+$spawn_rate per second), $LOADTEST_VISITS visit(s) each," \
    "pauses of $LOADTEST_THINK s between steps, at most $time_limit"
if ! LOADTEST_SAMPLES="$work/samples.json" locust_run -u "$users" -r "$spawn_rate" \
    -t "$time_limit" >"$work/locust.log" 2>&1; then
    tail -n 30 "$work/locust.log" >&2
    exit 1
fi
# Locust's own warnings (its CPU use above 90%, say) matter when reading the figures.
grep -E "WARNING|ERROR" "$work/locust.log" | grep -v "Traceback" | head -n 10 || true
if grep -q "Traceback\|Error" "$work/gunicorn.log"; then
    echo "gunicorn reported errors:" >&2
    grep -B2 -A12 "Traceback" "$work/gunicorn.log" | head -n 60 >&2 || true
fi
echo
"$bin/python" -m loadtest.report "$work/samples.json" --out "$out"
echo "Load test took $((SECONDS - started)) s in all."
