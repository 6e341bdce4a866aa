-- identity_click_ids: click ids and UTM values from URLs, Meta fbc/fbp cookies,
-- and numeric platform ids mangled by spreadsheets or floats
-- (src/identity/url.c, meta_cookie.c, platform_id.c; rules in docs/click-ids.md).
SET timezone = 'UTC';

------------------------------------------------------------------ URLs
-- The row type: every field in its column, the flags last.
SELECT * FROM recon_parse_click_ids(
    'https://shop.example.com/landing?utm_id=120208&utm_source=facebook&utm_medium=paid_social&utm_campaign=Black+Friday&utm_term=Shoes&utm_content=Carousel_A&utm_source_platform=Meta&utm_creative_format=video&utm_marketing_tactic=prospecting&fbclid=IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk');
\x on
SELECT * FROM recon_parse_click_ids(
    'https://example.com/?gclid=Cj0KCQiA&gbraid=0AAAAAD&wbraid=CkkKCQjw&msclkid=5bd4d3b0e5a01c1f7a0bf6e0e3e7d8b2&ttclid=E.C.P.CvQBZx&li_fat_id=0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0&ctwa_clid=ARAkLkA8');
\x off

-- Each case as jsonb (only the fields present, plus the flags).
SELECT n, to_json(u) AS url, recon_parse_click_ids_json(u) AS parsed
FROM unnest(ARRAY[
    -- case is kept, in values (click ids are case-sensitive) ...
    'https://example.com/?gclid=CjwKCAiA_AbC-xYz',
    -- ... while parameter names match in any case
    'https://example.com/?GCLID=CjwKCAiA&Utm_Source=Google',
    -- percent-decoding; '+' is a space, %2B a plus; UTF-8 escapes and raw UTF-8
    'https://example.com/?utm_campaign=Black+Friday%2B%20Sale&utm_term=caf%C3%A9&utm_content=été',
    -- an encoded parameter name
    'https://example.com/?utm%5Fsource=newsletter',
    -- invalid escapes stay literal, and are flagged
    'https://example.com/?utm_term=100%&utm_content=%ZZ&utm_campaign=%4',
    -- decoded bytes that are not UTF-8 (a lone byte, an overlong '/', a surrogate): the field is dropped
    'https://example.com/?utm_term=%FF&utm_content=%C0%AF&utm_campaign=%ED%A0%80&utm_source=ok',
    -- control characters after decoding (NUL, newline): dropped
    'https://example.com/?gclid=abc%00def&utm_term=a%0Ab&utm_source=ok',
    -- repeated parameters: the first non-empty value wins; a different one is a conflict
    'https://example.com/?gclid=first&gclid=first',
    'https://example.com/?gclid=first&gclid=second',
    'https://example.com/?gclid=&gclid=second',
    -- an empty value or a name without '=' is absent
    'https://example.com/?gclid=&fbclid&utm_source=x',
    -- the fragment: read after the query; the query wins
    'https://example.com/#gclid=fromfragment',
    'https://example.com/app#/checkout?gclid=hashroute&utm_source=spa',
    'https://example.com/?gclid=query#gclid=fragment',
    'https://example.com/?gclid=query#section-2',
    -- no scheme: host-relative, a query alone, a bare query string, protocol-relative
    'www.example.com/shoes?gclid=abc',
    '?gclid=abc&utm_medium=cpc',
    'gclid=abc&utm_medium=cpc',
    '//example.com/?gclid=abc',
    'example.com/gclid=abc',
    -- Meta dynamic parameters nobody expanded: literal, encoded, in the path
    'https://example.com/?utm_content={{ad.id}}&utm_campaign={{campaign.id}}',
    'https://example.com/?utm_content=%7B%7Bad.id%7D%7D',
    'https://example.com/{{placement}}/landing?utm_source=fb',
    'https://example.com/?utm_content={{ad.id',
    -- HTML-escaped ampersands from a CRM export
    'https://example.com/?utm_source=fb&amp;utm_medium=paid&amp;fbclid=IwAR1',
    -- characters a click id never has (a '+' decoded to a space, a stray parenthesis)
    'https://example.com/?gclid=Cj0+KCQ&fbclid=IwAR1)',
    -- only '&' separates parameters
    'https://example.com/?utm_source=a;utm_medium=b',
    -- a URL inside a parameter is not scanned: its gclid is not this URL's
    'https://example.com/r?u=https%3A%2F%2Fshop.example.com%2F%3Fgclid%3Dinner&gclid=outer',
    -- blanks around a pasted URL are trimmed
    E'  \thttps://example.com/?gclid=trimmed \n',
    -- nothing to find
    'https://example.com/plain/path',
    'not a url at all',
    '',
    E' \t\n'
]) WITH ORDINALITY AS t(u, n)
ORDER BY n;

