-- load_framework: the strict parsers every loader uses (CSV records, numbers,
-- dates, times), staging a file with \copy, header detection, options, and the
-- rules every load follows (rejects, summary, one transaction).
\set VERBOSITY terse
SET DateStyle = ISO;
BEGIN;
-- Start from empty platform tables (earlier suites leave the demo's data); ROLLBACK restores them.
TRUNCATE recon.platform_conversions_daily, recon.ad_delivery_daily, recon.ad_clicks, recon.conversion_signals, recon.ad_accounts;

-- CSV records: quotes open a field, "" is a quote, empty fields are NULL, a trailing CR goes.
SELECT recon_csv_fields('a,"b,c",,"say ""hi""",' || E'\r') AS fields;
SELECT recon_csv_fields(E'x\ty\t', E'\t') AS tab_fields, recon_csv_fields('') AS empty_line,
       recon_csv_fields('"multi' || E'\n' || 'line",2') AS quoted_line_break;
SELECT v AS record, recon_csv_fields(v) AS fields, recon_csv_problem(v) AS problem
FROM (VALUES ('"open,1'), ('"ab"c,1'), ('ab"c,1'), ('ok,1')) AS t(v);
SELECT regress.sqlstate_of($$SELECT recon_csv_fields('a', '"')$$) AS quote_delimiter,
       regress.sqlstate_of($$SELECT recon_csv_fields('a', ',,')$$) AS two_characters;

-- Numbers: thousands separators only in groups of three, one decimal mark, nothing else.
SELECT v AS raw, recon_parse_decimal(v) AS dot_mark, recon_parse_decimal(v, ',') AS comma_mark
FROM (VALUES ('1234.56'), (' -1,234.56 '), ('+.5'), ('12.'), ('1.234,56'), ('1 234,56'), ('1,234,567'),
             ('12,34'), ('1,2345'), ('1e5'), ('$5'), ('--'), (''), ('1.2.3'), ('0.000001')) AS t(v);
SELECT regress.sqlstate_of($$SELECT recon_parse_decimal('1', ';')$$) AS bad_mark;

-- Dates: one style at a time, real days only.
SELECT v AS raw, recon_parse_date(v) AS iso, recon_parse_date(v, 'mdy') AS mdy, recon_parse_date(v, 'dmy') AS dmy
FROM (VALUES ('2026-03-01'), ('2024-02-29'), ('2026-02-29'), ('2026-3-1'), ('3/1/2026'), ('13/1/2026'),
             ('1.3.2026'), ('31/04/2026'), ('2026-03-01 10:00'), ('')) AS t(v);
SELECT regress.sqlstate_of($$SELECT recon_parse_date('2026-03-01', 'ymd')$$) AS bad_style;

-- Times: offsets honoured, local times read in the zone, 12-hour clocks, Unix time.
SET TimeZone = 'UTC';
SELECT v AS raw, style, recon_parse_timestamp(v, 'America/New_York', style) AS instant
FROM (VALUES ('2026-03-01T10:15:00.000+0000', 'iso'), ('2026-03-01 10:15', 'iso'), ('2026-03-01T10:15:30Z', 'iso'),
             ('2026-03-01T10:15:30.123456-05:00', 'iso'), ('2026-03-01 10:15 +01', 'iso'), ('2026-03-01', 'iso'),
             ('2026-03-08 02:30', 'iso'),             -- the spring-forward gap in New York
             ('3/1/2026, 10:15 AM', 'mdy'), ('3/1/2026 12:05 am', 'mdy'), ('1.3.2026 22:15:00', 'dmy'),
             ('1772377800', 'epoch'), ('1772377800123', 'epoch_ms'), ('1772377800.5', 'epoch'), ('1772377800123.4', 'epoch_ms'),
             ('2026-03-01 25:00', 'iso'), ('2026-03-01T10:15+16:00', 'iso'), ('13:00 PM', 'iso'),
             ('3/1/2026 13:00 PM', 'mdy'), ('1e9', 'epoch'), ('-5', 'epoch'), ('', 'iso')) AS t(v, style);
SELECT regress.sqlstate_of($$SELECT recon_parse_timestamp('2026-03-01', 'UTC', 'unix')$$) AS bad_style;
RESET TimeZone;

-- The registry: every format names a mapper that exists and fields it can read.
SELECT f.format, f.input, f.source_system, to_regproc(f.mapper) IS NOT NULL AS mapper_exists,
       count(x.field) AS fields, count(x.field) FILTER (WHERE x.required) AS required,
       count(x.field) FILTER (WHERE x.pii) AS personal
FROM recon.load_formats f LEFT JOIN recon.load_format_fields x USING (format)
GROUP BY f.format, f.input, f.source_system, f.mapper ORDER BY f.format;

-- Bad calls: unknown format, unknown option, unusable values, nothing staged, an empty file.
SELECT regress.sqlstate_of($$SELECT recon.load_text('meta_insights_xls', 'x', 'a')$$) AS unknown_format,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', 'a', '{"acount_id": "1"}')$$) AS unknown_option,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', 'a', '{"timezone": "EST"}')$$) AS bad_zone,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', 'a', '{"keep_pii": "yes"}')$$) AS bad_flag,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', 'a', '[1]')$$) AS options_not_object,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', '')$$) AS empty_file,
       regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', '', 'a')$$) AS no_file_name,
       regress.sqlstate_of($$SELECT recon.load_json('meta_insights_csv', 'x', '{}')$$) AS csv_given_json,
       regress.sqlstate_of($$SELECT recon.load_json('meta_insights_json', ' ', '{}')$$) AS json_no_file_name,
       regress.sqlstate_of($$SELECT recon.load_json('meta_insights_json', 'x.json', NULL)$$) AS json_null_document;
