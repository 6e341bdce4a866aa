-- Strict parsers for the values of export files (src/load/value.c, csv.c): a
-- loader rejects a row whose number, date or record does not read, instead of
-- guessing. Blank is NULL; so is anything not in the expected spelling.

CREATE FUNCTION recon_csv_fields(line text, delimiter text DEFAULT ',') RETURNS text[]
    AS 'MODULE_PATHNAME', 'recon_csv_fields_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_csv_fields(text, text) IS
    'The fields of one CSV record (RFC 4180: quotes open a field, "" inside quotes is a quote, a trailing carriage return is dropped); empty fields are NULL. NULL when the record is malformed or longer than 16 MB: recon_csv_problem says why. A delimiter other than one ASCII character (not a quote or line break) raises 22023.';

CREATE FUNCTION recon_csv_problem(line text, delimiter text DEFAULT ',') RETURNS text
    AS 'MODULE_PATHNAME', 'recon_csv_problem_sql' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION recon_csv_problem(text, text) IS
    'Why recon_csv_fields(line) is NULL: unterminated_quote, text_after_quote ("ab"c), quote_in_unquoted_field (ab"c) or too_long (over 16 MB, not read); NULL when the record splits (or line is NULL).';

CREATE FUNCTION recon_parse_decimal(value text, decimal_mark text DEFAULT '.') RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_parse_decimal_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_decimal(text, text) IS
    'A number as export files write it: blanks around, a sign, thousands separators in groups of three (1,234.56; with decimal_mark '','': 1.234,56 or 1 234,56), a fraction. NULL when blank or anything else (1e5, 12,34, 1.2.3, $5, --, more than 1,000 digits either side of the mark). decimal_mark other than ''.'' or '','' raises 22023; a value over 256 kB raises 54000.';

CREATE FUNCTION recon_parse_date(value text, style text DEFAULT 'iso') RETURNS date
    AS 'MODULE_PATHNAME', 'recon_parse_date_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_date(text, text) IS
    'A calendar date in one style: iso (2026-03-01), mdy (3/1/2026, US exports) or dmy (1/3/2026, 1.3.2026). NULL when blank, in another spelling, or not a real day (2026-02-30). An unknown style raises 22023; a value over 256 kB raises 54000.';

CREATE FUNCTION recon_parse_timestamp(value text, zone text, style text DEFAULT 'iso') RETURNS timestamptz
    AS 'MODULE_PATHNAME', 'recon_parse_timestamp_sql' LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_parse_timestamp(text, text, text) IS
    'An instant from a date and time in one style (iso: 2026-03-01T10:15:00.000+0000 or 2026-03-01 10:15; mdy: 3/1/2026, 10:15 AM; dmy: 1.3.2026 10:15; epoch: Unix seconds; epoch_ms: Unix milliseconds). An offset (Z, UTC, +01, +0100, +01:00) is honoured; a time without one is local time in zone; a date alone is midnight there. NULL when blank or malformed; a value over 256 kB raises 54000. STABLE: zone rules come from the server''s tz database.';
