-- layers_ladder: the outcome ladder (src/layers/ladder.sql) on a small hand-made
-- CRM: presets, stage mappings and their errors, the append-only logs, each
-- record's furthest step, exits and first response, and the unmapped stage names.
-- Everything runs in one transaction rolled back at the end, so the demo data the
-- earlier suites left is there again afterwards.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SELECT recon.demo_clear();

-- The presets recon ships.
SELECT preset, rung, step, kind, layer, is_response FROM recon.ladder_presets() ORDER BY preset COLLATE "C", rung;
SELECT preset, naming, count(*) AS stage_names, count(step) AS on_the_ladder
FROM recon.ladder_preset_stages() GROUP BY 1, 2 ORDER BY preset COLLATE "C", naming COLLATE "C";

-- Bad input: an unknown preset or naming, no reason, no CRM system.
SELECT * FROM regress.error_of($$SELECT * FROM recon.apply_ladder_preset('saas', 'crm', 'we sell software')$$);
SELECT * FROM regress.error_of($$SELECT * FROM recon.apply_ladder_preset(NULL, 'crm', 'no preset')$$);
SELECT * FROM regress.error_of($$SELECT * FROM recon.apply_ladder_preset('services', 'crm', NULL)$$);
SELECT regress.sqlstate_of($$SELECT * FROM recon.apply_ladder_preset('services', 'crm', '   ')$$) AS blank_reason;
SELECT regress.sqlstate_of($$SELECT * FROM recon.apply_ladder_preset('services', NULL, 'no system')$$) AS no_system;
SELECT * FROM regress.error_of($$SELECT * FROM recon.apply_ladder_preset('services', 'crm', 'why', naming => 'pipedrive')$$);
SELECT count(*) AS ladder_versions_after_refusals FROM recon.ladder_log;

-- Apply the presets: a ladder version each, the known stage names mapped.
SELECT * FROM recon.apply_ladder_preset('services', 'crm', 'leads and opportunities follow the services ladder');
SELECT * FROM recon.apply_ladder_preset('ecommerce', 'shop', 'orders follow the e-commerce ladder', naming => 'recon_demo');
-- Again: nothing new (same steps, every name already mapped).
SELECT * FROM recon.apply_ladder_preset('services', 'crm', 'applied twice');
SELECT ladder, version, preset, steps, exits, status, reason FROM recon.ladders ORDER BY ladder COLLATE "C", version;
SELECT ladder, rung, step, kind, layer, is_response FROM recon.ladder_steps WHERE ladder = 'ecommerce' ORDER BY rung;
SELECT crm_system, status, count(*) FROM recon.stage_map GROUP BY 1, 2 ORDER BY crm_system COLLATE "C", status COLLATE "C";
SELECT stage, ladder, step, rung, kind, status, version FROM recon.stage_map
WHERE crm_system = 'crm' AND stage IN ('converted', 'closedwon', 'Closed Won', 'UNQUALIFIED') ORDER BY stage COLLATE "C";

-- Map the CRM's own names; each change is a new version of the mapping.
SELECT recon.map_stage('crm', 'Discovery Call', 'contacted', 'our reps log the first call as Discovery Call') AS version;
SELECT recon.map_stage('crm', 'Discovery Call', 'valid', 'first draft was wrong') AS version;
SELECT recon.map_stage('crm', 'Discovery Call', 'contacted', 'the call is the first contact after all') AS version;
SELECT recon.map_stage('crm', 'Archived', NULL, 'an archive flag, not a step: deliberately off the ladder') AS version;
SELECT stage, ladder, step, status, version, reason FROM recon.stage_map
WHERE crm_system = 'crm' AND stage IN ('Discovery Call', 'Archived') ORDER BY stage COLLATE "C";
SELECT version, step, reason FROM recon.stage_map_log WHERE crm_system = 'crm' AND stage = 'Discovery Call' ORDER BY version;

