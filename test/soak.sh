#!/bin/sh
# Soak test: several sessions at once, for a bounded time, against the cluster in
# PGHOST/PGPORT (pg_virtualenv sets them; the sessions connect over loopback TCP):
#   matching   CALL recon.run_matching()
#   refresh    SELECT * FROM recon_refresh()
#   loads      scripts/recon-load of the sample exports (examples/load-order.txt)
#   settings   recon.set_setting: reporting time zone, maturity points, monitor threshold (2/s)
#   reads      the reports, each read checking invariants that hold within one snapshot
# One pgbench per kind (custom -f scripts, -T). Fails when a session fails, a read finds an
# invariant broken, a deadlock is counted, or the server logs an ERROR, FATAL or PANIC while
# the sessions run. Prints the transactions per kind. See docs/hardening.md.
#   test/soak.sh [seconds]        (default: SOAK_SECONDS or 60)
# Environment: SOAK_SCALE (demo journeys, default 2000), SOAK_READERS (default 2),
# SOAK_SERVER_LOG (the server's log file; found automatically under pg_virtualenv).
set -eu
cd "$(dirname "$0")/.."
root=$(pwd)
SECONDS_RUN=${1:-${SOAK_SECONDS:-60}}
SCALE=${SOAK_SCALE:-2000}
READERS=${SOAK_READERS:-2}
DB=recon_soak
# pgbench comes with the server package; the server's own version, else the wrapper's choice
server_major=$(psql -X -At -d postgres -c "SELECT current_setting('server_version_num')::int / 10000")
PGBENCH=${PGBENCH:-/usr/lib/postgresql/$server_major/bin/pgbench}
[ -x "$PGBENCH" ] || PGBENCH=pgbench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$DB" "$@"; }

log=${SOAK_SERVER_LOG:-}
if [ -z "$log" ] && [ -n "${PG_CLUSTER_CONF_ROOT:-}" ]; then
  log=$(ls "$(dirname "$PG_CLUSTER_CONF_ROOT")"/log/postgresql-*-regress.log 2>/dev/null | head -1 || true)
fi

# The data: the demo generator, the sample exports on top, links and a first refresh.
PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$DB"
createdb "$DB"
q -c "SET client_min_messages = warning" -c "CREATE EXTENSION recon" \
  -c "SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'soak')" \
  -c "SELECT count(*) FROM recon_demo_generate(7, $SCALE)" > /dev/null
# the sample exports' rates (KWD, JPY...) where the demo has none
q <<'SQL'
CREATE TEMP TABLE rates (rate_date date, base_currency text, quote_currency text, rate numeric);
\copy rates FROM 'examples/fx/daily_rates_usd.csv' WITH (FORMAT csv, HEADER)
INSERT INTO recon.fx_rates (rate_date, base_currency, quote_currency, rate) SELECT * FROM rates ON CONFLICT DO NOTHING;
SQL
grep -v '^#' examples/load-order.txt | grep -v '^[[:space:]]*$' > "$work/loads.txt"
nloads=$(wc -l < "$work/loads.txt")
load_one() {     # load line $1 of loads.txt
  line=$(sed -n "${1}p" "$work/loads.txt")
  format=$(echo "$line" | cut -d'|' -f1 | xargs); file=$(echo "$line" | cut -d'|' -f2 | xargs)
  options=$(echo "$line" | cut -d'|' -f3- | sed 's/^ *//; s/ *$//')
  scripts/recon-load "$format" "$file" "$options" -d "$DB" > /dev/null
}
i=1; while [ $i -le "$nloads" ]; do load_one $i; i=$((i + 1)); done
q -c "CALL recon.run_matching()" -c "SELECT count(*) FROM recon_refresh()" > /dev/null

