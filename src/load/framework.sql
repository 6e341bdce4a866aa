-- Loaders: export files and API documents into the canonical tables (docs/loading.md).
-- A load reads the rows of one file, rejects what does not read (with the file,
-- line, raw content and reasons), replaces what the file restates and writes
-- the rest, in the caller's transaction: it happens whole or not at all.
--
-- Each format is a row of recon.load_formats with its fields in
-- recon.load_format_fields (CSV header spellings, JSON paths). The framework
-- turns a file into rows of text fields (pg_temp.recon_load_rows); the format's
-- mapper (recon.load_map_<name>) types, checks and writes them.

CREATE SEQUENCE recon.load_batch_seq;
SELECT pg_catalog.pg_extension_config_dump('recon.load_batch_seq', '');

CREATE TABLE recon.load_formats (
    format          text COLLATE "C" PRIMARY KEY,
    input           text COLLATE "C" NOT NULL CHECK (input IN ('csv', 'json')),
    source_system   text COLLATE "C" NOT NULL,
    mapper          text COLLATE "C" NOT NULL,
    writes          text[] NOT NULL,
    skip_pattern    text,
    options         text[] NOT NULL DEFAULT '{}',
    description     text NOT NULL
);
COMMENT ON TABLE recon.load_formats IS
    'The file formats recon loads: input (csv or json), the system that writes them, the mapper function that types and writes their rows, the tables it writes, skip_pattern (a regular expression on a CSV row''s first field marking totals and footers to skip) and the options the format accepts besides the common ones. Shipped with the extension.';

CREATE TABLE recon.load_format_fields (
    format     text COLLATE "C" NOT NULL REFERENCES recon.load_formats ON DELETE CASCADE,
    field      text COLLATE "C" NOT NULL CHECK (field ~ '^[a-z][a-z0-9_]*$'),
    headers    text[] NOT NULL DEFAULT '{}',
    json_path  text[],
    required   boolean NOT NULL DEFAULT false,
    pii        boolean NOT NULL DEFAULT false,
    PRIMARY KEY (format, field)
);
COMMENT ON TABLE recon.load_format_fields IS
    'The fields a format''s mapper reads: headers, the CSV header spellings in order of preference (regular expressions matched case-insensitively against the whole trimmed header; when cells match two spellings the first wins), json_path (where the value sits in a JSON row), whether the file must have it, and whether it is personal data (masked in the rejects table unless the load keeps PII). Shipped with the extension.';

-- Options every format accepts; a format adds its own in load_formats.options.
CREATE FUNCTION recon.load_common_options() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['batch_id', 'pulled_at', 'delimiter', 'decimal_mark', 'date_style', 'timezone', 'keep_pii']
$$;
COMMENT ON FUNCTION recon.load_common_options() IS
    'Options every load accepts: batch_id (default load-<n>), pulled_at (when the export was pulled; default now()), delimiter (CSV; default: detected from the header among , ; and tab), decimal_mark (. or ,), date_style (iso, mdy or dmy; the format''s default otherwise), timezone (the zone of times written without an offset), keep_pii (true keeps raw contact data in recon.contact_details and raw rejected rows; default false: only hashes are kept).';

CREATE TABLE recon.load_batches (
    batch_id        text COLLATE "C" PRIMARY KEY,
    format          text COLLATE "C" NOT NULL REFERENCES recon.load_formats,
    source_file     text NOT NULL,
    options         jsonb NOT NULL DEFAULT '{}',
    pulled_at       timestamptz NOT NULL,
    header          text[],
    preamble        text[] NOT NULL DEFAULT '{}',
    rows_read       bigint NOT NULL DEFAULT 0,
    rows_loaded     bigint NOT NULL DEFAULT 0,
    rows_replaced   bigint NOT NULL DEFAULT 0,
    rows_rejected   bigint NOT NULL DEFAULT 0,
    rows_skipped    bigint NOT NULL DEFAULT 0,
    tables          jsonb NOT NULL DEFAULT '{}',
    replaced_scope  jsonb,
    loaded_by       text NOT NULL DEFAULT current_user,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    CONSTRAINT load_batches_rows_add_up CHECK (
        finished_at IS NULL OR rows_read = rows_loaded + rows_rejected + rows_skipped)
);
COMMENT ON TABLE recon.load_batches IS
    'One row per load: format, file, options, when the export was pulled, the CSV header and any lines above it, rows read (every record after the header) = loaded + rejected + skipped, rows replaced (rows of the target tables a restated range or a newer version replaced), rows written per table, the replaced scope, who loaded it and when.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_batches', '');