-- Bad mappings: an unknown step, another ladder, an unknown ladder, a system
-- without a ladder, no reason, no or blank names.
SELECT * FROM regress.error_of($$SELECT recon.map_stage('crm', 'Demo Booked', 'demo', 'a step we do not have')$$);
SELECT * FROM regress.error_of($$SELECT recon.map_stage('crm', 'Shipped', 'shipped', 'wrong ladder', ladder => 'ecommerce')$$);
SELECT * FROM regress.error_of($$SELECT recon.map_stage('erp', 'Booked', 'won', 'no such ladder', ladder => 'wholesale')$$);
SELECT * FROM regress.error_of($$SELECT recon.map_stage('erp', 'Booked', 'won', 'erp follows no ladder yet')$$);
SELECT * FROM regress.error_of($$SELECT recon.map_stage('crm', 'Demo Booked', 'contacted', NULL)$$);
SELECT regress.sqlstate_of($$SELECT recon.map_stage('crm', NULL, 'contacted', 'no stage')$$) AS null_stage;
SELECT regress.sqlstate_of($$SELECT recon.map_stage('crm', ' ', 'contacted', 'blank stage')$$) AS blank_stage;
SELECT regress.sqlstate_of($$SELECT recon.map_stage(NULL, 'x', 'contacted', 'no system')$$) AS null_system;

-- The logs are append-only, and versions come in sequence.
SELECT regress.sqlstate_of($$UPDATE recon.ladder_log SET reason = 'rewritten'$$) AS update_ladder_log;
SELECT regress.sqlstate_of($$DELETE FROM recon.stage_map_log$$) AS delete_stage_map_log;
SELECT regress.sqlstate_of($$TRUNCATE recon.stage_map_log$$) AS truncate_stage_map_log;
SELECT regress.sqlstate_of($$TRUNCATE recon.ladder_log$$) AS truncate_ladder_log;
SELECT * FROM regress.error_of($$INSERT INTO recon.ladder_log (ladder, version, steps, reason)
                                 SELECT 'services', 5, steps, 'skipping versions' FROM recon.ladder_log WHERE ladder = 'services'$$);
SELECT * FROM regress.error_of($$INSERT INTO recon.ladder_log (ladder, steps, reason)
                                 VALUES ('wholesale', '[{"step": "booked", "kind": "progress", "layer": "erp"}]', 'bad layer')$$);
SELECT * FROM regress.error_of($$INSERT INTO recon.ladder_log (ladder, steps, reason)
                                 VALUES ('wholesale', '[{"step": "paid", "kind": "progress", "layer": "finance"}]', 'no crm step')$$);
SELECT * FROM regress.error_of($$INSERT INTO recon.ladder_log (ladder, steps, reason)
                                 VALUES ('wholesale', '[{"step": "a", "kind": "progress", "layer": "crm"}, {"step": "a", "kind": "exit", "layer": "crm"}]', 'twice')$$);
SELECT regress.sqlstate_of($$INSERT INTO recon.ladder_log (ladder, steps, reason) VALUES ('wholesale', '{}', 'not an array')$$) AS steps_not_an_array;

-- A small CRM. Leads climb captured -> valid -> contacted, then an opportunity
-- (folded into its lead) qualified -> proposal -> won or lost; orders placed ->
-- shipped -> delivered or cancelled.
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, parent_record_id,
                                  stated_value, currency, stage, status, status_reason, closed_at, owner, record_source)
