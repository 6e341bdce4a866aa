-- pgTAP: the ground-truth demo generator (src/demo/generator.sql): input checks,
-- determinism, agreement with its truth, the catalog it gives back, user rows it
-- leaves alone, and properties of the truth that recon.demo_verify() does not check.
-- Small scales (300) keep each run well under a second.
BEGIN;
SELECT plan(51);

-- 'ok' or the SQLSTATE a statement raises.
CREATE FUNCTION pg_temp.sqlstate_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE;
END $$;

-- The checks of recon.demo_verify() that fail after a one-row corruption, which is then undone.
CREATE FUNCTION pg_temp.failed_checks_after(corruption text) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint;
    failed text[];
BEGIN
    BEGIN
        EXECUTE corruption;
        GET DIAGNOSTICS touched = ROW_COUNT;
        IF touched = 1 THEN
            SELECT coalesce(array_agg(check_name ORDER BY check_name COLLATE "C"), '{}') INTO failed
            FROM recon.demo_verify() WHERE NOT passed;
        ELSE
            failed := ARRAY[format('the corruption touched %s rows, not 1', touched)];
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'RZ001', MESSAGE = 'undo the corruption';
    EXCEPTION WHEN SQLSTATE 'RZ001' THEN
        RETURN failed;
    END;
END $$;

-- Keys, constraints and indexes of every table in recon and recon_truth.
CREATE FUNCTION pg_temp.constraint_defs() RETURNS TABLE (tbl text, name text, definition text, validated boolean)
LANGUAGE sql AS $$
    SELECT c.conrelid::regclass::text, c.conname::text, pg_get_constraintdef(c.oid), c.convalidated
    FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
    WHERE r.relnamespace IN ('recon'::regnamespace, 'recon_truth'::regnamespace)
$$;
CREATE FUNCTION pg_temp.index_defs() RETURNS TABLE (definition text, is_primary boolean, is_valid boolean)
LANGUAGE sql AS $$
    SELECT pg_get_indexdef(i.indexrelid), i.indisprimary, i.indisvalid
    FROM pg_index i JOIN pg_class r ON r.oid = i.indrelid
    WHERE r.relnamespace IN ('recon'::regnamespace, 'recon_truth'::regnamespace)
$$;
CREATE TEMP TABLE constraints_before AS SELECT * FROM pg_temp.constraint_defs();
CREATE TEMP TABLE indexes_before AS SELECT * FROM pg_temp.index_defs();

---------------------------------------------------------------- bad input
SELECT is_empty($$SELECT * FROM recon_truth.runs$$, 'no demo run is loaded at the start');
SELECT throws_ok($$SELECT * FROM recon_demo_generate(1, 0)$$, '22023', 'demo scale 0 is out of range', 'scale 0 is refused (22023)');
SELECT throws_ok($$SELECT * FROM recon_demo_generate(1, -1)$$, '22023', 'demo scale -1 is out of range', 'a negative scale is refused (22023)');
SELECT throws_ok($$SELECT * FROM recon_demo_generate(1, 10000001)$$, '22023', NULL, 'a scale above 10,000,000 is refused (22023)');
SELECT throws_ok($$SELECT * FROM recon_demo_generate(NULL, 300)$$, '22004', NULL, 'a NULL seed is refused (22004)');
SELECT throws_ok($$SELECT * FROM recon_demo_generate(1, NULL)$$, '22004', NULL, 'a NULL scale is refused (22004)');

---------------------------------------------------------------- a first run
SELECT results_eq($$SELECT table_name, rows_written > 0 FROM recon_demo_generate(7, 300) ORDER BY table_name COLLATE "C"$$,
                  $$VALUES ('ad_accounts', true), ('ad_clicks', true), ('ad_delivery_daily', true), ('conversion_signals', true),
                           ('finance_transactions', true), ('funnel_records', true), ('funnel_stage_history', true),
                           ('fx_rates', true), ('platform_conversions_daily', true), ('truth.journeys', true),
                           ('truth.platform_claims', true)$$,
                  'a run writes rows into every table and reports them');
SELECT results_eq($$SELECT seed, scale, (row_counts->>'truth.journeys')::int FROM recon_truth.runs$$,
                  $$VALUES (7::bigint, 300, 300)$$, 'the run is recorded with one journey per unit of scale');
SELECT is((SELECT count(*)::int FROM recon.demo_verify() WHERE passed IS NOT TRUE), 0,
          'every check of recon.demo_verify() passes after a run');
SELECT cmp_ok((SELECT count(*)::int FROM recon.demo_verify()), '>=', 14, '... and there are at least 14 of them');

