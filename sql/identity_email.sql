-- identity_email: recon_normalize_email and its reason companion (src/identity/email.c).

-- The verified vectors of platform-rules.md: normalized value and its SHA-256.
SELECT platform, input, recon_normalize_email(input, platform) AS normalized,
       recon_sha256_hex(recon_normalize_email(input, platform)) AS sha256
FROM (VALUES ('meta', 'John_Smith@gmail.com'),
             ('google', 'cloudy.sanfrancisco+shopping@gmail.com'),
             ('google', 'user.name+NYC@Example.com'),
             ('snap', 'Person@Example.com')) AS v(platform, input)
ORDER BY platform COLLATE "C", input COLLATE "C";

-- The default platform is meta.
SELECT recon_normalize_email('  Jane.Doe+Promo@GMAIL.com ') AS meta_default;

-- One address, every platform: only Google applies the Gmail rule, and only to Gmail domains.
SELECT p AS platform,
       recon_normalize_email(' Jane.Doe+Promo@GMAIL.com ', p) AS gmail,
       recon_normalize_email('Jane.Doe+Promo@GoogleMail.com', p) AS googlemail,
       recon_normalize_email('Jane.Doe+Promo@Example.com', p) AS other_domain,
       recon_normalize_email('Jane.Doe+Promo@mail.gmail.com', p) AS gmail_subdomain
FROM unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'generic']) AS p;

-- Platform names are case-insensitive.
SELECT recon_normalize_email('A@B.C', 'Google') AS mixed_case_platform;

-- Unicode: NFC before lower case (a decomposed é equals the composed one), any script.
SELECT input, recon_normalize_email(input) AS normalized, octet_length(recon_normalize_email(input)) AS bytes
FROM (VALUES (U&'\00C9mile@Ex\00E4mple.fr'), (U&'E\0301mile@Exa\0308mple.fr'),
             ('ΑΛΈΞΗΣ@Παράδειγμα.gr'), ('用户@例子.公司'), ('Straße@Beispiel.de')) AS v(input)
ORDER BY input COLLATE "C";
-- ... and the composed and decomposed spellings hash the same.
SELECT recon_hash_email_check.same FROM (
    SELECT recon_normalize_email(U&'\00C9mile@ex.fr') = recon_normalize_email(U&'E\0301mile@ex.fr') AS same
) AS recon_hash_email_check;
-- Lower case does not depend on the server locale: dotted capital I and final sigma.
SELECT recon_normalize_email(U&'\0130STANBUL@x.tr', 'generic') = U&'i\0307stanbul@x.tr' AS dotted_i,
       recon_normalize_email('ΟΔΥΣΣΕΥΣ@x.gr') AS sigma;

-- White space: trimmed everywhere (tabs, newlines, no-break and zero-width spaces, BOM),
-- removed inside by Google, unusable inside for the others.
SELECT p AS platform, input,
       recon_normalize_email(input, p) AS normalized,
       recon_normalize_email_reason(input, p) AS reason
FROM unnest(ARRAY['meta', 'google']) AS p,
     unnest(ARRAY[E'\t a@b.com \n', U&'\00A0a@b.com\200B\FEFF', 'first last@b.com', E'a@b .com',
                  U&'a\3000b@c.com']) AS input
ORDER BY p COLLATE "C", input COLLATE "C";

-- Removing a space or a Gmail dot in front of a combining accent lets NFC compose it, so the
-- result is folded again: the same bytes as the address typed without them.
SELECT recon_normalize_email(U&'L\000A\0301@QT', 'google') = U&'\013a@qt' AS space_before_accent,
       recon_normalize_email(U&'a.\0301b+x@gmail.com', 'google') = U&'\00e1b@gmail.com' AS dot_before_accent;

-- Unusable values: NULL, and the companion says why.
SELECT left(input, 24) AS input, octet_length(input) AS bytes,
       left(recon_normalize_email(input, 'meta'), 24) AS normalized,
       recon_normalize_email_reason(input, 'meta') AS meta_reason,
       recon_normalize_email_reason(input, 'google') AS google_reason
