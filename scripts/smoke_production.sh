#!/usr/bin/env bash
# Production smoke: the README's Production section run for real, then every demo user's pages.
#
#   scripts/smoke_production.sh      (after `make install`; .ci/run calls it after `make test`)
#
# With the production settings, a generated secret and a fresh PostgreSQL database (dropped at
# the end): check --deploy, migrate, collectstatic, the demo data as `make run` loads it, then
# gunicorn on a free port (scripts/production_locale.sh), crawled by scripts/smoke_crawl.py.
# Fails on any 5xx page or any static file served wrong. PGHOST/PGPORT/PGUSER choose the server
# (default 127.0.0.1, postgres).
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
source scripts/production_locale.sh
production_locale_demarrer smoke_parcours 2
echo "gunicorn sur ${origin}, parcours des pages de chaque utilisateur de démo :"
$PY scripts/smoke_crawl.py "$origin" --cles-totp "$work/cles_totp"
echo "Production : démarrage et pages sans erreur en $((SECONDS - started)) s."
