-- pgTAP: click ids and UTM values from URLs, Meta fbc/fbp cookies, numeric platform ids
-- (src/identity/url.c, meta_cookie.c, platform_id.c; docs/click-ids.md).
BEGIN;
SELECT plan(88);
SET LOCAL timezone = 'UTC';

------------------------------------------------------------------ the objects
SELECT has_type('recon_click_ids', 'type recon_click_ids exists');
SELECT has_type('recon_fbc', 'type recon_fbc exists');
SELECT has_type('recon_fbp', 'type recon_fbp exists');
SELECT has_function('recon_parse_click_ids', ARRAY['text'], 'recon_parse_click_ids(text) exists');
SELECT has_function('recon_click_id', ARRAY['text', 'text'], 'recon_click_id(text, text) exists');
SELECT has_function('recon_parse_click_ids_json', ARRAY['text'], 'recon_parse_click_ids_json(text) exists');
SELECT has_function('recon_parse_fbc', ARRAY['text'], 'recon_parse_fbc(text) exists');
SELECT has_function('recon_parse_fbc_reason', ARRAY['text'], 'recon_parse_fbc_reason(text) exists');
SELECT has_function('recon_parse_fbp', ARRAY['text'], 'recon_parse_fbp(text) exists');
SELECT has_function('recon_parse_fbp_reason', ARRAY['text'], 'recon_parse_fbp_reason(text) exists');
SELECT has_function('recon_build_fbc', ARRAY['text', 'timestamp with time zone', 'integer'], 'recon_build_fbc(text, timestamptz, integer) exists');
SELECT has_function('recon_build_fbc_reason', ARRAY['text', 'timestamp with time zone', 'integer'], 'recon_build_fbc_reason exists');
SELECT has_function('recon_build_fbp', ARRAY['text', 'timestamp with time zone', 'integer'], 'recon_build_fbp(text, timestamptz, integer) exists');
SELECT has_function('recon_build_fbp_reason', ARRAY['text', 'timestamp with time zone', 'integer'], 'recon_build_fbp_reason exists');
SELECT has_function('recon_normalize_platform_id', ARRAY['text'], 'recon_normalize_platform_id(text) exists');
SELECT has_function('recon_normalize_platform_id_reason', ARRAY['text'], 'recon_normalize_platform_id_reason(text) exists');
SELECT has_function('recon_platform_id_status', ARRAY['text'], 'recon_platform_id_status(text) exists');
SELECT has_function('recon_platform_id_match_key', ARRAY['text', 'integer'], 'recon_platform_id_match_key(text, integer) exists');

-- All IMMUTABLE and PARALLEL SAFE; the companions (_reason, _status) are not STRICT, the rest are.
SELECT is((SELECT count(*)::int FROM pg_proc
           WHERE proname IN ('recon_parse_click_ids', 'recon_click_id', 'recon_parse_click_ids_json', 'recon_parse_fbc',
                             'recon_parse_fbc_reason', 'recon_parse_fbp', 'recon_parse_fbp_reason', 'recon_build_fbc',
                             'recon_build_fbc_reason', 'recon_build_fbp', 'recon_build_fbp_reason', 'recon_normalize_platform_id',
                             'recon_normalize_platform_id_reason', 'recon_platform_id_status', 'recon_platform_id_match_key')
             AND provolatile = 'i' AND proparallel = 's'
             AND proisstrict = (proname NOT LIKE '%\_reason' AND proname <> 'recon_platform_id_status')), 15,
          'the 15 functions are IMMUTABLE, PARALLEL SAFE, and STRICT except the companions');

------------------------------------------------------------------ URLs
SELECT is((recon_parse_click_ids('https://x.example/?gclid=CjwKCAiA_AbC-xYz')).gclid, 'CjwKCAiA_AbC-xYz',
          'a click id keeps its case');
SELECT is((recon_parse_click_ids('https://x.example/?utm_source=Facebook&utm_medium=Paid_Social')).utm_source, 'Facebook',
          'a UTM value keeps its case');
SELECT is(recon_click_id('https://x.example/?FBCLID=IwAR1', 'fbclid'), 'IwAR1', 'parameter names match in any case');
SELECT is(recon_click_id('https://x.example/?utm_campaign=Black+Friday%2B%20%E2%82%AC', 'utm_campaign'), 'Black Friday+ €',
          '+ is a space, %2B a plus, UTF-8 escapes decode');
