-- core_timezone: IANA zone names only, in the tz database's spelling
-- (src/core/timezone.c).

-- recon_timezone: any case, surrounding blanks, out comes the canonical name.
SELECT to_json(v) AS input, recon_timezone(v) AS canonical
FROM unnest(ARRAY['America/New_York', 'america/new_york', 'AMERICA/NEW_YORK', ' UTC ', 'utc',
                  E'\tEurope/Paris\n', 'asia/tokyo', 'australia/lord_howe', 'America/Argentina/Buenos_Aires',
                  'etc/gmt+3', 'etc/utc', 'Pacific/Chatham']) AS v;
-- ... every name it returns is a zone the server knows.
SELECT count(*) AS names_not_in_pg_timezone_names
FROM unnest(ARRAY['america/new_york', ' UTC ', 'asia/tokyo', 'etc/gmt+3']) AS v
WHERE recon_timezone(v) NOT IN (SELECT name FROM pg_timezone_names);

-- Abbreviations, fixed offsets and unknown names are rejected with 22023.
SELECT to_json(v) AS input, regress.sqlstate_of(format('SELECT recon_timezone(%L)', v)) AS result
FROM unnest(ARRAY['EST', 'est', 'MST', 'HST', 'PST', '+03:00', '-05', 'UTC+3', 'GMT+3:00',
                  '', '   ', 'Mars/Olympus', 'America/NewYork', 'America/New York', 'New_York']) AS v;
-- ... a 200-character string (longer than any zone name) too; over the name limit (256 bytes): 54000.
SELECT regress.sqlstate_of(format('SELECT recon_timezone(%L)', repeat('x', 200))) = format(
       '22023: time zone "%s" is not a known IANA time zone name', repeat('x', 200)) AS long_name_rejected;
SELECT regress.sqlstate_of(format('SELECT recon_timezone(%L)', 'America/' || repeat('x', 200))) LIKE '22023: %' AS long_path_rejected;
SELECT regress.sqlstate_of(format('SELECT recon_timezone(%L)', 'America/' || repeat('x', 300))) AS over_name_limit;
-- ... with the reason and the way out.
\x on
SELECT * FROM regress.error_of($$SELECT recon_timezone('EST')$$);
\x off

-- The domain recon_timezone_name: canonical spelling only.
SELECT 'America/New_York'::recon_timezone_name AS ny, 'UTC'::recon_timezone_name AS utc,
       'Asia/Kolkata'::recon_timezone_name AS kolkata, NULL::recon_timezone_name IS NULL AS null_allowed;
\x on
SELECT * FROM regress.error_of($$SELECT 'america/new_york'::recon_timezone_name$$);
\x off
SELECT to_json(v) AS input, regress.sqlstate_of(format('SELECT %L::recon_timezone_name', v)) AS result
FROM unnest(ARRAY['utc', ' UTC', 'UTC ', 'Europe/paris', 'EST', '+03:00', 'UTC+3', '', 'Mars/Olympus']) AS v;
-- ... and as a column type.
CREATE TEMP TABLE zoned (id int, tz recon_timezone_name);
INSERT INTO zoned VALUES (1, recon_timezone(' europe/london ')), (2, NULL);
SELECT regress.sqlstate_of($$INSERT INTO zoned VALUES (3, 'europe/london')$$);
SELECT * FROM zoned ORDER BY id;
DROP TABLE zoned;

-- recon_timezone and the domain agree: every canonical name passes the domain check.
SELECT count(*) AS canonical_names_rejected_by_domain
FROM pg_timezone_names n
WHERE n.name !~ '^(posix|right)/' AND n.name NOT IN ('EST', 'MST', 'HST')
  AND regress.sqlstate_of(format('SELECT recon_timezone(%L)::recon_timezone_name', lower(n.name))) <> 'ok';

-- STRICT: NULL in, NULL out.
SELECT recon_timezone(NULL) IS NULL AS timezone_null, recon_timezone_check(NULL) IS NULL AS check_null;
