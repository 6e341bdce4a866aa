-- bench/currency.sql: recon's compiled-in ISO 4217 table against the plain-SQL
-- ways of validating a currency code and finding its minor units: a CHECK with
-- the code list written out (IN (...170 literals...)) and a join to a lookup table.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/currency.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

-- Inputs, materialized once so both sides read the same rows: every known code, evenly mixed.
DROP TABLE IF EXISTS bench_currency_src, bench_currency, bench_cur_recon, bench_cur_plain, bench_cur_none;
DROP DOMAIN IF EXISTS bench_currency_sql;
CREATE TABLE bench_currency AS SELECT code, minor_units FROM recon_currencies();
ALTER TABLE bench_currency ADD PRIMARY KEY (code);
SELECT count(*) AS n_codes FROM bench_currency \gset
CREATE TABLE bench_currency_src AS
    SELECT i, c.code
    FROM generate_series(1, :rows) AS i
    JOIN (SELECT code, row_number() OVER (ORDER BY code) - 1 AS k FROM bench_currency) c
      ON c.k = (i::bigint * 7919) % :n_codes;
VACUUM (FREEZE, ANALYZE) bench_currency, bench_currency_src;
CHECKPOINT;                  -- no dirty pages left to write while timing

-- The plain-SQL domain and table CHECK: the same list, written out.
SELECT string_agg(quote_literal(code), ', ' ORDER BY code) AS codes FROM bench_currency \gset
CREATE DOMAIN bench_currency_sql AS text COLLATE "C" CHECK (VALUE IN (:codes));
CREATE UNLOGGED TABLE bench_cur_recon (code recon_currency_code);
CREATE UNLOGGED TABLE bench_cur_plain (code text COLLATE "C" CHECK (code IN (:codes)));
CREATE UNLOGGED TABLE bench_cur_none (code text COLLATE "C");

SELECT bench.compare('currency', 'WHERE: recon_currency_check(code) vs code IN (list)', :rows,
    'SELECT count(*) FILTER (WHERE recon_currency_check(code)) FROM bench_currency_src',
    format('SELECT count(*) FILTER (WHERE code IN (%s)) FROM bench_currency_src', :'codes'),
    'SELECT count(*) FILTER (WHERE code IS NOT NULL) FROM bench_currency_src',
    p_note => format('the IN list has %s literals; in a query PostgreSQL 14+ evaluates a long IN list with a hash table', :n_codes)) \g /dev/null

SELECT bench.compare('currency', 'domain cast: recon_currency_code vs CHECK (VALUE IN (list))', :rows,
    'SELECT count(code::recon_currency_code) FROM bench_currency_src',
    'SELECT count(code::bench_currency_sql) FROM bench_currency_src',
    'SELECT count(code) FROM bench_currency_src',
    p_note => 'a domain''s CHECK (and a table''s) is planned without the hashed IN list of a query: the list is searched linearly') \g /dev/null

SELECT bench.compare('currency', 'INSERT: recon_currency_code column vs CHECK (code IN (list))', :rows,
    'INSERT INTO bench_cur_recon SELECT code FROM bench_currency_src',
    'INSERT INTO bench_cur_plain SELECT code FROM bench_currency_src',
    'INSERT INTO bench_cur_none SELECT code FROM bench_currency_src',
    p_before => 'TRUNCATE bench_cur_recon, bench_cur_plain, bench_cur_none',
    p_note => '1M rows into an unlogged table; scan-only = the same INSERT into a text column with no check') \g /dev/null

SELECT bench.compare('currency', 'minor units: recon_currency_minor_units(code) vs JOIN lookup table', :rows,
    'SELECT sum(recon_currency_minor_units(code)) FROM bench_currency_src',
    'SELECT sum(c.minor_units) FROM bench_currency_src s JOIN bench_currency c USING (code)',
    'SELECT count(code) FROM bench_currency_src',
    p_note => format('hash join against the %s-row lookup table', :n_codes)) \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('currency');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_currency_src, bench_currency, bench_cur_recon, bench_cur_plain, bench_cur_none;
DROP DOMAIN bench_currency_sql;
