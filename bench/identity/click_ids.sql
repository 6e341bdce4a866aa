-- bench/identity/click_ids.sql: click ids, Meta cookies, platform ids (included by bench/identity.sql; table bench_identity).

-- one click id: the function against a regex substring (neither sees anything to decode here)
SELECT bench.compare('identity', $c$recon_click_id(url, 'gclid') vs substring(url from '[?&]gclid=([^&#]*)')$c$, :rows,
    $q$SELECT sum(hashtext(recon_click_id(url, 'gclid'))) FROM bench_identity$q$,
    $q$SELECT sum(hashtext(substring(url from '[?&]gclid=([^&#]*)'))) FROM bench_identity$q$,
    'SELECT sum(hashtext(url)) FROM bench_identity',
    p_note => 'the regex does not percent-decode, does not look in the fragment and does not see a repeated parameter; on this data (no escapes) both return the same ids') \g /dev/null

-- every field: one parse per row against 17 regex substrings
SELECT bench.compare('identity', 'recon_parse_click_ids(url) (17 fields) vs 17 regex substrings', :rows,
    $q$SELECT sum(hashtext(concat_ws('|', c.fbclid, c.gclid, c.gbraid, c.wbraid, c.msclkid, c.ttclid, c.li_fat_id, c.ctwa_clid,
        c.utm_id, c.utm_source, c.utm_medium, c.utm_campaign, c.utm_term, c.utm_content, c.utm_source_platform,
        c.utm_creative_format, c.utm_marketing_tactic))) FROM bench_identity, LATERAL recon_parse_click_ids(url) c$q$,
    $q$SELECT sum(hashtext(concat_ws('|', substring(url from '[?&]fbclid=([^&#]*)'), substring(url from '[?&]gclid=([^&#]*)'),
        substring(url from '[?&]gbraid=([^&#]*)'), substring(url from '[?&]wbraid=([^&#]*)'), substring(url from '[?&]msclkid=([^&#]*)'),
        substring(url from '[?&]ttclid=([^&#]*)'), substring(url from '[?&]li_fat_id=([^&#]*)'), substring(url from '[?&]ctwa_clid=([^&#]*)'),
        substring(url from '[?&]utm_id=([^&#]*)'), substring(url from '[?&]utm_source=([^&#]*)'), substring(url from '[?&]utm_medium=([^&#]*)'),
        substring(url from '[?&]utm_campaign=([^&#]*)'), substring(url from '[?&]utm_term=([^&#]*)'), substring(url from '[?&]utm_content=([^&#]*)'),
        substring(url from '[?&]utm_source_platform=([^&#]*)'), substring(url from '[?&]utm_creative_format=([^&#]*)'),
        substring(url from '[?&]utm_marketing_tactic=([^&#]*)')))) FROM bench_identity$q$,
    'SELECT sum(hashtext(url)) FROM bench_identity',
    p_note => 'recon also decodes, reads the fragment and flags; the regexes do none of that') \g /dev/null

-- the same as jsonb: against collecting every parameter with one global regex (this data has
-- only the known parameters, none twice, so both sides give the same object)
SELECT bench.compare('identity', $c$recon_parse_click_ids_json(url) vs jsonb_object_agg over regexp_matches(url, '[?&]([^=&#]+)=([^&#]*)', 'g')$c$, :rows,
    $q$SELECT sum(hashtext((recon_parse_click_ids_json(url) - 'flags')::text)) FROM bench_identity$q$,
    $q$SELECT sum(hashtext((SELECT jsonb_object_agg(m[1], m[2]) FROM regexp_matches(url, '[?&]([^=&#]+)=([^&#]*)', 'g') AS m)::text)) FROM bench_identity$q$,
    'SELECT sum(hashtext(url)) FROM bench_identity',
    p_note => 'the regex side collects every parameter (no decoding, the last of a repeated one wins)') \g /dev/null