SELECT is(recon_click_id('https://x.example/?utm_term=100%25', 'utm_term'), '100%', '%25 is a percent sign');
SELECT is(recon_click_id('https://x.example/?utm_term=100%', 'utm_term'), '100%', 'a lone % stays literal');
SELECT ok('invalid_percent_encoding' = ANY ((recon_parse_click_ids('https://x.example/?utm_term=%G1')).flags),
          'an invalid escape is flagged');
SELECT is(recon_click_id('https://x.example/?utm_term=%FF', 'utm_term'), NULL, 'decoded bytes that are not UTF-8 are dropped');
SELECT ok('invalid_utf8' = ANY ((recon_parse_click_ids('https://x.example/?utm_term=%C0%80')).flags),
          '... flagged invalid_utf8 (an overlong NUL)');
SELECT is(recon_click_id('https://x.example/?gclid=a%00b', 'gclid'), NULL, 'a decoded NUL drops the value');
SELECT ok('control_character' = ANY ((recon_parse_click_ids('https://x.example/?gclid=a%0Db')).flags),
          '... as does a carriage return, flagged control_character');

SELECT is(recon_click_id('https://x.example/?gclid=one&gclid=two', 'gclid'), 'one', 'repeated parameter: the first value wins');
SELECT is((recon_parse_click_ids('https://x.example/?gclid=one&gclid=two')).flags, ARRAY['repeated_parameter', 'conflicting_values'],
          '... flagged repeated and conflicting');
SELECT is((recon_parse_click_ids('https://x.example/?gclid=one&gclid=one')).flags, ARRAY['repeated_parameter'],
          'the same value twice is repeated, not conflicting');
SELECT is(recon_click_id('https://x.example/?gclid=&gclid=two', 'gclid'), 'two', 'an empty first value does not win');
SELECT is(recon_click_id('https://x.example/#/cart?gclid=hash', 'gclid'), 'hash', 'a hash-route query is read');
SELECT is((recon_parse_click_ids('https://x.example/#gclid=frag')).flags, ARRAY['from_fragment'], '... and flagged from_fragment');
SELECT is(recon_click_id('https://x.example/?gclid=q#gclid=f', 'gclid'), 'q', 'the query wins over the fragment');
SELECT is(recon_click_id('https://x.example/?a=1#section-2', 'gclid'), NULL, 'a plain anchor is not parameters');
SELECT is((recon_parse_click_ids('x.example/?gclid=abc')).flags, ARRAY['missing_scheme'], 'a missing scheme is flagged');
SELECT is(recon_click_id('gclid=abc&utm_source=x', 'utm_source'), 'x', 'a bare query string is read');
SELECT ok('unexpanded_macro' = ANY ((recon_parse_click_ids('https://x.example/?utm_content={{ad.id}}')).flags),
          'a literal {{ad.id}} is flagged');
SELECT ok('unexpanded_macro' = ANY ((recon_parse_click_ids('https://x.example/?utm_content=%7B%7Bsite_source_name%7D%7D')).flags),
          'an encoded {{site_source_name}} is flagged');
SELECT ok(NOT 'unexpanded_macro' = ANY ((recon_parse_click_ids('https://x.example/?utm_content=123456')).flags),
          'an expanded macro is not flagged');
SELECT is(recon_click_id('https://x.example/?a=1&amp;gclid=abc', 'gclid'), 'abc', 'an HTML-escaped &amp; still separates');
SELECT ok('unexpected_characters' = ANY ((recon_parse_click_ids('https://x.example/?gclid=abc%20def')).flags),
          'a space in a click id is flagged');
SELECT is((recon_parse_click_ids('   ')).flags, ARRAY['missing'], 'a blank URL is missing');
SELECT is(recon_parse_click_ids_json('https://x.example/?gclid=abc'), '{"gclid": "abc", "flags": []}'::jsonb,
          'the jsonb form has only the fields present and the flags');
SELECT is((SELECT count(*)::int FROM generate_series(1, 400) AS k,
                LATERAL (SELECT substr('https://x.example/p?gclid=A%2Bb&GCLID=c&utm_source=%FF&amp;utm_term=caf%C3%A9+x&fbclid=#/r?ttclid=T.1&utm_content={{ad.id}}',
                                1 + k % 13, 20 + k % 97) AS u) x
           WHERE recon_parse_click_ids_json(u) IS DISTINCT FROM jsonb_strip_nulls(to_jsonb(recon_parse_click_ids(u)))), 0,
          'the jsonb form equals the row as jsonb without nulls (400 URL fragments)');