VALUES
    ('L1', 'lead', 'crm', '2026-03-02 09:00+00', 'google', NULL, NULL, NULL, 'converted', 'won', NULL, '2026-03-04 12:00+00', 'ann', 'test'),
    ('O1', 'opportunity', 'crm', '2026-03-04 12:00+00', 'google', 'L1', 5000, 'EUR', 'won', 'won', NULL, '2026-03-20 10:00+00', 'ann', 'test'),
    ('L2', 'lead', 'crm', '2026-03-02 10:00+00', 'google', NULL, NULL, NULL, 'disqualified', 'lost', 'spam', '2026-03-02 11:00+00', 'ann', 'test'),
    ('L3', 'lead', 'crm', '2026-03-03 09:00+00', 'google', NULL, NULL, NULL, 'Discovery Call', 'open', NULL, NULL, 'bob', 'test'),
    ('L4', 'lead', 'crm', '2026-03-03 10:00+00', 'direct', NULL, NULL, NULL, 'valid', 'open', NULL, NULL, 'bob', 'test'),
    ('L5', 'lead', 'crm', '2026-03-05 10:00+00', 'google', NULL, NULL, NULL, 'Nurture', 'open', NULL, NULL, 'bob', 'test'),
    ('L6', 'lead', 'crm', '2026-03-06 10:00+00', 'google', NULL, NULL, NULL, 'qualified', 'open', NULL, NULL, 'ann', 'test'),
    ('O2', 'opportunity', 'crm', '2026-03-08 10:00+00', 'google', 'L1', 900, 'EUR', 'lost', 'lost', 'competitor', '2026-03-25 10:00+00', 'ann', 'test'),
    ('O3', 'opportunity', 'crm', '2026-03-09 10:00+00', 'direct', NULL, 700, 'EUR', 'proposal', 'open', NULL, NULL, 'bob', 'test'),
    ('L7', 'lead', 'crm', '2026-03-07 10:00+00', 'google', NULL, NULL, NULL, 'Archived', 'open', NULL, NULL, 'ann', 'test'),
    ('S1', 'order', 'shop', '2026-03-02 08:00+00', 'meta', NULL, 80, 'USD', 'delivered', 'won', NULL, '2026-03-05 08:00+00', NULL, 'test'),
    ('S2', 'order', 'shop', '2026-03-02 09:00+00', 'meta', NULL, 40, 'USD', 'cancelled', 'cancelled', 'customer cancelled', '2026-03-02 20:00+00', NULL, 'test'),
    ('S3', 'order', 'shop', '2026-03-03 09:00+00', 'meta', NULL, 55, 'USD', 'on hold', 'open', NULL, NULL, NULL, 'test'),
    ('E1', 'order', 'erp', '2026-03-03 09:00+00', 'direct', NULL, 300, 'USD', 'Booked', 'open', NULL, NULL, NULL, 'test');
INSERT INTO recon.funnel_stage_history (record_id, stage, entered_at, exited_at, record_source) VALUES
    ('L1', 'captured', '2026-03-02 09:00+00', '2026-03-02 11:00+00', 'test'),
    ('L1', 'valid', '2026-03-02 11:00+00', '2026-03-03 15:00+00', 'test'),
    ('L1', 'Discovery Call', '2026-03-03 15:00+00', '2026-03-04 12:00+00', 'test'),
    ('L1', 'converted', '2026-03-04 12:00+00', NULL, 'test'),
    ('O1', 'qualified', '2026-03-04 12:00+00', '2026-03-06 12:00+00', 'test'),
    ('O1', 'proposal', '2026-03-06 12:00+00', '2026-03-20 10:00+00', 'test'),
    ('O1', 'won', '2026-03-20 10:00+00', NULL, 'test'),
    ('O2', 'qualified', '2026-03-08 10:00+00', '2026-03-25 10:00+00', 'test'),
    ('O2', 'lost', '2026-03-25 10:00+00', NULL, 'test'),
    ('L2', 'captured', '2026-03-02 10:00+00', '2026-03-02 11:00+00', 'test'),
    ('L2', 'disqualified', '2026-03-02 11:00+00', NULL, 'test'),
    -- L3: disqualified by mistake, then reopened and contacted: the exit no longer counts
    ('L3', 'captured', '2026-03-03 09:00+00', '2026-03-03 10:00+00', 'test'),
    ('L3', 'disqualified', '2026-03-03 10:00+00', '2026-03-04 09:00+00', 'test'),
    ('L3', 'valid', '2026-03-04 09:00+00', '2026-03-05 09:00+00', 'test'),
    ('L3', 'Discovery Call', '2026-03-05 09:00+00', NULL, 'test'),
    ('L4', 'captured', '2026-03-03 10:00+00', '2026-03-03 12:00+00', 'test'),
    ('L4', 'valid', '2026-03-03 12:00+00', NULL, 'test'),
    ('L5', 'captured', '2026-03-05 10:00+00', '2026-03-06 10:00+00', 'test'),
    ('L5', 'Nurture', '2026-03-06 10:00+00', NULL, 'test'),
    -- L6 has no history: only its current stage says it is qualified
    ('L7', 'captured', '2026-03-07 10:00+00', '2026-03-08 10:00+00', 'test'),
    ('L7', 'Archived', '2026-03-08 10:00+00', NULL, 'test'),
    ('S1', 'placed', '2026-03-02 08:00+00', '2026-03-03 08:00+00', 'test'),
    ('S1', 'shipped', '2026-03-03 08:00+00', '2026-03-05 08:00+00', 'test'),
    ('S1', 'delivered', '2026-03-05 08:00+00', NULL, 'test'),
    ('S2', 'placed', '2026-03-02 09:00+00', '2026-03-02 20:00+00', 'test'),
    ('S2', 'cancelled', '2026-03-02 20:00+00', NULL, 'test'),
    ('S3', 'placed', '2026-03-03 09:00+00', '2026-03-04 09:00+00', 'test'),
    ('S3', 'on hold', '2026-03-04 09:00+00', NULL, 'test');

