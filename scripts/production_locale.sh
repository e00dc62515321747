# Sourced by scripts/smoke_production.sh and scripts/charge.sh: the README's Production section
# run for real on this machine, in a PostgreSQL database of its own, dropped at the end.
#
#   source scripts/production_locale.sh
#   production_locale_demarrer PREFIXE_DE_BASE WORKERS   # sets $origin, $work, $gunicorn_pid
#   (and $work/cles_totp: the demo users' TOTP keys, for the robots to type the codes)
#
# Production settings, a generated secret, ALLOWED_HOSTS=127.0.0.1, static files in a temporary
# folder; check --deploy, migrate, collectstatic, the demo data as `make run` loads it, then
# gunicorn on a free loopback port. On exit (any exit) gunicorn and any process listed in
# $accompagnants stop and the database is dropped; on failure the first error of gunicorn's log
# is printed. PGHOST/PGPORT/PGUSER choose the server (default 127.0.0.1, 5432, postgres).

PY=.venv/bin/python
pg_host=${PGHOST:-127.0.0.1} pg_port=${PGPORT:-5432} pg_user=${PGUSER:-postgres}
gunicorn_pid= accompagnants= db= work= origin=

sql() { psql -h "$pg_host" -p "$pg_port" -U "$pg_user" -d postgres -qc "$1" >/dev/null; }
step() { printf '%-44s' "$1"; t=$SECONDS; }
done_in() { echo " $((SECONDS - t)) s"; }

production_locale_finir() {
    status=$?
    trap - EXIT INT TERM
    for pid in $accompagnants $gunicorn_pid; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    if [[ -n $gunicorn_pid ]] && ((status != 0)); then
        echo "--- journal de gunicorn : la première erreur, sinon la fin ---" >&2
        grep -m1 -A40 "Internal Server Error" "$work/gunicorn.log" >&2 ||
            tail -n 40 "$work/gunicorn.log" >&2
        if [[ -n ${JOURNAL_GUNICORN:-} ]]; then
            cp "$work/gunicorn.log" "$JOURNAL_GUNICORN" &&
                echo "Journal complet de gunicorn : $JOURNAL_GUNICORN" >&2
        fi
    fi
    if [[ -n $db ]]; then sql "DROP DATABASE IF EXISTS ${db} WITH (FORCE)" || true; fi
    if [[ -n $work ]]; then rm -rf "$work"; fi
    exit "$status"
}

production_locale_demarrer() {
    local prefixe=$1 workers=$2 port
    trap production_locale_finir EXIT INT TERM
    db="${prefixe}_$$"
    work=$(mktemp -d)
    port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    origin="http://127.0.0.1:${port}"

    export DJANGO_SETTINGS_MODULE=config.settings.production
    SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(64))')
    export SECRET_KEY
    export ALLOWED_HOSTS=127.0.0.1
    export DATABASE_URL="postgres://${pg_user}@${pg_host}:${pg_port}/${db}"
    export STATIC_ROOT="$work/static"

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
    # Production asks for a second factor: the demo users get a TOTP key, in $work/cles_totp
    # (not alpha2, a chargé d'insertion, who logs in with the password alone); the robots type
    # the codes (scripts/smoke_crawl.py --cles-totp).
    step "enroler_totp (second facteur)"
    $PY manage.py enroler_totp admin conseiller1 conseiller2 ts1 commission1 gestionnaire1 \
        finance1 alpha1 beta1 gamma1 >"$work/cles_totp"
    done_in

    # No control socket: its default path is shared by every gunicorn of this user on the machine.
    .venv/bin/gunicorn config.wsgi --bind "127.0.0.1:${port}" --workers "$workers" --timeout 120 \
        --no-control-socket >"$work/gunicorn.log" 2>&1 &
    gunicorn_pid=$!
}