-- fbc: parse and validate against split_part behind a validating regex
SELECT bench.compare('identity', $c$recon_parse_fbc(fbc) vs split_part(fbc, '.', n) behind a validating regex$c$, :rows,
    $q$SELECT sum(p.creation_ms) + sum(hashtext(p.fbclid)) FROM bench_identity, LATERAL recon_parse_fbc(fbc) p$q$,
    $q$SELECT sum(split_part(fbc, '.', 3)::bigint) + sum(hashtext(split_part(fbc, '.', 4))) FROM bench_identity
       WHERE fbc ~ '^fb\.[0-9]{1,2}\.[0-9]{13}\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$'$q$,
    'SELECT sum(hashtext(fbc)) FROM bench_identity',
    p_note => '5% of the cookies are broken (a = in the fbclid): both sides skip them; recon also reads seconds timestamps and flags them') \g /dev/null

-- fbc: build from fbclid and click time
SELECT bench.compare('identity', $c$recon_build_fbc(fbclid, click_time) vs 'fb.1.' || floor(epoch * 1000) || '.' || fbclid$c$, :rows,
    $q$SELECT sum(hashtext(recon_build_fbc(fbclid, click_time))) FROM bench_identity$q$,
    $q$SELECT sum(hashtext('fb.1.' || floor(extract(epoch FROM click_time) * 1000)::bigint || '.' || fbclid)) FROM bench_identity$q$,
    'SELECT sum(hashtext(fbclid)) + count(click_time) FROM bench_identity',
    p_note => 'recon also checks the fbclid alphabet and the time range') \g /dev/null

-- platform ids: classify
SELECT bench.compare('identity', 'recon_platform_id_status(id) vs CASE over regexes', :rows,
    $q$SELECT count(*) FILTER (WHERE recon_platform_id_status(platform_id) IN ('scientific_notation', 'precision_lost')) FROM bench_identity$q$,
    $q$SELECT count(*) FILTER (WHERE CASE WHEN platform_id ~ '^[1-9][0-9]*([.,][0-9]+)?[eE]\+?[0-9]+$' THEN 'scientific_notation'
                                     WHEN platform_id ~ '^[1-9][0-9]{14}0{2,}$' THEN 'precision_lost'
                                     WHEN platform_id ~ '^[1-9][0-9]{0,19}$' THEN 'ok' ELSE 'invalid' END
                                IN ('scientific_notation', 'precision_lost')) FROM bench_identity$q$,
    'SELECT count(platform_id) FROM bench_identity',
    p_note => 'the regexes do not check the float round-trip, blanks, quotes, apostrophes or thousands commas') \g /dev/null

-- platform ids: normalize
SELECT bench.compare('identity', $c$recon_normalize_platform_id(id) vs CASE WHEN btrim(id) ~ '^[1-9][0-9]{0,19}$' AND NOT zero-filled$c$, :rows,
    $q$SELECT sum(hashtext(recon_normalize_platform_id(platform_id))) FROM bench_identity$q$,
    $q$SELECT sum(hashtext(CASE WHEN btrim(platform_id) ~ '^[1-9][0-9]{0,19}$' AND btrim(platform_id) !~ '^[1-9][0-9]{14}0{2,}$'
                                THEN btrim(platform_id) END)) FROM bench_identity$q$,
    'SELECT count(platform_id) FROM bench_identity') \g /dev/null

-- platform ids: the 15-digit match key, against rounding the numeric value (which also reads E+ notation)
SELECT bench.compare('identity', 'count(DISTINCT recon_platform_id_match_key(id)) vs count(DISTINCT round(id::numeric, 15 - digits))', :rows,
    $q$SELECT count(DISTINCT recon_platform_id_match_key(platform_id)) FROM bench_identity$q$,
    $q$SELECT count(DISTINCT round(v, 15 - length(trunc(v)::text))) FROM bench_identity,
       LATERAL (SELECT CASE WHEN platform_id ~ '^[1-9][0-9]{0,19}$' OR platform_id ~ '^[1-9](\.[0-9]+)?[eE]\+?[0-9]{1,2}$'
                            THEN platform_id::numeric END AS v) x$q$,
    'SELECT count(DISTINCT platform_id) FROM bench_identity',
    p_note => 'both group a genuine id with its E+ display and its zero fill; the plain side validates with two regexes first') \g /dev/null

