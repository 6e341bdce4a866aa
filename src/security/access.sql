-- Least privilege and row-level security (docs/security.md).
--
-- Three roles, each including the one before: recon_reader reads the layer views and
-- reports (through security-invoker views, so the tables beneath them are filtered by
-- the reader's scope; raw contact data is never granted); recon_analyst also runs
-- matching, confirms and rejects links, loads exports and proposes contract changes;
-- recon_admin also changes settings, the contract, ladders, scopes, freezes and
-- restatements, refreshes the materialized layers and reads raw contact data.
--
-- Scopes: which ad accounts and markets a role sees. recon_admin and a role with an
-- all_rows scope see everything; any other role sees the platform rows of its ad
-- accounts and the CRM and finance rows of its markets; a tenant bundles both. A role
-- without a scope sees no scoped rows. This file runs last in the install script (and
-- whole in the upgrade): it grants on every object the others created.

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['recon_reader', 'recon_analyst', 'recon_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', r);
        END IF;
    END LOOP;
END $$;
GRANT recon_reader TO recon_analyst;
GRANT recon_analyst TO recon_admin;
COMMENT ON ROLE recon_reader IS
    'recon: reads layer views and reports within its scope (recon.access_scopes); hashed identifiers only.';
COMMENT ON ROLE recon_analyst IS
    'recon: recon_reader plus matching, manual link decisions, loads and metrics-contract proposals.';
COMMENT ON ROLE recon_admin IS
    'recon: recon_analyst plus settings, contract, ladders, scopes, freezes, restatements, refresh and raw contact data; sees every row.';

------------------------------------------------------------ scopes
CREATE TABLE recon.tenants (
    tenant       text COLLATE "C" PRIMARY KEY CHECK (tenant ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
    description  text,
    created_by   text NOT NULL DEFAULT current_user,
    created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon.tenants IS
    'Tenants of a shared warehouse: a named bundle of ad accounts and markets (recon.tenant_members) that recon.access_scopes can grant at once.';
SELECT pg_catalog.pg_extension_config_dump('recon.tenants', '');

CREATE TABLE recon.tenant_members (
    tenant      text COLLATE "C" NOT NULL REFERENCES recon.tenants ON DELETE CASCADE,
    platform    text COLLATE "C" REFERENCES recon.platforms,
    account_id  text COLLATE "C",
    market      text COLLATE "C",
    CONSTRAINT tenant_members_account_or_market CHECK (
        (platform IS NOT NULL AND account_id IS NOT NULL AND market IS NULL)
        OR (platform IS NULL AND account_id IS NULL AND market IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (tenant, platform, account_id, market)
);
COMMENT ON TABLE recon.tenant_members IS
    'What a tenant holds: an ad account (platform, account_id) or a market per row.';
SELECT pg_catalog.pg_extension_config_dump('recon.tenant_members', '');

CREATE TABLE recon.access_scopes (
    scope_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grantee     text NOT NULL,
    all_rows    boolean NOT NULL DEFAULT false,
    tenant      text COLLATE "C" REFERENCES recon.tenants ON DELETE CASCADE,
    platform    text COLLATE "C" REFERENCES recon.platforms,
    account_id  text COLLATE "C",
    market      text COLLATE "C",
    reason      text NOT NULL CHECK (btrim(reason) <> ''),
    granted_by  text NOT NULL DEFAULT current_user,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT access_scopes_one_kind CHECK (
        num_nonnulls(nullif(all_rows, false), tenant, account_id, market) = 1
        AND (platform IS NULL) = (account_id IS NULL))
);
COMMENT ON TABLE recon.access_scopes IS
    'Row-level access: which rows a role (grantee, and every role that has its privileges) sees in the scoped tables. One kind per row: all_rows, a tenant, an ad account (platform, account_id: its platform-layer rows) or a market (its funnel records, their stage history and finance transactions). recon_admin sees every row without a scope. A role reads only the scopes granted to roles it has the privileges of.';
SELECT pg_catalog.pg_extension_config_dump('recon.access_scopes', '');
SELECT pg_catalog.pg_extension_config_dump('recon.access_scopes_scope_id_seq', '');
CREATE INDEX access_scopes_grantee ON recon.access_scopes (grantee);

-- A scope must name an existing role: a typo would silently grant nothing.
CREATE FUNCTION recon.access_scopes_check_grantee() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF to_regrole(quote_ident(NEW.grantee)) IS NULL THEN
        RAISE EXCEPTION 'access scope for role %: no such role', quote_literal(NEW.grantee)
            USING ERRCODE = 'undefined_object', HINT = 'CREATE ROLE it first, or correct the name (case matters).';
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.access_scopes_check_grantee() IS
    'Trigger: a scope''s grantee must be an existing role (42704 otherwise).';
CREATE TRIGGER check_grantee BEFORE INSERT OR UPDATE ON recon.access_scopes
    FOR EACH ROW EXECUTE FUNCTION recon.access_scopes_check_grantee();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON recon.tenants
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('tenant');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON recon.tenant_members
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('tenant', 'platform', 'account_id', 'market');
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON recon.access_scopes
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('scope_id');

-- Scope tables are read under their own policy: a role sees its own grants.
ALTER TABLE recon.access_scopes ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_scopes ON recon.access_scopes FOR SELECT
    USING (pg_has_role(current_user, 'recon_admin', 'USAGE') OR pg_has_role(current_user, grantee, 'USAGE'));
ALTER TABLE recon.tenant_members ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_tenants ON recon.tenant_members FOR SELECT
    USING (pg_has_role(current_user, 'recon_admin', 'USAGE')
           OR tenant IN (SELECT s.tenant FROM recon.access_scopes s WHERE s.tenant IS NOT NULL));

CREATE FUNCTION recon.scope_unrestricted() RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT pg_has_role(current_user, 'recon_admin', 'USAGE')
           OR EXISTS (SELECT 1 FROM recon.access_scopes s WHERE s.all_rows AND pg_has_role(current_user, s.grantee, 'USAGE'))
$$;
COMMENT ON FUNCTION recon.scope_unrestricted() IS
    'True when the current role sees every row: it has recon_admin''s privileges (superusers do) or an all_rows scope.';

CREATE FUNCTION recon.scope_accounts() RETURNS TABLE (platform text, account_id text)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.platform, s.account_id FROM recon.access_scopes s
    WHERE s.account_id IS NOT NULL AND pg_has_role(current_user, s.grantee, 'USAGE')
    UNION
    SELECT m.platform, m.account_id FROM recon.access_scopes s JOIN recon.tenant_members m USING (tenant)
    WHERE m.account_id IS NOT NULL AND pg_has_role(current_user, s.grantee, 'USAGE')
$$;
COMMENT ON FUNCTION recon.scope_accounts() IS
    'The ad accounts (platform, account_id) the current role is scoped to, directly or through tenants.';

CREATE FUNCTION recon.scope_markets() RETURNS SETOF text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.market FROM recon.access_scopes s
    WHERE s.market IS NOT NULL AND pg_has_role(current_user, s.grantee, 'USAGE')
    UNION
    SELECT m.market FROM recon.access_scopes s JOIN recon.tenant_members m USING (tenant)
    WHERE m.market IS NOT NULL AND pg_has_role(current_user, s.grantee, 'USAGE')
$$;
COMMENT ON FUNCTION recon.scope_markets() IS
    'The markets the current role is scoped to, directly or through tenants.';

CREATE VIEW recon.my_scope AS
    SELECT current_user::text AS role_name, recon.scope_unrestricted() AS all_rows,
           ARRAY(SELECT a.platform || ':' || a.account_id FROM recon.scope_accounts() a ORDER BY 1) AS ad_accounts,
           ARRAY(SELECT m FROM recon.scope_markets() m ORDER BY 1) AS markets;
COMMENT ON VIEW recon.my_scope IS
    'What the current role sees: every row (all_rows), or these ad accounts (platform:account_id) and markets.';

------------------------------------------------------------ row-level security
-- Policies apply to every role but the owner (superusers and the extension owner
-- bypass them). Each scope test is an uncorrelated subquery, run once per query.
DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['ad_accounts', 'ad_delivery_daily', 'platform_conversions_daily',
                             'conversion_signals', 'ad_clicks'] LOOP
        EXECUTE format('ALTER TABLE recon.%I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format($p$CREATE POLICY scope ON recon.%I
            USING ((SELECT recon.scope_unrestricted())
                   OR (platform, account_id) IN (SELECT a.platform, a.account_id FROM recon.scope_accounts() a))$p$, t);
    END LOOP;
END $$;

ALTER TABLE recon.funnel_records ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON recon.funnel_records
    USING ((SELECT recon.scope_unrestricted()) OR market IN (SELECT recon.scope_markets()));

ALTER TABLE recon.funnel_stage_history ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON recon.funnel_stage_history
    USING ((SELECT recon.scope_unrestricted())
           OR EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = funnel_stage_history.record_id));

-- A transaction is in scope when a visible record is its order, opportunity or customer.
ALTER TABLE recon.finance_transactions ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON recon.finance_transactions
    USING ((SELECT recon.scope_unrestricted())
           OR EXISTS (SELECT 1 FROM recon.funnel_records r
                      WHERE r.record_id IN (finance_transactions.order_id, finance_transactions.opportunity_id))
           OR (customer_id IS NOT NULL
               AND EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.customer_id = finance_transactions.customer_id)));

-- A link is in scope when its record side is visible (both signals for signal_signal).
ALTER TABLE recon.match_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON recon.match_links
    USING ((SELECT recon.scope_unrestricted())
           OR (link_type <> 'signal_signal'
               AND EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = match_links.right_id))
           OR (link_type = 'signal_signal'
               AND EXISTS (SELECT 1 FROM recon.conversion_signals s WHERE s.signal_key::text = match_links.right_id)));

-- Frozen figures are totals over every account and market: only for unrestricted roles.
ALTER TABLE recon.frozen_figures ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON recon.frozen_figures USING ((SELECT recon.scope_unrestricted()));

------------------------------------------------------------ views run as their reader
-- A view normally reads its tables with its owner's rights, which would skip the
-- policies above; security_invoker makes every view read as the querying role.
DO $$
DECLARE
    v regclass;
BEGIN
    FOR v IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind = 'v' LOOP
        EXECUTE format('ALTER VIEW %s SET (security_invoker = true)', v);
    END LOOP;
END $$;

------------------------------------------------------------ privileges
GRANT USAGE ON SCHEMA recon TO recon_reader;

-- Reader: every table and view, except raw contacts, load internals, the audit log, the
-- scope tables (read through their own policies) and the materialized layers (computed
-- over every account and market; restricted roles read the live views).
GRANT SELECT ON ALL TABLES IN SCHEMA recon TO recon_reader;
REVOKE SELECT ON recon.contact_details, recon.load_rejects, recon.audit_log FROM recon_reader;
DO $$
DECLARE
    m regclass;
BEGIN
    FOR m IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind = 'm' LOOP
        EXECUTE format('REVOKE SELECT ON %s FROM recon_reader', m);
        EXECUTE format('GRANT SELECT ON %s TO recon_admin', m);
    END LOOP;
END $$;

-- Analyst: writes the layers, links, loads and proposals; reads the audit log and the
-- rejects without their raw rows.
GRANT INSERT, UPDATE, DELETE ON
    recon.ad_accounts, recon.ad_delivery_daily, recon.platform_conversions_daily, recon.conversion_signals,
    recon.ad_clicks, recon.funnel_records, recon.funnel_stage_history, recon.finance_transactions,
    recon.fx_rates, recon.match_runs, recon.match_links, recon.match_ambiguities, recon.match_models,
    recon.load_batches, recon.load_rejects, recon.load_record_links
    TO recon_analyst;
GRANT INSERT ON recon.match_decisions, recon.metric_proposals TO recon_analyst;
GRANT SELECT (batch_id, source_file, line_number, disposition, reasons) ON recon.load_rejects TO recon_analyst;
GRANT SELECT ON recon.audit_log TO recon_analyst;
-- loads with keep_pii (only when store_raw_contacts is true) write raw contacts they cannot read back
GRANT SELECT (layer, record_key, record_source, batch_id), INSERT, UPDATE, DELETE ON recon.contact_details TO recon_analyst;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA recon TO recon_analyst;

-- Admin: everything, except changing history (append-only tables keep their triggers,
-- and the audit log is written only by its trigger).
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA recon TO recon_admin;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON recon.audit_log FROM recon_admin;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA recon TO recon_admin;

-- Functions: nothing for PUBLIC in schema recon. Readers may call all of it: what writes
-- fails without the table privileges, and the entry points below say so up front.
REVOKE EXECUTE ON ALL ROUTINES IN SCHEMA recon FROM PUBLIC;
GRANT EXECUTE ON ALL ROUTINES IN SCHEMA recon TO recon_reader;
-- the scope tests run inside every policy, whoever reads
GRANT EXECUTE ON FUNCTION recon.scope_unrestricted(), recon.scope_accounts(), recon.scope_markets() TO PUBLIC;

-- Entry points for analysts and for admins: taken from readers, given to the role, so that
-- a reader is told "permission denied for function" before anything runs.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT routine::regprocedure AS routine, role_name FROM (VALUES
            ('recon.run_matching(text[], float8)', 'recon_analyst'),
            ('recon.confirm_link(text, text, text, text)', 'recon_analyst'),
            ('recon.reject_link(text, text, text, text)', 'recon_analyst'),
            ('recon.propose_metric(text, text, text, text, text, text, text, text)', 'recon_analyst'),
            ('recon.set_setting(text, text, text)', 'recon_admin'),
            ('recon.define_metric(text, text, text, text, text, text, text, text, timestamptz)', 'recon_admin'),
            ('recon.retire_metric(text, text, timestamptz)', 'recon_admin'),
            ('recon.install_default_contract(text, timestamptz)', 'recon_admin'),
            ('recon.accept_metric_proposal(bigint, text, timestamptz)', 'recon_admin'),
            ('recon.decline_metric_proposal(bigint, text)', 'recon_admin'),
            ('recon.map_stage(text, text, text, text, text)', 'recon_admin'),
            ('recon.apply_ladder_preset(text, text, text, text)', 'recon_admin'),
            ('recon.accept_restatement(text, date, text)', 'recon_admin'),
            ('recon.freeze_periods()', 'recon_admin'),
            ('recon.materialize_layer(name, name[])', 'recon_admin'),
            ('recon.bulk_load_begin(regclass[])', 'recon_admin'),
            ('recon.bulk_load_end(jsonb)', 'recon_admin'),
            ('recon.demo_clear()', 'recon_admin')) AS t(routine, role_name)
        UNION ALL   -- every loader function (entry points, mappers, writers; some take SQL text by design)
        SELECT p.oid::regprocedure, 'recon_analyst' FROM pg_proc p
        WHERE p.pronamespace = 'recon'::regnamespace AND p.proname LIKE 'load\_%'
    LOOP
        EXECUTE format('REVOKE EXECUTE ON ROUTINE %s FROM recon_reader', r.routine);
        EXECUTE format('GRANT EXECUTE ON ROUTINE %s TO %I', r.routine, r.role_name);
    END LOOP;
END $$;

-- The demo generator's ground truth is for whoever runs the demo.
GRANT USAGE ON SCHEMA recon_truth TO recon_admin;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA recon_truth TO recon_admin;

-- In the extension's schema the recon_* functions are pure (normalize, hash, parse,
-- aggregate) and stay PUBLIC, except those that touch recon's tables.
REVOKE EXECUTE ON FUNCTION @extschema@.recon_refresh(), @extschema@.recon_schedule_refresh(text, text),
    @extschema@.recon_unschedule_refresh(text), @extschema@.recon_purge_refresh_runs(interval),
    @extschema@.recon_demo_generate(bigint, integer, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.recon_refresh(), @extschema@.recon_schedule_refresh(text, text),
    @extschema@.recon_unschedule_refresh(text), @extschema@.recon_purge_refresh_runs(interval),
    @extschema@.recon_demo_generate(bigint, integer, jsonb) TO recon_admin;