-- STRICT: NULL in, NULL out.
SELECT recon_parse_click_ids(NULL) IS NULL AS row_is_null, recon_parse_click_ids_json(NULL) IS NULL AS json_is_null,
       recon_click_id(NULL, 'gclid') IS NULL AS field_is_null;

-- recon_click_id gives the same value as the row, for every field and every case above.
WITH urls(u) AS (VALUES
    ('https://example.com/?utm_id=1&utm_source=facebook&utm_medium=paid_social&utm_campaign=Black+Friday&utm_term=Shoes&utm_content=C&utm_source_platform=Meta&utm_creative_format=video&utm_marketing_tactic=p&fbclid=IwAR2'),
    ('https://example.com/?gclid=Cj0KCQiA&gbraid=0AAAAAD&wbraid=CkkKCQjw&msclkid=5bd4&ttclid=E.C.P&li_fat_id=0f1e&ctwa_clid=ARAk#utm_source=frag'),
    ('?gclid=%FF&gclid=ok&utm_term=caf%C3%A9'), ('gclid=a&gclid=b'), ('https://example.com/')),
fields(f) AS (SELECT unnest(ARRAY['fbclid', 'gclid', 'gbraid', 'wbraid', 'msclkid', 'ttclid', 'li_fat_id', 'ctwa_clid',
    'utm_id', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'utm_source_platform',
    'utm_creative_format', 'utm_marketing_tactic']))
SELECT count(*) AS comparisons,
       count(*) FILTER (WHERE recon_click_id(u, f) IS NOT NULL) AS present,
       count(*) FILTER (WHERE recon_click_id(u, f) IS DISTINCT FROM to_jsonb(recon_parse_click_ids(u)) ->> f) AS disagreements
FROM urls, fields;

-- An unknown field name is misuse: 22023, naming the accepted fields.
SELECT regress.sqlstate_of($$SELECT recon_click_id('https://example.com/?gclid=x', 'gclidd')$$);
SELECT regress.sqlstate_of($$SELECT recon_click_id('https://example.com/?gclid=x', 'GCLID')$$);
-- ... also when the name comes from a column, and even for a URL with no parameters.
SELECT regress.sqlstate_of($$SELECT recon_click_id(u, f) FROM (VALUES ('https://example.com/', 'utm_nope')) v(u, f)$$);

-- Edge cases: a click id of 60 kB, a long path, thousands of repeated parameters, all within
-- the URL limit (64 kB); 10 MB inputs are not read (flag too_long, docs/limits.md).
SELECT length((recon_parse_click_ids('https://example.com/?gclid=' || repeat('A', 60000))).gclid) AS gclid_length,
       (recon_parse_click_ids('https://example.com/' || repeat('x/', 30000) || '?utm_source=deep')).utm_source AS after_long_path,
       (recon_parse_click_ids(repeat('%', 65536))).flags AS percent_at_limit,
       (recon_parse_click_ids('https://example.com/?' || repeat('gclid=a&', 8000) || 'gclid=b')).flags AS thousands_of_repeats;
SELECT (recon_parse_click_ids('https://example.com/?gclid=' || repeat('A', 10000000))) AS ten_mb_gclid,
       (recon_parse_click_ids(repeat('%', 10000000))).flags AS ten_mb_of_percent;
-- Every single byte value (as a raw character when it can be one, and percent-encoded) parses without error.
SELECT count(*) AS inputs, count(*) FILTER (WHERE r.flags IS NOT NULL) AS rows_returned
FROM generate_series(1, 255) AS b,
     LATERAL (VALUES ('https://example.com/?gclid=' || chr(b) || '&utm_source=' || chr(b)),
                     ('https://example.com/?gclid=%' || lpad(to_hex(b), 2, '0') || '&x=' || chr(b))) AS v(u),
     LATERAL recon_parse_click_ids(u) AS r;

