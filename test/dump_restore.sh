#!/bin/sh
# pg_dump + pg_restore round trip (part of make test): a database with demo data,
# loaded export files, matching links, settings, the metrics contract and the
# materialized layers is dumped and restored into a new database. Every table
# recon registers for dump must come back row for row, and the reports must agree.
# Runs against the cluster in PGHOST/PGPORT (pg_virtualenv sets them).
set -eu
cd "$(dirname "$0")/.."
SRC=recon_dump_src DST=recon_dump_dst
dump=$(mktemp)
trap 'rm -f "$dump"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }

for db in $SRC $DST; do PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"; done
createdb $SRC
q -d $SRC <<'SQL' > /dev/null
SET client_min_messages = warning;
CREATE EXTENSION recon;
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'dump test');
SELECT recon.set_setting('store_raw_contacts', 'true', 'dump test: raw contacts kept');
SELECT recon.install_default_contract('dump test');
DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'recon_dump_team') THEN CREATE ROLE recon_dump_team; END IF; END $$;
INSERT INTO recon.tenants (tenant, description) VALUES ('acme', 'dump test tenant');
INSERT INTO recon.tenant_members (tenant, market) VALUES ('acme', 'US');
INSERT INTO recon.access_scopes (grantee, tenant, reason) VALUES ('recon_dump_team', 'acme', 'dump test');
SELECT recon.propose_metric('collected_net', 'Payments minus refunds.', 'finance', 'occurred_at', 'dump test');
SELECT count(*) FROM recon_demo_generate(7, 2000);
CALL recon.run_matching();
SQL
scripts/recon-load meta_insights_csv examples/meta/ads_manager.csv '{"account_id": "2010203040506070", "timezone": "UTC", "keep_pii": true}' -d $SRC > /dev/null
scripts/recon-load hubspot_contacts examples/hubspot/contacts.csv '{"timezone": "America/New_York", "default_region": "US", "keep_pii": true}' -d $SRC > /dev/null
q -d $SRC -c "SELECT count(*) FROM recon_refresh()" > /dev/null

pg_dump -Fc -d $SRC -f "$dump" 2>/dev/null
createdb $DST
pg_restore --exit-on-error -d $DST "$dump"

# One fingerprint per relation: row count and the md5 of its sorted rows (a sequence: where it stands).
fingerprints() {  # database, query listing the relations
  q -d "$1" <<SQL
SELECT CASE WHEN to_regclass(rel) IN (SELECT oid FROM pg_class WHERE relkind = 'S')
            THEN format('SELECT %L || '' '' || last_value || '' '' || is_called FROM %s', rel, rel)
            ELSE format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(t::text, E''\\n'' ORDER BY t::text)), ''-'') FROM %s t', rel, rel) END
FROM ($2) r(rel) ORDER BY rel
\gexec
SQL
}
tables="SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'recon'"
reports="SELECT unnest(ARRAY['recon.report_channel_month', 'recon.report_layers', 'recon.gap_decomposition',
                             'recon.match_coverage', 'recon.mv_report_channel_month', 'recon.mv_gap_decomposition'])"
fingerprints $SRC "$tables" > "$dump.src"
fingerprints $DST "$tables" > "$dump.dst"
# Materialized views belong to the extension, so pg_dump keeps their definition, not their rows:
# a restored database is refreshed once (docs/refresh.md); then the reports must agree.
q -d $DST -c "SELECT count(*) FROM recon_refresh()" > /dev/null
fingerprints $SRC "$reports" >> "$dump.src"
fingerprints $DST "$reports" >> "$dump.dst"
trap 'rm -f "$dump" "$dump.src" "$dump.dst"' EXIT
if ! diff "$dump.src" "$dump.dst"; then
  echo "dump_restore: the restored database differs (above: source <, restored >)" >&2
  exit 1
fi
empty=$(awk '$2 == "0" { print $1 }' "$dump.src" | tr '\n' ' ')
echo "dump_restore: ok, $(wc -l < "$dump.src") tables, sequences and reports identical after pg_dump, pg_restore and one recon_refresh() (empty in this data: ${empty:-none})"
for db in $SRC $DST; do dropdb "$db"; done
psql -X -q -c 'DROP ROLE IF EXISTS recon_dump_team' -d postgres