FROM (VALUES (NULL), (''), ('   '), ('no-at-sign'), ('@example.com'), ('user@'), ('a@b@c.com'),
             (E'a\u0001b@c.com'), (E'a@b.com\u007f'), (U&'a\0085b@c.com'), ('+shopping@gmail.com'),
             ('..+x@googlemail.com'), (repeat('a', 249) || '@b.com'), (repeat('a', 248) || '@b.com')) AS v(input)
ORDER BY v.input COLLATE "C" NULLS FIRST;

-- The longest usable address is 254 bytes, counted after NFC and lower case.
SELECT octet_length(recon_normalize_email(repeat('a', 242) || '@EXAMPLE.COM')) AS bytes_254,
       recon_normalize_email_reason(repeat('a', 243) || '@EXAMPLE.COM') AS bytes_255;

-- A 10 MB value is refused quickly, not processed (not even read: over 4,096 bytes, docs/limits.md);
-- blanks around an address are trimmed as long as the whole value stays within that limit.
SELECT recon_normalize_email_reason(repeat('x', 10 * 1024 * 1024) || '@example.com') AS ten_megabytes,
       recon_normalize_email(repeat(' ', 4000) || 'A@B.C' || repeat(' ', 10)) AS padded,
       recon_normalize_email_reason(repeat(' ', 10 * 1024 * 1024) || 'A@B.C' || repeat(' ', 10)) AS padded_ten_megabytes;

-- Every non-NULL input either normalizes or has a reason, never both.
SELECT count(*) AS rows_checked,
       count(*) FILTER (WHERE (recon_normalize_email(v, p) IS NULL) = (recon_normalize_email_reason(v, p) IS NULL)) AS violations
FROM unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'generic']) AS p,
     unnest(ARRAY['a@b.c', '', ' ', 'x', 'A.B+C@GMAIL.COM', 'a b@c', E'a\u0002@b', '@', 'a@', '@b', 'a@@b',
                  U&'\00E9@\00E9', '+@gmail.com', '.@gmail.com', 'é@x']) AS v;

-- Misuse is an error that names the accepted platforms.
SELECT * FROM regress.error_of($$SELECT recon_normalize_email('a@b.c', 'facebook')$$);
SELECT regress.sqlstate_of($$SELECT recon_normalize_email_reason('a@b.c', NULL)$$);
SELECT recon_normalize_email('a@b.c', NULL) AS strict_on_platform;

-- Bytes that are not UTF-8 cannot reach a text value in a UTF-8 database, but they can in
-- a SQL_ASCII one: there they are reported, not hashed.
\set regress_db :DBNAME
CREATE DATABASE recon_sql_ascii ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c recon_sql_ascii
CREATE EXTENSION recon;
SELECT recon_normalize_email(v) AS normalized, recon_normalize_email_reason(v) AS reason
FROM (VALUES (E'caf\xe9@example.com'), (E'\xc0\xaf@example.com'), (E'\xed\xa0\x80@example.com'),
             (E'a@example.com\xf4\x90\x80\x80'), (E'Caf\xc3\xa9@Example.com')) AS v(v);
-- ... and so are they by every other identity function: NULL or a flag, never a crash or a hash.
SELECT recon_hash_identifier(E'caf\xe9@example.com', 'email') AS hashed_email,
       recon_hash_identifier_reason(E'caf\xe9@example.com', 'email') AS email_reason,
       recon_normalize_first_name_reason(E'Val\xe9ry') AS first_name_reason,
       recon_normalize_phone(E'+1 650 555 1212\xff', 'US') AS phone,
       recon_normalize_phone_reason(E'+1 650 555 1212\xff', 'US') AS phone_reason,
       (recon_parse_click_ids(E'https://x.example/?gclid=Cj0\xff&utm_source=fb')).utm_source AS utm_source,
       recon_normalize_platform_id_reason(E'1202\xff') AS platform_id_reason;
\c :regress_db
DROP DATABASE recon_sql_ascii;
