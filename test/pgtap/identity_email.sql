-- pgTAP: email normalization and recon_hash_identifier behaviour (src/identity/email.c, hash_identifier.c).
BEGIN;
SELECT plan(27);

SELECT has_function('recon_normalize_email', ARRAY['text', 'text'], 'recon_normalize_email(email, platform) exists');
SELECT has_function('recon_normalize_email_reason', ARRAY['text', 'text'], 'its reason companion exists');
SELECT has_function('recon_hash_identifier', ARRAY['text', 'text', 'text', 'text'], 'recon_hash_identifier(value, field, platform, country) exists');
SELECT has_function('recon_hash_identifier_reason', ARRAY['text', 'text', 'text', 'text'], 'its reason companion exists');

-- Bulk-query friendly: parallel safe; email rules are IMMUTABLE, hashing is STABLE because its
-- phone rule comes from libphonenumber's metadata.
SELECT is((SELECT string_agg(DISTINCT provolatile::text || proparallel::text, ',') FROM pg_proc
           WHERE proname IN ('recon_normalize_email', 'recon_normalize_email_reason')),
          'is', 'the email functions are IMMUTABLE and PARALLEL SAFE');
SELECT is((SELECT string_agg(DISTINCT provolatile::text || proparallel::text, ',') FROM pg_proc
           WHERE proname IN ('recon_hash_identifier', 'recon_hash_identifier_reason', 'recon_meta_user_data', 'recon_google_user_data')),
          'ss', 'hashing and the user_data builders are STABLE and PARALLEL SAFE');
SELECT has_function('recon_meta_user_data', 'the Meta user_data builder exists');
SELECT has_function('recon_google_user_data', 'the Google userIdentifiers builder exists');
SELECT ok((SELECT proisstrict FROM pg_proc WHERE proname = 'recon_normalize_email'), 'recon_normalize_email is STRICT');
SELECT ok((SELECT NOT bool_or(proisstrict) FROM pg_proc WHERE proname IN ('recon_normalize_email_reason', 'recon_hash_identifier', 'recon_hash_identifier_reason')),
          'the reason companions and recon_hash_identifier are not STRICT (NULL value -> missing; NULL country allowed)');

-- A generated set of messy addresses: every case, blank, Unicode and junk combination below.
CREATE TEMP TABLE emails AS
SELECT pre || local || at || dom || post AS v
FROM unnest(ARRAY['', ' ', E'\t', U&'\00A0', U&'\FEFF']) AS pre,
     unnest(ARRAY['john', 'John.Smith', 'j.o.h.n+tag', 'Émile', U&'E\0301mile', '', 'a b', E'a\u0001b', '用户', '+x', '.']) AS local,
     unnest(ARRAY['@', '', '@@', ' @ ']) AS at,
     unnest(ARRAY['gmail.com', 'GoogleMail.com', 'Example.COM', 'exämple.fr', '', 'mail.gmail.com']) AS dom,
     unnest(ARRAY['', ' ', E'\n', U&'\200B']) AS post;

SELECT cmp_ok((SELECT count(*) FROM emails), '>=', 5000::bigint, 'the generated set has thousands of addresses');

-- The contract, on every address and platform.
SELECT is((SELECT count(*) FROM emails, unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'generic']) AS p
           WHERE (recon_normalize_email(v, p) IS NULL) = (recon_normalize_email_reason(v, p) IS NULL)),
          0::bigint, 'each address either normalizes or has a reason, never both, on every platform');
SELECT is((SELECT count(*) FROM emails, unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'generic']) AS p
           WHERE recon_normalize_email(recon_normalize_email(v, p), p) IS DISTINCT FROM recon_normalize_email(v, p)),
          0::bigint, 'normalizing twice changes nothing');
SELECT is((SELECT count(*) FROM emails, unnest(ARRAY['meta', 'google', 'generic']) AS p
           WHERE recon_normalize_email(v, p) IS NOT NULL
             AND recon_normalize_email(v, p) IS DISTINCT FROM normalize(recon_normalize_email(v, p), NFC)),
          0::bigint, 'every result is in Unicode NFC');
SELECT is((SELECT count(*) FROM emails
           WHERE recon_normalize_email(v, 'meta') ~ '[[:space:][:cntrl:]]' OR recon_normalize_email(v, 'meta') !~ '^[^@]+@[^@]+$'),
          0::bigint, 'no result has white space, control characters, or other than one @ with text on both sides');
SELECT is((SELECT count(*) FROM emails WHERE recon_normalize_email(v, 'meta') <> lower(recon_normalize_email(v, 'meta'))),
          0::bigint, 'every result is lower case');
SELECT is((SELECT count(*) FROM emails WHERE recon_normalize_email(v, 'google') LIKE '%.%@gmail.com' OR recon_normalize_email(v, 'google') LIKE '%+%@gmail.com'),
          0::bigint, 'Google results for gmail.com keep no dot or plus in the local part');
SELECT ok((SELECT count(*) > 0 FROM emails WHERE recon_normalize_email(v, 'google') LIKE '%.%+%@example.com'),
          'Google results for other domains keep their dots and plus-tags');
SELECT is((SELECT count(*) FROM emails, unnest(ARRAY['meta', 'google']) AS p
           WHERE recon_hash_identifier(v, 'email', p) IS DISTINCT FROM recon_sha256_hex(recon_normalize_email(v, p))),
          0::bigint, 'recon_hash_identifier = recon_sha256_hex(recon_normalize_email) on every address');
SELECT is((SELECT count(*) FROM emails, unnest(ARRAY['meta', 'google']) AS p
           WHERE recon_hash_identifier_reason(v, 'email', p) IS DISTINCT FROM recon_normalize_email_reason(v, p)),
          0::bigint, 'recon_hash_identifier_reason reports the email normalizer''s reason');
SELECT is((SELECT count(*) FROM emails WHERE recon_hash_identifier(v, 'email') = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
          0::bigint, 'never the hash of an empty string');

-- Digests pass through; a digest is never hashed again.
SELECT is((SELECT count(*) FROM emails WHERE recon_hash_identifier(recon_hash_identifier(v, 'email'), 'email') IS DISTINCT FROM recon_hash_identifier(v, 'email')),
          0::bigint, 'hashing a digest returns it unchanged');
SELECT is(recon_hash_identifier(repeat('ab', 32) || '.Xy_9-Zz0', 'em', 'meta'), repeat('ab', 32) || '.Xy_9-Zz0',
          'a digest with Meta''s parameter-builder suffix passes unchanged');

-- Misuse is an error; bad values are not.
SELECT throws_ok($$SELECT recon_normalize_email('a@b.c', 'facebook')$$, '22023', 'unknown platform "facebook" for email',
                 'an unknown platform raises 22023');
SELECT throws_ok($$SELECT recon_hash_identifier('x', 'fbp', 'meta')$$, '22023', 'field "fbp" must not be hashed for meta',
                 'hashing a cookie raises 22023');
SELECT throws_ok($$SELECT recon_hash_identifier('x', 'mail')$$, '22023', 'unknown field "mail" for hashing',
                 'an unknown field raises 22023');
SELECT lives_ok($$SELECT recon_hash_identifier(v, 'email') FROM emails$$, 'a bulk query over bad values does not abort');

SELECT * FROM finish();
ROLLBACK;
