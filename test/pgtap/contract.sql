-- pgTAP: the metrics contract is append-only, versioned and readable as of any moment
-- (src/model/contract.sql).
BEGIN;
SELECT plan(47);
SET LOCAL TimeZone = 'UTC';

------------------------------------------------------------ default contract
SELECT is(recon.install_default_contract(), 9, 'the default contract adds 9 KPIs');
SELECT is(recon.install_default_contract(), 0, '... and nothing the second time');
SELECT set_eq($$SELECT kpi FROM recon.metrics_contract WHERE status = 'current'$$,
              ARRAY['spend', 'platform_conversions', 'platform_conversion_value', 'crm_conversions', 'crm_won',
                    'booked_value', 'collected_revenue', 'platform_roas', 'collected_roas'],
              'the default KPIs are current');
SELECT is((SELECT count(*)::int FROM recon.metrics_contract_log WHERE version <> 1 OR action <> 'define'), 0,
          'each default KPI is a version-1 define');
SELECT is((SELECT version FROM recon.metric_as_of('spend')), 1, 'spend version 1 is in force now');

------------------------------------------------------------------ versions
SELECT is(recon.define_metric('trial_signups', 'Trials started.', 'crm', 'funnel_records.created_at', 'launch',
                              valid_from => '2026-01-01'), 1, 'first definition is version 1');
SELECT is(recon.define_metric('trial_signups', 'Trials started, no test accounts.', 'crm', 'funnel_records.created_at',
                              'test accounts', exclusion_rule => 'test', valid_from => '2026-02-01'), 2,
          'a second definition is version 2');
SELECT is(recon.define_metric('trial_signups', 'Trials started, no test or spam.', 'recon', 'funnel_records.created_at',
                              'spam', valid_from => '2026-03-01'), 3, 'a third definition is version 3');
SELECT results_eq($$SELECT version, action FROM recon.metrics_contract_log WHERE kpi = 'trial_signups' ORDER BY version$$,
                  $$VALUES (1, 'define'), (2, 'revise'), (3, 'revise')$$,
                  'the log records a define then revisions');
SELECT results_eq($$SELECT version, valid_to, status FROM recon.metrics_contract WHERE kpi = 'trial_signups' ORDER BY version$$,
                  $$VALUES (1, '2026-02-01 00:00+00'::timestamptz, 'superseded'), (2, '2026-03-01 00:00+00', 'superseded'),
                           (3, NULL, 'current')$$,
                  'the view derives valid_to and status from the next version');
SELECT ok((SELECT bool_and(changed_by = current_user AND reason IS NOT NULL)
           FROM recon.metrics_contract_log WHERE kpi = 'trial_signups'), 'every change records who and why');

SELECT is_empty($$SELECT * FROM recon.metric_as_of('trial_signups', '2025-12-31 23:59:59+00')$$,
                'nothing is in force before the first version');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2026-01-01 00:00+00')), 1, 'version 1 from its valid_from');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2026-01-31 23:59:59+00')), 1, 'version 1 until version 2');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2026-02-01 00:00+00')), 2, 'version 2 from its valid_from');
SELECT is((SELECT definition FROM recon.metric_as_of('trial_signups', '2026-02-15 00:00+00')),
          'Trials started, no test accounts.', 'as_of returns that version''s definition');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2030-01-01 00:00+00')), 3, 'the last version stays in force');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups')), 3, 'as_of defaults to now');
SELECT is_empty($$SELECT * FROM recon.metric_as_of('no_such_kpi', now())$$, 'an unknown KPI has no version');

------------------------------------------------------------------- retire
SELECT is(recon.retire_metric('trial_signups', 'discontinued', '2026-04-01'), 4, 'retiring records version 4');
SELECT is((SELECT status FROM recon.metrics_contract WHERE kpi = 'trial_signups' AND version = 3), 'retired',
          'the last version before a retirement is retired');
SELECT is((SELECT valid_to FROM recon.metrics_contract WHERE kpi = 'trial_signups' AND version = 3),
          '2026-04-01 00:00+00'::timestamptz, '... valid until the retirement');
SELECT is((SELECT count(*)::int FROM recon.metrics_contract WHERE kpi = 'trial_signups'), 3,
          'the retirement itself is not a row of the view');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2026-03-31 23:59:59+00')), 3, 'in force just before');
SELECT is_empty($$SELECT * FROM recon.metric_as_of('trial_signups', '2026-04-01 00:00+00')$$, 'nothing in force once retired');
SELECT is(recon.define_metric('trial_signups', 'Trials started (relaunch).', 'crm', 'funnel_records.created_at',
                              'relaunch', valid_from => '2026-05-01'), 5, 'defining again after retirement is version 5');