-- A refused call leaves the loaded run untouched.
CREATE TEMP TABLE run_before AS SELECT seed, scale, generated_at, row_counts FROM recon_truth.runs;
CREATE TEMP TABLE counts_before AS
    SELECT (SELECT count(*) FROM recon.funnel_records) AS records, (SELECT count(*) FROM recon_truth.journeys) AS journeys,
           (SELECT count(*) FROM recon.finance_transactions) AS transactions;
SELECT is(pg_temp.sqlstate_of('SELECT * FROM recon_demo_generate(8, 0)') || pg_temp.sqlstate_of('SELECT * FROM recon_demo_generate(NULL, 300)'),
          '2202322004', 'two more refused calls');
SELECT results_eq($$SELECT seed, scale, generated_at, row_counts FROM recon_truth.runs$$,
                  $$SELECT * FROM run_before$$, '... leave recon_truth.runs as it was');
SELECT results_eq($$SELECT (SELECT count(*) FROM recon.funnel_records), (SELECT count(*) FROM recon_truth.journeys),
                           (SELECT count(*) FROM recon.finance_transactions)$$,
                  $$SELECT * FROM counts_before$$, '... and the loaded rows too');

-- The catalog after the run is the catalog before it.
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before$$,
              'every key, foreign key and check of recon and recon_truth is back, with the same definition, validated');
SELECT set_eq($$SELECT * FROM pg_temp.index_defs()$$, $$SELECT * FROM indexes_before$$,
              'every index of recon and recon_truth is back, with the same definition');
SELECT cmp_ok((SELECT count(*)::int FROM constraints_before WHERE definition LIKE 'FOREIGN KEY%'), '>=', 8,
              '... and there are foreign keys to compare');
SELECT cmp_ok((SELECT count(*)::int FROM indexes_before WHERE NOT is_primary), '>=', 5,
              '... and secondary indexes');

------------------------------------------------------- truth beyond demo_verify
SELECT is((SELECT count(*)::int FROM recon_truth.journeys WHERE outside_window AND platform_claimed), 0,
          'an outside-window journey is never claimed by its platform');
SELECT cmp_ok((SELECT count(*)::int FROM recon_truth.journeys WHERE outside_window), '>', 0, '... and there are some');
SELECT is((SELECT count(*)::int FROM recon_truth.platform_claims c JOIN recon_truth.journeys j USING (journey_id)
           WHERE j.kind = 'outside_window'), 0, 'no platform claim at all comes from an outside-window journey');
SELECT is((SELECT count(*)::int FROM recon_truth.journeys WHERE kind = 'modeled' AND (record_id IS NOT NULL OR opportunity_id IS NOT NULL)), 0,
          'a modeled journey has no CRM record');
SELECT is((SELECT count(*)::int FROM recon_truth.journeys WHERE clock_shift AND NOT platform_claimed), 0,
          'a clock shift only happens to a claimed journey');
SELECT cmp_ok((SELECT count(*)::int FROM recon_truth.journeys WHERE clock_shift), '>', 0, '... and there are clock shifts');
SELECT is((SELECT count(*)::int FROM recon_truth.journeys WHERE (claimed_conversions = 2) IS DISTINCT FROM pixel_capi_duplicate), 0,
          'a journey claims two conversions exactly when Pixel and CAPI failed to deduplicate');
SELECT is((SELECT count(*)::int FROM recon_truth.journeys WHERE claimed_conversions NOT IN (0, 1, 2)
                                                            OR (claimed_conversions > 0) <> platform_claimed), 0,
          'claimed_conversions is 0 for unclaimed journeys, 1 or 2 otherwise');
SELECT is((SELECT count(*)::int FROM recon_truth.platform_claims c
           WHERE NOT EXISTS (SELECT 1 FROM recon.ad_delivery_daily d
                             WHERE (d.platform, d.account_id, d.report_date, d.campaign_id, d.adset_id, d.ad_id)
                                 = (c.platform, c.account_id, c.report_date, c.campaign_id, c.adset_id, c.ad_id))), 0,
          'every claim is on an ad and day the platform reports delivery for');
SELECT set_eq($$SELECT currency::text, sum(collected_revenue) FROM recon_truth.journeys GROUP BY 1$$,
              $$SELECT currency::text, sum(revenue_amount) FROM recon.finance_transactions WHERE status = 'posted' GROUP BY 1$$,
              'collected revenue in the truth equals posted net revenue in finance, per currency');
SELECT is((SELECT count(*)::int FROM recon_truth.journeys j
           WHERE j.double_claimed_by IS NOT NULL
             AND (SELECT count(*) FROM recon_truth.platform_claims c WHERE c.journey_id = j.journey_id AND c.cause = 'double_claim') <> 1), 0,
          'a double-claimed journey has exactly one double claim');

