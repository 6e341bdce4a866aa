-- bench/identity/fields.sql: the customer-field normalizers (included by bench/identity.sql; table bench_identity).

-- the plain-SQL country lookup: every spelling in the data, keyed as the query keys it
DROP TABLE IF EXISTS bench_country_map;
CREATE TABLE bench_country_map(k text PRIMARY KEY, a2 text NOT NULL);
INSERT INTO bench_country_map VALUES ('unitedstates', 'us'), ('us', 'us'), ('usa', 'us'), ('canada', 'ca'), ('ca', 'ca'),
    ('unitedkingdom', 'gb'), ('uk', 'gb'), ('germany', 'de'), ('de', 'de'), ('france', 'fr'), ('fra', 'fr');
ANALYZE bench_country_map;

SELECT bench.compare('identity', $c$first name: recon_normalize_first_name(v) vs lower(regexp_replace(v, '[^[:alpha:]]', '', 'g'))$c$, :rows,
    'SELECT sum(octet_length(recon_normalize_first_name(fn))) FROM bench_identity',
    $q$SELECT sum(octet_length(lower(regexp_replace(fn, '[^[:alpha:]]', '', 'g')))) FROM bench_identity$q$,
    'SELECT sum(octet_length(fn)) FROM bench_identity',
    p_note => 'the plain side skips NFC and the digit and control-character checks') \g /dev/null

SELECT bench.compare('identity', $c$city: recon_normalize_city(v) vs lower(regexp_replace(v, '[^[:alnum:]]', '', 'g'))$c$, :rows,
    'SELECT sum(octet_length(recon_normalize_city(ct))) FROM bench_identity',
    $q$SELECT sum(octet_length(lower(regexp_replace(ct, '[^[:alnum:]]', '', 'g')))) FROM bench_identity$q$,
    'SELECT sum(octet_length(ct)) FROM bench_identity') \g /dev/null

SELECT bench.compare('identity', $c$zip (US): recon_normalize_zip(v, 'US') vs left(regexp_replace(v, '[^0-9]', '', 'g'), 5)$c$, :rows,
    $q$SELECT sum(octet_length(recon_normalize_zip(zp, 'US'))) FROM bench_identity$q$,
    $q$SELECT sum(octet_length(left(regexp_replace(zp, '[^0-9]', '', 'g'), 5))) FROM bench_identity$q$,
    'SELECT sum(octet_length(zp)) FROM bench_identity',
    p_note => 'the plain side checks nothing (a 4- or 7-digit value would pass); recon also reads the country argument (resolved once per query and cached while it repeats)') \g /dev/null

SELECT bench.compare('identity', $c$country: recon_normalize_country(v) vs lookup join on lower(regexp_replace(v, '[^[:alpha:]]', '', 'g'))$c$, :rows,
    'SELECT count(recon_normalize_country(country)) FROM bench_identity',
    $q$SELECT count(m.a2) FROM bench_identity s LEFT JOIN bench_country_map m ON m.k = lower(regexp_replace(s.country, '[^[:alpha:]]', '', 'g'))$q$,
    'SELECT count(country) FROM bench_identity',
    p_note => 'the plain map holds only the 11 spellings in the data; recon searches all 249 countries and their aliases') \g /dev/null

SELECT bench.compare('identity', $c$date of birth: recon_normalize_date_of_birth(v) vs to_char(to_date(v, 'MM/DD/YYYY'), 'YYYYMMDD')$c$, :rows,
    'SELECT count(recon_normalize_date_of_birth(db)) FROM bench_identity',
    $q$SELECT count(to_char(to_date(db, 'MM/DD/YYYY'), 'YYYYMMDD')) FROM bench_identity$q$,
    'SELECT count(db) FROM bench_identity',
    p_note => 'to_date raises on a bad value and reads one format only; recon reads several and returns NULL plus a reason') \g /dev/null

SELECT bench.compare('identity', $c$gender: recon_normalize_gender(v) vs CASE lower(btrim(v)) WHEN ... END$c$, :rows,
    'SELECT count(recon_normalize_gender(ge)) FROM bench_identity',
    $q$SELECT count(CASE lower(btrim(ge)) WHEN 'f' THEN 'f' WHEN 'female' THEN 'f' WHEN 'woman' THEN 'f' WHEN 'w' THEN 'f'
                     WHEN 'm' THEN 'm' WHEN 'male' THEN 'm' WHEN 'man' THEN 'm' END) FROM bench_identity$q$,
    'SELECT count(ge) FROM bench_identity') \g /dev/null

DROP TABLE bench_country_map;
