-- Click ids and UTM values from landing-page URLs (src/identity/url.c, url_sql.c).
-- Rules (repeated parameters, fragments, decoding, flags): docs/click-ids.md.

CREATE TYPE recon_click_ids AS (
    fbclid               text,
    gclid                text,
    gbraid               text,
    wbraid               text,
    msclkid              text,
    ttclid               text,
    li_fat_id            text,
    ctwa_clid            text,
    utm_id               text,
    utm_source           text,
    utm_medium           text,
    utm_campaign         text,
    utm_term             text,
    utm_content          text,
    utm_source_platform  text,
    utm_creative_format  text,
    utm_marketing_tactic text,
    flags                text[]
);
COMMENT ON TYPE recon_click_ids IS
    'The click ids (fbclid, gclid, gbraid, wbraid, msclkid, ttclid, li_fat_id, ctwa_clid) and GA4 UTM values of a URL, percent-decoded and never case-folded, plus data-quality flags (see docs/click-ids.md).';

CREATE FUNCTION recon_parse_click_ids(url text) RETURNS recon_click_ids
    AS 'MODULE_PATHNAME', 'recon_parse_click_ids_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_click_ids(text) IS
    'Click ids and UTM values of a landing-page URL: query first, then the #fragment; the first non-empty value of a repeated parameter wins (a different later one sets conflicting_values); values are percent-decoded (+ is a space) and keep their case. Never raises on bad data: flags say what was wrong (missing, missing_scheme, from_fragment, repeated_parameter, conflicting_values, invalid_percent_encoding, invalid_utf8, control_character, unexpanded_macro, html_escaped_ampersand, unexpected_characters, empty_value, too_long: a URL over 64 kB is not read). Call it once per row: FROM t, LATERAL recon_parse_click_ids(t.url) c.';

CREATE FUNCTION recon_click_id(url text, field text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_click_id_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_click_id(text, text) IS
    'One field of recon_parse_click_ids(url) (''gclid'', ''utm_source'', ...), decoded, by the same rules; NULL when absent or unusable. An unknown field name raises 22023 listing the accepted ones.';

CREATE FUNCTION recon_parse_click_ids_json(url text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'recon_parse_click_ids_json_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_click_ids_json(text) IS
    'recon_parse_click_ids(url) as a jsonb object: only the fields present, plus "flags" (an array, empty when clean).';
