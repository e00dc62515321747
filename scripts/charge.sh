#!/usr/bin/env bash
# Load test on this machine: the production settings under gunicorn on a PostgreSQL database of
# its own with the demo data (scripts/production_locale.sh, dropped at the end), the timer
# runner beside it, then scripts/charge.py: concurrent logged-in demo users of every role.
#
#   scripts/charge.sh [--utilisateurs 50] [--duree 120] [--requetes 30000]   (after `make install`)
#
# Options go to scripts/charge.py (bounded: 50 users, 120 s). WORKERS sets gunicorn's workers
# (default 4), TIMER_INTERVAL the timer runner's interval (default 5 s); JOURNAL_GUNICORN=FILE
# keeps gunicorn's whole log when the load fails. Exit status 1 on any error.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/production_locale.sh
case $pg_host in
    127.0.0.1 | localhost | ::1) ;;
    *)
        echo "Refusé : le serveur PostgreSQL doit être local (127.0.0.1), pas « $pg_host »." >&2
        exit 2
        ;;
esac
# Refuse out-of-bounds options before booting anything (the target is checked again later).
$PY scripts/charge.py http://127.0.0.1:1 --verifier "$@"
production_locale_demarrer charge_parcours "${WORKERS:-4}"
$PY manage.py run_workflow_timers --interval "${TIMER_INTERVAL:-5}" >"$work/timers.log" 2>&1 &
accompagnants=$!
echo "gunicorn (${WORKERS:-4} workers) sur ${origin}, échéances toutes les ${TIMER_INTERVAL:-5} s :"
status=0
$PY scripts/charge.py "$origin" --cles-totp "$work/cles_totp" "$@" || status=$?
if ! kill -0 "$accompagnants" 2>/dev/null; then
    echo "ÉCHEC : le lanceur d'échéances s'est arrêté :" >&2
    tail -n 40 "$work/timers.log" >&2
    status=1
elif grep -q "Traceback" "$work/timers.log"; then
    echo "ÉCHEC : un passage du lanceur d'échéances a échoué :" >&2
    grep -m1 -A30 "Traceback" "$work/timers.log" >&2
    status=1
fi
exit "$status"