SELECT * FROM regress.error_of($$SELECT recon.load_text('meta_insights_csv', 'x.csv', 'Day,Campaign name,Impressions' || E'\n' || '2026-03-01,A,10')$$);
SELECT * FROM regress.error_of($$SELECT recon.load_text('meta_insights_csv', 'x.csv', 'Reporting starts,Day,Campaign ID,Campaign ID,Amount spent' || E'\n' || '2026-03-01,2026-03-01,1,1,5')$$);

-- A file staged the way users do it: \copy one physical line per row (BOM, quoted commas).
SELECT recon.load_begin() AS copy_command;
\copy recon_staged_lines(line) FROM 'examples/meta/ads_manager.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT count(*) AS staged_lines, bool_or(line LIKE E'\uFEFF%') AS first_line_has_bom FROM recon_staged_lines;
SELECT * FROM recon.load_staged('meta_insights_csv', 'examples/meta/ads_manager.csv',
    '{"account_id": "1010203040506070", "timezone": "America/New_York", "batch_id": "fw-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT header[1] AS first_header_cell, cardinality(header) AS header_cells, preamble, rows_read,
       rows_loaded + rows_rejected + rows_skipped AS accounted_for, finished_at IS NOT NULL AS finished
FROM recon.load_batches WHERE batch_id = 'fw-1';
SELECT count(*) AS still_staged FROM recon_staged_lines;
SELECT regress.sqlstate_of($$SELECT recon.load_staged('meta_insights_csv', 'again.csv')$$) AS staging_empty_after_load;
SELECT regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'x', 'Day,Campaign ID,Amount spent' || E'\n' || '2026-03-01,1,1', '{"batch_id": "fw-1"}')$$) AS batch_id_reused;

-- Lines above the header are kept as the preamble; totals and empty rows are skipped;
-- a quoted line break stays inside its field; semicolons are detected.
SELECT * FROM recon.load_text('meta_insights_csv', 'report.csv', concat_ws(E'\n',
    'Acme US Shop: ads report',
    'March 1-2, 2026',
    'Day;Campaign ID;Campaign name;Ad set ID;Ad ID;Amount spent (USD);Impressions',
    '2026-03-04;120208123456789012;"Spring',
    'Sale";120208123456789345;120208123456789678;10,5;100',
    ';;;;;;',
    '2026-03-05;120208123456789012;Spring;120208123456789345;120208123456789678;12;90'),
    '{"account_id": "1010203040506070", "batch_id": "fw-2", "decimal_mark": ","}');
SELECT preamble, header FROM recon.load_batches WHERE batch_id = 'fw-2';
SELECT report_date, campaign_name, spend, impressions FROM recon.ad_delivery_daily WHERE batch_id = 'fw-2' ORDER BY 1;
SELECT line_number, disposition, reasons FROM recon.load_rejects WHERE batch_id = 'fw-2';

-- One transaction: a load that fails half way leaves no batch, no row, no reject.
SAVEPOINT before_failure;
SELECT regress.sqlstate_of($$SELECT recon.load_text('meta_insights_csv', 'new-account.csv',
    'Day,Campaign ID,Amount spent' || E'\n' || '2026-03-01,120208123456789012,5' || E'\n' || 'bad,1,1',
    '{"account_id": "999888777666555", "batch_id": "fw-3"}')$$) AS unknown_account_without_zone;
SELECT (SELECT count(*) FROM recon.load_batches WHERE batch_id = 'fw-3') AS batches,
       (SELECT count(*) FROM recon.load_rejects WHERE batch_id = 'fw-3') AS rejects,
       (SELECT count(*) FROM recon.ad_accounts WHERE account_id = '999888777666555') AS accounts;
ROLLBACK TO before_failure;

ROLLBACK;