------------------------------------------------------------------ Meta cookies
-- fbc: fb.<subdomain index>.<creation time in ms>.<fbclid>[.<suffix>]
SELECT n, to_json(c) AS cookie, p.*, recon_parse_fbc_reason(c) AS reason
FROM unnest(ARRAY[
    'fb.1.1596403881668.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk',
    'fb.1.1596403881668.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk.AbCdEfGh',  -- parameter-builder suffix
    'fb.0.1596403881668.IwAR2F4',            -- subdomain index 0 ('com')
    'fb.2.1596403881668.IwAR2F4',            -- 2 ('www.example.com')
    'fb.3.1596403881668.IwAR2F4',            -- deeper than Meta documents: parsed, flagged
    'fb.1.1596403881.IwAR2F4',               -- seconds: read as ms x 1000, flagged
    'fb.1.1000000000000.IwAR2F4',            -- 13 digits but 2001: flagged
    E' fb.1.1596403881668.IwAR2F4\n',        -- blanks around the value are trimmed
    NULL, '', '   ',
    'FB.1.1596403881668.IwAR2F4',            -- the prefix is lower case
    'fbc.1.1596403881668.IwAR2F4',
    'IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB', -- a bare fbclid
    'fb.1.1596403881668',
    'fb.1.1596403881668.IwAR2F4.AbCdEfGh.extra',
    'fb.01.1596403881668.IwAR2F4',           -- a leading zero
    'fb.100.1596403881668.IwAR2F4',
    'fb..1596403881668.IwAR2F4',
    'fb.1.15964038816680.IwAR2F4',           -- 14 digits
    'fb.1.159640388166.IwAR2F4',             -- 12 digits
    'fb.1.0596403881668.IwAR2F4',
    'fb.1.1596403881668.',                   -- no fbclid
    'fb.1.1596403881668.IwAR 2F4',           -- not base64url
    'fb.1.1596403881668.IwAR2F4%3D',
    'fb.1.1596403881668.IwAR2F4.',           -- an empty suffix
    'fb.1.1596403881668.IwAR2F4.Ab+d'
]) WITH ORDINALITY AS t(c, n)
LEFT JOIN LATERAL recon_parse_fbc(c) AS p ON true
ORDER BY n;

-- fbp: fb.<subdomain index>.<creation time in ms>.<random>[.<suffix>]
SELECT n, to_json(c) AS cookie, p.*, recon_parse_fbp_reason(c) AS reason
FROM unnest(ARRAY[
    'fb.1.1596403881668.1116446470',
    'fb.1.1596403881668.1116446470.AQYBAQIA',
    'fb.2.1596403881.1116446470',
    'fb.1.1596403881668.1116446470.',
    'fb.1.1596403881668.11164464$0',
    'fb.1.159640388.1116446470',
    NULL
]) WITH ORDINALITY AS t(c, n)
LEFT JOIN LATERAL recon_parse_fbp(c) AS p ON true
ORDER BY n;

-- Building: the fbclid is kept exactly (case, '-', '_'); milliseconds of the click time.
SELECT recon_build_fbc('IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk', '2020-08-02 21:31:21.668+00') AS fbc_default_index,
       recon_build_fbc('AbC', '2020-08-02 23:31:21.6689+02', 0) AS fbc_index_0_sub_ms_dropped,
       recon_build_fbp('1116446470', '2020-08-02 21:31:21.668+00', 2) AS fbp_index_2;
-- What cannot be built gives NULL, and the companion says why.
SELECT n, to_json(v) AS value, t AS click_time, recon_build_fbc(v, t) AS fbc, recon_build_fbc_reason(v, t) AS fbc_reason,
       recon_build_fbp(v, t) AS fbp, recon_build_fbp_reason(v, t) AS fbp_reason
FROM (VALUES (1, 'IwAR2F4', timestamptz '2020-08-02 21:31:21.668+00'),
             (2, ' IwAR2F4 ', '2020-08-02 21:31:21.668+00'),
             (3, '', '2020-08-02 21:31:21.668+00'),
             (4, NULL, '2020-08-02 21:31:21.668+00'),
             (5, 'IwAR2F4', NULL),
             (6, 'IwAR/2F4=', '2020-08-02 21:31:21.668+00'),
             (7, 'fb.1.1596403881668.IwAR2F4', '2020-08-02 21:31:21.668+00'),
             (8, 'IwAR2F4', 'infinity'),
             (9, 'IwAR2F4', '-infinity'),
             (10, 'IwAR2F4', '2001-09-09 01:46:39.999+00'),
             (11, 'IwAR2F4', '2001-09-09 01:46:40+00'),
             (12, 'IwAR2F4', '2286-11-20 17:46:39.999+00'),
             (13, 'IwAR2F4', '2286-11-20 17:46:40+00'),
             (14, 'IwAR2F4', '1969-12-31 23:59:59.9995+00')) AS x(n, v, t)
