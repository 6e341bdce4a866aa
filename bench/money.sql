-- bench/money.sql: recon's minor-unit conversions against the plain-SQL ways,
-- which join a currency table for the exponent:
--   from minor units: minor / 10 ^ exponent           (recon_money_from_minor)
--   to minor units:   (amount * 10 ^ exponent)::bigint, counting inexact amounts
--                     (recon_money_to_minor raises on them)
-- Each plain way also in its faster form, with the power of ten stored in the table.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/money.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_money_src, bench_money_currency;
-- The plain-SQL currency table: exponent, and the same as numeric factors (100, 0.01).
CREATE TABLE bench_money_currency AS
    SELECT code, minor_units,
           (10::numeric ^ minor_units)::numeric(20, 0) AS factor,
           round(1::numeric / 10::numeric ^ minor_units, minor_units) AS unit
    FROM recon_currencies();
ALTER TABLE bench_money_currency ADD PRIMARY KEY (code);
SELECT count(*) AS n_codes FROM bench_money_currency \gset
-- 1M amounts in every currency, positive and negative (refunds), at each currency's exact scale.
CREATE TABLE bench_money_src AS
    SELECT i, c.code AS currency, m.minor,
           round(m.minor::numeric / 10::numeric ^ c.minor_units, c.minor_units) AS amount
    FROM generate_series(1, :rows) AS i
    JOIN (SELECT code, minor_units, row_number() OVER (ORDER BY code) - 1 AS k
          FROM bench_money_currency) c ON c.k = (i::bigint * 7919) % :n_codes
    CROSS JOIN LATERAL (SELECT (i::bigint * 2654435761) % 200000001 - 100000000 AS minor) m;
VACUUM (FREEZE, ANALYZE) bench_money_currency, bench_money_src;
CHECKPOINT;                  -- no dirty pages left to write while timing

SELECT bench.compare('money', 'from minor: recon_money_from_minor vs minor / 10 ^ exp (JOIN)', :rows,
    'SELECT sum(recon_money_from_minor(minor, currency)) FROM bench_money_src',
    'SELECT sum(s.minor / 10::numeric ^ c.minor_units) FROM bench_money_src s JOIN bench_money_currency c ON c.code = s.currency',
    'SELECT sum(amount) FROM bench_money_src',
    p_note => '10 ^ exp in numeric (in float8 it would not be exact); the quotient carries 16+ decimal places') \g /dev/null

SELECT bench.compare('money', 'from minor: recon_money_from_minor vs minor * unit (JOIN, unit = 0.01 stored)', :rows,
    'SELECT sum(recon_money_from_minor(minor, currency)) FROM bench_money_src',
    'SELECT sum(s.minor * c.unit) FROM bench_money_src s JOIN bench_money_currency c ON c.code = s.currency',
    'SELECT sum(amount) FROM bench_money_src',
    p_note => 'the fastest plain form: a stored numeric unit of the right scale, no division') \g /dev/null

SELECT bench.compare('money', 'to minor: recon_money_to_minor vs (amount * 10 ^ exp)::bigint + exactness (JOIN)', :rows,
    $q$SELECT sum(recon_money_to_minor(amount, currency)) || ' / 0 inexact' FROM bench_money_src$q$,
    $q$SELECT sum((s.amount * 10::numeric ^ c.minor_units)::bigint) || ' / ' || count(*) FILTER (WHERE round(s.amount, c.minor_units) <> s.amount) || ' inexact'
       FROM bench_money_src s JOIN bench_money_currency c ON c.code = s.currency$q$,
    'SELECT sum(amount) FROM bench_money_src',
    p_note => 'exactness in plain SQL: count rows where round(amount, exp) <> amount (recon raises instead)') \g /dev/null

SELECT bench.compare('money', 'to minor: recon_money_to_minor vs (amount * factor)::bigint + exactness (JOIN, factor = 100 stored)', :rows,
    $q$SELECT sum(recon_money_to_minor(amount, currency)) || ' / 0 inexact' FROM bench_money_src$q$,
    $q$SELECT sum((s.amount * c.factor)::bigint) || ' / ' || count(*) FILTER (WHERE round(s.amount, c.minor_units) <> s.amount) || ' inexact'
       FROM bench_money_src s JOIN bench_money_currency c ON c.code = s.currency$q$,
    'SELECT sum(amount) FROM bench_money_src') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('money');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_money_src, bench_money_currency;
