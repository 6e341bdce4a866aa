-- pgTAP: recon.bulk_load_begin / recon.bulk_load_end (src/model/schema.sql) on
-- recon.funnel_records and recon.funnel_stage_history: what begin takes away, that
-- end gives back the same definitions, and that end validates what was loaded.
BEGIN;
SELECT plan(33);

-- Keys, foreign keys and checks on or pointing at the two tables, and their indexes.
CREATE FUNCTION pg_temp.constraint_defs() RETURNS TABLE (tbl text, name text, kind "char", definition text, validated boolean)
LANGUAGE sql AS $$
    SELECT c.conrelid::regclass::text, c.conname::text, c.contype, pg_get_constraintdef(c.oid), c.convalidated
    FROM pg_constraint c
    WHERE c.conrelid IN ('recon.funnel_records'::regclass, 'recon.funnel_stage_history'::regclass)
       OR c.confrelid IN ('recon.funnel_records'::regclass, 'recon.funnel_stage_history'::regclass)
$$;
CREATE FUNCTION pg_temp.index_defs() RETURNS TABLE (name text, definition text)
LANGUAGE sql AS $$
    SELECT indexname::text, indexdef FROM pg_indexes
    WHERE schemaname = 'recon' AND tablename IN ('funnel_records', 'funnel_stage_history')
$$;
CREATE TEMP TABLE constraints_before AS SELECT * FROM pg_temp.constraint_defs();
CREATE TEMP TABLE indexes_before AS SELECT * FROM pg_temp.index_defs();

SELECT set_eq($$SELECT name, kind FROM constraints_before WHERE kind IN ('p', 'u', 'f')$$,
              $$VALUES ('funnel_records_pkey', 'p'::"char"), ('funnel_records_channel_fkey', 'f'),
                       ('funnel_records_parent_record_id_fkey', 'f'), ('funnel_stage_history_pkey', 'p'),
                       ('funnel_stage_history_record_id_fkey', 'f')$$,
              'before: the two primary keys, the channel and parent foreign keys, and the stage history''s foreign key');
SELECT set_eq($$SELECT name FROM indexes_before$$,
              ARRAY['funnel_records_pkey', 'funnel_records_customer', 'funnel_stage_history_pkey'],
              'before: two key indexes and the customer index');

-- A few records and their stages, written in this transaction: the deferred
-- parent foreign key leaves checks pending until commit.
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, customer_id, stage, record_source)
VALUES ('BL-LEAD-1', 'lead', 'crm', '2026-02-01 09:00+00', 'email', 'CUS-BL-1', 'captured', 'bulk-test'),
       ('BL-LEAD-2', 'lead', 'crm', '2026-02-02 09:00+00', 'organic', NULL, 'captured', 'bulk-test');
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, parent_record_id, stage, record_source)
VALUES ('BL-OPP-1', 'opportunity', 'crm', '2026-02-03 09:00+00', 'email', 'BL-LEAD-1', 'qualified', 'bulk-test');
INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
VALUES ('BL-LEAD-1', 'captured', '2026-02-01 09:00+00', 'bulk-test'), ('BL-OPP-1', 'qualified', '2026-02-03 09:00+00', 'bulk-test');

------------------------------------------------------------------ begin
CREATE TEMP TABLE saved (defs jsonb);
SELECT lives_ok($$INSERT INTO saved SELECT recon.bulk_load_begin(ARRAY['recon.funnel_records', 'recon.funnel_stage_history']::regclass[])$$,
                'bulk_load_begin runs, even with deferred checks pending from this transaction');
SELECT is_empty($$SELECT * FROM pg_temp.constraint_defs() WHERE kind IN ('p', 'u', 'f')$$,
                'begin drops the primary keys and every foreign key from or to the tables');
SELECT is_empty($$SELECT * FROM pg_temp.index_defs()$$, 'begin drops every index of the tables');
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before WHERE kind = 'c'$$,
              'check constraints stay (they cost little and are checked row by row)');
SELECT results_eq($$SELECT jsonb_array_length(defs->'keys'), jsonb_array_length(defs->'indexes'),
                           jsonb_array_length(defs->'foreign_keys') FROM saved$$,
                  $$VALUES (2, 1, 3)$$, 'begin returns 2 keys, 1 index and 3 foreign keys');
SELECT set_eq($$SELECT f->>'table' AS tbl, f->>'name' AS name, f->>'definition' AS definition FROM saved, jsonb_array_elements(defs->'keys' || (defs->'foreign_keys')) f$$,
              $$SELECT tbl, name, definition FROM constraints_before WHERE kind IN ('p', 'f')$$,
              '... with the constraints'' tables, names and definitions');
SELECT set_eq($$SELECT f #>> '{}' FROM saved, jsonb_array_elements(defs->'indexes') f$$,
              $$SELECT definition FROM indexes_before WHERE name = 'funnel_records_customer'$$,
              '... and the other indexes'' definitions');

------------------------------------------------------------------ end
SELECT lives_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, 'bulk_load_end on clean data runs');
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before$$,
              'end restores every constraint with its exact definition (ON DELETE CASCADE, DEFERRABLE ...), validated');
SELECT set_eq($$SELECT * FROM pg_temp.index_defs()$$, $$SELECT * FROM indexes_before$$,
              'end restores every index with its name and definition');
