-- The data model's schema and what every table shares (governance columns).
-- Tables, views and procedures live in schema recon; analyst functions and types
-- (recon_*) live in the extension's schema.

CREATE SCHEMA recon;
COMMENT ON SCHEMA recon IS
    'recon data model: platform, funnel and collected layers, settings, FX rates, metrics contract, reports.';

-- Every table carries: record_source (which system or file), batch_id (which load),
-- loaded_at / updated_at, and dq_flags (data-quality findings, e.g. {mangled_id}).
CREATE FUNCTION recon.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.touch_updated_at() IS
    'Trigger: keeps updated_at current on every UPDATE of a recon table.';

-- Raise 23001 for any change to an append-only table.
CREATE FUNCTION recon.reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is not allowed: the table is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Record a new version or a correcting entry instead; history is never rewritten.';
END $$;
COMMENT ON FUNCTION recon.reject_change() IS
    'Trigger: rejects UPDATE, DELETE and TRUNCATE on append-only tables (SQLSTATE 23001).';

-- Make a table append-only: <table>_append_only rejects UPDATE and DELETE, <table>_no_truncate TRUNCATE.
CREATE FUNCTION recon.make_append_only(tbl regclass) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT relname FROM pg_class WHERE oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION recon.reject_change()',
                   name || '_append_only', tbl);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION recon.reject_change()',
                   name || '_no_truncate', tbl);
END $$;
COMMENT ON FUNCTION recon.make_append_only(regclass) IS
    'Makes a table append-only: triggers <table>_append_only (UPDATE, DELETE) and <table>_no_truncate (TRUNCATE) raise 23001 through recon.reject_change().';

