#!/bin/sh
# Loading exports (docs/loading.md): a 1,000,000-row Meta Ads Manager CSV (20 columns,
# 2,000 ads x 500 days, per-window purchase columns) loaded with scripts/recon-load
# (\copy staging + recon.load_staged: parse, check, replace, write delivery and
# conversions), against the floor: one plain \copy of the same file into an
# unconstrained table with the file's columns. Then a reload of the same file (every
# row replaced). Timed from the shell around psql, 3 runs interleaved, median.
# Env: ROWS (default 1000000), PGDATABASE (run-all sets it).
set -eu
cd "$(dirname "$0")/.."
ROWS=${ROWS:-1000000}
DAYS=500
ADS=$(( (ROWS + DAYS - 1) / DAYS ))
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
file="$dir/ads_manager_${ROWS}.csv"
p() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
say() { echo "load: $*" >&2; }

say "writing $ROWS rows to $file"
p -c "COPY (
  SELECT d::date AS \"Reporting starts\", d::date AS \"Reporting ends\", 'Campaign ' || (a / 20) AS \"Campaign name\",
         (120208123456000000 + (a / 20) * 1000 + 17)::text AS \"Campaign ID\", 'Set ' || (a / 4) AS \"Ad set name\",
         (120208123457000000 + (a / 4) * 1000 + 29)::text AS \"Ad set ID\", 'Ad ' || a AS \"Ad name\",
         (120208123458000000 + a * 1000 + 41)::text AS \"Ad ID\", 'USD' AS \"Currency\",
         round((10 + (a * 7 + i) % 300)::numeric + ((a + i) % 100) / 100.0, 2) AS \"Amount spent (USD)\",
         1000 + (a * 13 + i) % 5000 AS \"Impressions\", 10 + (a + i) % 90 AS \"Link clicks\",
         (a + i) % 7 AS \"Purchases\", (a + i) % 6 AS \"Purchases (7-day click)\", (a + i) % 2 AS \"Purchases (1-day view)\",
         ((a + i) % 7) * 49.9 AS \"Purchases conversion value\", ((a + i) % 6) * 49.9 AS \"Purchases conversion value (7-day click)\",
         ((a + i) % 2) * 49.9 AS \"Purchases conversion value (1-day view)\", 900 + (a * 13 + i) % 4000 AS \"Reach\",
         '7-day click or 1-day view' AS \"Attribution setting\"
  FROM generate_series(0, $ADS - 1) a, generate_series(0, $DAYS - 1) i,
       LATERAL (SELECT date '2025-01-01' + i AS d) x
  LIMIT $ROWS) TO STDOUT WITH (FORMAT csv, HEADER)" > "$file"
say "$(wc -c < "$file") bytes"

p -c "DROP TABLE IF EXISTS bench_insights_plain;
      CREATE TABLE bench_insights_plain (reporting_starts date, reporting_ends date, campaign_name text, campaign_id text,
        adset_name text, adset_id text, ad_name text, ad_id text, currency text, spend numeric, impressions bigint,
        link_clicks bigint, purchases numeric, purchases_7d_click numeric, purchases_1d_view numeric, purchases_value numeric,
        purchases_value_7d_click numeric, purchases_value_1d_view numeric, reach bigint, attribution_setting text)"
p -c "INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency)
      VALUES ('meta', '1010203040506070', 'bench', 'America/New_York', 'USD') ON CONFLICT DO NOTHING"

now() { date +%s.%N; }
floor_run() {
  p -c "TRUNCATE bench_insights_plain"
  t0=$(now)
  p -c "\\copy bench_insights_plain FROM '$file' WITH (FORMAT csv, HEADER)"
  awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }'
}
load_run() {
  t0=$(now)
  scripts/recon-load meta_insights_csv "$file" '{"account_id": "1010203040506070"}' > "$dir/summary"
  awk -v a="$(now)" -v b="$t0" 'BEGIN { printf "%.2f", a - b }'
}
median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

floors=""; firsts=""; reloads=""
for run in 1 2 3; do
  say "run $run: floor"
  floors="$floors $(floor_run)"
  say "run $run: recon-load into empty tables"
  p -c "TRUNCATE recon.ad_delivery_daily CASCADE" 2>/dev/null
  firsts="$firsts $(load_run)"
  say "run $run: recon-load again (every row replaced)"
  reloads="$reloads $(load_run)"
done
tail -n 3 "$dir/summary" | head -n 1 >&2
f=$(median $floors); a=$(median $firsts); r=$(median $reloads)
cat <<MD
### load: $ROWS Meta Ads Manager rows from CSV

| step | seconds (median of 3) | vs plain \\copy |
|---|---:|---:|
| plain \\copy into an unconstrained table (the floor) | $f | 1.0x |
| scripts/recon-load into empty tables | $a | $(awk -v a="$a" -v f="$f" 'BEGIN { printf "%.1f", a / f }')x |
| scripts/recon-load of the same file again (every row replaced) | $r | $(awk -v a="$r" -v f="$f" 'BEGIN { printf "%.1f", a / f }')x |

Runs: floor $floors; first load $firsts; reload $reloads.
MD
p -c "DROP TABLE bench_insights_plain"