SELECT throws_ok($$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
                   VALUES ('BL-LEAD-1', 'lead', 'crm', now(), 'captured', 'bulk-test')$$,
                 '23505', NULL, 'the restored primary key rejects a duplicate');
SELECT throws_ok($$INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
                   VALUES ('BL-NOPE', 'captured', now(), 'bulk-test')$$,
                 '23503', NULL, 'the restored foreign key rejects a stage of a missing record');
SELECT lives_ok($$DELETE FROM recon.funnel_records WHERE record_id = 'BL-LEAD-2'$$, 'deleting a record still works');
SELECT is((SELECT count(*)::int FROM recon.funnel_stage_history WHERE record_id = 'BL-LEAD-1'), 1,
          '... and the cascade still targets only its own stages');
SELECT lives_ok($$DELETE FROM recon.funnel_records WHERE record_id = 'BL-LEAD-1'$$, 'deleting a record with stages');
SELECT is((SELECT count(*)::int FROM recon.funnel_stage_history WHERE record_id = 'BL-LEAD-1'), 0,
          '... cascades to its stages (the restored foreign key is ON DELETE CASCADE)');
-- Put BL-LEAD-1 back (its opportunity points at it; the check is deferred to commit).
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, customer_id, stage, record_source)
VALUES ('BL-LEAD-1', 'lead', 'crm', '2026-02-01 09:00+00', 'email', 'CUS-BL-1', 'captured', 'bulk-test');

--------------------------------------------------- a duplicate key in the load
DELETE FROM saved;
INSERT INTO saved SELECT recon.bulk_load_begin(ARRAY['recon.funnel_records', 'recon.funnel_stage_history']::regclass[]);
SELECT lives_ok($$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
                  VALUES ('BL-LEAD-1', 'lead', 'crm', '2026-02-05 09:00+00', 'captured', 'bulk-test')$$,
                'during the load a duplicate record_id goes in unchecked');
SELECT throws_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, '23505', NULL,
                 'bulk_load_end finds the duplicate (23505)');
SELECT is_empty($$SELECT * FROM pg_temp.constraint_defs() WHERE kind IN ('p', 'u', 'f')$$,
                '... and its failure leaves nothing half restored');
DELETE FROM recon.funnel_records WHERE record_id = 'BL-LEAD-1' AND created_at = '2026-02-05 09:00+00';
SELECT lives_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, 'once the duplicate is gone, bulk_load_end succeeds');
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before$$, '... and restores the constraints');

------------------------------------------------- a dangling reference in the load
DELETE FROM saved;
INSERT INTO saved SELECT recon.bulk_load_begin(ARRAY['recon.funnel_records', 'recon.funnel_stage_history']::regclass[]);
SELECT lives_ok($$INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, record_source)
                  VALUES ('BL-MISSING', 'captured', '2026-02-06 09:00+00', 'bulk-test')$$,
                'during the load a stage of a missing record goes in unchecked');
SELECT throws_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, '23503', NULL,
                 'bulk_load_end finds the dangling reference (23503)');
SELECT lives_ok($$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, parent_record_id, stage, record_source)
                  VALUES ('BL-OPP-2', 'opportunity', 'crm', '2026-02-07 09:00+00', 'nope', 'BL-LEAD-1', 'qualified', 'bulk-test')$$,
                  'during the load an unknown channel goes in unchecked');
DELETE FROM recon.funnel_stage_history WHERE record_id = 'BL-MISSING';
SELECT throws_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, '23503', NULL,
                 'bulk_load_end also checks foreign keys to other tables (an unknown channel)');
UPDATE recon.funnel_records SET channel = 'email' WHERE record_id = 'BL-OPP-2';
SELECT lives_ok($$SELECT recon.bulk_load_end(defs) FROM saved$$, 'once both are fixed, bulk_load_end succeeds');
SELECT set_eq($$SELECT * FROM pg_temp.index_defs()$$, $$SELECT * FROM indexes_before$$, '... and restores the indexes');

---------------------------------------------- a failed load rolls back whole
-- begin, load a duplicate, end: all in one statement, as a loader's transaction would.
CREATE FUNCTION pg_temp.load_with_duplicate() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    defs jsonb := recon.bulk_load_begin(ARRAY['recon.funnel_records', 'recon.funnel_stage_history']::regclass[]);
BEGIN
    INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, stage, record_source)
    VALUES ('BL-OPP-2', 'lead', 'crm', '2026-02-08 09:00+00', 'captured', 'bulk-test');
    PERFORM recon.bulk_load_end(defs);
END $$;
SELECT throws_ok($$SELECT pg_temp.load_with_duplicate()$$, '23505', NULL, 'a load with a duplicate fails as a whole');
SELECT set_eq($$SELECT * FROM pg_temp.constraint_defs()$$, $$SELECT * FROM constraints_before$$,
              '... and its rollback brings back every constraint');
SELECT set_eq($$SELECT * FROM pg_temp.index_defs()$$, $$SELECT * FROM indexes_before$$, '... and every index');
SELECT is((SELECT count(*)::int FROM recon.funnel_records WHERE record_id = 'BL-OPP-2'), 1, '... and none of its rows');

SELECT * FROM finish();
ROLLBACK;
