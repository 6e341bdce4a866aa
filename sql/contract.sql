-- contract: the append-only metrics contract (src/model/contract.sql).
-- The log cannot be emptied (that is the point), so the whole suite runs in one
-- transaction that is rolled back: later suites start from an empty contract.
-- Errors are caught by regress.sqlstate_of (a subtransaction each), so they do
-- not abort the transaction.
SET datestyle = 'ISO, YMD';
SET TimeZone = 'UTC';
BEGIN;

-- The default contract: 9 KPIs the first time, none the second.
SELECT recon.install_default_contract() AS added;
SELECT recon.install_default_contract('again') AS added_again;
-- The defaults also govern past report periods.
SELECT kpi, version FROM recon.metric_as_of('collected_revenue', '2020-01-01');
SELECT kpi, version, system_of_record, unit, status, valid_to IS NULL AS open_ended,
       valid_from = '-infinity' AS governs_history, reason
FROM recon.metrics_contract ORDER BY kpi COLLATE "C";
SELECT count(*) AS defaults_without_definition
FROM recon.metrics_contract WHERE coalesce(definition, '') = '' OR coalesce(date_field, '') = '';

-- define_metric numbers the versions: the first is a define, later ones revise.
SELECT recon.define_metric('trial_signups', 'Trials started in the product.', 'crm',
                           'funnel_records.created_at', 'launch of trials',
                           valid_from => '2026-01-01') AS version;
SELECT recon.define_metric('trial_signups', 'Trials started, excluding internal test accounts.', 'crm',
                           'funnel_records.created_at', 'test accounts inflated the count',
                           exclusion_rule => 'dq_flags contains test', valid_from => '2026-02-01') AS version;
SELECT recon.define_metric('trial_signups', 'Trials started, excluding test accounts and spam.', 'recon',
                           'funnel_records.created_at (reporting time zone)', 'spam filter added',
                           exclusion_rule => 'dq_flags contains test or spam', unit => 'count',
                           valid_from => '2026-03-01') AS version;
SELECT kpi, version, action, definition, system_of_record, exclusion_rule, unit, valid_from, reason,
       changed_by = current_user AS changed_by_me
FROM recon.metrics_contract_log WHERE kpi = 'trial_signups' ORDER BY change_id;
SELECT version, valid_from, valid_to, status FROM recon.metrics_contract
WHERE kpi = 'trial_signups' ORDER BY version;

-- metric_as_of: the version in force at a moment.
SELECT t AS at, (SELECT m.version FROM recon.metric_as_of('trial_signups', t) m) AS version
FROM unnest(ARRAY['2025-12-31 23:59:59+00', '2026-01-01 00:00:00+00', '2026-01-31 23:59:59+00',
                  '2026-02-01 00:00:00+00', '2026-02-15 00:00:00+00', '2026-03-01 00:00:00+00',
                  '2030-01-01 00:00:00+00']::timestamptz[]) AS t;
SELECT kpi, version, definition, exclusion_rule, status
FROM recon.metric_as_of('trial_signups', '2026-02-15');
-- ... now, by default.
SELECT version, status FROM recon.metric_as_of('trial_signups');
SELECT count(*) AS unknown_kpi_rows FROM recon.metric_as_of('no_such_kpi', '2026-02-15');

-- retire_metric ends the validity; history stays.
SELECT recon.retire_metric('trial_signups', 'trials discontinued', '2026-04-01') AS retire_version;
SELECT version, valid_from, valid_to, status FROM recon.metrics_contract
WHERE kpi = 'trial_signups' ORDER BY version;
SELECT version, action, definition IS NULL AS no_definition, system_of_record, date_field, reason
FROM recon.metrics_contract_log WHERE kpi = 'trial_signups' AND action = 'retire';
SELECT t AS at, (SELECT m.version FROM recon.metric_as_of('trial_signups', t) m) AS version
FROM unnest(ARRAY['2026-03-31 23:59:59+00', '2026-04-01 00:00:00+00', '2026-04-30 00:00:00+00']::timestamptz[]) AS t;
-- A retirement clears whatever definition is passed with it.
INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
VALUES ('spend', 'retire', 'ignored', 'platform', 'ignored', now(), 'spend moves to finance');
SELECT version, action, definition, system_of_record, date_field
FROM recon.metrics_contract_log WHERE kpi = 'spend' ORDER BY version;

-- Defined again after the retirement: a new define, the next version number.
SELECT recon.define_metric('trial_signups', 'Trials started (relaunched).', 'crm', 'funnel_records.created_at',
                           'trials relaunched', valid_from => '2026-05-01') AS version;
SELECT version, action FROM recon.metrics_contract_log WHERE kpi = 'trial_signups' ORDER BY version;
SELECT version, valid_from, valid_to, status FROM recon.metrics_contract
WHERE kpi = 'trial_signups' ORDER BY version;
SELECT t AS at, (SELECT m.version FROM recon.metric_as_of('trial_signups', t) m) AS version
FROM unnest(ARRAY['2026-04-15 00:00:00+00', '2026-05-01 00:00:00+00']::timestamptz[]) AS t;

