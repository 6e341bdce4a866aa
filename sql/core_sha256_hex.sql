-- core_sha256_hex: SHA-256 digests in the form Meta, Google and TikTok accept for
-- hashed contact data, exactly 64 lower-case hex characters (src/core/sha256_hex.c).

-- Real digests pass.
SELECT recon_is_sha256_hex(encode(sha256(convert_to('person1@example.com', 'UTF8')), 'hex')) AS email_digest,
       recon_is_sha256_hex(encode(sha256(''::bytea), 'hex')) AS empty_input_digest,
       recon_is_sha256_hex(repeat('0', 64)) AS all_zeros,
       recon_is_sha256_hex(repeat('0123456789abcdef', 4)) AS every_hex_digit;

-- Anything else fails: other case, other lengths, other characters.
SELECT to_json(v) AS input, octet_length(v) AS bytes, recon_is_sha256_hex(v) AS is_sha256_hex
FROM unnest(ARRAY[
    upper(encode(sha256('x'::bytea), 'hex')),                       -- upper case
    'A' || right(encode(sha256('x'::bytea), 'hex'), 63),            -- one upper-case letter
    left(encode(sha256('x'::bytea), 'hex'), 63),                    -- 63 characters
    encode(sha256('x'::bytea), 'hex') || '0',                       -- 65 characters
    encode(sha256('x'::bytea), 'hex') || E'\n',                     -- a trailing newline
    ' ' || left(encode(sha256('x'::bytea), 'hex'), 63),             -- a leading blank in 64 characters
    encode(sha256('x'::bytea), 'hex') || '  -',                     -- sha256sum's output line
    '0x' || left(encode(sha256('x'::bytea), 'hex'), 62),            -- a 0x prefix in 64 characters
    repeat('g', 64),                                                -- not hex
    repeat('0', 63) || 'G',
    repeat('0', 63) || '/',                                         -- the characters around the digit and letter ranges
    repeat('0', 63) || ':',
    repeat('0', 63) || '`',
    repeat('0', 63) || '@',
    repeat('0', 62) || 'é',                                         -- 63 characters in 64 bytes
    repeat('é', 32),                                                -- 32 characters in 64 bytes
    encode(sha256('x'::bytea), 'base64'),                           -- base64 of the same digest
    encode(sha224('x'::bytea), 'hex'),                              -- SHA-224 (56)
    md5('x'),                                                       -- MD5 (32)
    encode(sha512('x'::bytea), 'hex'),                              -- SHA-512 (128)
    ''
]) WITH ORDINALITY AS t(v, n)
ORDER BY n;

-- STRICT: NULL in, NULL out.
SELECT recon_is_sha256_hex(NULL) IS NULL AS null_is_null;

-- It agrees with the regular expression ^[0-9a-f]{64}$ on digests and their near misses.
SELECT count(*) AS samples,
       count(*) FILTER (WHERE recon_is_sha256_hex(v)) AS valid,
       count(*) FILTER (WHERE recon_is_sha256_hex(v) IS DISTINCT FROM (v COLLATE "C" ~ '^[0-9a-f]{64}$')) AS disagreements
FROM (SELECT encode(sha256(convert_to('p' || i, 'UTF8')), 'hex') AS d, i FROM generate_series(1, 500) AS i) s,
     LATERAL (VALUES (d), (upper(d)), (left(d, 63)), (d || 'a'),
                     (overlay(d PLACING chr(32 + i % 95) FROM 1 + i % 64 FOR 1))) AS m(v);

-- The domain recon_sha256_digest: a digest or NULL.
SELECT encode(sha256('x'::bytea), 'hex')::recon_sha256_digest AS digest, NULL::recon_sha256_digest IS NULL AS null_allowed;
SELECT to_json(v) AS input, regress.sqlstate_of(format('SELECT %L::recon_sha256_digest', v)) AS result
FROM unnest(ARRAY[upper(encode(sha256('x'::bytea), 'hex')), left(encode(sha256('x'::bytea), 'hex'), 63),
                  encode(sha256('x'::bytea), 'hex') || 'a', repeat('z', 64), '']) WITH ORDINALITY AS t(v, n)
ORDER BY n;
-- ... and as a column type: a bad value is refused with 23514, a good one stored as given.
CREATE TEMP TABLE hashed (id int, email_sha256 recon_sha256_digest);
INSERT INTO hashed VALUES (1, encode(sha256('a@example.com'::bytea), 'hex')), (2, NULL);
SELECT regress.sqlstate_of($$INSERT INTO hashed VALUES (3, upper(encode(sha256('a@example.com'::bytea), 'hex')))$$);
SELECT regress.sqlstate_of($$UPDATE hashed SET email_sha256 = 'a@example.com' WHERE id = 1$$);
SELECT * FROM hashed ORDER BY id;
DROP TABLE hashed;

-- recon_sha256_hex: the verified vectors of platform-rules.md (normalized values).
SELECT v AS normalized, recon_sha256_hex(v) AS sha256
FROM (VALUES ('john_smith@gmail.com'), ('16505551212'), ('+16505551212'), ('mary'), ('정'), ('valéry'),
             ('19970216'), ('newyork'), ('ca'), ('94035'), ('m11ae'), ('us'),
             ('cloudysanfrancisco@gmail.com'), ('user.name+nyc@example.com'), ('+18005550100'),
             ('person@example.com'), ('448444124653')) AS t(v);
-- Never the hash of an empty value; NULL stays NULL; it hashes exactly what it is given.
SELECT recon_sha256_hex('') IS NULL AS empty_is_null, recon_sha256_hex(NULL) IS NULL AS null_is_null,
       recon_sha256_hex(' Mary') <> recon_sha256_hex('mary') AS not_normalized;
-- Agrees with core sha256() at every length around the 64-byte block and its 56-byte padding edge.
SELECT count(*) AS lengths_checked,
       count(*) FILTER (WHERE recon_sha256_hex(s) <> encode(sha256(convert_to(s, 'UTF8')), 'hex')) AS mismatches
FROM (SELECT repeat('ab', n / 2) || repeat('c', n % 2) AS s FROM generate_series(1, 300) AS n) x;
-- Multibyte characters hash their UTF-8 bytes, and long values hash like core.
SELECT recon_sha256_hex(repeat('é', 100000)) = encode(sha256(convert_to(repeat('é', 100000), 'UTF8')), 'hex') AS long_multibyte;
-- Its output is a recon_sha256_digest.
SELECT recon_sha256_hex('x')::recon_sha256_digest IS NOT NULL AS is_a_digest;
