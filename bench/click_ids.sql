-- bench/click_ids.sql: the click-id, cookie and platform-id functions against the
-- plain-SQL way of doing the same (regexp substring, split_part, CASE over regexes)
-- on one 1M-row table, with a count(*)-style floor (the scan alone).
-- Run by bench/run-all click_ids; alone: psql -X -f bench/click_ids.sql (after CREATE EXTENSION recon).
\ir lib.sql
\set rows 1000000

DROP TABLE IF EXISTS bench_clicks;
-- 1M landing pages of the four big platforms (a click id each, UTM values, ~170 bytes),
-- their Meta fbc cookies (5% broken), the click times, and platform ids as they arrive
-- from exports: 80% intact, 10% in Excel's E+ display, 5% zero-filled, 5% garbage.
CREATE TABLE bench_clicks AS
SELECT i,
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
            ELSE 'n/a-' || i END AS platform_id
FROM generate_series(1::bigint, :rows) AS i;
VACUUM (FREEZE, ANALYZE) bench_clicks;
CHECKPOINT;

-- one click id: the function against a regex substring (neither sees anything to decode here)
SELECT bench.compare('click_ids', $c$recon_click_id(url, 'gclid') vs substring(url from '[?&]gclid=([^&#]*)')$c$, :rows,
    $q$SELECT sum(hashtext(recon_click_id(url, 'gclid'))) FROM bench_clicks$q$,
    $q$SELECT sum(hashtext(substring(url from '[?&]gclid=([^&#]*)'))) FROM bench_clicks$q$,
    'SELECT sum(hashtext(url)) FROM bench_clicks',
    p_note => 'the regex does not percent-decode, does not look in the fragment and does not see a repeated parameter; on this data (no escapes) both return the same ids') \g /dev/null

-- every field: one parse per row against 17 regex substrings
SELECT bench.compare('click_ids', 'recon_parse_click_ids(url) (17 fields) vs 17 regex substrings', :rows,
    $q$SELECT sum(hashtext(concat_ws('|', c.fbclid, c.gclid, c.gbraid, c.wbraid, c.msclkid, c.ttclid, c.li_fat_id, c.ctwa_clid,
        c.utm_id, c.utm_source, c.utm_medium, c.utm_campaign, c.utm_term, c.utm_content, c.utm_source_platform,
        c.utm_creative_format, c.utm_marketing_tactic))) FROM bench_clicks, LATERAL recon_parse_click_ids(url) c$q$,
    $q$SELECT sum(hashtext(concat_ws('|', substring(url from '[?&]fbclid=([^&#]*)'), substring(url from '[?&]gclid=([^&#]*)'),
        substring(url from '[?&]gbraid=([^&#]*)'), substring(url from '[?&]wbraid=([^&#]*)'), substring(url from '[?&]msclkid=([^&#]*)'),
        substring(url from '[?&]ttclid=([^&#]*)'), substring(url from '[?&]li_fat_id=([^&#]*)'), substring(url from '[?&]ctwa_clid=([^&#]*)'),
        substring(url from '[?&]utm_id=([^&#]*)'), substring(url from '[?&]utm_source=([^&#]*)'), substring(url from '[?&]utm_medium=([^&#]*)'),
        substring(url from '[?&]utm_campaign=([^&#]*)'), substring(url from '[?&]utm_term=([^&#]*)'), substring(url from '[?&]utm_content=([^&#]*)'),
        substring(url from '[?&]utm_source_platform=([^&#]*)'), substring(url from '[?&]utm_creative_format=([^&#]*)'),
        substring(url from '[?&]utm_marketing_tactic=([^&#]*)')))) FROM bench_clicks$q$,
    'SELECT sum(hashtext(url)) FROM bench_clicks',
    p_note => 'recon also decodes, reads the fragment and flags; the regexes do none of that') \g /dev/null

-- the same as jsonb: against collecting every parameter with one global regex (this data has
-- only the known parameters, none twice, so both sides give the same object)
SELECT bench.compare('click_ids', $c$recon_parse_click_ids_json(url) vs jsonb_object_agg over regexp_matches(url, '[?&]([^=&#]+)=([^&#]*)', 'g')$c$, :rows,
    $q$SELECT sum(hashtext((recon_parse_click_ids_json(url) - 'flags')::text)) FROM bench_clicks$q$,
    $q$SELECT sum(hashtext((SELECT jsonb_object_agg(m[1], m[2]) FROM regexp_matches(url, '[?&]([^=&#]+)=([^&#]*)', 'g') AS m)::text)) FROM bench_clicks$q$,
    'SELECT sum(hashtext(url)) FROM bench_clicks',
    p_note => 'the regex side collects every parameter (no decoding, the last of a repeated one wins)') \g /dev/null