SELECT is((SELECT action FROM recon.metrics_contract_log WHERE kpi = 'trial_signups' AND version = 5), 'define',
          '... recorded as a define');
SELECT is((SELECT version FROM recon.metric_as_of('trial_signups', '2026-05-02 00:00+00')), 5, '... and in force');
SELECT is_empty($$SELECT * FROM recon.metric_as_of('trial_signups', '2026-04-15 00:00+00')$$, 'the gap stays empty');

------------------------------------------------------------------- errors
SELECT throws_ok($$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
                   VALUES ('never_defined', 'revise', 'x', 'crm', 'x', now(), 'why')$$,
                 'P0002', 'metric "never_defined" has no version in force to revise', 'revising an undefined KPI is P0002');
SELECT throws_ok($$SELECT recon.retire_metric('never_defined', 'why')$$, 'P0002', NULL, 'retiring an undefined KPI is P0002');
SELECT throws_ok($$INSERT INTO recon.metrics_contract_log (kpi, action, definition, system_of_record, date_field, valid_from, reason)
                   VALUES ('spend', 'define', 'x', 'platform', 'x', now(), 'why')$$,
                 '23505', NULL, 'defining a defined KPI again is 23505');
SELECT throws_ok($$SELECT recon.define_metric('trial_signups', 'x', 'crm', 'x', 'backdated', valid_from => '2026-04-30')$$,
                 '22023', NULL, 'a version valid before the previous one is 22023');
SELECT throws_ok($$SELECT recon.retire_metric('trial_signups', 'backdated', '2026-01-01')$$,
                 '22023', NULL, 'a retirement valid before the current version is 22023');
SELECT throws_ok($$SELECT recon.define_metric('new_kpi', 'x', 'crm', 'x', '  ')$$, '23514', NULL, 'an empty reason is refused');
SELECT throws_ok($$SELECT recon.define_metric('new_kpi', 'x', 'crm', 'x', NULL)$$, '23502', NULL, 'a NULL reason is refused');
SELECT throws_ok($$SELECT recon.define_metric('New KPI', 'x', 'crm', 'x', 'why')$$, '23514', NULL, 'an invalid KPI name is refused');
SELECT throws_ok($$SELECT recon.define_metric('new_kpi', 'x', 'hubspot', 'x', 'why')$$, '23514', NULL,
                 'an unknown system_of_record is refused');
SELECT throws_ok($$SELECT recon.define_metric('new_kpi', NULL, 'crm', 'x', 'why')$$, '23514', NULL, 'a definition is required');

------------------------------------------------------------- append-only
CREATE TEMP TABLE log_before AS SELECT * FROM recon.metrics_contract_log;
SELECT throws_ok($$UPDATE recon.metrics_contract_log SET definition = 'rewritten' WHERE kpi = 'spend'$$, '23001',
                 'UPDATE on recon.metrics_contract_log is not allowed: the table is append-only', 'UPDATE is rejected');
SELECT throws_ok($$UPDATE recon.metrics_contract_log SET valid_from = valid_from - interval '1 year'$$, '23001', NULL,
                 'backdating by UPDATE is rejected');
SELECT throws_ok($$DELETE FROM recon.metrics_contract_log WHERE kpi = 'spend'$$, '23001',
                 'DELETE on recon.metrics_contract_log is not allowed: the table is append-only', 'DELETE is rejected');
SELECT throws_ok($$TRUNCATE recon.metrics_contract_log$$, '23001',
                 'TRUNCATE on recon.metrics_contract_log is not allowed: the table is append-only', 'TRUNCATE is rejected');
SELECT throws_ok($$INSERT INTO recon.metrics_contract_log (kpi, version, definition, system_of_record, date_field, valid_from, reason)
                   VALUES ('spend', 1, 'x', 'platform', 'x', now(), 'why')$$,
                 '23505', NULL, 'a version number cannot be reused');
SELECT set_eq($$SELECT * FROM recon.metrics_contract_log$$, $$SELECT * FROM log_before$$,
              'the log is unchanged after every refused change');
SELECT is((SELECT count(*)::int FROM recon.metrics_contract_log WHERE kpi IN ('new_kpi', 'never_defined')), 0,
          'no refused KPI was written');
SELECT is((SELECT count(*)::int FROM recon.metrics_contract_log), 14, '9 defaults and 5 trial_signups changes');

SELECT * FROM finish();
ROLLBACK;