# A failed check raises, which ends the reading session: pgbench counts it as failed.
q <<'SQL'
CREATE SCHEMA soak;
CREATE FUNCTION soak.check(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'soak invariant broken: %', what USING ERRCODE = 'data_exception';
    END IF;
    RETURN true;
END $$;
SQL

# The load session: one sample export at random, through the real loader (its own connection).
cat > "$work/load-one.sh" <<EOF
#!/bin/sh
cd "$root"
line=\$(sed -n "\${1}p" "$work/loads.txt")
format=\$(echo "\$line" | cut -d'|' -f1 | xargs); file=\$(echo "\$line" | cut -d'|' -f2 | xargs)
options=\$(echo "\$line" | cut -d'|' -f3- | sed 's/^ *//; s/ *\$//')
exec scripts/recon-load "\$format" "\$file" "\$options" -d "$DB" > /dev/null
EOF
chmod +x "$work/load-one.sh"

cat > "$work/matching.sql" <<'SQL'
CALL recon.run_matching();
SQL
cat > "$work/refresh.sql" <<'SQL'
SELECT count(*) FROM recon_refresh();
SQL
cat > "$work/loads.sql" <<EOF
\\set n random(1, $nloads)
\\shell $work/load-one.sh :n
SELECT 1;
EOF
cat > "$work/settings.sql" <<'SQL'
\set k random(0, 1)
BEGIN;
SELECT recon.set_setting('reporting_timezone', CASE :k WHEN 0 THEN 'UTC' ELSE 'America/New_York' END, 'soak');
SELECT recon.set_setting('maturity_days', CASE :k WHEN 0 THEN '{7,30,60,90}' ELSE '{7,30,60}' END, 'soak');
SELECT recon.set_setting('monitor_threshold', CASE :k WHEN 0 THEN '3' ELSE '4' END, 'soak');
END;
SQL
# Each statement is one snapshot: what it compares must agree, whatever commits meanwhile.
cat > "$work/reads.sql" <<'SQL'
-- the materialized report is never empty, and the two copies refreshed together agree
SELECT soak.check((SELECT count(*) FROM recon.mv_report_layers) > 0, 'mv_report_layers is empty');
SELECT soak.check(a IS NOT DISTINCT FROM b, format('mv_report_channel_month %s <> mv_report_layers %s', a, b))
FROM (SELECT (SELECT ROW(count(*), sum(spend), sum(platform_value), sum(crm_records), sum(crm_valid), sum(booked_value), sum(collected_revenue))
              FROM recon.mv_report_channel_month) AS a,
             (SELECT ROW(count(*), sum(spend), sum(platform_value), sum(crm_records), sum(crm_valid), sum(booked_value), sum(collected_revenue))
              FROM (SELECT channel, month, maturity,
                           sum(value) FILTER (WHERE metric = 'spend') AS spend,
                           sum(value) FILTER (WHERE metric = 'platform_conversion_value') AS platform_value,
                           sum(records) FILTER (WHERE metric = 'crm_conversions') AS crm_records,
                           sum(value) FILTER (WHERE metric = 'crm_conversions') AS crm_valid,
                           sum(value) FILTER (WHERE metric = 'booked_value') AS booked_value,
                           sum(value) FILTER (WHERE metric = 'collected_revenue') AS collected_revenue
                    FROM recon.mv_report_layers GROUP BY 1, 2, 3) g) AS b) x;
-- the live report: rows for the data there is
SELECT soak.check(count(*) > 0, 'report_layers is empty') FROM recon.report_layers;
-- match coverage: every entity counted once, its rows add up to the group
SELECT soak.check(
         (SELECT sum(records) FROM recon.match_coverage WHERE link_type = 'record_record') = (SELECT count(*) FROM recon.funnel_records)
         AND (SELECT sum(records) FROM recon.match_coverage WHERE link_type = 'signal_record' AND entity = 'signal')
             = (SELECT count(*) FROM recon.conversion_signals)
         AND (SELECT sum(records) FROM recon.match_coverage WHERE entity = 'transaction') = (SELECT count(*) FROM recon.finance_transactions)
         AND (SELECT bool_and(abs(s - 1) < 0.001 AND linked <= 1.0005)
              FROM (SELECT sum(share) AS s, sum(match_rate) AS linked FROM recon.match_coverage
                    GROUP BY link_type, entity, channel, period, currency) g),
         'match coverage does not add up to the tables');
-- the bridge: platform value minus every line is collected revenue, per campaign and cohort
SELECT soak.check(coalesce(bool_and(platform_value + unmatched + invalid_duplicate + lost_cancelled + value_difference
                                    + refunds + written_off + timing + residual = collected), true),
                  'a bridge does not add up') FROM recon.bridge_campaign_month;
-- the gap decomposition: the parts add up to the gap, which is platform minus CRM
SELECT soak.check(coalesce(bool_and(gap = platform_conversions - crm_conversions
                                    AND (residual IS NULL OR gap = attribution_window + view_through + modeled + identity_loss
                                                                   + clock + double_claims + dedup_failures + invalid + residual)), true),
                  'a gap decomposition does not add up') FROM recon.gap_decomposition WHERE campaign_id IS NULL;
SQL

deadlocks_before=$(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
log_from=0
[ -n "$log" ] && [ -f "$log" ] && log_from=$(wc -c < "$log")

echo "soak: $SECONDS_RUN s; 1 matching, 1 refresh, 1 load, 1 settings and $READERS reading sessions (demo scale $SCALE + $nloads sample exports)"
started=$(date +%s)
pids=""
for kind in matching refresh loads settings reads; do
  clients=1; [ $kind = reads ] && clients=$READERS
  rate=""; [ $kind = settings ] && rate="-R 2"      # a person changing settings, not a loop
  PGDATABASE=$DB "$PGBENCH" -n -T "$SECONDS_RUN" -c "$clients" -j 1 $rate --failures-detailed -f "$work/$kind.sql" \
      > "$work/$kind.out" 2> "$work/$kind.err" &
  pids="$pids $!"
done
failed=0
for p in $pids; do wait "$p" || failed=1; done
elapsed=$(( $(date +%s) - started ))

status=0
printf '%-9s %8s %7s %10s %12s\n' kind clients tx failed deadlocks
for kind in matching refresh loads settings reads; do
  tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$work/$kind.out")
  fx=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$work/$kind.out")
  dl=$(sed -n 's/^number of deadlock failures: \([0-9]*\).*/\1/p' "$work/$kind.out")
  cl=$(sed -n 's/^number of clients: \([0-9]*\).*/\1/p' "$work/$kind.out")
  printf '%-9s %8s %7s %10s %12s\n' "$kind" "${cl:-?}" "${tx:-?}" "${fx:-?}" "${dl:-?}"
  if [ -z "$tx" ] || [ "${fx:-0}" != 0 ] || [ "${dl:-0}" != 0 ] || grep -q "aborted\|error\|ERROR" "$work/$kind.err"; then
    echo "soak: the $kind sessions failed:"; sed 's/^/  /' "$work/$kind.err" | head -20
    status=1
  fi
  if [ "${tx:-0}" = 0 ]; then
    echo "soak: no $kind transaction completed"; status=1
  fi
done
[ $failed -eq 0 ] || status=1

deadlocks=$(( $(q -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()") - deadlocks_before ))
echo "soak: ${elapsed}s, deadlocks counted by the server: $deadlocks"
[ "$deadlocks" -eq 0 ] || status=1
if [ -n "$log" ] && [ -f "$log" ]; then
  tail -c +"$((log_from + 1))" "$log" | grep -E 'ERROR:|FATAL:|PANIC:|deadlock' > "$work/log-errors" || true
  n=$(wc -l < "$work/log-errors")
  echo "soak: server log errors while the sessions ran: $n ($log)"
  if [ "$n" -gt 0 ]; then sed 's/^/  /' "$work/log-errors" | head -20; status=1; fi
else
  echo "soak: no server log found (set SOAK_SERVER_LOG): checked the sessions and the deadlock counter only"
fi

# After the storm, the same checks once more, quietly.
PGDATABASE=$DB "$PGBENCH" -n -t 1 -c 1 -f "$work/reads.sql" > "$work/final.out" 2>&1 || { echo "soak: the final checks failed"; tail -5 "$work/final.out"; status=1; }
PGOPTIONS="-c client_min_messages=warning" dropdb "$DB"
[ $status -eq 0 ] && echo "soak: passed" || echo "soak: FAILED"
exit $status
