#!/bin/sh
# The main job on the sample export files (examples/) instead of the generator:
# create the extension, load every file of examples/load-order.txt with
# scripts/recon-load (each one transaction), then show what was loaded, what was
# rejected and why, and the report over the loaded data.
# Run by scripts/run-demo --from-examples (make demo FROM=examples); needs PGDATABASE.
set -eu
cd "$(dirname "$0")/.."
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
SET client_min_messages = warning;
CREATE EXTENSION recon;
SELECT recon.set_setting('reporting_timezone', 'America/New_York', 'demo: the business reports on New York time') \g /dev/null
SELECT recon.set_setting('reporting_currency', 'USD', 'demo: group reporting currency') \g /dev/null
SELECT recon.install_default_contract('demo: standard recon KPIs') \g /dev/null
-- made-up daily rates to USD for the sample period (the report converts every amount)
\copy recon.fx_rates (rate_date, base_currency, quote_currency, rate) FROM 'examples/fx/daily_rates_usd.csv' WITH (FORMAT csv, HEADER)
SQL
echo
echo "== 1. Loading the sample exports (examples/load-order.txt), one transaction each"
grep -v '^#' examples/load-order.txt | grep -v '^[[:space:]]*$' | while IFS='|' read -r format file options; do
  format=$(echo "$format" | xargs); file=$(echo "$file" | xargs); options=$(echo "$options" | sed 's/^ *//; s/ *$//')
  echo "+ scripts/recon-load $format $file '$options'"
  scripts/recon-load "$format" "$file" "$options" > /dev/null
done
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
\pset footer off
\echo
\echo '== 2. What each load read, wrote, replaced, rejected and skipped (recon.load_batches)'
SELECT batch_id, format, regexp_replace(source_file, '^examples/', '') AS file, rows_read AS read, rows_loaded AS loaded,
       rows_replaced AS replaced, rows_rejected AS rejected, rows_skipped AS skipped
FROM recon.load_batches ORDER BY started_at, batch_id;

\echo
\echo '== 3. Why rows were rejected (recon.load_rejects), by reason'
SELECT split_part(reason, ':', 1) AS reason, count(*) AS rows, min(b.format || ' line ' || r.line_number) AS example
FROM recon.load_rejects r JOIN recon.load_batches b USING (batch_id), unnest(r.reasons) AS reason
WHERE r.disposition = 'rejected'
GROUP BY 1 ORDER BY 2 DESC, 1;

\echo
\echo '== 4. The three layers as loaded: platform claims per channel and month (USD, New York days)'
SELECT channel, to_char(month, 'YYYY-MM') AS month, round(spend) AS spend, platform_conversions::numeric(12, 1) AS "platform conv",
       round(platform_value) AS "platform value", crm_valid AS "crm valid", paid_records AS paid, round(collected_revenue) AS collected
FROM recon.report_channel_month ORDER BY channel, month;
SQL