--------------------------------------------------------------- determinism
CREATE TEMP TABLE digest_7 AS SELECT * FROM recon.demo_fingerprint();
CREATE TEMP TABLE content_7 AS SELECT * FROM recon.demo_fingerprint('{loaded_at,updated_at,signal_key,batch_id}');
SELECT is((SELECT count(*)::int FROM digest_7 WHERE digest IS NULL), 0, 'every table has rows to digest');
SELECT is((SELECT count(*)::int FROM recon_demo_generate(7, 300)), 11, 'the same seed and scale again');
SELECT set_eq($$SELECT * FROM recon.demo_fingerprint()$$, $$SELECT * FROM digest_7$$,
              '... give the same content in every table');
SET LOCAL TimeZone = 'Pacific/Auckland';
SELECT is((SELECT count(*)::int FROM recon_demo_generate(7, 300)), 11, 'the same run from a session in Pacific/Auckland');
SELECT set_eq($$SELECT * FROM recon.demo_fingerprint()$$, $$SELECT * FROM digest_7$$,
              '... gives the same content: no date follows the session''s zone');
RESET TimeZone;
SELECT is((SELECT count(*)::int FROM recon_demo_generate(8, 300)), 11, 'another seed');
SELECT set_eq($$SELECT a.table_name FROM recon.demo_fingerprint('{loaded_at,updated_at,signal_key,batch_id}') a
                JOIN content_7 b USING (table_name) WHERE a.digest = b.digest$$,
              ARRAY['recon.ad_accounts'],
              '... changes the content of every table but the fixed catalog of ad accounts (batch ids aside)');

------------------------------------------------------------ user rows are kept
INSERT INTO recon.ad_accounts (platform, account_id, account_name, timezone, currency, record_source, batch_id)
VALUES ('meta', 'act_user_1', 'A user account', 'Europe/Paris', 'EUR', 'crm-import', 'user-1');
INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, adset_id, ad_id, spend, currency,
                                     impressions, clicks, report_timezone, pulled_at, record_source, batch_id)
VALUES ('meta', 'act_user_1', '2026-03-01', 'ad', 'c-user', 's-user', 'a-user', 12.34, 'EUR', 1000, 10, 'Europe/Paris',
        '2026-03-02 06:00+00', 'crm-import', 'user-1');
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stated_value, currency, stage,
                                  record_source, batch_id)
VALUES ('CRM-USER-1', 'lead', 'hubspot', '2026-03-01 10:00+00', 'email', 500, 'EUR', 'captured', 'crm-import', 'user-1');
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, customer_id,
                                        record_source, batch_id)
VALUES ('pay-user-1', 'payment', '2026-03-05 10:00+00', 99.00, 'EUR', 'CUS-user-1', 'crm-import', 'user-1');
CREATE FUNCTION pg_temp.user_rows() RETURNS SETOF jsonb LANGUAGE sql SET TimeZone = 'UTC' AS $$
    SELECT to_jsonb(a) FROM recon.ad_accounts a WHERE record_source = 'crm-import'
    UNION ALL SELECT to_jsonb(d) FROM recon.ad_delivery_daily d WHERE record_source = 'crm-import'
    UNION ALL SELECT to_jsonb(f) FROM recon.funnel_records f WHERE record_source = 'crm-import'
    UNION ALL SELECT to_jsonb(t) FROM recon.finance_transactions t WHERE record_source = 'crm-import'
$$;
CREATE TEMP TABLE user_rows_before AS SELECT * FROM pg_temp.user_rows() AS r;

SELECT is((SELECT count(*)::int FROM recon_demo_generate(7, 300)), 11, 'a run with user rows in the tables');
SELECT set_eq($$SELECT * FROM pg_temp.user_rows()$$, $$SELECT * FROM user_rows_before$$,
              '... keeps the user''s account, delivery row, CRM record and transaction unchanged');
SELECT is((SELECT count(*)::int FROM user_rows_before), 4, '... all four of them');
SELECT set_eq($$SELECT * FROM recon.demo_fingerprint(only_demo => true)$$, $$SELECT * FROM digest_7$$,
              '... and writes the same demo rows as into empty tables');