SELECT throws_ok($$SELECT recon_click_id('https://x.example/', 'utm_nope')$$, '22023', NULL,
                 'an unknown field name raises 22023');
SELECT is((SELECT count(*)::int FROM generate_series(1, 300) AS k
           WHERE recon_click_id('https://x.example/?gclid=' || recon_demo_token(3, 1, k, 1 + k % 120), 'gclid')
                 IS DISTINCT FROM recon_demo_token(3, 1, k, 1 + k % 120)), 0,
          '300 base64url click ids come back byte for byte');

------------------------------------------------------------------ Meta cookies
SELECT is((recon_parse_fbc('fb.1.1596403881668.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk')).fbclid,
          'IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk', 'fbc: the fbclid, case kept');
SELECT is((recon_parse_fbc('fb.1.1596403881668.IwAR2F4')).creation_time, '2020-08-02 21:31:21.668+00'::timestamptz,
          'fbc: the creation time from milliseconds');
SELECT is((recon_parse_fbc('fb.1.1596403881668.IwAR2F4.AbCdEfGh')).suffix, 'AbCdEfGh', 'fbc: the 5th-part suffix is accepted');
SELECT is((recon_parse_fbc('fb.1.1596403881.IwAR2F4')).flags, ARRAY['seconds_timestamp'], 'fbc: a seconds timestamp is flagged');
SELECT is((recon_parse_fbc('fb.1.1596403881.IwAR2F4')).creation_ms, 1596403881000::bigint, '... and read as milliseconds');
SELECT is((recon_parse_fbc('fb.0.1596403881668.IwAR2F4')).subdomain_index, 0, 'fbc: subdomain index 0');
SELECT is(recon_parse_fbc('fb.1.1596403881668.IwAR+2F4'), NULL, 'fbc: a non-base64url fbclid gives NULL');
SELECT is(recon_parse_fbc_reason('fb.1.1596403881668.IwAR+2F4'), 'invalid_fbclid', '... reason invalid_fbclid');
SELECT is(recon_parse_fbc_reason('fb.1.15964038816.IwAR2F4'), 'invalid_creation_time', 'fbc: 11 digits is no time');
SELECT is(recon_parse_fbc_reason(''), 'missing', 'fbc: blank is missing');
SELECT is(recon_parse_fbc_reason(NULL), 'missing', 'fbc: NULL is missing');
SELECT is(recon_parse_fbc_reason('fb.1.1596403881668.IwAR2F4'), NULL, 'fbc: no reason when it parses');
SELECT is((recon_parse_fbp('fb.1.1596403881668.1116446470')).random, '1116446470', 'fbp: the random part');
SELECT is(recon_parse_fbp_reason('fb.1.1596403881668.1116446470.'), 'invalid_suffix', 'fbp: an empty suffix');
SELECT is(recon_build_fbc('IwAR2F4-xY_z', '2020-08-02 21:31:21.668+00'), 'fb.1.1596403881668.IwAR2F4-xY_z',
          'build fbc: index 1 by default, the fbclid unchanged');
SELECT is(recon_build_fbp('1116446470', '2020-08-02 21:31:21.668+00', 2), 'fb.2.1596403881668.1116446470', 'build fbp with index 2');
SELECT is(recon_build_fbc('IwAR 2F4', now()), NULL, 'build fbc: an invalid fbclid gives NULL');
SELECT is(recon_build_fbc_reason('IwAR 2F4', now()), 'invalid_fbclid', '... reason invalid_fbclid');
SELECT is(recon_build_fbc_reason('fb.1.1596403881668.IwAR2F4', now()), 'already_a_cookie', 'build fbc: a whole cookie is named as such');
SELECT throws_ok($$SELECT recon_build_fbc('IwAR2F4', now(), 5)$$, '22023', NULL, 'build fbc: subdomain index 5 raises 22023');
SELECT is((SELECT count(*)::int FROM generate_series(1, 500) AS k,
                LATERAL (SELECT recon_demo_token(5, 2, k, 1 + k % 60) AS v,
                                timestamptz '2015-03-01 UTC' + k * interval '17 days 3 hours 1.234 seconds' AS t) x
           WHERE (recon_parse_fbc(recon_build_fbc(v, t, k % 3))).fbclid IS DISTINCT FROM v
              OR (recon_parse_fbc(recon_build_fbc(v, t, k % 3))).creation_time IS DISTINCT FROM date_trunc('milliseconds', t)), 0,
          'build then parse gives back the fbclid and the time (500 cookies)');
