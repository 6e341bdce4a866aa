-- identity_internal_key: HMAC-SHA-256 (RFC 4231 test vectors) and recon's internal keys
-- under the superuser-only pepper recon.internal_key_pepper; platform hashes never change.

-- RFC 4231 test cases 1, 2, 3, 6 and 7 (HMAC-SHA-256).
SELECT n, recon_hmac_sha256_hex(key, message) = expected AS matches_rfc4231
FROM (VALUES
    (1, '\x0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b'::bytea, convert_to('Hi There', 'UTF8'),
     'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7'),
    (2, convert_to('Jefe', 'UTF8'), convert_to('what do ya want for nothing?', 'UTF8'),
     '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843'),
    (3, decode(repeat('aa', 20), 'hex'), decode(repeat('dd', 50), 'hex'),
     '773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe'),
    (6, decode(repeat('aa', 131), 'hex'), convert_to('Test Using Larger Than Block-Size Key - Hash Key First', 'UTF8'),
     '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54'),
    (7, decode(repeat('aa', 131), 'hex'),
     convert_to('This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.', 'UTF8'),
     '9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2')
) AS v(n, key, message, expected)
ORDER BY n;
-- Edge cases: an empty key and an empty message are valid HMAC inputs; NULL gives NULL.
SELECT recon_hmac_sha256_hex('', '') AS empty_key_and_message,
       recon_hmac_sha256_hex(NULL, 'x') IS NULL AS null_key_is_null;

-- Without a pepper an internal key is plain SHA-256.
SELECT recon_internal_key_scheme() AS scheme,
       recon_internal_key('a@b.com') = recon_sha256_hex('a@b.com') AS equals_sha256,
       recon_internal_key('') IS NULL AS empty_is_null;
-- The field form normalizes first (as for Meta), so spellings of one contact share a key.
SELECT recon_internal_key(' A@B.com ', 'email') = recon_internal_key('a@b.com') AS email_normalized,
       recon_internal_key('(202) 555-0143', 'phone', 'US') = recon_internal_key('12025550143') AS phone_normalized,
       recon_internal_key('not an email', 'email') IS NULL AS unusable_is_null;
\set VERBOSITY terse
SELECT recon_internal_key('a@b.com', 'ip_address');
SELECT recon_internal_key('a@b.com', NULL);
\set VERBOSITY default

-- With a pepper: HMAC-SHA-256 under it; the platform hash of the same email does not move.
SET recon.internal_key_pepper = 'pepper-for-tests';
SELECT recon_internal_key_scheme() AS scheme,
       recon_internal_key('a@b.com') = recon_hmac_sha256_hex(convert_to('pepper-for-tests', 'UTF8'), convert_to('a@b.com', 'UTF8')) AS is_hmac,
       recon_internal_key('a@b.com') <> recon_sha256_hex('a@b.com') AS differs_from_sha256,
       recon_hash_identifier('A@B.com', 'email') = recon_sha256_hex('a@b.com') AS platform_hash_unchanged;
-- A non-superuser can neither read nor set the pepper (pg_settings does not list it), but its keys use it.
CREATE ROLE regress_not_super;
SET ROLE regress_not_super;
SELECT count(*) AS pepper_in_pg_settings FROM pg_settings WHERE name = 'recon.internal_key_pepper';
\set VERBOSITY terse
SHOW recon.internal_key_pepper;
SET recon.internal_key_pepper = 'mine';
\set VERBOSITY default
SELECT recon_internal_key_scheme() AS scheme_for_everyone;
RESET ROLE;
DROP ROLE regress_not_super;
RESET recon.internal_key_pepper;
SELECT recon_internal_key_scheme() AS scheme_after_reset;
