-- Audit: every governed change (settings, manual link decisions, the metrics contract
-- and its proposals, ladders and stage maps, freezes and restatements, access scopes)
-- lands in one append-only table with who, when, before, after and why. The writing
-- trigger runs as the extension owner, so ordinary roles can read the log but never
-- write, change or delete it themselves.

CREATE TABLE recon.audit_log (
    audit_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    login           text NOT NULL,
    acting_role     text NOT NULL,
    action          text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    subject         text NOT NULL,
    subject_key     jsonb,
    before          jsonb,
    after           jsonb,
    reason          text,
    xact_id         xid8 NOT NULL DEFAULT pg_current_xact_id()
);
COMMENT ON TABLE recon.audit_log IS
    'Append-only audit of governed changes: settings, manual link confirmations and rejections (match_decisions), the metrics contract and its proposals, ladders and stage maps, freezes and restatements (one row per source, period and version), tenants and access scopes. login is the session user, acting_role the role set with SET ROLE (else the login); before and after are the rows as JSON; reason is the written row''s reason column, else (and for deletes) the transaction''s SET LOCAL recon.audit_reason. Readable by recon_analyst and recon_admin; nobody but the extension owner writes it, and UPDATE, DELETE and TRUNCATE are rejected (23001).';
COMMENT ON COLUMN recon.audit_log.subject_key IS
    'The changed row''s primary key as JSON (for freezes: source, period and version).';
SELECT pg_catalog.pg_extension_config_dump('recon.audit_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.audit_log_audit_id_seq', '');
CREATE INDEX audit_log_subject ON recon.audit_log (subject, occurred_at);
SELECT recon.make_append_only('recon.audit_log');

-- Who made the change: the login, and the role it acts as (SET ROLE), which a
-- SECURITY DEFINER function cannot see as current_user.
CREATE FUNCTION recon.audit_acting_role() RETURNS text
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT CASE WHEN current_setting('role') = 'none' THEN session_user::text ELSE current_setting('role') END
$$;
COMMENT ON FUNCTION recon.audit_acting_role() IS
    'The role a change is made as: the SET ROLE role, else the session user (used by the audit trigger, which runs as the extension owner).';

-- pg_restore (and psql replaying a plain dump) writes extension tables with COPY as a
-- superuser after CREATE EXTENSION has made the triggers: the audit log is restored with
-- the rest, so auditing those rows again would duplicate history.
CREATE FUNCTION recon.audit_is_restore() RETURNS boolean
LANGUAGE sql STABLE SET search_path = pg_catalog, pg_temp AS $$
    SELECT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = session_user), false)
           AND current_query() ~* '^\s*COPY\s'
$$;
COMMENT ON FUNCTION recon.audit_is_restore() IS
    'True while a superuser session runs COPY (how pg_restore and a plain dump write table data): the audit triggers skip those rows, which the restored audit log already records. Every other write, COPY by other roles included, is audited.';

-- Row trigger: one audit row per inserted, updated or deleted row.
CREATE FUNCTION recon.audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    before_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
    after_row  jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    key_columns text[] := TG_ARGV::text[];
    key jsonb;
BEGIN
    IF recon.audit_is_restore() THEN
        RETURN NULL;
    END IF;
    SELECT jsonb_object_agg(k, coalesce(after_row, before_row) -> k) INTO key FROM unnest(key_columns) k;
    INSERT INTO recon.audit_log (login, acting_role, action, subject, subject_key, before, after, reason)
    VALUES (session_user, recon.audit_acting_role(), lower(TG_OP), TG_TABLE_NAME, key, before_row, after_row,
            -- a deleted row's reason column tells why it was written, not why it goes
            coalesce(after_row ->> 'reason', nullif(current_setting('recon.audit_reason', true), '')));
    RETURN NULL;
END $$;
COMMENT ON FUNCTION recon.audit_row_change() IS
    'Trigger (AFTER each row; arguments: the key columns): writes the change to recon.audit_log with the row before and after, as the extension owner (SECURITY DEFINER, search_path pinned), so the log needs no write privilege of its users.';

-- Statement trigger for freezes and restatements: one audit row per source, period and version.
CREATE FUNCTION recon.audit_frozen_figures() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF recon.audit_is_restore() THEN
        RETURN NULL;
    END IF;
    INSERT INTO recon.audit_log (login, acting_role, action, subject, subject_key, after, reason)
    SELECT session_user, recon.audit_acting_role(), 'insert', TG_TABLE_NAME,
           jsonb_build_object('source', source, 'period', period, 'version', version),
           jsonb_build_object('figures', count(*), 'kind', CASE WHEN version = 1 THEN 'freeze' ELSE 'restatement' END),
           min(reason)
    FROM new_figures
    GROUP BY source, period, version
    ORDER BY source, period, version;
    RETURN NULL;
END $$;
COMMENT ON FUNCTION recon.audit_frozen_figures() IS
    'Trigger (AFTER INSERT statement on recon.frozen_figures): one audit row per source, period and version written (kind freeze for version 1, restatement after), with the figure count and the reason.';

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON recon.settings
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('name');
CREATE TRIGGER audit AFTER INSERT ON recon.match_decisions
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('decision_id');
CREATE TRIGGER audit AFTER INSERT ON recon.metrics_contract_log
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('kpi', 'version');
CREATE TRIGGER audit AFTER INSERT ON recon.ladder_log
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('change_id');
CREATE TRIGGER audit AFTER INSERT ON recon.stage_map_log
    FOR EACH ROW EXECUTE FUNCTION recon.audit_row_change('change_id');
CREATE TRIGGER audit AFTER INSERT ON recon.frozen_figures
    REFERENCING NEW TABLE AS new_figures
    FOR EACH STATEMENT EXECUTE FUNCTION recon.audit_frozen_figures();
