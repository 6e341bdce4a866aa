-- bench/fields.sql: the customer-field normalizers in C against the plain-SQL way
-- of writing each rule (regexp_replace + lower, to_char(to_date(...)), a lookup
-- join, a CASE), on the same 1M-row table, with a count(*) floor.
-- Run by bench/run-all; alone: pg_virtualenv psql -X -f bench/fields.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_fields_src;
DROP TABLE IF EXISTS bench_country_map;
-- 1M customers: names with case, spaces and punctuation (5% with accents), cities, US ZIPs
-- (half ZIP+4), countries as names/codes/aliases, dates of birth as M/D/YYYY, genders.
-- All ASCII upper case, so the plain-SQL lower() agrees with recon whatever the collation.
CREATE TABLE bench_fields_src AS
SELECT i,
       (ARRAY['Mary', ' JOHN ', 'Jean-Luc', 'O''Brien', 'Mary Ann', 'ava', 'Noah', 'LIAM', 'olivia', 'Sophia'])[1 + i % 10]
           || CASE WHEN i % 20 = 0 THEN 'é' ELSE '' END AS fn,
       (ARRAY['New York', 'San Francisco', 'St. Louis', 'Winston-Salem', 'AUSTIN', ' boston ', 'Los Angeles', 'Chicago'])[1 + i % 8] AS ct,
       lpad((i::bigint * 7919 % 100000)::text, 5, '0') || CASE WHEN i % 2 = 0 THEN '-' || lpad((i % 10000)::text, 4, '0') ELSE '' END AS zp,
       (ARRAY['United States', 'US', 'usa', 'U.S.A.', 'Canada', 'CA', 'United Kingdom', 'UK', 'Germany', 'DE', 'France', 'FRA'])[1 + i % 12] AS country,
       to_char(date '1940-01-01' + (i % 25000), 'FMMM/FMDD/YYYY') AS db,
       (ARRAY['f', 'M', 'Female', 'male'])[1 + i % 4] AS ge
FROM generate_series(1, :rows) AS i;
VACUUM (FREEZE, ANALYZE) bench_fields_src;
-- the plain-SQL country lookup: every spelling in the data, keyed as the query keys it
CREATE TABLE bench_country_map(k text PRIMARY KEY, a2 text NOT NULL);
INSERT INTO bench_country_map VALUES ('unitedstates', 'us'), ('us', 'us'), ('usa', 'us'), ('canada', 'ca'), ('ca', 'ca'),
    ('unitedkingdom', 'gb'), ('uk', 'gb'), ('germany', 'de'), ('de', 'de'), ('france', 'fr'), ('fra', 'fr');
ANALYZE bench_country_map;
CHECKPOINT;

SELECT bench.compare('fields', $c$first name: recon_normalize_first_name(v) vs lower(regexp_replace(v, '[^[:alpha:]]', '', 'g'))$c$, :rows,
    'SELECT sum(octet_length(recon_normalize_first_name(fn))) FROM bench_fields_src',
    $q$SELECT sum(octet_length(lower(regexp_replace(fn, '[^[:alpha:]]', '', 'g')))) FROM bench_fields_src$q$,
    'SELECT sum(octet_length(fn)) FROM bench_fields_src',
    p_note => 'the plain side skips NFC and the digit and control-character checks') \g /dev/null

SELECT bench.compare('fields', $c$city: recon_normalize_city(v) vs lower(regexp_replace(v, '[^[:alnum:]]', '', 'g'))$c$, :rows,
    'SELECT sum(octet_length(recon_normalize_city(ct))) FROM bench_fields_src',
    $q$SELECT sum(octet_length(lower(regexp_replace(ct, '[^[:alnum:]]', '', 'g')))) FROM bench_fields_src$q$,
    'SELECT sum(octet_length(ct)) FROM bench_fields_src') \g /dev/null

SELECT bench.compare('fields', $c$zip (US): recon_normalize_zip(v, 'US') vs left(regexp_replace(v, '[^0-9]', '', 'g'), 5)$c$, :rows,
    $q$SELECT sum(octet_length(recon_normalize_zip(zp, 'US'))) FROM bench_fields_src$q$,
    $q$SELECT sum(octet_length(left(regexp_replace(zp, '[^0-9]', '', 'g'), 5))) FROM bench_fields_src$q$,
    'SELECT sum(octet_length(zp)) FROM bench_fields_src',
    p_note => 'the plain side checks nothing (a 4- or 7-digit value would pass); recon also reads the country argument (resolved once per query and cached while it repeats)') \g /dev/null

SELECT bench.compare('fields', $c$country: recon_normalize_country(v) vs lookup join on lower(regexp_replace(v, '[^[:alpha:]]', '', 'g'))$c$, :rows,
    'SELECT count(recon_normalize_country(country)) FROM bench_fields_src',
    $q$SELECT count(m.a2) FROM bench_fields_src s LEFT JOIN bench_country_map m ON m.k = lower(regexp_replace(s.country, '[^[:alpha:]]', '', 'g'))$q$,
    'SELECT count(country) FROM bench_fields_src',
    p_note => 'the plain map holds only the 11 spellings in the data; recon searches all 249 countries and their aliases') \g /dev/null

SELECT bench.compare('fields', $c$date of birth: recon_normalize_date_of_birth(v) vs to_char(to_date(v, 'MM/DD/YYYY'), 'YYYYMMDD')$c$, :rows,
    'SELECT count(recon_normalize_date_of_birth(db)) FROM bench_fields_src',
    $q$SELECT count(to_char(to_date(db, 'MM/DD/YYYY'), 'YYYYMMDD')) FROM bench_fields_src$q$,
    'SELECT count(db) FROM bench_fields_src',
    p_note => 'to_date raises on a bad value and reads one format only; recon reads several and returns NULL plus a reason') \g /dev/null

SELECT bench.compare('fields', $c$gender: recon_normalize_gender(v) vs CASE lower(btrim(v)) WHEN ... END$c$, :rows,
    'SELECT count(recon_normalize_gender(ge)) FROM bench_fields_src',
    $q$SELECT count(CASE lower(btrim(ge)) WHEN 'f' THEN 'f' WHEN 'female' THEN 'f' WHEN 'woman' THEN 'f' WHEN 'w' THEN 'f'
                     WHEN 'm' THEN 'm' WHEN 'male' THEN 'm' WHEN 'man' THEN 'm' END) FROM bench_fields_src$q$,
    'SELECT count(ge) FROM bench_fields_src') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('fields');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_fields_src;
DROP TABLE bench_country_map;