-- Each lead or order: its furthest step and when, its exit, its first response.
SELECT record_id, record_type, ladder, furthest_step, furthest_rung, reached_at, exit_step, exited_at, first_response_at,
       unmapped_entries, unmapped_stage
FROM recon.ladder_progress ORDER BY record_id COLLATE "C";

-- The stage names no mapping covers, listed (Archived is off the ladder on purpose).
SELECT crm_system, stage, problem, ladder, records, history_rows, first_entered_at, last_entered_at, example_record_id
FROM recon.ladder_unmapped_stages ORDER BY crm_system COLLATE "C", stage COLLATE "C";

-- Mapped, they climb: on hold is a shop step before shipping.
SELECT recon.map_stage('shop', 'on hold', 'confirmed', 'on hold means paid, waiting for stock') AS version;
SELECT record_id, furthest_step, reached_at, first_response_at, unmapped_entries FROM recon.ladder_progress WHERE record_id = 'S3';

-- An opportunity kept in a system that follows another ladder than its lead's is
-- flagged on the lead, not mixed into its steps.
SELECT ladder FROM recon.apply_ladder_preset('ecommerce', 'deals', 'a second system', naming => 'recon_demo');
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, parent_record_id, stated_value,
                                  currency, stage, status, owner, record_source)
VALUES ('O9', 'opportunity', 'deals', '2026-03-04 10:00+00', 'direct', 'L4', 100, 'EUR', 'shipped', 'open', 'bob', 'test');
SELECT record_id, furthest_step, exit_step, first_response_at, unmapped_entries, unmapped_stage
FROM recon.ladder_progress WHERE record_id = 'L4';
DELETE FROM recon.funnel_records WHERE record_id = 'O9';

-- Switching a system to the other ladder takes its old mappings off, with the reason.
SELECT * FROM recon.apply_ladder_preset('ecommerce', 'crm', 'the CRM now tracks web orders only', naming => 'recon_demo');
SELECT status, ladder, count(*) FROM recon.stage_map WHERE crm_system = 'crm' GROUP BY 1, 2 ORDER BY status COLLATE "C", ladder COLLATE "C";
SELECT reason FROM recon.stage_map WHERE crm_system = 'crm' AND stage = 'Discovery Call';
SELECT record_id, ladder, furthest_step, unmapped_entries, unmapped_stage FROM recon.ladder_progress
WHERE record_id IN ('L1', 'L4') ORDER BY record_id COLLATE "C";

ROLLBACK;
SELECT count(*) > 0 AS demo_data_back FROM recon.funnel_records;