ORDER BY n;
-- A subdomain index other than 0, 1, 2 is misuse: 22023, in the builders and their companions.
SELECT regress.sqlstate_of($$SELECT recon_build_fbc('IwAR2F4', now(), 3)$$);
SELECT regress.sqlstate_of($$SELECT recon_build_fbp_reason('1', now(), -1)$$);
SELECT regress.sqlstate_of($$SELECT recon_build_fbc_reason(NULL, now(), 7)$$);
SELECT recon_build_fbc_reason('IwAR2F4', now(), NULL) AS null_index;

-- A built cookie parses back to what it was built from, for every index and across the range.
SELECT count(*) AS built,
       count(*) FILTER (WHERE p.fbclid = v AND p.subdomain_index = i AND p.creation_time = date_trunc('milliseconds', t)
                          AND p.flags = '{}' AND p.suffix IS NULL) AS round_trips
FROM generate_series(1, 300) AS k,
     LATERAL (SELECT recon_demo_token(7, 1, k, 1 + k % 90) AS v, k % 3 AS i,
                     timestamptz '2012-01-01 UTC' + (k * 1234.56789) * interval '1 hour' AS t) AS x,
     LATERAL recon_parse_fbc(recon_build_fbc(v, t, i)) AS p;

-- The contract: parse IS NULL exactly when the reason IS NOT NULL.
SELECT count(*) AS cookies,
       count(*) FILTER (WHERE (recon_parse_fbc(c) IS NULL) <> (recon_parse_fbc_reason(c) IS NOT NULL)) AS fbc_violations,
       count(*) FILTER (WHERE (recon_parse_fbp(c) IS NULL) <> (recon_parse_fbp_reason(c) IS NOT NULL)) AS fbp_violations
FROM (SELECT 'fb.' || (k % 4) || '.' || left('15964038816689', 9 + k % 6) || '.' || substr('Iw.AR 2-F_4', 1 + k % 11) AS c
      FROM generate_series(1, 600) AS k) s;

------------------------------------------------------------------ platform ids
SELECT n, to_json(v) AS input, recon_platform_id_status(v) AS status, recon_normalize_platform_id(v) AS normalized,
       recon_normalize_platform_id_reason(v) AS reason, recon_platform_id_match_key(v) AS match_key
