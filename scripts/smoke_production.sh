#!/usr/bin/env bash
# Production smoke: the README's Production section run for real, then every demo user's pages.
#
#   scripts/smoke_production.sh      (after `make install`; .ci/run calls it after `make test`)
#
# With the production settings, a generated secret and a fresh PostgreSQL database (dropped at
# the end): check --deploy, migrate, collectstatic, the demo data as `make run` loads it, then
# gunicorn on a free port, crawled by scripts/smoke_crawl.py. Fails on any 5xx page or any
# static file served wrong. PGHOST/PGPORT/PGUSER choose the server (default 127.0.0.1, postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
PY=.venv/bin/python
pg_host=${PGHOST:-127.0.0.1} pg_port=${PGPORT:-5432} pg_user=${PGUSER:-postgres}
db="smoke_parcours_$$"
work=$(mktemp -d)
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
gunicorn_pid=

sql() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "$1" >/dev/null; }
finish() {
    status=$?
    trap - EXIT INT TERM
    if [[ -n $gunicorn_pid ]]; then
        kill "$gunicorn_pid" 2>/dev/null && wait "$gunicorn_pid" 2>/dev/null || true
        if ((status != 0)); then
            echo "--- journal de gunicorn : la première erreur, sinon la fin ---" >&2
            grep -m1 -A40 "Internal Server Error" "$work/gunicorn.log" >&2 ||
                tail -n 40 "$work/gunicorn.log" >&2
        fi
    fi
    sql "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" || true
    rm -rf "$work"
    exit "$status"
}
trap finish EXIT INT TERM

export DJANGO_SETTINGS_MODULE=config.settings.production
SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
export SECRET_KEY
export ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="postgres://${pg_user}@${pg_host}:${pg_port}/${db}"
export STATIC_ROOT="$work/static"

step() { printf '%-44s' "$1"; t=$SECONDS; }
done_in() { echo " $((SECONDS - t)) s"; }

sql "CREATE DATABASE ${db}"
# The README's order: check, migrate, collectstatic; then the demo data as `make run` loads it.
step "check --deploy"
$PY manage.py check --deploy --fail-level WARNING >/dev/null
done_in
step "migrate"
$PY manage.py migrate --noinput >/dev/null
done_in
step "collectstatic (manifeste, gzip et brotli)"
$PY manage.py collectstatic --noinput >/dev/null
done_in
step "seed_demo, import_parcours"
$PY manage.py seed_demo >/dev/null
$PY manage.py import_parcours demo/historique_parcours.csv >/dev/null
done_in
# Production asks for a second factor: the demo users get a TOTP key (not alpha2, a chargé
# d'insertion, who logs in with the password alone); the crawler types the codes.
step "enroler_totp (second facteur)"
$PY manage.py enroler_totp admin conseiller1 conseiller2 ts1 commission1 gestionnaire1 \
    finance1 alpha1 beta1 gamma1 >"$work/cles_totp"
done_in

# No control socket: its default path is shared by every gunicorn of this user on the machine.
.venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${port}" --workers 2 --timeout 120 \
    --no-control-socket >"$work/gunicorn.log" 2>&1 &
gunicorn_pid=$!
echo "gunicorn sur 127.0.0.1:${port}, parcours des pages de chaque utilisateur de démo :"
$PY scripts/smoke_crawl.py "http://127.0.0.1:${port}" --cles-totp "$work/cles_totp"
echo "Production : démarrage et pages sans erreur en $((SECONDS - started)) s."
