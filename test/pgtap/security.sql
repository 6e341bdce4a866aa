-- pgTAP: least privilege, row-level security and the audit log (src/security/*.sql).
-- Login-less test roles stand for people: one per recon role, and readers scoped to an ad
-- account, a market, a tenant, all rows, or nothing. Each reads the same small data set;
-- what its scope excludes must be hidden, in the tables and through the views.
BEGIN;
SELECT plan(122);

------------------------------------------------------------------ roles
SELECT has_role(r, format('role %s exists', r)) FROM unnest(ARRAY['recon_reader', 'recon_analyst', 'recon_admin']) r;
SELECT ok(pg_has_role('recon_analyst', 'recon_reader', 'USAGE'), 'recon_analyst has recon_reader''s privileges');
SELECT ok(pg_has_role('recon_admin', 'recon_analyst', 'USAGE'), 'recon_admin has recon_analyst''s privileges');
SELECT ok(NOT pg_has_role('recon_reader', 'recon_analyst', 'USAGE'), 'recon_reader does not have recon_analyst''s');
SELECT ok(NOT rolcanlogin, format('%s cannot log in (a group role)', rolname))
FROM pg_roles WHERE rolname IN ('recon_reader', 'recon_analyst', 'recon_admin') ORDER BY rolname;

CREATE ROLE t_reader;   GRANT recon_reader TO t_reader;     -- no scope
CREATE ROLE t_account;  GRANT recon_reader TO t_account;    -- meta account 111
CREATE ROLE t_market;   GRANT recon_reader TO t_market;     -- market DE
CREATE ROLE t_tenant;   GRANT recon_reader TO t_tenant;     -- tenant acme: google account 222 and market FR
CREATE ROLE t_all;      GRANT recon_reader TO t_all;        -- all rows
CREATE ROLE t_analyst;  GRANT recon_analyst TO t_analyst;   -- market DE
CREATE ROLE t_admin;    GRANT recon_admin TO t_admin;
CREATE ROLE t_outsider;                                      -- no recon role at all

------------------------------------------------------------------ data
INSERT INTO recon.ad_accounts (platform, account_id, timezone, currency) VALUES
    ('meta', '111', 'UTC', 'USD'), ('meta', '999', 'UTC', 'USD'), ('google', '222', 'UTC', 'USD');
INSERT INTO recon.ad_delivery_daily (platform, account_id, report_date, level, campaign_id, spend, currency, report_timezone, pulled_at, record_source)
SELECT platform, account_id, '2026-03-01', 'campaign', 'c-' || account_id, 100, currency, 'UTC', '2026-03-02', 'test'
FROM recon.ad_accounts;
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source, market, customer_id, channel) VALUES
    ('r-de', 'order', 'hubspot', '2026-03-01', 'new', 'test', 'DE', 'cust-de', 'meta'),
    ('r-fr', 'order', 'hubspot', '2026-03-01', 'new', 'test', 'FR', NULL, 'google'),
    ('r-us', 'order', 'hubspot', '2026-03-01', 'new', 'test', 'US', 'cust-us', 'meta'),
    ('r-none', 'order', 'hubspot', '2026-03-01', 'new', 'test', NULL, NULL, 'meta');
INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
SELECT record_id, 'new', created_at, 'test' FROM recon.funnel_records;
INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id, customer_id, record_source) VALUES
    ('t-de', 'payment', '2026-03-02', 50, 'USD', 'r-de', NULL, 'test'),
    ('t-us', 'payment', '2026-03-02', 70, 'USD', 'r-us', NULL, 'test'),
    ('t-de-customer', 'payment', '2026-03-03', 5, 'USD', NULL, 'cust-de', 'test'),
    ('t-us-customer', 'payment', '2026-03-03', 7, 'USD', NULL, 'cust-us', 'test');
INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule) VALUES
    ('record_transaction', 't-de', 'r-de', 'exact_id', 1, 'test'),
    ('record_transaction', 't-us', 'r-us', 'exact_id', 1, 'test');
INSERT INTO recon.contact_details (layer, record_key, email, phone, record_source)
VALUES ('funnel', 'r-de', 'anna@example.de', '+4930123456', 'test');
INSERT INTO recon.frozen_figures (source, subject, period, metric, value, version, reason)
VALUES ('report_layers', 'all', '2026-01-01', 'platform_value', 1000, 1, 'test freeze');

INSERT INTO recon.tenants (tenant, description) VALUES ('acme', 'test tenant');
INSERT INTO recon.tenant_members (tenant, platform, account_id) VALUES ('acme', 'google', '222');
INSERT INTO recon.tenant_members (tenant, market) VALUES ('acme', 'FR');
INSERT INTO recon.access_scopes (grantee, platform, account_id, reason) VALUES ('t_account', 'meta', '111', 'test');
INSERT INTO recon.access_scopes (grantee, market, reason) VALUES ('t_market', 'DE', 'test'), ('t_analyst', 'DE', 'test');
INSERT INTO recon.access_scopes (grantee, tenant, reason) VALUES ('t_tenant', 'acme', 'test');
INSERT INTO recon.access_scopes (grantee, all_rows, reason) VALUES ('t_all', true, 'test');

SELECT throws_ok($$INSERT INTO recon.access_scopes (grantee, market, reason) VALUES ('t_nosuchrole', 'DE', 'typo')$$,
                 '42704', NULL, 'a scope for a role that does not exist is refused (42704)');
SELECT throws_ok($$INSERT INTO recon.access_scopes (grantee, market, account_id, platform, reason) VALUES ('t_market', 'DE', '1', 'meta', 'x')$$,
                 '23514', NULL, 'a scope names one kind: market or account, not both');

-- What a role sees of a table: its ids, sorted (run as that role).
CREATE FUNCTION pg_temp.seen(who text, query text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    result text;
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', who);
    EXECUTE format('SELECT coalesce(string_agg(x::text, '','' ORDER BY x::text), '''') FROM (%s) q(x)', query) INTO result;
    RESET ROLE;
    RETURN result;
EXCEPTION WHEN OTHERS THEN
    RESET ROLE;
    RETURN 'ERROR ' || SQLSTATE;
END $$;
-- Run a statement as a role: 'ok', or the error's SQLSTATE (pgTAP's own tables belong to the
-- test's superuser, so assertions run outside the role).
CREATE FUNCTION pg_temp.run_as(who text, statement text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('SET LOCAL ROLE %I', who);
    EXECUTE statement;
    RESET ROLE;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RESET ROLE;
    RETURN 'ERROR ' || SQLSTATE;
END $$;

------------------------------------------------------------------ what each scope sees
SELECT is(pg_temp.seen(who, 'SELECT platform || '':'' || account_id FROM recon.ad_accounts'), expected,
          format('%s sees ad accounts [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_account', 'meta:111'), ('t_market', ''), ('t_tenant', 'google:222'),
             ('t_all', 'google:222,meta:111,meta:999'), ('t_admin', 'google:222,meta:111,meta:999')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT account_id FROM recon.ad_delivery_daily'), expected,
          format('%s sees delivery rows of [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_account', '111'), ('t_tenant', '222'), ('t_all', '111,222,999')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT account_id FROM recon.platform_delivery'), expected,
          format('%s sees the same through the view recon.platform_delivery', who))
FROM (VALUES ('t_reader', ''), ('t_account', '111'), ('t_tenant', '222'), ('t_all', '111,222,999')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT record_id FROM recon.funnel_records'), expected,
          format('%s sees funnel records [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_account', ''), ('t_market', 'r-de'), ('t_tenant', 'r-fr'), ('t_analyst', 'r-de'),
             ('t_all', 'r-de,r-fr,r-none,r-us'), ('t_admin', 'r-de,r-fr,r-none,r-us')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT record_id FROM recon.funnel_stage_history'), expected,
          format('%s sees stage history of [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_market', 'r-de'), ('t_tenant', 'r-fr')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT transaction_id FROM recon.finance_transactions'), expected,
          format('%s sees transactions [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_market', 't-de,t-de-customer'), ('t_tenant', ''),
             ('t_all', 't-de,t-de-customer,t-us,t-us-customer')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT left_id FROM recon.match_links'), expected,
          format('%s sees links of [%s]', who, expected))
FROM (VALUES ('t_reader', ''), ('t_market', 't-de'), ('t_all', 't-de,t-us')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT metric FROM recon.frozen_figures'), expected,
          format('%s sees frozen totals: [%s]', who, expected))
FROM (VALUES ('t_market', ''), ('t_all', 'platform_value'), ('t_admin', 'platform_value')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT sum(records) FROM recon.funnel_performance'), expected,
          format('the report recon.funnel_performance counts %s records for %s', expected, who))
FROM (VALUES ('t_market', '1'), ('t_tenant', '1'), ('t_all', '4')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT array_to_string(markets, ''+'') || ''/'' || array_to_string(ad_accounts, ''+'') || ''/'' || all_rows FROM recon.my_scope'),
          expected, format('recon.my_scope tells %s its scope', who))
FROM (VALUES ('t_tenant', 'FR/google:222/false'), ('t_market', 'DE//false'), ('t_admin', '//true')) AS t(who, expected);
SELECT is(pg_temp.seen(who, 'SELECT grantee FROM recon.access_scopes'), expected,
          format('%s reads only its own scopes', who))
FROM (VALUES ('t_market', 't_market'), ('t_reader', '')) AS t(who, expected);

-- Every view of the extension reads without a privilege error for a plain reader, but
-- recon.report_figures: it reads the materialized layers, totals over every row (admin only).
SELECT is(pg_temp.seen('t_reader', 'SELECT 1 FROM recon.report_figures'), 'ERROR 42501',
          'recon.report_figures reads the materialized layers: not for recon_reader (42501)');
SELECT is((SELECT string_agg(v, ', ') FROM (
              SELECT c.oid::regclass::text AS v FROM pg_class c
              WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind = 'v' AND c.relname <> 'report_figures'
                AND pg_temp.seen('t_reader', format('SELECT 1 FROM %s LIMIT 0', c.oid::regclass)) LIKE 'ERROR%'
              ORDER BY 1) e), NULL,
          'recon_reader can query every other view of schema recon');
SELECT is((SELECT string_agg(c.oid::regclass::text, ', ') FROM pg_class c
           WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind = 'v'
             AND NOT coalesce('security_invoker=true' = ANY (c.reloptions), false)), NULL,
          'every view runs as its reader (security_invoker), so row-level security applies through it');

------------------------------------------------------------------ privileges
SELECT is(pg_temp.seen(who, q), 'ERROR 42501', format('%s: %s is refused (42501)', who, q))
FROM (VALUES ('t_reader', 'SELECT email FROM recon.contact_details'),
             ('t_analyst', 'SELECT email FROM recon.contact_details'),
             ('t_reader', 'SELECT raw FROM recon.load_rejects'),
             ('t_analyst', 'SELECT raw FROM recon.load_rejects'),
             ('t_reader', 'SELECT login FROM recon.audit_log'),
             ('t_reader', 'SELECT 1 FROM recon.mv_report_layers'),
             ('t_analyst', 'SELECT 1 FROM recon.mv_report_layers'),
             ('t_outsider', 'SELECT record_id FROM recon.funnel_records'),
             ('t_outsider', 'SELECT recon.setting(''reporting_currency'')'),
             ('t_reader', 'SELECT recon.set_setting(''reporting_currency'', ''EUR'', ''x'')'),
             ('t_analyst', 'SELECT recon.set_setting(''reporting_currency'', ''EUR'', ''x'')'),
             ('t_reader', 'SELECT recon.propose_metric(''k'', ''d'', ''crm'', ''created_at'', ''x'')'),
             ('t_analyst', 'SELECT recon.accept_metric_proposal(1, ''x'')'),
             ('t_reader', 'SELECT recon.reject_link(''record_transaction'', ''t-de'', ''r-de'', ''x'')'),
             ('t_reader', 'SELECT batch_id FROM recon.load_text(''stripe_charges'', ''f.csv'', ''id'')'),
             ('t_reader', 'SELECT 1 FROM recon_refresh()'),
             ('t_analyst', 'SELECT 1 FROM recon_refresh()'),
             ('t_reader', 'SELECT 1 FROM recon_demo_generate(1, 10)'),
             ('t_analyst', 'SELECT recon.accept_restatement(''report_layers'', ''2026-01-01'', ''x'')')) AS t(who, q);
SELECT is(pg_temp.seen('t_reader', 'SELECT recon_normalize_email(''A@B.COM'')'), 'a@b.com',
          'the pure recon_* functions stay open to everyone');
SELECT is(pg_temp.seen('t_admin', 'SELECT email FROM recon.contact_details'), 'anna@example.de',
          'recon_admin reads raw contact data');
SELECT is(pg_temp.seen('t_analyst', 'SELECT record_key FROM recon.contact_details'), 'r-de',
          'recon_analyst sees which records have contact data, not the data');

-- The analyst works: manual decisions, proposals; the admin decides.
SELECT is(pg_temp.run_as(who, statement), expected, format('%s: %s', who, what))
FROM (VALUES
    ('t_analyst', $$SELECT recon.reject_link('record_transaction', 't-de', 'r-de', 'wrong order number')$$, 'ok',
     'recon_analyst rejects a link'),
    ('t_analyst', $$CALL recon.run_matching()$$, 'ERROR 42501', 'a scoped analyst may not run matching (it sees part of the layers)'),
    ('t_analyst', $$SELECT recon.propose_metric('collected_net', 'Payments minus refunds.', 'finance', 'occurred_at', 'finance asked')$$, 'ok',
     'recon_analyst proposes a metric'),
    ('t_analyst', $$UPDATE recon.settings SET value = 'EUR'$$, 'ERROR 42501', 'recon_analyst cannot write settings directly'),
    ('t_analyst', $$DELETE FROM recon.audit_log$$, 'ERROR 42501', 'recon_analyst cannot delete audit rows'),
    ('t_analyst', $$INSERT INTO recon.audit_log (login, acting_role, action, subject) VALUES ('x', 'x', 'insert', 'forged')$$,
     'ERROR 42501', 'recon_analyst cannot forge audit rows'),
    ('t_analyst', $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source, market)
                    VALUES ('r-us-2', 'order', 'hubspot', now(), 'new', 'test', 'US')$$,
     'ERROR 42501', 'a scoped analyst cannot write rows outside its scope'),
    ('t_analyst', $$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source, market)
                    VALUES ('r-de-2', 'order', 'hubspot', now(), 'new', 'test', 'DE')$$,
     'ok', 'a scoped analyst writes rows in its scope'),
    ('t_admin', $$SELECT count(*) FROM recon_refresh()$$, 'ok', 'recon_admin refreshes the materialized layers'),
    ('t_admin', $$SELECT recon.set_setting('reporting_currency', 'EUR', 'books in euros')$$, 'ok', 'recon_admin changes a setting'),
    ('t_admin', $$SELECT recon.accept_metric_proposal((SELECT max(proposal_id) FROM recon.metric_proposals), 'agreed with finance')$$,
     'ok', 'recon_admin accepts the proposal'),
    ('t_admin', $$DELETE FROM recon.audit_log$$, 'ERROR 42501', 'recon_admin cannot delete audit rows either'),
    ('t_admin', $$UPDATE recon.audit_log SET reason = 'x'$$, 'ERROR 42501', '... nor change them')
) AS t(who, statement, expected, what);
SELECT is((SELECT version || ' ' || status FROM recon.metrics_contract WHERE kpi = 'collected_net'), '1 current',
          'the accepted proposal is version 1 of the KPI in the contract');
SELECT is((SELECT status || ' by ' || decided_by FROM recon.metric_proposals), 'accepted by t_admin', 'the proposal shows who accepted it');
SELECT throws_ok($$DELETE FROM recon.audit_log$$, '23001', NULL, 'even the owner meets the append-only trigger');
SELECT throws_ok($$TRUNCATE recon.audit_log$$, '23001', NULL, '... and TRUNCATE too');

------------------------------------------------------------------ the audit trail
SELECT results_eq(
    $$SELECT subject, action, login = session_user, acting_role, reason FROM recon.audit_log
      WHERE subject IN ('match_decisions', 'metric_proposals', 'metrics_contract_log', 'settings') ORDER BY audit_id$$,
    $$VALUES ('match_decisions', 'insert', true, 't_analyst', 'wrong order number'),
             ('metric_proposals', 'insert', true, 't_analyst', 'finance asked'),
             ('settings', 'insert', true, 't_admin', 'books in euros'),
             ('metrics_contract_log', 'insert', true, 't_admin',
              'proposal 1 by t_analyst: finance asked; accepted: agreed with finance'),
             ('metric_proposals', 'update', true, 't_admin', 'finance asked')$$,
    'manual rejections, proposals, settings and contract changes are audited: who, as which role, why');
SELECT is((SELECT after ->> 'value' FROM recon.audit_log WHERE subject = 'settings' ORDER BY audit_id DESC LIMIT 1), 'EUR',
          'the audit row keeps the row after the change');
SELECT is(recon.set_setting('reporting_currency', 'GBP', 'books in pounds'), 'GBP', 'a second change');
SELECT is((SELECT before ->> 'value' || '->' || (after ->> 'value') FROM recon.audit_log WHERE subject = 'settings' ORDER BY audit_id DESC LIMIT 1),
          'EUR->GBP', 'an update keeps before and after');
SET LOCAL recon.audit_reason = 'back to the default';
DELETE FROM recon.settings WHERE name = 'reporting_currency';
SELECT is((SELECT action || ': ' || reason FROM recon.audit_log WHERE subject = 'settings' ORDER BY audit_id DESC LIMIT 1),
          'delete: back to the default', 'a delete takes its reason from recon.audit_reason');
SELECT is((SELECT count(*)::int FROM recon.audit_log WHERE subject = 'access_scopes'), 5, 'granting scopes is audited');
SELECT is((SELECT subject_key::text || ' ' || (after ->> 'kind') FROM recon.audit_log WHERE subject = 'frozen_figures' AND reason = 'test freeze'),
          '{"period": "2026-01-01", "source": "report_layers", "version": 1} freeze',
          'a freeze is audited once per source, period and version');

------------------------------------------------------------------ PII
SELECT is(recon.setting('store_raw_contacts'), 'false', 'raw contacts are not stored by default');
SELECT throws_ok($$SELECT recon.load_text('hubspot_contacts', 'c.csv', 'Record ID,Email' || chr(10) || '1,a@b.com', '{"keep_pii": true}')$$,
                 '55000', NULL, 'a load asking to keep PII is refused while the setting is false');
SELECT throws_ok($$SELECT recon.set_setting('store_raw_contacts', 'yes')$$, '22023', NULL, 'store_raw_contacts is true or false');

------------------------------------------------------------------ definer functions, dynamic SQL
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ') FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'recon'
           WHERE p.prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')), NULL,
          'every SECURITY DEFINER function pins its search_path');
SELECT results_eq(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
      JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'recon'
      WHERE p.prosecdef ORDER BY 1$$,
    $$VALUES ('recon.audit_frozen_figures()'), ('recon.audit_row_change()'), ('recon_refresh()')$$,
    'the SECURITY DEFINER functions are the audit triggers and recon_refresh, nothing else');
SELECT is((SELECT string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1) FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'recon'
           WHERE p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'plpgsql')
             AND p.prosrc ~ '\mEXECUTE\s+(?!format\s*\(|''|\$q\$|FUNCTION\M)'), 'recon.bulk_load_end(jsonb)',
          'dynamic SQL goes through format() or constant text with USING, except bulk_load_end''s saved definitions');
SELECT throws_ok($$SELECT recon.bulk_load_end('{"keys": [{"table": "recon.settings", "name": "x", "definition": "CHECK (true); DROP TABLE recon.settings"}]}')$$,
                 '22023', NULL, 'bulk_load_end refuses definitions bulk_load_begin did not save');

------------------------------------------------------------------ hostile names and values
-- Names and values that would end a statement or a quoted identifier if they were pasted
-- into SQL: each is refused with the function's own error, or stored as plain data.
SELECT throws_ok(format('SELECT recon.materialize_layer(%L, ARRAY[''x''])', 'report_layers"; DROP TABLE recon.settings; --'),
                 '42809', NULL, 'materialize_layer: a hostile view name is not a view (42809)');
SELECT throws_ok(format('SELECT recon.materialize_layer(''report_layers'', ARRAY[%L])', 'layer"); DROP TABLE recon.settings; --'),
                 '42703', NULL, 'materialize_layer: a hostile key column is not a column (42703)');
SELECT throws_ok(format('SELECT recon.set_setting(%L, ''x'')', 'x''; DROP TABLE recon.settings; --'),
                 '42704', NULL, 'set_setting: a hostile setting name is unknown (42704)');
SELECT throws_ok(format('SELECT recon.load_text(%L, ''f.csv'', ''a,b'')', 'stripe_charges''; DROP TABLE recon.settings; --'),
                 '22023', NULL, 'load_text: a hostile format name is unknown (22023)');
SELECT throws_ok(format('SELECT recon.check_cron_schedule(%L)', '* * * * *''; DROP TABLE recon.settings; --'),
                 '22023', NULL, 'check_cron_schedule: a hostile schedule is not a schedule (22023)');
SELECT throws_ok(format('INSERT INTO recon.access_scopes (grantee, market, reason) VALUES (%L, ''DE'', ''x'')', 'x"; DROP ROLE recon_admin; --'),
                 '42704', NULL, 'access_scopes: a hostile role name is no role (42704)');
SELECT throws_ok(format('SELECT recon_internal_key(''a@b.com'', %L)', 'email''; DROP TABLE recon.settings; --'),
                 '22023', NULL, 'recon_internal_key: a hostile field name is refused (22023)');
SELECT is((SELECT rows_loaded || ' ' || batch_id FROM recon.load_text('invoices_csv', 'hostile.csv',
              E'Document No.,Type,Status,Date,Customer ID,Order No.,Currency,Amount\n'
              || E'"INV-1\'); DROP TABLE recon.settings; --",Invoice,Open,2026-03-02,"C-1""; DROP TABLE recon.funnel_records; --",,USD,10.00\n',
              '{"batch_id": "b''); DROP TABLE recon.load_batches; --"}')),
          '1 b''); DROP TABLE recon.load_batches; --', 'a load with hostile ids and batch id writes them as data');
SELECT is((SELECT transaction_id || ' | ' || customer_id FROM recon.finance_transactions WHERE batch_id LIKE 'b%DROP%'),
          'INV-1''); DROP TABLE recon.settings; -- | C-1"; DROP TABLE recon.funnel_records; --', '... unchanged, character for character');
SELECT has_table('recon', t, format('recon.%s is still there', t))
FROM unnest(ARRAY['settings', 'funnel_records', 'load_batches']) t;
SELECT is((SELECT count(*)::int FROM pg_roles WHERE rolname = 'recon_admin'), 1, 'recon_admin is still there');

SELECT * FROM finish();
ROLLBACK;
