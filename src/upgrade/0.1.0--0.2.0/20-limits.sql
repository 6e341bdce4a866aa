-- Input size limits (issue 8, hardening): recon_limits(), the loaders reject a cell or row over
-- the limit as too_long, and the comments of the functions whose behaviour over a limit changed.
-- Upgrade half of src/core/limits.sql, src/load/framework.sql and the COMMENTs of src/{core,identity,linkage,load}/*.sql.

CREATE FUNCTION recon_limits(OUT name text, OUT max bigint, OUT unit text, OUT applies_to text, OUT over_the_limit text)
    RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_limits' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 11;

COMMENT ON FUNCTION recon_limits() IS
    'The input size limits of recon''s C functions: name, max (in unit: bytes, characters, elements or patterns), what it applies to and what happens over it (error 54000 for names, models, arrays and Jaro-Winkler strings; NULL with reason too_long for data values; a rejected row for loaded files). See docs/limits.md.';

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

CREATE FUNCTION recon.load_limit(name text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT l.max FROM @extschema@.recon_limits() l WHERE l.name = load_limit.name
$$;

COMMENT ON FUNCTION recon.load_limit(text) IS
    'The max of a recon_limits() row by name; the loaders read cell (the longest cell a row may hold) and row (the longest record).';

CREATE FUNCTION recon.load_too_long(cells text[], labels text[], cell_limit bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'too_long: ' || string_agg(coalesce(labels[o], 'column ' || o) || ' ' || octet_length(c) || ' bytes', ', ' ORDER BY o)
           || ' (limit ' || cell_limit || ')'
    FROM unnest(cells) WITH ORDINALITY AS u(c, o)
    WHERE octet_length(c) > cell_limit
$$;

COMMENT ON FUNCTION recon.load_too_long(text[], text[], bigint) IS
    'Reject reason ''too_long: <label> <n> bytes, ... (limit <cell_limit>)'' naming every cell longer than cell_limit (labels: the field or header of each position); NULL when none is.';

CREATE FUNCTION recon.load_too_long_json(doc jsonb, cell_limit bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 'too_long: a value of ' || max(octet_length(v #>> '{}')) || ' bytes (limit ' || cell_limit || ')'
    FROM jsonb_path_query(doc, 'strict $.**') AS v
    WHERE jsonb_typeof(v) IN ('string', 'number')
    HAVING max(octet_length(v #>> '{}')) > cell_limit
$$;

COMMENT ON FUNCTION recon.load_too_long_json(jsonb, bigint) IS
    'Reject reason ''too_long: a value of <n> bytes (limit <cell_limit>)'' when a string or number anywhere in a JSON row is longer than cell_limit; NULL otherwise.';

CREATE OR REPLACE FUNCTION recon.load_bad_id(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND @extschema@.recon_normalize_platform_id(raw) IS NULL
                THEN CASE WHEN @extschema@.recon_normalize_platform_id_reason(raw) IN ('invalid', 'too_long') THEN 'bad_id: '
                          ELSE 'mangled_id: ' END
                     || field || ' ' || quote_literal(raw) || ' (' || @extschema@.recon_normalize_platform_id_reason(raw) || ')' END
$$;

COMMENT ON FUNCTION recon.load_bad_id(text, text) IS
    'Reject reason for a numeric platform id that does not normalize: mangled_id (scientific_notation or precision_lost: a spreadsheet or a float ate its digits) or bad_id (not an id: invalid, or too_long); NULL for a good or blank id.';

CREATE OR REPLACE FUNCTION recon.load_mask_raw(raw text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ctx record;
    fields text[];
    doc jsonb;
    path text[];
    path_text text;
BEGIN
    SELECT * INTO ctx FROM pg_temp.recon_load_context;
    IF octet_length(raw) > ctx.row_limit THEN   -- rejected as too_long: not kept, masked or not
        RETURN NULL;
    END IF;
    IF raw IS NULL OR ctx.keep_pii OR cardinality(ctx.pii_positions) = 0 AND cardinality(ctx.pii_paths) = 0 THEN
        RETURN raw;
    END IF;
    IF ctx.input = 'csv' THEN
        fields := @extschema@.recon_csv_fields(raw, ctx.delimiter);
        IF fields IS NULL OR cardinality(fields) <> ctx.header_fields THEN   -- its fields cannot be told apart, so none is kept
            RETURN 'masked (a malformed row of a file with personal data): sha256:' || @extschema@.recon_sha256_hex(raw);
        END IF;
        FOR i IN 1 .. cardinality(fields) LOOP
            IF i = ANY (ctx.pii_positions) AND fields[i] IS NOT NULL THEN
                fields[i] := 'sha256:' || @extschema@.recon_sha256_hex(fields[i]);
            END IF;
        END LOOP;
        RETURN (SELECT string_agg(CASE WHEN f ~ format('[%s"\n\r]', ctx.delimiter) THEN '"' || replace(f, '"', '""') || '"'
                                       ELSE coalesce(f, '') END, ctx.delimiter ORDER BY o)
                FROM unnest(fields) WITH ORDINALITY AS u(f, o));
    END IF;
    BEGIN
        doc := raw::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN   -- a malformed JSON line: nothing in it can be told apart
        RETURN 'masked (a malformed row of a file with personal data): sha256:' || @extschema@.recon_sha256_hex(raw);
    END;
    FOREACH path_text IN ARRAY ctx.pii_paths LOOP
        path := path_text::text[];
        IF jsonb_typeof(doc #> path) <> 'null' THEN
            doc := jsonb_set(doc, path, to_jsonb('sha256:' || @extschema@.recon_sha256_hex(doc #> path #>> '{}')));
        END IF;
    END LOOP;
    RETURN doc::text;
END $$;

COMMENT ON FUNCTION recon.load_mask_raw(text) IS
    'A rejected or skipped row as recon.load_rejects keeps it: NULL for a row over the row limit (rejected too_long); unchanged when the load keeps PII or the format has none; else each personal field (load_format_fields.pii) replaced by sha256:<digest of the value as written>, and a malformed CSV row or one with the wrong number of fields, whose fields cannot be told apart, replaced whole by its digest.';

CREATE OR REPLACE FUNCTION recon.load_csv_rows(fmt recon.load_formats, options jsonb,
                                    OUT header text[], OUT preamble text[], OUT delimiter text)
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    header_line bigint;
    best integer := -1;
    score integer;
    cand record;
    d text;
    mapped record;
    missing text[];
    columns text := '';
    extra text := '';
    pii_positions integer[] := '{}';
    keep_extra boolean := EXISTS (SELECT 1 FROM recon.load_format_fields WHERE format = fmt.format AND field = 'extra');
    n integer;
    multiline boolean;
    records text;
    row_limit bigint := recon.load_limit('row');
    cell_limit bigint := recon.load_limit('cell');
    labels text[];
BEGIN
    -- A UTF-8 byte order mark sits in front of the first line of many exports.
    UPDATE pg_temp.recon_staged_lines SET line = substr(line, 2)
    WHERE line_number = (SELECT min(line_number) FROM pg_temp.recon_staged_lines) AND line LIKE E'\uFEFF%';

    -- Records: a quoted field may hold line breaks, so a line with an odd number
    -- of quotes continues on the next ones until the quotes balance.
    multiline := EXISTS (SELECT 1 FROM pg_temp.recon_staged_lines
                         WHERE line LIKE '%"%' AND (length(line) - length(replace(line, '"', ''))) % 2 = 1);
    records := 'pg_temp.recon_staged_lines';
    IF multiline THEN
        DROP TABLE IF EXISTS pg_temp.recon_records;
        CREATE TEMP TABLE recon_records AS
        SELECT min(line_number) AS line_number, string_agg(line, E'\n' ORDER BY line_number) AS line
        FROM (SELECT line_number, line,
                     sum(starts::int) OVER (ORDER BY line_number) AS record
              FROM (SELECT line_number, line,
                           coalesce(sum(odd::int) OVER (ORDER BY line_number ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) % 2 = 0 AS starts
                    FROM (SELECT line_number, line,
                                 (length(coalesce(line, '')) - length(replace(coalesce(line, ''), '"', ''))) % 2 = 1 AS odd
                          FROM pg_temp.recon_staged_lines) a) b) c
        GROUP BY record;
        records := 'pg_temp.recon_records';
    END IF;

    -- The header: among the first 50 records, the first naming the most of the format's fields.
    FOR cand IN EXECUTE format('SELECT line_number, line FROM %s WHERE line IS NOT NULL ORDER BY line_number LIMIT 50', records) LOOP
        FOREACH d IN ARRAY CASE WHEN options ? 'delimiter' THEN ARRAY[options ->> 'delimiter']
                                ELSE ARRAY[',', ';', E'\t'] END LOOP
            score := recon.load_header_score(fmt.format, cand.line, d);
            IF score > best THEN
                best := score;
                header_line := cand.line_number;
                delimiter := d;
            END IF;
        END LOOP;
    END LOOP;
    IF header_line IS NULL OR best = 0 THEN
        RAISE EXCEPTION 'no header line for format % in the first 50 lines', fmt.format
            USING ERRCODE = 'invalid_text_representation',
                  HINT = 'The header must name the format''s columns, e.g. ' ||
                         (SELECT string_agg(headers[1], ', ' ORDER BY field) FROM recon.load_format_fields
                          WHERE format = fmt.format AND required) || '.';
    END IF;
    EXECUTE format('SELECT @extschema@.recon_csv_fields(line, %L) FROM %s WHERE line_number = %s', delimiter, records, header_line)
       INTO header;
    EXECUTE format('SELECT coalesce(array_agg(line ORDER BY line_number) FILTER (WHERE line IS NOT NULL), ''{}'') FROM %s WHERE line_number < %s',
                   records, header_line)
       INTO preamble;
    n := cardinality(header);

    -- Each field of the format: the header cell that names it (two naming one field is an error).
    FOR mapped IN
        -- a field's spellings are in order of preference: the cells matching its first matched spelling
        SELECT f.field, f.required, f.pii, m.positions
        FROM recon.load_format_fields f
        LEFT JOIN LATERAL (
            SELECT array_agg(x.o ORDER BY x.o) FILTER (WHERE x.i = x.first_spelling) AS positions
            FROM (SELECT h.o, p.i, min(p.i) OVER () AS first_spelling
                  FROM unnest(header) WITH ORDINALITY AS h(cell, o)
                  JOIN unnest(f.headers) WITH ORDINALITY AS p(pattern, i) ON btrim(h.cell) ~* ('^(?:' || p.pattern || ')$')) x
        ) m ON true
        WHERE f.format = fmt.format AND f.field <> 'extra'
        ORDER BY f.field
    LOOP
        IF cardinality(mapped.positions) > 1 THEN
            RAISE EXCEPTION 'columns % of the header all name field % of format % the same way',
                            (SELECT string_agg(quote_literal(header[p]), ', ') FROM unnest(mapped.positions) p),
                            mapped.field, fmt.format
                USING ERRCODE = 'invalid_text_representation', HINT = 'Remove or rename all but one.';
        ELSIF mapped.positions IS NULL AND mapped.required THEN
            missing := missing || mapped.field;
        END IF;
        columns := columns || format(', %s AS %I', CASE WHEN mapped.positions IS NULL THEN 'NULL::text'
                                                          ELSE format('f[%s]', mapped.positions[1]) END, mapped.field);
        IF mapped.positions IS NOT NULL THEN
            labels[mapped.positions[1]] := mapped.field;
        END IF;
        IF mapped.pii AND mapped.positions IS NOT NULL THEN
            pii_positions := pii_positions || mapped.positions[1];
        END IF;
    END LOOP;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'the header of this % file lacks required column(s): %', fmt.format, array_to_string(missing, ', ')
            USING ERRCODE = 'invalid_text_representation',
                  DETAIL = 'Header (line ' || header_line || '): ' || array_to_string(header, ' | ', '(blank)'),
                  HINT = 'Accepted spellings: ' || (SELECT string_agg(field || ' = ' || array_to_string(headers, ' or '), '; ' ORDER BY field)
                                                    FROM recon.load_format_fields WHERE format = fmt.format AND field = ANY (missing)) || '.';
    END IF;
    -- The cells no field names, by header, for mappers that read them (Meta's per-action columns, form answers).
    IF keep_extra THEN
        SELECT ', jsonb_strip_nulls(jsonb_build_object(' || coalesce(string_agg(format('%L, f[%s]', btrim(h.cell), h.o), ', '), '') || ')) AS extra'
          INTO extra
        FROM unnest(header) WITH ORDINALITY AS h(cell, o)
        WHERE h.cell IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM recon.load_format_fields f, unnest(f.headers) p
            WHERE f.format = fmt.format AND btrim(h.cell) ~* ('^(?:' || p || ')$'));
    END IF;

    -- Cells no field names are labelled by their header, for too_long reasons.
    FOR i IN 1 .. n LOOP
        labels[i] := coalesce(labels[i], quote_literal(coalesce(btrim(header[i]), '')));
    END LOOP;

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'csv'::text AS input, delimiter, n AS header_fields, coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii,
           pii_positions, '{}'::text[] AS pii_paths, row_limit;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT r.line_number, r.line AS raw,
               CASE WHEN octet_length(r.line) > %7$s
                    THEN format('too_long: row %%s bytes (limit %%s)', octet_length(r.line), %7$s)
                    WHEN f IS NULL THEN 'malformed_csv: ' || @extschema@.recon_csv_problem(r.line, %1$L)
                    WHEN cardinality(f) <> %2$s
                    THEN format('wrong_column_count: %%s fields, the header has %%s', cardinality(f), %2$s)
                    -- a line within the cell limit holds no cell over it: the check costs nothing then
                    WHEN octet_length(r.line) > %8$s THEN recon.load_too_long(f, %9$L, %8$s) END AS problem,
               coalesce(cardinality(array_remove(f, NULL)) = 0, false) AS empty_row,
               f[1] AS first_cell
               %3$s %4$s
        FROM %6$s r
        -- OFFSET 0 keeps the split a subquery: pulled up, it would run once per field read
        CROSS JOIN LATERAL (SELECT @extschema@.recon_csv_fields(r.line, %1$L) AS f OFFSET 0) x
        WHERE r.line_number > %5$s AND r.line IS NOT NULL$q$,
        delimiter, n, columns, extra, header_line, records, row_limit, cell_limit, labels);
    ANALYZE pg_temp.recon_load_rows;
END $$;

COMMENT ON FUNCTION recon.load_csv_rows(recon.load_formats, jsonb) IS
    'Turns the staged lines of a CSV file into pg_temp.recon_load_rows (line_number, raw, problem, one text column per format field, extra): strips a byte order mark, joins quoted line breaks, finds the header (the first of the first 50 lines naming most of the format''s fields; delimiter detected among , ; tab unless given) and maps its cells to fields. A record over the row limit, or with a cell over the cell limit (recon_limits()), gets the problem too_long and is not split further. A header lacking a required field, or naming one twice, raises 22P02 showing the header and the accepted spellings.';

CREATE OR REPLACE FUNCTION recon.load_json_rows(fmt recon.load_formats, options jsonb) RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    columns text;
    mapped_cells text;
    row_limit bigint := recon.load_limit('row');
    cell_limit bigint := recon.load_limit('cell');
BEGIN
    SELECT string_agg(format(', %s AS %I',
                             CASE WHEN json_path IS NULL THEN 'NULL::text' ELSE format('e.element #>> %L', json_path) END,
                             field), '' ORDER BY field)
      INTO columns
    FROM recon.load_format_fields WHERE format = fmt.format AND field <> 'extra';
    -- the mapped values and their names, for too_long reasons
    SELECT format('recon.load_too_long(ARRAY[%s]::text[], %L::text[], %s)',
                  string_agg(format('e.element #>> %L', json_path), ', ' ORDER BY field),
                  array_agg(field ORDER BY field), cell_limit)
      INTO mapped_cells
    FROM recon.load_format_fields WHERE format = fmt.format AND field <> 'extra' AND json_path IS NOT NULL;

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'json'::text AS input, NULL::text AS delimiter, NULL::integer AS header_fields,
           coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii, '{}'::integer[] AS pii_positions,
           coalesce((SELECT array_agg(json_path::text) FROM recon.load_format_fields   -- '{a,b}': paths differ in depth
                     WHERE format = fmt.format AND pii AND json_path IS NOT NULL), '{}') AS pii_paths,
           row_limit;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT e.line_number, e.raw,
               coalesce(e.problem,
                        CASE WHEN octet_length(e.raw) > %3$s
                             THEN format('too_long: row %%s bytes (limit %%s)', octet_length(e.raw), %3$s)
                             WHEN jsonb_typeof(e.element) <> 'object'
                             THEN 'not_an_object: a ' || jsonb_typeof(e.element)
                             -- a row within the cell limit holds no value over it: the check costs nothing then
                             WHEN octet_length(e.raw) > %4$s
                             THEN coalesce(%2$s, recon.load_too_long_json(e.element, %4$s)) END) AS problem,
               false AS empty_row, NULL::text AS first_cell
               %1$s, e.element AS extra
        FROM pg_temp.recon_json_elements e$q$, coalesce(columns, ''), coalesce(mapped_cells, 'NULL::text'), row_limit, cell_limit);
    ANALYZE pg_temp.recon_load_rows;
END $$;

COMMENT ON FUNCTION recon.load_json_rows(recon.load_formats, jsonb) IS
    'Turns pg_temp.recon_json_elements into pg_temp.recon_load_rows: one text column per format field read at its json_path (objects and arrays as JSON text), extra = the whole row. A row over the row limit, or with a value over the cell limit (recon_limits()), gets the problem too_long.';