SELECT is((SELECT count(*)::int FROM generate_series(1, 2000) AS k,
                LATERAL (SELECT substr(' fb.12.0.159640388166812.IwAR_-x.Ab$.', 1 + k % 9, k % 37) AS c) x
           WHERE (recon_parse_fbc(c) IS NULL) <> (recon_parse_fbc_reason(c) IS NOT NULL)
              OR (recon_parse_fbp(c) IS NULL) <> (recon_parse_fbp_reason(c) IS NOT NULL)), 0,
          'cookies: parse IS NULL exactly when the reason IS NOT NULL');

------------------------------------------------------------------ platform ids
SELECT is(recon_normalize_platform_id(' ''120208123456789012 '), '120208123456789012', 'blanks and the apostrophe go');
SELECT is(recon_normalize_platform_id('120,208,123,456,789,012.0'), '120208123456789012', 'thousands commas and .0 go');
SELECT is(recon_platform_id_status('1.20208123456789E+17'), 'scientific_notation', 'Excel''s display is scientific_notation');
SELECT is(recon_normalize_platform_id('1.20208123456789E+17'), NULL, '... and is not normalized');
SELECT is(recon_platform_id_status('120208123456789000'), 'precision_lost', '15 digits then zeros is precision_lost');
SELECT is(recon_normalize_platform_id_reason('120208123456789000'), 'precision_lost', '... the reason says so');
SELECT is(recon_platform_id_status('120208123456789008'), 'possible_float_rounding', 'a double''s exact value is suspect');
SELECT is(recon_normalize_platform_id('120208123456789008'), '120208123456789008', '... but kept: most such ids are genuine');
SELECT is(recon_platform_id_status('120208123456789012'), 'ok', 'a genuine Meta id is ok');
SELECT is(recon_platform_id_status('12a'), 'invalid', 'letters are invalid');
SELECT is(recon_platform_id_status(NULL), 'missing', 'NULL is missing');
SELECT is(recon_platform_id_match_key('120208123456789012'), recon_platform_id_match_key('1.20208123456789E+17'),
          'a genuine id and its Excel display share the match key');
-- A float moves an 18-digit id by at most 64, so its 15-digit key changes only when that
-- crosses a rounding boundary of the 15th digit (about 1 id in 100); the exact test for
-- float-rounded ids is comparing them as doubles (docs/click-ids.md).
SELECT cmp_ok((SELECT count(*)::int FROM generate_series(1, 2000) AS k,
                LATERAL (SELECT (1 + floor(recon_demo_random(4, 1, k) * 9))::int::text
                                || lpad(floor(recon_demo_random(4, 2, k) * 1e9)::bigint::text, 9, '0')
                                || lpad(floor(recon_demo_random(4, 3, k) * 1e8)::bigint::text, 8, '0') AS id) x
           WHERE recon_platform_id_match_key(id) <> recon_platform_id_match_key(id::float8::bigint::text)), '<', 40,
          'through a float, fewer than 2% of 2000 random 18-digit ids change their 15-digit match key');
SELECT is((SELECT count(*)::int FROM generate_series(1, 2000) AS k,
                LATERAL (SELECT (1 + floor(recon_demo_random(4, 1, k) * 9))::int::text
                                || lpad(floor(recon_demo_random(4, 2, k) * 1e9)::bigint::text, 9, '0')
                                || lpad(floor(recon_demo_random(4, 3, k) * 1e8)::bigint::text, 8, '0') AS id) x,
                LATERAL (VALUES (id::float8::bigint::text), (id::float8::text::numeric::text)) AS p(printed)
           WHERE printed <> id
             AND recon_platform_id_status(printed) NOT IN ('possible_float_rounding', 'precision_lost')), 0,
          'every id a float changed is flagged, printed exactly (bigint cast) or shortest (float8 text)');
SELECT throws_ok($$SELECT recon_platform_id_match_key('1', 0)$$, '22023', NULL, 'significant digits 0 raises 22023');
SELECT is((SELECT count(*)::int FROM generate_series(1, 3000) AS k,
                LATERAL (SELECT substr(E' ''"120,208,123,456,789,012.00E+17"\t', 1 + k % 11, k % 41) AS v) x
           WHERE (recon_normalize_platform_id(v) IS NULL) <> (recon_normalize_platform_id_reason(v) IS NOT NULL)), 0,
          'platform ids: normalize IS NULL exactly when the reason IS NOT NULL');

SELECT * FROM finish();
ROLLBACK;
