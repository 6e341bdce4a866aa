#!/bin/sh
# Upgrade walk (part of make test): install the oldest released version of recon, fill it
# with demo data, matching links and settings, then walk ALTER EXTENSION recon UPDATE one
# script at a time up to the default version. After every step the catalog
# (test/lib/catalog_snapshot.sql) must equal a fresh install of that version, and the
# data written by the old version must still be there, row for row.
# Runs against the cluster in PGHOST/PGPORT (pg_virtualenv sets them).
set -eu
cd "$(dirname "$0")/.."
OLD=recon_upgrade_walk FRESH=recon_upgrade_fresh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
snapshot() { q -d "$1" -f test/lib/catalog_snapshot.sql > "$2"; }

for db in $OLD $FRESH; do PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"; done
createdb $OLD
createdb $FRESH

versions_sql="SELECT version FROM pg_available_extension_versions WHERE name = 'recon'
              ORDER BY string_to_array(version, '.')::int[]"
oldest=$(q -d $OLD -c "$versions_sql LIMIT 1")
latest=$(q -d $OLD -c "SELECT default_version FROM pg_available_extensions WHERE name = 'recon'")
path=$(q -d $OLD -c "SELECT path FROM pg_extension_update_paths('recon') WHERE source = '$oldest' AND target = '$latest'")
if [ "$oldest" != "$latest" ] && [ -z "$path" ]; then
  echo "upgrade: no update path from $oldest to $latest" >&2; exit 1
fi

# The oldest version, with data in every layer.
q -d $OLD <<SQL > /dev/null
SET client_min_messages = warning;
CREATE EXTENSION recon VERSION '$oldest';
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'upgrade test');
SELECT recon.install_default_contract('upgrade test');
SELECT count(*) FROM recon_demo_generate(11, 500);
CALL recon.run_matching();
SELECT count(*) FROM recon_refresh();
SQL

# Fingerprint of every dumped table, over the columns the old version had (a new version
# may add columns; it must not lose or change what was there).
q -d $OLD > "$work/fingerprint.sql" <<'SQL'
SELECT format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(r, E''\n'' ORDER BY r)), ''-'') FROM (SELECT ROW(%s)::text AS r FROM %s) t;',
              rel, string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum), rel)
FROM (SELECT unnest(extconfig)::regclass AS rel FROM pg_extension WHERE extname = 'recon') c
JOIN pg_attribute a ON a.attrelid = c.rel AND a.attnum > 0 AND NOT a.attisdropped
GROUP BY rel ORDER BY rel::text;
SQL
q -d $OLD -f "$work/fingerprint.sql" > "$work/data.before"

# The scripts the server reads (the installed package's or make install's, not this tree's:
# a tree that was never built, as under autopkgtest, has no generated install script).
extdir="$(q -d $OLD -c "SELECT setting FROM pg_config WHERE name = 'SHAREDIR'")/extension"

steps=0
current=$oldest
for target in $(echo "$path" | tr -s '-' ' ' | cut -d' ' -f2-); do
  q -d $OLD -c "SET client_min_messages = warning; ALTER EXTENSION recon UPDATE TO '$target'"
  steps=$((steps + 1))
  if [ -f "$extdir/recon--$target.sql" ]; then  # a version with a full install script: compare
    q -d $FRESH -c "SET client_min_messages = warning; DROP EXTENSION IF EXISTS recon CASCADE; CREATE EXTENSION recon VERSION '$target'"
    snapshot $OLD "$work/upgraded.txt"
    snapshot $FRESH "$work/fresh.txt"
    if ! diff "$work/fresh.txt" "$work/upgraded.txt" > "$work/catalog.diff"; then
      head -60 "$work/catalog.diff" >&2
      echo "upgrade: $oldest updated to $target differs from a fresh $target install (above: fresh <, upgraded >; $(grep -c '^[<>]' "$work/catalog.diff") lines)" >&2
      exit 1
    fi
  fi
  current=$target
done
[ -f "$extdir/recon--$latest.sql" ] || { echo "upgrade: no install script recon--$latest.sql in $extdir" >&2; exit 1; }
[ "$current" = "$latest" ] || { echo "upgrade: walk ended at $current, not $latest" >&2; exit 1; }

q -d $OLD -f "$work/fingerprint.sql" > "$work/data.after"
if ! diff "$work/data.before" "$work/data.after"; then
  echo "upgrade: data written by $oldest changed during the upgrade (above: before <, after >)" >&2
  exit 1
fi
# The upgraded database still computes: refresh and the reports read.
q -d $OLD -c "SELECT count(*) FROM recon_refresh()" > /dev/null
reports=$(q -d $OLD -c "SELECT (SELECT count(*) FROM recon.report_layers) || ' report rows, ' || (SELECT count(*) FROM recon.match_links) || ' links'")
echo "upgrade: ok, $oldest -> $latest in $steps step(s) ($path); catalog equals a fresh install ($(wc -l < "$work/fresh.txt") facts); $(wc -l < "$work/data.before") tables unchanged; $reports"
for db in $OLD $FRESH; do dropdb "$db"; done
