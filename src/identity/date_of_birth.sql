-- Dates of birth to YYYYMMDD (src/identity/date_of_birth.c).

CREATE FUNCTION recon_normalize_date_of_birth(date_of_birth text, date_order text DEFAULT 'mdy', platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_date_of_birth' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_date_of_birth(text, text, text) IS
    'A date of birth as YYYYMMDD (meta, snap, generic): reads YYYYMMDD, YYYY-MM-DD (also / or ., with or without a time), M/D/YYYY and D/M/YYYY (also - or .) and English month names. date_order (mdy, dmy, strict) decides only dates whose first two numbers could both be the month; strict refuses them. Two-digit years, impossible dates and years outside 1900-2099 are refused. NULL when unusable: recon_normalize_date_of_birth_reason says why.';

CREATE FUNCTION recon_normalize_date_of_birth_reason(date_of_birth text, date_order text DEFAULT 'mdy', platform text DEFAULT 'meta') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_normalize_date_of_birth_reason' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_normalize_date_of_birth_reason(text, text, text) IS
    'Why recon_normalize_date_of_birth returns NULL for this value (missing, invalid_utf8, control_character, too_long, unrecognized_date_format, ambiguous_date, two_digit_year, invalid_date, year_out_of_range); NULL when the date normalizes.';