SELECT set_eq(
    $$SELECT t, source, batch, n FROM (
          SELECT 'ad_accounts' AS t, record_source::text AS source, batch_id::text AS batch, count(*) AS n FROM recon.ad_accounts GROUP BY 2, 3
          UNION ALL SELECT 'fx_rates', record_source, batch_id, count(*) FROM recon.fx_rates GROUP BY 2, 3
          UNION ALL SELECT 'ad_delivery_daily', record_source, batch_id, count(*) FROM recon.ad_delivery_daily GROUP BY 2, 3
          UNION ALL SELECT 'platform_conversions_daily', record_source, batch_id, count(*) FROM recon.platform_conversions_daily GROUP BY 2, 3
          UNION ALL SELECT 'conversion_signals', record_source, batch_id, count(*) FROM recon.conversion_signals GROUP BY 2, 3
          UNION ALL SELECT 'funnel_records', record_source, batch_id, count(*) FROM recon.funnel_records GROUP BY 2, 3
          UNION ALL SELECT 'funnel_stage_history', record_source, batch_id, count(*) FROM recon.funnel_stage_history GROUP BY 2, 3
          UNION ALL SELECT 'finance_transactions', record_source, batch_id, count(*) FROM recon.finance_transactions GROUP BY 2, 3
          UNION ALL SELECT 'ad_clicks', record_source, batch_id, count(*) FROM recon.ad_clicks GROUP BY 2, 3) s$$,
    $$SELECT key AS t, 'demo' AS source, 'demo-7' AS batch, value::bigint AS n FROM recon_truth.runs, jsonb_each_text(row_counts) WHERE key NOT LIKE 'truth.%'
      UNION ALL VALUES ('ad_accounts', 'crm-import', 'user-1', 1), ('ad_delivery_daily', 'crm-import', 'user-1', 1),
                       ('funnel_records', 'crm-import', 'user-1', 1), ('finance_transactions', 'crm-import', 'user-1', 1)$$,
    'every other row is a demo row of this run (record_source demo, batch demo-7), as many as the run recorded');
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before$$,
              'after a run over user rows every constraint is back too');
SELECT set_eq($$SELECT * FROM pg_temp.index_defs()$$, $$SELECT * FROM indexes_before$$,
              '... and every index');
SELECT is((SELECT count(*)::int FROM recon.demo_verify() WHERE passed IS NOT TRUE), 0,
          'recon.demo_verify() passes with user rows beside the demo');

---------------------------------------------------------- demo_verify can fail
SELECT is(pg_temp.failed_checks_after($$
              UPDATE recon.finance_transactions SET amount = amount + 1
              WHERE transaction_id = (SELECT min(transaction_id) FROM recon.finance_transactions
                                      WHERE transaction_type = 'refund' AND record_source = 'demo')$$),
          ARRAY['collected revenue in finance equals the truth, per journey'],
          'a changed refund amount fails the collected revenue check');
SELECT is(pg_temp.failed_checks_after($$
              DELETE FROM recon.funnel_stage_history
              WHERE (record_id, entered_at) = (SELECT record_id, (array_agg(entered_at ORDER BY entered_at))[2]
                                               FROM recon.funnel_stage_history WHERE record_source = 'demo'
                                               GROUP BY record_id HAVING count(*) = 3
                                               ORDER BY record_id LIMIT 1)$$),
          ARRAY['stage history is ordered, each stage ends when the next begins, and closed records end in their stage'],
          'a record missing its middle stage fails the stage history check');
SELECT is(pg_temp.failed_checks_after($$
              DELETE FROM recon.funnel_records
              WHERE record_id = (SELECT min(record_id) FROM recon_truth.journeys WHERE record_type = 'order' AND record_id IS NOT NULL)$$),
          ARRAY['every journey with a CRM record has it in funnel_records'],
          'a missing CRM record fails the record check');
SELECT is(pg_temp.failed_checks_after($$
              UPDATE recon_truth.journeys SET record_id = 'ORD-99999999'
              WHERE journey_id = (SELECT min(journey_id) FROM recon_truth.journeys WHERE kind = 'modeled')$$),
          ARRAY['every journey with a CRM record has it in funnel_records', 'modeled conversions have no record and no signal'],
          'a modeled journey given a record fails two checks');
SELECT is((SELECT count(*)::int FROM recon.demo_verify() WHERE passed IS NOT TRUE), 0, '... all of which pass again once undone');

------------------------------------------------------------------ demo_clear
SELECT lives_ok($$SELECT recon.demo_clear()$$, 'recon.demo_clear() runs beside user rows');
SELECT set_eq($$SELECT * FROM pg_temp.user_rows()$$, $$SELECT * FROM user_rows_before$$, '... keeps them');
SELECT is((SELECT (SELECT count(*) FROM recon.funnel_records WHERE record_source = 'demo')
                + (SELECT count(*) FROM recon.ad_accounts WHERE record_source = 'demo')
                + (SELECT count(*) FROM recon.fx_rates WHERE record_source = 'demo')
                + (SELECT count(*) FROM recon_truth.journeys) + (SELECT count(*) FROM recon_truth.runs))::int, 0,
          '... and removes the demo rows and the truth');

SELECT * FROM finish();
ROLLBACK;