CREATE TABLE recon.load_rejects (
    batch_id     text COLLATE "C" NOT NULL REFERENCES recon.load_batches ON DELETE CASCADE,
    source_file  text NOT NULL,
    line_number  bigint NOT NULL,
    disposition  text COLLATE "C" NOT NULL CHECK (disposition IN ('rejected', 'skipped')),
    reasons      text[] NOT NULL CHECK (cardinality(reasons) > 0),
    raw          text,
    PRIMARY KEY (batch_id, line_number)
);
COMMENT ON TABLE recon.load_rejects IS
    'Every row a load did not write: the file, its line (CSV: the line the record starts on; JSON: the row''s position), rejected (did not read or broke a rule) or skipped (totals, footers, empty rows), the reasons (code: field and value) and the raw row. Personal data in raw is masked (recon.load_mask_value: sha256, or HMAC under the internal-key pepper, of the value as written) unless the load kept PII.';
SELECT pg_catalog.pg_extension_config_dump('recon.load_rejects', '');

CREATE TABLE recon.contact_details (
    layer          text COLLATE "C" NOT NULL CHECK (layer IN ('funnel', 'signal')),
    record_key     text COLLATE "C" NOT NULL,
    email          text,
    phone          text,
    first_name     text,
    last_name      text,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (layer, record_key)
);
COMMENT ON TABLE recon.contact_details IS
    'Raw contact data, kept only when a load is told keep_pii: true (by default loaders keep only SHA-256 digests of normalized values). record_key: the funnel record id, or the signal''s event id.';
SELECT pg_catalog.pg_extension_config_dump('recon.contact_details', '');