FROM unnest(ARRAY[
    '120208123456789012',           -- a Meta ad id
    '23851234567890123',            -- an older 17-digit Meta id
    '1234567890',                   -- a Google campaign id
    '7312345678901234567',          -- a TikTok id (19 digits)
    E' 120208123456789012\t',       -- blanks
    '''120208123456789012',         -- a spreadsheet's text apostrophe
    '"120208123456789012"',         -- CSV quotes that survived
    '120,208,123,456,789,012',      -- thousands separators
    '120208123456789012.0',         -- a float-formatted integer
    '1.20208123456789E+17',         -- Excel's display
    '1.20208123456789e17',
    '1,20208123456789E+17',         -- a decimal comma
    '1.2E+17',                      -- a narrow column
    '120208123456789000',           -- Excel's zero fill: 15 significant digits then zeros
    '120208123456789000.0',
    '120208123456790000',           -- ... rounded at the 15th digit
    '120208123456789008',           -- a double's exact value (C, Python int(float))
    '120208123456789010',           -- a double's shortest digits (JavaScript, JSON)
    '23851234567890124',            -- JavaScript's Number() of 23851234567890123
    '1234567890123456800',
    '1202081234567890',             -- 16 digits ending in 0: kept, but suspect
    '9007199254740993',             -- 2^53 + 1: no double holds it
    '9007199254740992',             -- 2^53: still exact
    '18446744073709551615',         -- the largest uint64
    '18446744073709551616',
    '123456789012345678901',        -- 21 digits
    '0', '0123', '-120208123456789012', '+120208123456789012', '12a', '1 234', '1.5', '1,2345',
    '120.208.123.456.789.012', '1.2E-5', '1.2E+', 'E+17', '١٢٣', '',
    NULL
]) WITH ORDINALITY AS t(v, n)
ORDER BY n;

-- A genuine id and its mangled copies share the match key; at fewer digits too.
SELECT recon_platform_id_match_key('120208123456789512') AS genuine_rounds_up,
       recon_platform_id_match_key('1.2020812345679E+17') AS excel_display,
       recon_platform_id_match_key('120208123456789012', 6) AS six_digits,
       recon_platform_id_match_key('1.20208E+17', 6) AS narrow_column,
       recon_platform_id_match_key('999999999999999999') AS carry,
       recon_platform_id_match_key('42') AS short_id;
SELECT regress.sqlstate_of($$SELECT recon_platform_id_match_key('1', 0)$$);
SELECT regress.sqlstate_of($$SELECT recon_platform_id_match_key('1', 21)$$);

-- How often each heuristic fires on genuine ids: 20,000 random ids per length (digits
-- drawn with recon_demo_random, so the counts are the same every run).
SELECT len, count(*) AS ids,
       count(*) FILTER (WHERE s = 'precision_lost') AS precision_lost,
       count(*) FILTER (WHERE s = 'possible_precision_lost') AS possible_precision_lost,
       count(*) FILTER (WHERE s = 'possible_float_rounding') AS possible_float_rounding,
       count(*) FILTER (WHERE s = 'ok') AS ok
FROM generate_series(15, 19) AS len,
     generate_series(1, 20000) AS k,
     LATERAL (SELECT (1 + floor(recon_demo_random(11, len, k) * 9))::int::text
                     || lpad(floor(recon_demo_random(12, len, k) * 1e9)::bigint::text, 9, '0')
                     || lpad(floor(recon_demo_random(13, len, k) * 1e9)::bigint::text, 9, '0') AS digits) AS d,
     LATERAL (SELECT recon_platform_id_status(left(digits, len)) AS s) AS st
GROUP BY len ORDER BY len;

-- ... and on the same ids after a float round-trip, printed both ways a double is printed:
-- its exact value (a bigint cast, C's %.0f, Python's int()) and its shortest digits
-- padded with zeros (float8 to text, JavaScript, JSON parsers). Only ids above 2^53 can change.
SELECT len, count(*) AS changed_by_float, count(exact) AS exact_form_printable,
       count(*) FILTER (WHERE recon_platform_id_status(exact) IN ('possible_float_rounding', 'possible_precision_lost', 'precision_lost')) AS exact_form_flagged,
       count(*) FILTER (WHERE recon_platform_id_status(shortest) IN ('possible_float_rounding', 'possible_precision_lost', 'precision_lost')) AS shortest_form_flagged
FROM generate_series(16, 19) AS len,
     generate_series(1, 20000) AS k,
     LATERAL (SELECT (1 + floor(recon_demo_random(11, len, k) * 9))::int::text
                     || lpad(floor(recon_demo_random(12, len, k) * 1e9)::bigint::text, 9, '0')
                     || lpad(floor(recon_demo_random(13, len, k) * 1e9)::bigint::text, 9, '0') AS digits) AS d,
     LATERAL (SELECT left(digits, len) AS id) AS i,
     LATERAL (SELECT id::float8 AS f) AS x,
     LATERAL (SELECT CASE WHEN f < 9.2e18 THEN f::bigint::text END AS exact,
                     f::text::numeric::text AS shortest) AS p
WHERE f::text::numeric::text <> id
GROUP BY len ORDER BY len;

-- The contract: normalize IS NULL exactly when the reason IS NOT NULL.
SELECT count(*) AS inputs,
       count(*) FILTER (WHERE (recon_normalize_platform_id(v) IS NULL) <> (recon_normalize_platform_id_reason(v) IS NOT NULL)) AS violations
FROM (SELECT substr('  ''120,208,123,456,789,012.0E+17  ', 1 + k % 7, 3 + k % 29) AS v FROM generate_series(1, 2000) AS k) s;
SELECT recon_normalize_platform_id(NULL) IS NULL AS strict_null, recon_normalize_platform_id_reason(NULL) AS null_reason,
       recon_platform_id_status(NULL) AS null_status, recon_platform_id_match_key(NULL) IS NULL AS key_null;

-- A long id is invalid; a 10 MB value is too_long (not read), never an error. A 4 kB fbclid parses.
SELECT recon_platform_id_status(repeat('1', 4000)) AS long_status,
       recon_platform_id_status(repeat('1', 10000000)) AS ten_mb_status,
       recon_normalize_platform_id_reason(repeat('9', 10000000)) AS ten_mb_reason,
       recon_parse_fbc_reason('fb.1.1596403881668.' || repeat('A', 4000)) IS NULL AS long_fbclid_parses,
       recon_parse_fbc_reason('fb.1.1596403881668.' || repeat('A', 10000000)) AS ten_mb_fbclid;
