-- Platform-ready customer data for sending offline outcomes back (Meta Conversions API
-- user_data, Google Enhanced Conversions userIdentifiers), built from raw columns with the
-- identity normalizers and recon_hash_identifier. SQL over C: the work is in the C calls.

CREATE FUNCTION recon_meta_user_data(
    email text DEFAULT NULL, phone text DEFAULT NULL,
    first_name text DEFAULT NULL, last_name text DEFAULT NULL,
    city text DEFAULT NULL, state text DEFAULT NULL, zip text DEFAULT NULL, country text DEFAULT NULL,
    date_of_birth text DEFAULT NULL, gender text DEFAULT NULL, external_id text DEFAULT NULL,
    client_ip_address text DEFAULT NULL, client_user_agent text DEFAULT NULL,
    fbc text DEFAULT NULL, fbp text DEFAULT NULL, lead_id text DEFAULT NULL,
    default_region text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH r AS (
        -- the record's country (for zip, state and the phone's default region), as alpha-2
        SELECT coalesce(@extschema@.recon_normalize_country(country, 'meta'),
                        lower(nullif(btrim(default_region), ''))) AS cc
    ), h AS (
        SELECT @extschema@.recon_hash_identifier(email, 'em', 'meta') AS em,
               @extschema@.recon_hash_identifier(phone, 'ph', 'meta', coalesce(nullif(btrim(default_region), ''), r.cc)) AS ph,
               @extschema@.recon_hash_identifier(first_name, 'fn', 'meta') AS fn,
               @extschema@.recon_hash_identifier(last_name, 'ln', 'meta') AS ln,
               @extschema@.recon_hash_identifier(city, 'ct', 'meta') AS ct,
               @extschema@.recon_hash_identifier(state, 'st', 'meta', r.cc) AS st,
               @extschema@.recon_hash_identifier(zip, 'zp', 'meta', r.cc) AS zp,
               @extschema@.recon_hash_identifier(country, 'country', 'meta') AS country,
               @extschema@.recon_hash_identifier(date_of_birth, 'db', 'meta') AS db,
               @extschema@.recon_hash_identifier(gender, 'ge', 'meta') AS ge,
               @extschema@.recon_hash_identifier(external_id, 'external_id', 'meta') AS external_id
        FROM r
    )
    -- hashed keys as one-element arrays (Meta accepts lists); the rest as sent, never hashed
    SELECT jsonb_strip_nulls(jsonb_build_object(
        'em', CASE WHEN em IS NOT NULL THEN jsonb_build_array(em) END,
        'ph', CASE WHEN ph IS NOT NULL THEN jsonb_build_array(ph) END,
        'fn', CASE WHEN fn IS NOT NULL THEN jsonb_build_array(fn) END,
        'ln', CASE WHEN ln IS NOT NULL THEN jsonb_build_array(ln) END,
        'ct', CASE WHEN ct IS NOT NULL THEN jsonb_build_array(ct) END,
        'st', CASE WHEN st IS NOT NULL THEN jsonb_build_array(st) END,
        'zp', CASE WHEN zp IS NOT NULL THEN jsonb_build_array(zp) END,
        'country', CASE WHEN country IS NOT NULL THEN jsonb_build_array(country) END,
        'db', CASE WHEN db IS NOT NULL THEN jsonb_build_array(db) END,
        'ge', CASE WHEN ge IS NOT NULL THEN jsonb_build_array(ge) END,
        'external_id', CASE WHEN external_id IS NOT NULL THEN jsonb_build_array(external_id) END,
        'client_ip_address', nullif(btrim(client_ip_address), ''),
        'client_user_agent', nullif(btrim(client_user_agent), ''),
        'fbc', nullif(btrim(fbc), ''),
        'fbp', nullif(btrim(fbp), ''),
        'lead_id', nullif(btrim(lead_id), '')))
    FROM h
$$;
COMMENT ON FUNCTION recon_meta_user_data(text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text, text) IS
    'Meta Conversions API user_data object from raw customer columns: em, ph, fn, ln, ct, st, zp, country, db, ge, external_id normalized per Meta''s rules and SHA-256 hashed (one-element arrays); client_ip_address, client_user_agent, fbc, fbp, lead_id passed as sent (never hashed). Unusable and missing values are left out. default_region: the default region for national phone numbers when country is not given. STABLE because phone rules come from libphonenumber.';

CREATE FUNCTION recon_google_user_data(
    email text DEFAULT NULL, phone text DEFAULT NULL,
    first_name text DEFAULT NULL, last_name text DEFAULT NULL,
    country text DEFAULT NULL, zip text DEFAULT NULL,
    default_region text DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    WITH r AS (
        SELECT @extschema@.recon_normalize_country(country, 'google') AS cc
    ), h AS (
        SELECT @extschema@.recon_hash_identifier(email, 'email', 'google') AS em,
               @extschema@.recon_hash_identifier(phone, 'phone', 'google',
                                                 coalesce(nullif(btrim(default_region), ''), r.cc)) AS ph,
               @extschema@.recon_hash_identifier(first_name, 'first_name', 'google') AS fn,
               @extschema@.recon_hash_identifier(last_name, 'last_name', 'google') AS ln,
               r.cc,
               @extschema@.recon_normalize_zip(zip, r.cc, 'google') AS zp
        FROM r
    )
    -- Google matches an address only with all four parts: hashed first and last name,
    -- country code and postal code (the last two in clear)
    SELECT jsonb_build_object('userIdentifiers', coalesce(jsonb_agg(u ORDER BY n), '[]'::jsonb))
    FROM h, LATERAL (VALUES
        (1, CASE WHEN em IS NOT NULL THEN jsonb_build_object('hashedEmail', em) END),
        (2, CASE WHEN ph IS NOT NULL THEN jsonb_build_object('hashedPhoneNumber', ph) END),
        (3, CASE WHEN fn IS NOT NULL AND ln IS NOT NULL AND cc IS NOT NULL AND zp IS NOT NULL
                 THEN jsonb_build_object('addressInfo', jsonb_build_object(
                          'hashedFirstName', fn, 'hashedLastName', ln,
                          'countryCode', upper(cc), 'postalCode', zp)) END)
    ) AS ids(n, u)
    WHERE u IS NOT NULL
$$;
COMMENT ON FUNCTION recon_google_user_data(text, text, text, text, text, text, text) IS
    'Google Enhanced Conversions (Google Ads API ClickConversion) userIdentifiers from raw customer columns: hashedEmail and hashedPhoneNumber (E.164 with +), and addressInfo with hashed first and last name plus countryCode and postalCode in clear, only when all four are usable (Google needs all of them to match an address). Unusable and missing values are left out. STABLE because phone rules come from libphonenumber.';