-- Keep raw contact data (only when a load says keep_pii): one row per record key, newest wins.
CREATE FUNCTION recon.load_keep_contacts(layer text, batch text, source_file text, contacts text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    kept bigint;
BEGIN
    EXECUTE format($q$
        INSERT INTO recon.contact_details AS c (layer, record_key, email, phone, first_name, last_name, record_source, batch_id)
        SELECT $1, record_key, email, phone, first_name, last_name, $2, $3
        FROM (%s) x (record_key, email, phone, first_name, last_name)
        WHERE record_key IS NOT NULL AND coalesce(email, phone, first_name, last_name) IS NOT NULL
        ON CONFLICT (layer, record_key) DO UPDATE
            SET email = excluded.email, phone = excluded.phone, first_name = excluded.first_name,
                last_name = excluded.last_name, record_source = excluded.record_source, batch_id = excluded.batch_id,
                loaded_at = now()$q$, contacts)
        USING layer, source_file, batch;
    GET DIAGNOSTICS kept = ROW_COUNT;
    RETURN kept;
END $$;
COMMENT ON FUNCTION recon.load_keep_contacts(text, text, text, text) IS
    'Writes raw contact data into recon.contact_details for loads told keep_pii: contacts is a query returning record_key, email, phone, first_name, last_name, one row per key; an existing key is overwritten. Returns the rows written.';

-- The session's staging table: \copy fills it one physical line per row.
CREATE FUNCTION recon.load_begin() RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS recon_staged_lines (
        line_number bigint GENERATED ALWAYS AS IDENTITY,
        line        text);
    TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
    RETURN format('\copy recon_staged_lines(line) FROM %s WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02'')',
                  '''<file>''');
END $$;
COMMENT ON FUNCTION recon.load_begin() IS
    'Creates (or empties) the session''s staging table pg_temp.recon_staged_lines and returns the \copy command that fills it with a file, one physical line per row (the CSV options with control characters as delimiter and quote keep every line whole and every byte as written). Then call recon.load_staged(format, file).';

-- Reject or skip rows of pg_temp.recon_load_rows (those the query returns) and remove them.
CREATE FUNCTION recon.load_set_aside(batch text, source_file text, disposition text, query text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH aside AS (%s),
        gone AS (DELETE FROM pg_temp.recon_load_rows r USING aside a
                 WHERE r.line_number = a.line_number RETURNING r.line_number, r.raw, a.reasons)
        INSERT INTO recon.load_rejects (batch_id, source_file, line_number, disposition, reasons, raw)
        SELECT $1, $2, line_number, $3, reasons, recon.load_mask_raw(raw) FROM gone$q$, query)
        USING batch, source_file, disposition;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION recon.load_set_aside(text, text, text, text) IS
    'Moves the rows of pg_temp.recon_load_rows that query returns (line_number, reasons text[]) to recon.load_rejects as rejected or skipped; returns how many. Used by the framework and the mappers.';

-- A reason when a raw value is present but did not parse (parsed is NULL).
CREATE FUNCTION recon.load_bad(code text, field text, raw text, parsed anyelement) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN parsed IS NULL AND nullif(btrim(raw), '') IS NOT NULL
                THEN code || ': ' || field || ' ' || quote_literal(raw) END
$$;
COMMENT ON FUNCTION recon.load_bad(text, text, text, anyelement) IS
    'Reject reason ''<code>: <field> ''''<raw>'''''' when the raw value is not blank and its parse (parsed) is NULL; else NULL.';

-- A reason when a required value is missing.
CREATE FUNCTION recon.load_missing(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN 'missing: ' || field END
$$;
COMMENT ON FUNCTION recon.load_missing(text, text) IS
    'Reject reason ''missing: <field>'' when the raw value is NULL or blank; else NULL.';

-- A reason when a platform id is mangled (scientific notation, precision lost) or not an id.
CREATE FUNCTION recon.load_bad_id(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND @extschema@.recon_normalize_platform_id(raw) IS NULL
                THEN CASE WHEN @extschema@.recon_normalize_platform_id_reason(raw) = 'invalid' THEN 'bad_id: '
                          ELSE 'mangled_id: ' END
                     || field || ' ' || quote_literal(raw) || ' (' || @extschema@.recon_normalize_platform_id_reason(raw) || ')' END
$$;
COMMENT ON FUNCTION recon.load_bad_id(text, text) IS
    'Reject reason for a numeric platform id that does not normalize: mangled_id (scientific_notation or precision_lost: a spreadsheet or a float ate its digits) or bad_id (not an id); NULL for a good or blank id.';

-- A reason when a currency code is not ISO 4217.
CREATE FUNCTION recon.load_bad_currency(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND NOT @extschema@.recon_currency_is_known(upper(btrim(raw)))
                THEN 'unknown_currency: ' || field || ' ' || quote_literal(raw) END
$$;
COMMENT ON FUNCTION recon.load_bad_currency(text, text) IS
    'Reject reason unknown_currency when the raw value is not blank and, upper-cased and trimmed, not an ISO 4217 code recon knows.';

-- A reason when an amount has more decimals than its currency has minor units.
CREATE FUNCTION recon.load_bad_precision(field text, amount numeric, currency text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN amount IS NOT NULL AND @extschema@.recon_currency_is_known(currency)
                 AND amount <> round(amount, @extschema@.recon_currency_minor_units(currency))
                THEN 'bad_amount: ' || field || ' ' || amount || ' has more decimals than ' || currency
                     || ' has minor units (' || @extschema@.recon_currency_minor_units(currency) || ')' END
$$;
COMMENT ON FUNCTION recon.load_bad_precision(text, numeric, text) IS
    'Reject reason when an amount in major units has more decimals than the currency allows (JPY 1500.5, USD 19.999): usually an amount already in minor units, or divided by 100 once too often.';

-- Check a load's options: known names, usable values.
CREATE FUNCTION recon.load_check_options(fmt recon.load_formats, options jsonb) RETURNS void
LANGUAGE plpgsql STABLE AS $$
DECLARE
    allowed text[] := recon.load_common_options() || fmt.options;
    unknown text[];
BEGIN
    IF jsonb_typeof(options) IS DISTINCT FROM 'object' THEN
        RAISE EXCEPTION 'load options must be a JSON object, not %', coalesce(jsonb_typeof(options), 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT array_agg(k ORDER BY k) INTO unknown FROM jsonb_object_keys(options) k WHERE k <> ALL (allowed);
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'format % does not take option(s) %', fmt.format, array_to_string(unknown, ', ')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'It takes: ' || array_to_string(allowed, ', ') || '.';
    END IF;
    IF options ? 'timezone' THEN
        PERFORM @extschema@.recon_timezone(options ->> 'timezone');
    END IF;
    IF options ? 'currency' THEN
        PERFORM @extschema@.recon_currency(options ->> 'currency');
    END IF;
    IF options ? 'date_style' AND (options ->> 'date_style') NOT IN ('iso', 'mdy', 'dmy') THEN
        RAISE EXCEPTION 'date_style % is not known', options ->> 'date_style'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use iso, mdy or dmy.';
    END IF;
    IF options ? 'decimal_mark' AND (options ->> 'decimal_mark') NOT IN ('.', ',') THEN
        RAISE EXCEPTION 'decimal_mark % is not usable', options ->> 'decimal_mark'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use . or ,';
    END IF;
    IF options ? 'keep_pii' AND jsonb_typeof(options -> 'keep_pii') <> 'boolean' THEN
        RAISE EXCEPTION 'keep_pii must be true or false, not %', options -> 'keep_pii'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF (options ->> 'keep_pii')::boolean AND recon.setting('store_raw_contacts') <> 'true' THEN
        RAISE EXCEPTION 'keep_pii: raw contact data is not stored while the setting store_raw_contacts is false'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Load without keep_pii (only digests are kept), or have a recon_admin run SELECT recon.set_setting(''store_raw_contacts'', ''true'', ''<reason>'').';
    END IF;
    IF options ? 'pulled_at' THEN
        PERFORM (options ->> 'pulled_at')::timestamptz;
    END IF;
END $$;
COMMENT ON FUNCTION recon.load_check_options(recon.load_formats, jsonb) IS
    'Raises 22023 for an unknown option (listing the accepted ones) or an unusable value (timezone, currency, date_style, decimal_mark, keep_pii, pulled_at), and 55000 for keep_pii: true while the setting store_raw_contacts is false.';

-- The format's row, or 22023 listing the known ones.
CREATE FUNCTION recon.load_format(name text) RETURNS recon.load_formats
LANGUAGE plpgsql STABLE AS $$
DECLARE
    f recon.load_formats;
BEGIN
    SELECT * INTO f FROM recon.load_formats WHERE format = name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'load format % is not known', coalesce(quote_literal(name), 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Known formats: ' || (SELECT string_agg(format, ', ' ORDER BY format) FROM recon.load_formats) || '.';
    END IF;
    RETURN f;
END $$;
COMMENT ON FUNCTION recon.load_format(text) IS
    'The recon.load_formats row of a format; 22023 listing the known formats when there is none.';

-- One personal value as a rejected row keeps it: its internal key, named by scheme.
CREATE FUNCTION recon.load_mask_value(value text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT @extschema@.recon_internal_key_scheme() || ':' || @extschema@.recon_internal_key(value)
$$;
COMMENT ON FUNCTION recon.load_mask_value(text) IS
    'A personal value masked for recon.load_rejects: sha256:<digest> of the value as written, or hmac-sha256:<key> when the pepper recon.internal_key_pepper is set (then a list of known emails cannot reverse it).';

-- The raw row as the rejects table keeps it: personal data replaced by its digest unless PII is kept.
CREATE FUNCTION recon.load_mask_raw(raw text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    ctx record;
    fields text[];
    doc jsonb;
    path text[];
    path_text text;
BEGIN
    SELECT * INTO ctx FROM pg_temp.recon_load_context;
    IF raw IS NULL OR ctx.keep_pii OR cardinality(ctx.pii_positions) = 0 AND cardinality(ctx.pii_paths) = 0 THEN
        RETURN raw;
    END IF;
    IF ctx.input = 'csv' THEN
        fields := @extschema@.recon_csv_fields(raw, ctx.delimiter);
        IF fields IS NULL OR cardinality(fields) <> ctx.header_fields THEN   -- its fields cannot be told apart, so none is kept
            RETURN 'masked (a malformed row of a file with personal data): ' || recon.load_mask_value(raw);
        END IF;
        FOR i IN 1 .. cardinality(fields) LOOP
            IF i = ANY (ctx.pii_positions) AND fields[i] IS NOT NULL THEN
                fields[i] := recon.load_mask_value(fields[i]);
            END IF;
        END LOOP;
        RETURN (SELECT string_agg(CASE WHEN f ~ format('[%s"\n\r]', ctx.delimiter) THEN '"' || replace(f, '"', '""') || '"'
                                       ELSE coalesce(f, '') END, ctx.delimiter ORDER BY o)
                FROM unnest(fields) WITH ORDINALITY AS u(f, o));
    END IF;
    BEGIN
        doc := raw::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN   -- a malformed JSON line: nothing in it can be told apart
        RETURN 'masked (a malformed row of a file with personal data): ' || recon.load_mask_value(raw);
    END;
    FOREACH path_text IN ARRAY ctx.pii_paths LOOP
        path := path_text::text[];
        IF jsonb_typeof(doc #> path) <> 'null' THEN
            doc := jsonb_set(doc, path, to_jsonb(recon.load_mask_value(doc #> path #>> '{}')));
        END IF;
    END LOOP;
    RETURN doc::text;
END $$;
COMMENT ON FUNCTION recon.load_mask_raw(text) IS
    'A rejected or skipped row as recon.load_rejects keeps it: unchanged when the load keeps PII or the format has none; else each personal field (load_format_fields.pii) replaced by recon.load_mask_value (sha256:<digest> or hmac-sha256:<key> of the value as written), and a malformed CSV row or one with the wrong number of fields, whose fields cannot be told apart, replaced whole by its digest.';

-- Header detection: how many of a format's fields a line's cells name, split by a delimiter.
CREATE FUNCTION recon.load_header_score(fmt text, line text, delimiter text) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(DISTINCT f.field)::integer
    FROM unnest(@extschema@.recon_csv_fields(line, delimiter)) AS h(cell)
    JOIN recon.load_format_fields f ON f.format = fmt
     AND EXISTS (SELECT 1 FROM unnest(f.headers) p WHERE btrim(h.cell) ~* ('^(?:' || p || ')$'))
$$;
COMMENT ON FUNCTION recon.load_header_score(text, text, text) IS
    'How many of the format''s fields the cells of a line name when split by delimiter: the header is the first line that names the most (at least all required ones).';

-- Turn the staged lines (a CSV file) into pg_temp.recon_load_rows; returns the header line's details.
CREATE FUNCTION recon.load_csv_rows(fmt recon.load_formats, options jsonb,
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

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'csv'::text AS input, delimiter, n AS header_fields, coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii,
           pii_positions, '{}'::text[] AS pii_paths;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT r.line_number, r.line AS raw,
               CASE WHEN f IS NULL THEN 'malformed_csv: ' || @extschema@.recon_csv_problem(r.line, %1$L)
                    WHEN cardinality(f) <> %2$s
                    THEN format('wrong_column_count: %%s fields, the header has %%s', cardinality(f), %2$s) END AS problem,
               coalesce(cardinality(array_remove(f, NULL)) = 0, false) AS empty_row,
               f[1] AS first_cell
               %3$s %4$s
        FROM %6$s r
        -- OFFSET 0 keeps the split a subquery: pulled up, it would run once per field read
        CROSS JOIN LATERAL (SELECT @extschema@.recon_csv_fields(r.line, %1$L) AS f OFFSET 0) x
        WHERE r.line_number > %5$s AND r.line IS NOT NULL$q$,
        delimiter, n, columns, extra, header_line, records);
    ANALYZE pg_temp.recon_load_rows;
END $$;
COMMENT ON FUNCTION recon.load_csv_rows(recon.load_formats, jsonb) IS
    'Turns the staged lines of a CSV file into pg_temp.recon_load_rows (line_number, raw, problem, one text column per format field, extra): strips a byte order mark, joins quoted line breaks, finds the header (the first of the first 50 lines naming most of the format''s fields; delimiter detected among , ; tab unless given) and maps its cells to fields. A header lacking a required field, or naming one twice, raises 22P02 showing the header and the accepted spellings.';

-- The rows of a JSON document: the elements of its data, results or elements array, or the document.
CREATE FUNCTION recon.load_json_elements(doc jsonb) RETURNS TABLE (line_number bigint, element jsonb)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT o, e
    FROM jsonb_array_elements(CASE
            WHEN jsonb_typeof(doc) = 'array' AND jsonb_array_length(doc) > 0
                 AND (SELECT bool_and(jsonb_typeof(x -> 'results') = 'array') FROM jsonb_array_elements(doc) x)
                THEN (SELECT jsonb_agg(r) FROM jsonb_array_elements(doc) x, jsonb_array_elements(x -> 'results') r)
            WHEN jsonb_typeof(doc) = 'array' THEN doc
            WHEN jsonb_typeof(doc -> 'data') = 'array' THEN doc -> 'data'
            WHEN jsonb_typeof(doc #> '{data,list}') = 'array' THEN doc #> '{data,list}'
            WHEN jsonb_typeof(doc -> 'results') = 'array' THEN doc -> 'results'
            WHEN jsonb_typeof(doc -> 'elements') = 'array' THEN doc -> 'elements'
            ELSE jsonb_build_array(doc) END) WITH ORDINALITY AS a(e, o)
$$;
COMMENT ON FUNCTION recon.load_json_elements(jsonb) IS
    'The rows of an API document, numbered from 1: an array''s elements (a Google Ads searchStream array of batches: their results), else the array under data (Meta, Stripe, Conversions API), data.list (TikTok), results (HubSpot, Google Ads search) or elements (LinkedIn), else the document as one row.';

-- Turn pg_temp.recon_json_elements (line_number, element, problem) into pg_temp.recon_load_rows.
CREATE FUNCTION recon.load_json_rows(fmt recon.load_formats, options jsonb) RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    columns text;
BEGIN
    SELECT string_agg(format(', %s AS %I',
                             CASE WHEN json_path IS NULL THEN 'NULL::text' ELSE format('e.element #>> %L', json_path) END,
                             field), '' ORDER BY field)
      INTO columns
    FROM recon.load_format_fields WHERE format = fmt.format AND field <> 'extra';

    DROP TABLE IF EXISTS pg_temp.recon_load_context;
    CREATE TEMP TABLE recon_load_context AS
    SELECT 'json'::text AS input, NULL::text AS delimiter, NULL::integer AS header_fields,
           coalesce((options ->> 'keep_pii')::boolean, false) AS keep_pii, '{}'::integer[] AS pii_positions,
           coalesce((SELECT array_agg(json_path::text) FROM recon.load_format_fields   -- '{a,b}': paths differ in depth
                     WHERE format = fmt.format AND pii AND json_path IS NOT NULL), '{}') AS pii_paths;

    DROP TABLE IF EXISTS pg_temp.recon_load_rows;
    EXECUTE format($q$
        CREATE TEMP TABLE recon_load_rows AS
        SELECT e.line_number, e.raw,
               coalesce(e.problem, CASE WHEN jsonb_typeof(e.element) <> 'object'
                                        THEN 'not_an_object: a ' || jsonb_typeof(e.element) END) AS problem,
               false AS empty_row, NULL::text AS first_cell
               %s, e.element AS extra
        FROM pg_temp.recon_json_elements e$q$, coalesce(columns, ''));
    ANALYZE pg_temp.recon_load_rows;
END $$;
COMMENT ON FUNCTION recon.load_json_rows(recon.load_formats, jsonb) IS
    'Turns pg_temp.recon_json_elements into pg_temp.recon_load_rows: one text column per format field read at its json_path (objects and arrays as JSON text), extra = the whole row.';

-- Run a load whose rows are in pg_temp.recon_load_rows: set aside, map, record the batch.
CREATE FUNCTION recon.load_run(fmt recon.load_formats, source_file text, options jsonb,
                               header text[] DEFAULT NULL, preamble text[] DEFAULT '{}')
RETURNS recon.load_batches
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    b recon.load_batches;
    mapped jsonb;
BEGIN
    b.batch_id := coalesce(options ->> 'batch_id', 'load-' || nextval('recon.load_batch_seq'));
    IF EXISTS (SELECT 1 FROM recon.load_batches WHERE batch_id = b.batch_id) THEN
        RAISE EXCEPTION 'batch_id % was already used by an earlier load', b.batch_id
            USING ERRCODE = 'unique_violation',
                  HINT = 'Reloading a file needs no batch_id: the load replaces what the file restates. Pick a new batch_id or omit it.';
    END IF;
    INSERT INTO recon.load_batches (batch_id, format, source_file, options, pulled_at, header, preamble)
    VALUES (b.batch_id, fmt.format, source_file, options,
            coalesce((options ->> 'pulled_at')::timestamptz, now()), header, coalesce(preamble, '{}'));

    SELECT count(*) INTO b.rows_read FROM pg_temp.recon_load_rows;
    b.rows_skipped := recon.load_set_aside(b.batch_id, source_file, 'skipped', format($q$
        SELECT line_number, ARRAY[CASE WHEN empty_row THEN 'empty_row' ELSE 'total_or_footer: ' || quote_literal(first_cell) END] AS reasons
        FROM pg_temp.recon_load_rows
        WHERE empty_row OR first_cell ~* %L$q$, coalesce(fmt.skip_pattern, '$^')));   -- footers are often short rows
    b.rows_rejected := recon.load_set_aside(b.batch_id, source_file, 'rejected',
        'SELECT line_number, ARRAY[problem] AS reasons FROM pg_temp.recon_load_rows WHERE problem IS NOT NULL');

    EXECUTE format('SELECT %s($1, $2, $3)', fmt.mapper) INTO mapped USING b.batch_id, source_file, options;

    SELECT count(*) INTO b.rows_loaded FROM pg_temp.recon_load_rows;
    b.rows_rejected := b.rows_rejected + coalesce((mapped ->> 'rejected')::bigint, 0);
    b.rows_skipped := b.rows_skipped + coalesce((mapped ->> 'skipped')::bigint, 0);
    UPDATE recon.load_batches
       SET rows_read = b.rows_read, rows_loaded = b.rows_loaded, rows_rejected = b.rows_rejected,
           rows_skipped = b.rows_skipped, rows_replaced = coalesce((mapped ->> 'replaced')::bigint, 0),
           tables = coalesce(mapped -> 'tables', '{}'), replaced_scope = mapped -> 'scope',
           finished_at = clock_timestamp()
     WHERE batch_id = b.batch_id
    RETURNING * INTO b;
    DROP TABLE IF EXISTS pg_temp.recon_load_rows, pg_temp.recon_load_context;
    RETURN b;
END $$;
COMMENT ON FUNCTION recon.load_run(recon.load_formats, text, jsonb, text[], text[]) IS
    'The common half of every load, once its rows are in pg_temp.recon_load_rows: opens the batch, skips empty rows and totals (load_formats.skip_pattern), rejects malformed rows, calls the format''s mapper (which rejects what breaks its rules and writes the rest), and records the counts.';

-- The summary a load returns.
CREATE TYPE recon.load_summary AS (
    batch_id       text,
    format         text,
    source_file    text,
    rows_read      bigint,
    rows_loaded    bigint,
    rows_replaced  bigint,
    rows_rejected  bigint,
    rows_skipped   bigint,
    tables         jsonb
);
COMMENT ON TYPE recon.load_summary IS
    'What a load did: rows read (every record after the header) = loaded + rejected + skipped; rows replaced in the target tables; rows written per table.';

CREATE FUNCTION recon.load_summary_of(b recon.load_batches) RETURNS recon.load_summary
LANGUAGE sql IMMUTABLE AS $$
    SELECT ROW(b.batch_id, b.format, b.source_file, b.rows_read, b.rows_loaded, b.rows_replaced,
               b.rows_rejected, b.rows_skipped, b.tables)::recon.load_summary
$$;
COMMENT ON FUNCTION recon.load_summary_of(recon.load_batches) IS
    'The recon.load_summary of a recon.load_batches row.';

-- Load the file staged by \copy into pg_temp.recon_staged_lines (see recon.load_begin()).
CREATE FUNCTION recon.load_staged(format text, source_file text, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt recon.load_formats := recon.load_format(format);
    csv record;
    doc jsonb;
    result recon.load_summary;
BEGIN
    PERFORM recon.load_check_options(fmt, options);
    IF source_file IS NULL OR btrim(source_file) = '' THEN
        RAISE EXCEPTION 'a load needs the name of its source file' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass('pg_temp.recon_staged_lines') IS NULL THEN
        RAISE EXCEPTION 'nothing is staged in this session'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'SELECT recon.load_begin(); then \copy recon_staged_lines(line) FROM ''file'' WITH (FORMAT csv, DELIMITER E''\x01'', QUOTE E''\x02''); or use scripts/recon-load.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.recon_staged_lines WHERE line IS NOT NULL) THEN
        RAISE EXCEPTION 'the staged file % is empty', source_file USING ERRCODE = 'no_data_found';
    END IF;

    IF fmt.input = 'csv' THEN
        csv := recon.load_csv_rows(fmt, options);
        result := recon.load_summary_of(recon.load_run(fmt, source_file, options, csv.header, csv.preamble));
    ELSE
        -- One JSON document (pretty-printed over many lines), else JSON lines (one row per line).
        DROP TABLE IF EXISTS pg_temp.recon_json_elements;
        BEGIN
            doc := (SELECT string_agg(line, E'\n' ORDER BY line_number) FROM pg_temp.recon_staged_lines)::jsonb;
        EXCEPTION WHEN invalid_text_representation THEN
            doc := NULL;
        END;
        IF doc IS NOT NULL THEN
            result := recon.load_json(fmt.format, source_file, doc, options);
            TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
            RETURN result;
        ELSE
            CREATE TEMP TABLE recon_json_elements (line_number bigint, element jsonb, raw text, problem text);
            DECLARE
                l record;
            BEGIN
                FOR l IN SELECT line_number, line FROM pg_temp.recon_staged_lines
                         WHERE btrim(coalesce(line, '')) <> '' ORDER BY line_number LOOP
                    BEGIN
                        INSERT INTO pg_temp.recon_json_elements VALUES (l.line_number, l.line::jsonb, l.line, NULL);
                    EXCEPTION WHEN invalid_text_representation THEN
                        INSERT INTO pg_temp.recon_json_elements VALUES (l.line_number, NULL, l.line, 'malformed_json: ' || SQLERRM);
                    END;
                END LOOP;
            END;
        END IF;
        PERFORM recon.load_json_rows(fmt, options);
        result := recon.load_summary_of(recon.load_run(fmt, source_file, options));
    END IF;
    TRUNCATE pg_temp.recon_staged_lines RESTART IDENTITY;
    RETURN result;
END $$;
COMMENT ON FUNCTION recon.load_staged(text, text, jsonb) IS
    'Loads the file staged in pg_temp.recon_staged_lines (recon.load_begin() and \copy, or scripts/recon-load) as the format: a CSV file, or a JSON document or JSON lines. Returns the load summary; the rows are in the target tables, recon.load_batches and recon.load_rejects. Runs in the caller''s transaction: an error leaves nothing written.';

-- Load a JSON document (an API response) directly.
CREATE FUNCTION recon.load_json(format text, source_file text, doc jsonb, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt recon.load_formats := recon.load_format(format);
BEGIN
    PERFORM recon.load_check_options(fmt, options);
    IF fmt.input <> 'json' THEN
        RAISE EXCEPTION 'format % is read from CSV, not JSON', fmt.format
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use recon.load_text() or recon.load_staged().';
    END IF;
    IF source_file IS NULL OR btrim(source_file) = '' THEN
        RAISE EXCEPTION 'a load needs the name of its source file' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF doc IS NULL THEN
        RAISE EXCEPTION 'the JSON document of % is NULL', source_file USING ERRCODE = 'null_value_not_allowed';
    END IF;
    DROP TABLE IF EXISTS pg_temp.recon_json_elements;
    CREATE TEMP TABLE recon_json_elements AS
    SELECT line_number, element, element::text AS raw, NULL::text AS problem FROM recon.load_json_elements(doc);
    PERFORM recon.load_json_rows(fmt, options);
    RETURN recon.load_summary_of(recon.load_run(fmt, source_file, options));
END $$;
COMMENT ON FUNCTION recon.load_json(text, text, jsonb, jsonb) IS
    'Loads an API response (jsonb) as a JSON format: rows are the elements of its data/results/elements array (recon.load_json_elements). Returns the load summary.';

-- Load a file's content passed as text (small files, tests, dbt).
CREATE FUNCTION recon.load_text(format text, source_file text, content text, options jsonb DEFAULT '{}')
RETURNS recon.load_summary
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    PERFORM recon.load_begin();
    INSERT INTO pg_temp.recon_staged_lines (line)
    SELECT nullif(l, '') FROM regexp_split_to_table(rtrim(content, E'\r\n'), E'\n') AS l;   -- a blank line stages as NULL, as with \copy
    RETURN recon.load_staged(format, source_file, options);
END $$;
COMMENT ON FUNCTION recon.load_text(text, text, text, jsonb) IS
    'Loads a file''s content given as text (CSV, a JSON document or JSON lines), as if staged with \copy. For big files stage them with \copy (scripts/recon-load): it streams.';