-- fbc: parse and validate against split_part behind a validating regex
SELECT bench.compare('click_ids', $c$recon_parse_fbc(fbc) vs split_part(fbc, '.', n) behind a validating regex$c$, :rows,
    $q$SELECT sum(p.creation_ms) + sum(hashtext(p.fbclid)) FROM bench_clicks, LATERAL recon_parse_fbc(fbc) p$q$,
    $q$SELECT sum(split_part(fbc, '.', 3)::bigint) + sum(hashtext(split_part(fbc, '.', 4))) FROM bench_clicks
       WHERE fbc ~ '^fb\.[0-9]{1,2}\.[0-9]{13}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$'$q$,
    'SELECT sum(hashtext(fbc)) FROM bench_clicks',
    p_note => '5% of the cookies are broken (a = in the fbclid): both sides skip them; recon also reads seconds timestamps and flags them') \g /dev/null

-- fbc: build from fbclid and click time
SELECT bench.compare('click_ids', $c$recon_build_fbc(fbclid, click_time) vs 'fb.1.' || floor(epoch * 1000) || '.' || fbclid$c$, :rows,
    $q$SELECT sum(hashtext(recon_build_fbc(fbclid, click_time))) FROM bench_clicks$q$,
    $q$SELECT sum(hashtext('fb.1.' || floor(extract(epoch FROM click_time) * 1000)::bigint || '.' || fbclid)) FROM bench_clicks$q$,
    'SELECT sum(hashtext(fbclid)) + count(click_time) FROM bench_clicks',
    p_note => 'recon also checks the fbclid alphabet and the time range') \g /dev/null

-- platform ids: classify
SELECT bench.compare('click_ids', 'recon_platform_id_status(id) vs CASE over regexes', :rows,
    $q$SELECT count(*) FILTER (WHERE recon_platform_id_status(platform_id) IN ('scientific_notation', 'precision_lost')) FROM bench_clicks$q$,
    $q$SELECT count(*) FILTER (WHERE CASE WHEN platform_id ~ '^[1-9][0-9]*([.,][0-9]+)?[eE]\+?[0-9]+$' THEN 'scientific_notation'
                                     WHEN platform_id ~ '^[1-9][0-9]{14}0{2,}$' THEN 'precision_lost'
                                     WHEN platform_id ~ '^[1-9][0-9]{0,19}$' THEN 'ok' ELSE 'invalid' END
                                IN ('scientific_notation', 'precision_lost')) FROM bench_clicks$q$,
    'SELECT count(platform_id) FROM bench_clicks',
    p_note => 'the regexes do not check the float round-trip, blanks, quotes, apostrophes or thousands commas') \g /dev/null

-- platform ids: normalize
SELECT bench.compare('click_ids', $c$recon_normalize_platform_id(id) vs CASE WHEN btrim(id) ~ '^[1-9][0-9]{0,19}$' AND NOT zero-filled$c$, :rows,
    $q$SELECT sum(hashtext(recon_normalize_platform_id(platform_id))) FROM bench_clicks$q$,
    $q$SELECT sum(hashtext(CASE WHEN btrim(platform_id) ~ '^[1-9][0-9]{0,19}$' AND btrim(platform_id) !~ '^[1-9][0-9]{14}0{2,}$'
                                THEN btrim(platform_id) END)) FROM bench_clicks$q$,
    'SELECT count(platform_id) FROM bench_clicks') \g /dev/null

-- platform ids: the 15-digit match key, against rounding the numeric value (which also reads E+ notation)
SELECT bench.compare('click_ids', 'count(DISTINCT recon_platform_id_match_key(id)) vs count(DISTINCT round(id::numeric, 15 - digits))', :rows,
    $q$SELECT count(DISTINCT recon_platform_id_match_key(platform_id)) FROM bench_clicks$q$,
    $q$SELECT count(DISTINCT round(v, 15 - length(trunc(v)::text))) FROM bench_clicks,
       LATERAL (SELECT CASE WHEN platform_id ~ '^[1-9][0-9]{0,19}$' OR platform_id ~ '^[1-9](\.[0-9]+)?[eE]\+?[0-9]{1,2}$'
                            THEN platform_id::numeric END AS v) x$q$,
    'SELECT count(DISTINCT platform_id) FROM bench_clicks',
    p_note => 'both group a genuine id with its E+ display and its zero fill; the plain side validates with two regexes first') \g /dev/null

\pset format unaligned
\pset tuples_only on
SELECT bench.markdown('click_ids');
\pset format aligned
\pset tuples_only off
DROP TABLE bench_clicks;