-- The platforms recon knows and the clock their reports use.
CREATE TABLE recon.platforms (
    platform      text COLLATE "C" PRIMARY KEY,
    display_name  text NOT NULL,
    report_clock  text NOT NULL CHECK (report_clock IN ('account_timezone', 'utc')),
    click_id_keys text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE recon.platforms IS
    'Ad platforms and the clock their reports use: account time zone (Meta, Google, Microsoft) or UTC (TikTok, LinkedIn, Snap, Pinterest, Reddit). Shipped with the extension.';
INSERT INTO recon.platforms VALUES
    ('meta',      'Meta Ads',               'account_timezone', '{fbclid,fbc,ctwa_clid}'),
    ('google',    'Google Ads',             'account_timezone', '{gclid,gbraid,wbraid}'),
    ('microsoft', 'Microsoft Advertising',  'account_timezone', '{msclkid}'),
    ('tiktok',    'TikTok Ads',             'utc',              '{ttclid}'),
    ('linkedin',  'LinkedIn Ads',           'utc',              '{li_fat_id}'),
    ('snap',      'Snapchat Ads',           'utc',              '{ScCid}'),
    ('pinterest', 'Pinterest Ads',          'utc',              '{epik}'),
    ('reddit',    'Reddit Ads',             'utc',              '{rdt_cid}');

-- Channels a CRM record can be attributed to: every platform plus non-paid sources.
CREATE TABLE recon.channels (
    channel       text COLLATE "C" PRIMARY KEY,
    display_name  text NOT NULL,
    platform      text COLLATE "C" REFERENCES recon.platforms
);
COMMENT ON TABLE recon.channels IS
    'Values allowed in funnel_records.channel: each ad platform (platform set) plus organic, direct, email, referral and unknown. Shipped with the extension.';
INSERT INTO recon.channels
    SELECT platform, display_name, platform FROM recon.platforms
    UNION ALL
    VALUES ('organic', 'Organic search and social', NULL), ('direct', 'Direct', NULL),
           ('email', 'Email', NULL), ('referral', 'Referral', NULL), ('unknown', 'Unknown', NULL);

-- Bulk loads. Measured on funnel_stage_history: a row costs 0.8 us to insert
-- into a bare table, 2.2 us with its primary key and 8.8 us with its foreign
-- key, which PostgreSQL checks row by row. Like pg_restore, a bulk writer drops
-- the keys, indexes and foreign keys of the tables it fills, loads, and builds
-- them again at the end: one sort per index and one join per foreign key, which
-- also validates every loaded row. Both halves run in the caller's transaction,
-- so on any error the rollback restores the constraints; the tables stay locked
-- (ACCESS EXCLUSIVE) until the transaction ends.
CREATE FUNCTION recon.bulk_load_begin(tables regclass[]) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    item record;
    fks jsonb := '[]';
    keys jsonb := '[]';
    indexes jsonb := '[]';
BEGIN
    -- Checks of deferred foreign keys still pending from earlier writes in this
    -- transaction (deletes included) make ALTER TABLE fail: run them now.
    FOR item IN
        SELECT DISTINCT n.nspname, c.conname
        FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'f' AND c.condeferrable AND (c.conrelid = ANY (tables) OR c.confrelid = ANY (tables))
    LOOP
        EXECUTE format('SET CONSTRAINTS %I.%I IMMEDIATE', item.nspname, item.conname);
    END LOOP;
    FOR item IN
        SELECT DISTINCT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype = 'f' AND (c.conrelid = ANY (tables) OR c.confrelid = ANY (tables))
        ORDER BY 1, 2
    LOOP
        fks := fks || jsonb_build_object('table', item.tbl::text, 'name', item.conname, 'definition', item.def);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
    END LOOP;
    FOR item IN
        SELECT c.conrelid::regclass AS tbl, c.conname, pg_get_constraintdef(c.oid) AS def
        FROM pg_constraint c
        WHERE c.contype IN ('p', 'u') AND c.conrelid = ANY (tables)
        ORDER BY 1, 2
    LOOP
        keys := keys || jsonb_build_object('table', item.tbl::text, 'name', item.conname, 'definition', item.def);
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', item.tbl, item.conname);
    END LOOP;
    FOR item IN
        SELECT i.indexrelid::regclass AS idx, pg_get_indexdef(i.indexrelid) AS def
        FROM pg_index i
        WHERE i.indrelid = ANY (tables)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
    LOOP
        indexes := indexes || to_jsonb(item.def);
        EXECUTE format('DROP INDEX %s', item.idx);
    END LOOP;
    -- bulk_load_end runs these definitions as SQL: it accepts only what this session saved here.
    CREATE TEMP TABLE IF NOT EXISTS recon_bulk_saved (saved jsonb NOT NULL) ON COMMIT DROP;
    INSERT INTO pg_temp.recon_bulk_saved
    VALUES (jsonb_build_object('keys', keys, 'indexes', indexes, 'foreign_keys', fks));
    RETURN jsonb_build_object('keys', keys, 'indexes', indexes, 'foreign_keys', fks);
END $$;
COMMENT ON FUNCTION recon.bulk_load_begin(regclass[]) IS
    'Before a bulk load: drops the primary/unique keys, indexes and foreign keys (theirs and those pointing at them) of the given tables and returns their definitions for recon.bulk_load_end (and keeps a copy in the transaction, which bulk_load_end checks). Call both in one transaction.';

CREATE FUNCTION recon.bulk_load_end(saved jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    item jsonb;
    n bigint := 0;
BEGIN
    -- The definitions are executed as SQL, so they must be exactly what bulk_load_begin
    -- saved in this transaction, not a document a caller wrote.
    IF to_regclass('pg_temp.recon_bulk_saved') IS NOT NULL THEN   -- (its own IF: the DELETE cannot be planned without the table)
        DELETE FROM pg_temp.recon_bulk_saved b WHERE b.saved = bulk_load_end.saved;
        GET DIAGNOSTICS n = ROW_COUNT;
    END IF;
    IF n = 0 THEN
        RAISE EXCEPTION 'recon.bulk_load_end: these definitions were not saved by recon.bulk_load_begin in this transaction'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass the value recon.bulk_load_begin returned, unchanged, in the same transaction.';
    END IF;
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'keys') LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', item->>'table', item->>'name', item->>'definition');
    END LOOP;
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'indexes') LOOP
        EXECUTE item #>> '{}';
    END LOOP;
    FOR item IN SELECT * FROM jsonb_array_elements(saved->'foreign_keys') LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', item->>'table', item->>'name', item->>'definition');
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.bulk_load_end(jsonb) IS
    'After a bulk load: rebuilds the keys, indexes and foreign keys saved by recon.bulk_load_begin, validating every row (23505 for a duplicate key, 23503 for a dangling reference); 22023 for definitions bulk_load_begin did not save in this transaction (they are run as SQL).';
