-- bench/identity.sql: the identity functions against the plain-SQL way of doing the same
-- thing, all in one run on one 1M-row table of CRM-style customer records (bench_identity),
-- with the scan alone as the floor. The cases are in bench/identity/*.sql.
-- Run by bench/run-all identity; alone: pg_virtualenv psql -X -f bench/identity.sql (after CREATE EXTENSION recon).
\ir lib.sql
\if :{?rows}
\else
\set rows 1000000
\endif
SET max_parallel_workers_per_gather = 0;

DROP TABLE IF EXISTS bench_identity;
-- One customer record per row:
-- email as CRMs hold it: mixed case, some surrounding blanks, Gmail dots and +tags, 5% non-ASCII,
--   4% unusable (no '@', a space inside);
-- names with case, spaces and punctuation (5% with an accent), cities, US ZIPs (half ZIP+4),
--   countries as names/codes/aliases, dates of birth as M/D/YYYY, genders;
-- landing URLs of the four big platforms (a click id each, UTM values, ~170 bytes), Meta fbc
--   cookies (5% broken), click times, and platform ids as exports deliver them (80% intact,
--   10% in Excel's E+ display, 5% zero-filled, 5% garbage);
-- phone numbers from 20 regions (US, CA, GB, DE, FR, ES, IT, NL, AE, SA, IN, AU, BR, MX, JP, KR,
--   ZA, NG, SG, PL) written national, international, E.164, dialled from abroad or as dashed
--   digits, with their default region (recon_phone_typical_sample).
CREATE TABLE bench_identity AS
SELECT i,
       CASE
           WHEN i % 100 < 60 THEN initcap(f) || '.' || initcap(l) || i || '@' || d
           WHEN i % 100 < 75 THEN f || '.' || l || '+promo' || (i % 7) || '@Gmail.com'
           WHEN i % 100 < 86 THEN '  ' || upper(f) || i || '@' || d || ' '
           WHEN i % 100 < 91 THEN f || i || '@' || d
           WHEN i % 100 < 96 THEN 'Émilie.' || l || i || '@exämple.fr'
           WHEN i % 100 < 98 THEN f || ' ' || l || '@' || d
           ELSE f || l || i || '.' || d
       END AS email,
       (ARRAY['Mary', ' JOHN ', 'Jean-Luc', 'O''Brien', 'Mary Ann', 'ava', 'Noah', 'LIAM', 'olivia', 'Sophia'])[1 + i % 10]
           || CASE WHEN i % 20 = 0 THEN 'é' ELSE '' END AS fn,
       (ARRAY['New York', 'San Francisco', 'St. Louis', 'Winston-Salem', 'AUSTIN', ' boston ', 'Los Angeles', 'Chicago'])[1 + i % 8] AS ct,
       lpad((i::bigint * 7919 % 100000)::text, 5, '0') || CASE WHEN i % 2 = 0 THEN '-' || lpad((i % 10000)::text, 4, '0') ELSE '' END AS zp,
       (ARRAY['United States', 'US', 'usa', 'U.S.A.', 'Canada', 'CA', 'United Kingdom', 'UK', 'Germany', 'DE', 'France', 'FRA'])[1 + i % 12] AS country,
       to_char(date '1940-01-01' + (i % 25000)::integer, 'FMMM/FMDD/YYYY') AS db,
       (ARRAY['f', 'M', 'Female', 'male'])[1 + i % 4] AS ge,
       'https://shop.example.com/products/' || (i % 997) || '?utm_source=' || (ARRAY['facebook', 'google', 'tiktok', 'bing'])[1 + i % 4]
           || '&utm_medium=cpc&utm_campaign=spring_sale_' || (i % 1000)
           || CASE i % 4 WHEN 0 THEN '&fbclid=' || recon_demo_token(1, 1, i, 60)
                         WHEN 1 THEN '&gclid=' || recon_demo_token(1, 2, i, 90)
                         WHEN 2 THEN '&ttclid=' || recon_demo_token(1, 3, i, 40)
                         ELSE '&msclkid=' || md5(i::text) END
           || '&utm_content=ad_' || i AS url,
       CASE WHEN i % 20 = 0 THEN 'fb.1.' || (1600000000000 + i) || '.' || recon_demo_token(1, 4, i, 50) || '='
            ELSE 'fb.' || (i % 3) || '.' || (1600000000000 + i * 997) || '.' || recon_demo_token(1, 4, i, 50) END AS fbc,
       recon_demo_token(1, 5, i, 60) AS fbclid,
       timestamptz '2024-01-01 UTC' + i * interval '31.337 seconds' AS click_time,
       CASE WHEN i % 20 < 16 THEN (120208000000000000 + i * 7919)::text
            WHEN i % 20 < 18 THEN '1.20208' || lpad((i % 100000000)::text, 8, '0') || 'E+17'
            WHEN i % 20 = 18 THEN '120208' || lpad((i % 1000000000)::text, 9, '0') || '000'
            ELSE 'n/a-' || i END AS platform_id,
       phone_input AS phone, phone_region
FROM (SELECT row_number() OVER () AS i, input AS phone_input, default_region AS phone_region
      FROM recon_phone_typical_sample(:rows)) AS ph,
     LATERAL (SELECT (ARRAY['anna', 'james', 'maria', 'wei', 'olu', 'sofia', 'lucas', 'aisha'])[1 + i % 8] AS f,
                     (ARRAY['smith', 'garcia', 'chen', 'okafor', 'rossi', 'novak', 'khan'])[1 + i % 7] AS l,
                     (ARRAY['example.com', 'Company.co.uk', 'mail.de', 'shop.io'])[1 + i % 4] AS d) AS parts;
VACUUM (FREEZE, ANALYZE) bench_identity;
CHECKPOINT;                  -- no dirty pages left to write while timing

\ir identity/email.sql
\ir identity/fields.sql
\ir identity/click_ids.sql
\ir identity/phone.sql

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('identity');
\ir identity/phone_report.sql
\pset format aligned
\pset tuples_only off
DROP TABLE bench_identity;
