-- Input size limits (issue 8, hardening; docs/limits.md): recon_limits(), the loaders' too_long
-- rejects, and the comments of the C functions whose answer over a limit is new.
--@include src/core/limits.sql

COMMENT ON FUNCTION recon_sha256_hex(text) IS
    'SHA-256 of the value''s bytes as 64 lower-case hex characters, the form the ad platforms want for hashed keys; NULL for NULL or an empty value (never the hash of an empty string). Hashes exactly what it is given: normalize first. A value over 64 MB raises 54000.';

COMMENT ON FUNCTION recon_parse_fbc_reason(text) IS
    'Why recon_parse_fbc(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_fbclid, invalid_suffix or too_long (over 4,096 bytes, not read); NULL when it parses.';

COMMENT ON FUNCTION recon_parse_fbp_reason(text) IS
    'Why recon_parse_fbp(cookie) is NULL: missing, wrong_prefix, too_few_segments, too_many_segments, invalid_subdomain_index, invalid_creation_time, invalid_random, invalid_suffix or too_long (over 4,096 bytes, not read); NULL when it parses.';

COMMENT ON FUNCTION recon_build_fbc_reason(text, timestamptz, integer) IS
    'Why recon_build_fbc is NULL: missing, too_long (over 4,096 bytes), invalid_fbclid, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';

COMMENT ON FUNCTION recon_build_fbp_reason(text, timestamptz, integer) IS
    'Why recon_build_fbp is NULL: missing, too_long (over 4,096 bytes), invalid_random, already_a_cookie, missing_creation_time, invalid_creation_time, creation_time_out_of_range (or missing_subdomain_index); NULL when it builds.';

COMMENT ON FUNCTION recon_normalize_platform_id_reason(text) IS
    'Why recon_normalize_platform_id(id) is NULL: missing, scientific_notation, precision_lost, invalid or too_long (over 4,096 bytes, not read); NULL when it normalizes.';

COMMENT ON FUNCTION recon_platform_id_status(text) IS
    'ok; possible_float_rounding (exactly what a double round-trip prints) and possible_precision_lost (16 digits ending in 0), both kept by the normalizer as most such values are genuine (measured rates in docs/click-ids.md); precision_lost (15 significant digits then two or more zeros), scientific_notation (1.20208123456789E+17), invalid, missing (NULL or blank), or too_long (over 4,096 bytes, not read).';

COMMENT ON FUNCTION recon_parse_click_ids(text) IS
    'Click ids and UTM values of a landing-page URL: query first, then the #fragment; the first non-empty value of a repeated parameter wins (a different later one sets conflicting_values); values are percent-decoded (+ is a space) and keep their case. Never raises on bad data: flags say what was wrong (missing, missing_scheme, from_fragment, repeated_parameter, conflicting_values, invalid_percent_encoding, invalid_utf8, control_character, unexpanded_macro, html_escaped_ampersand, unexpected_characters, empty_value, too_long: a URL over 64 kB is not read). Call it once per row: FROM t, LATERAL recon_parse_click_ids(t.url) c.';

COMMENT ON FUNCTION recon_compare_text(text, text, double precision[]) IS
    'Comparison level of two strings: 0 missing (NULL or empty), 1 equal, 2.. the first Jaro-Winkler threshold reached (thresholds strictly decreasing in [0, 1], at most 13), last: below all. Default {0.92,0.8} gives 4 levels: equal, >= 0.92, >= 0.8, else. Normalize first: the comparison is case-sensitive. Values longer than 4,096 characters are compared for equality only (equal, else the last level): Jaro-Winkler''s cost grows with the product of the lengths.';

COMMENT ON FUNCTION recon_jaro(text, text) IS
    'Jaro similarity of the characters (not bytes) of a and b, from 0 (nothing in common) to 1 (identical; also two empty strings). Case-sensitive: normalize first (recon_normalize_first_name...). A value longer than 4,096 characters raises 54000 (the cost grows with the product of the lengths; recon_limits()).';

COMMENT ON FUNCTION recon_jaro_winkler(text, text, double precision) IS
    'Jaro-Winkler similarity of the characters of a and b, from 0 to 1: Jaro plus prefix_scale (0 to 0.25, standard 0.1) times the common prefix (up to 4 characters) times (1 - Jaro), when Jaro is above 0.7. MARTHA/MARHTA 0.961, DWAYNE/DUANE 0.84. Case-sensitive; a value longer than 4,096 characters raises 54000 (recon_limits()).';

COMMENT ON FUNCTION recon_csv_fields(text, text) IS
    'The fields of one CSV record (RFC 4180: quotes open a field, "" inside quotes is a quote, a trailing carriage return is dropped); empty fields are NULL. NULL when the record is malformed or longer than 16 MB: recon_csv_problem says why. A delimiter other than one ASCII character (not a quote or line break) raises 22023.';

COMMENT ON FUNCTION recon_csv_problem(text, text) IS
    'Why recon_csv_fields(line) is NULL: unterminated_quote, text_after_quote ("ab"c), quote_in_unquoted_field (ab"c) or too_long (over 16 MB, not read); NULL when the record splits (or line is NULL).';

COMMENT ON FUNCTION recon_parse_decimal(text, text) IS
    'A number as export files write it: blanks around, a sign, thousands separators in groups of three (1,234.56; with decimal_mark '','': 1.234,56 or 1 234,56), a fraction. NULL when blank or anything else (1e5, 12,34, 1.2.3, $5, --, more than 1,000 digits either side of the mark). decimal_mark other than ''.'' or '','' raises 22023; a value over 256 kB raises 54000.';

COMMENT ON FUNCTION recon_parse_date(text, text) IS
    'A calendar date in one style: iso (2026-03-01), mdy (3/1/2026, US exports) or dmy (1/3/2026, 1.3.2026). NULL when blank, in another spelling, or not a real day (2026-02-30). An unknown style raises 22023; a value over 256 kB raises 54000.';

COMMENT ON FUNCTION recon_parse_timestamp(text, text, text) IS
    'An instant from a date and time in one style (iso: 2026-03-01T10:15:00.000+0000 or 2026-03-01 10:15; mdy: 3/1/2026, 10:15 AM; dmy: 1.3.2026 10:15; epoch: Unix seconds; epoch_ms: Unix milliseconds). An offset (Z, UTC, +01, +0100, +01:00) is honoured; a time without one is local time in zone; a date alone is midnight there. NULL when blank or malformed; a value over 256 kB raises 54000. STABLE: zone rules come from the server''s tz database.';

-- The loading framework: a cell or record over the limit rejects its row.
--@replace-function src/load/framework.sql recon.load_limit
--@replace-function src/load/framework.sql recon.load_too_long
--@replace-function src/load/framework.sql recon.load_too_long_json
--@replace-function src/load/framework.sql recon.load_bad_id
--@replace-function src/load/framework.sql recon.load_mask_raw
--@replace-function src/load/framework.sql recon.load_csv_rows
--@replace-function src/load/framework.sql recon.load_json_rows