-- Two versions from the same moment: the later one is the one in force.
SELECT recon.define_metric('arpu', 'Revenue per user.', 'finance', 'finance_transactions.occurred_at', 'first',
                           valid_from => '2026-01-01') AS version;
SELECT recon.define_metric('arpu', 'Collected revenue per paying user.', 'finance', 'finance_transactions.occurred_at',
                           'same-day fix', valid_from => '2026-01-01') AS version;
SELECT version, valid_from, valid_to, status FROM recon.metrics_contract WHERE kpi = 'arpu' ORDER BY version;
SELECT version, definition FROM recon.metric_as_of('arpu', '2026-01-01');

-- What the log refuses.
SELECT count(*) AS log_rows_before FROM recon.metrics_contract_log;
SELECT label, regress.sqlstate_of(sql) AS result FROM (VALUES
    ('revise of an undefined KPI',
     $$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('never_defined', 'revise', 'x', 'crm', 'x', now(), 'why')$$),
    ('retire of an undefined KPI',
     $$SELECT recon.retire_metric('never_defined', 'why')$$),
    ('retire of a retired KPI',
     $$SELECT recon.retire_metric('spend', 'again')$$),
    ('revise of a retired KPI',
     $$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('spend', 'revise', 'x', 'platform', 'x', now(), 'why')$$),
    ('second define of a defined KPI',
     $$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('arpu', 'define', 'x', 'finance', 'x', '2026-06-01', 'why')$$),
    ('version out of sequence',
     $$INSERT INTO recon.metrics_contract_log (kpi, version, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('arpu', 7, 'x', 'finance', 'x', '2026-06-01', 'why')$$),
    ('version already taken',
     $$INSERT INTO recon.metrics_contract_log (kpi, version, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('arpu', 1, 'x', 'finance', 'x', '2026-06-01', 'why')$$),
    ('revision valid before the last one',
     $$SELECT recon.define_metric('trial_signups', 'x', 'crm', 'x', 'backdated', valid_from => '2026-04-30')$$),
    ('retirement valid before the last one',
     $$SELECT recon.retire_metric('arpu', 'backdated', '2025-12-31')$$),
    ('empty reason',
     $$SELECT recon.define_metric('new_kpi', 'x', 'crm', 'x', '   ')$$),
    ('NULL reason',
     $$SELECT recon.define_metric('new_kpi', 'x', 'crm', 'x', NULL)$$),
    ('KPI name with capitals and a blank',
     $$SELECT recon.define_metric('Trial Signups', 'x', 'crm', 'x', 'why')$$),
    ('KPI name starting with a digit',
     $$SELECT recon.define_metric('7d_roas', 'x', 'crm', 'x', 'why')$$),
    ('KPI name of 64 characters',
     $$SELECT recon.define_metric(repeat('k', 64), 'x', 'crm', 'x', 'why')$$),
    ('unknown system_of_record',
     $$SELECT recon.define_metric('new_kpi', 'x', 'salesforce', 'x', 'why')$$),
    ('definition missing',
     $$SELECT recon.define_metric('new_kpi', NULL, 'crm', 'x', 'why')$$),
    ('date_field missing',
     $$SELECT recon.define_metric('new_kpi', 'x', 'crm', NULL, 'why')$$),
    ('unknown action',
     $$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
       VALUES ('new_kpi', 'amend', 'x', 'crm', 'x', now(), 'why')$$),
    ('UPDATE of the log',
     $$UPDATE recon.metrics_contract_log SET definition = 'rewritten' WHERE kpi = 'arpu'$$),
    ('DELETE from the log',
     $$DELETE FROM recon.metrics_contract_log WHERE kpi = 'arpu'$$),
    ('DELETE of everything',
     $$DELETE FROM recon.metrics_contract_log$$),
    ('TRUNCATE of the log',
     $$TRUNCATE recon.metrics_contract_log$$)
) AS t(label, sql);
\x on
SELECT * FROM regress.error_of($$UPDATE recon.metrics_contract_log SET reason = 'x'$$);
SELECT * FROM regress.error_of($$SELECT recon.retire_metric('never_defined', 'why')$$);
SELECT * FROM regress.error_of($$SELECT recon.define_metric('trial_signups', 'x', 'crm', 'x', 'backdated', valid_from => '2026-04-30')$$);
\x off
-- ... and nothing of it was written.
SELECT count(*) AS log_rows_after FROM recon.metrics_contract_log;
SELECT count(*) AS new_kpi_rows FROM recon.metrics_contract_log WHERE kpi IN ('new_kpi', 'never_defined');

-- The view: one row per non-retire version, with who and why.
SELECT kpi, count(*) AS versions, count(*) FILTER (WHERE status = 'current') AS current,
       count(*) FILTER (WHERE status = 'superseded') AS superseded,
       count(*) FILTER (WHERE status = 'retired') AS retired
FROM recon.metrics_contract GROUP BY kpi ORDER BY kpi COLLATE "C";

ROLLBACK;
SELECT count(*) AS log_rows_after_rollback FROM recon.metrics_contract_log;
