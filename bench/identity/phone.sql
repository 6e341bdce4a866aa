-- bench/identity/phone.sql: recon_normalize_phone (C fast path, libphonenumber when unsure)
-- against libphonenumber alone (recon_normalize_phone_reference) and against the plain-SQL
-- digits-only regexp_replace (not a normalization: for scale only), on the 1M typical CRM
-- numbers of bench_identity (20 regions, recon_phone_typical_sample); then the fast path
-- against libphonenumber on the whole generated corpus (disagreements must be 0) with the
-- share the fast path decides. Included by bench/identity.sql.

SELECT bench.compare('identity', 'E.164: recon_normalize_phone vs libphonenumber alone (recon_normalize_phone_reference)', :rows,
    'SELECT count(recon_normalize_phone(phone, phone_region)) FROM bench_identity',
    'SELECT count(recon_normalize_phone_reference(phone, phone_region)) FROM bench_identity',
    'SELECT count(phone) FROM bench_identity',
    p_note => 'the same answers: plain here is libphonenumber''s Parse + IsPossibleNumberWithReason + E.164 per row') \g /dev/null

SELECT bench.compare('identity', 'Meta digits: recon_normalize_phone(..., ''meta'') vs libphonenumber alone', :rows,
    $q$SELECT count(recon_normalize_phone(phone, phone_region, 'meta')) FROM bench_identity$q$,
    $q$SELECT count(recon_normalize_phone_reference(phone, phone_region, 'meta')) FROM bench_identity$q$,
    'SELECT count(phone) FROM bench_identity') \g /dev/null

SELECT bench.compare('identity', $c$recon_normalize_phone vs regexp_replace(phone, '[^0-9]', '', 'g')$c$, :rows,
    'SELECT count(recon_normalize_phone(phone, phone_region)) FROM bench_identity',
    $q$SELECT count(regexp_replace(phone, '[^0-9]', '', 'g')) FROM bench_identity$q$,
    'SELECT count(phone) FROM bench_identity',
    p_expect_same => false,
    p_note => 'not the same answer (digits only keeps trunk prefixes and 00, adds no country code): the cost of the crudest plain-SQL cleanup, for scale') \g /dev/null

-- The per-core rate and the agreement tables are printed after the main table (bench/identity.sql).
