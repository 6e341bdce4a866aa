-- pgTAP: the outcome ladder (src/layers/ladder.sql) on a small demo run (seed 7,
-- scale 400, reporting zone America/New_York): the presets map every stage the
-- demo's CRM and shop use, and each record's furthest step and exit agree with the
-- generator's truth (recon_truth.journeys); bad input is refused with its code.
BEGIN;
SELECT plan(24);

DO $$
BEGIN
    PERFORM recon.set_setting('reporting_timezone', 'America/New_York', 'pgTAP ladder suite');
    PERFORM recon_demo_generate(7, 400);
END $$;

------------------------------------------------------------------- presets
SELECT is((SELECT stages_mapped FROM recon.apply_ladder_preset('services', 'crm', 'pgTAP: the demo CRM')), 44,
          'the services preset maps 44 known stage names for the CRM (demo, HubSpot, Salesforce)');
SELECT is((SELECT stages_mapped FROM recon.apply_ladder_preset('ecommerce', 'shop', 'pgTAP: the demo shop')), 13,
          'the ecommerce preset maps 13 names for the shop (one of them, checkout_abandoned, off the ladder)');
SELECT is((SELECT stages_mapped FROM recon.apply_ladder_preset('services', 'crm', 'pgTAP: again')), 0,
          'applying a preset again maps nothing new');
SELECT is((SELECT count(*)::int FROM recon.ladder_log), 2, '... and records no new ladder version');
SELECT is_empty($$SELECT * FROM recon.ladder_unmapped_stages$$, 'every stage the demo uses is on a ladder');
SELECT is_empty($$SELECT DISTINCT crm_system, stage FROM recon.funnel_records
                  EXCEPT SELECT crm_system, stage FROM recon.stage_map WHERE status = 'mapped'$$,
                '... checked against the records'' own stages');

------------------------------------------------------------------- progress
CREATE TEMP TABLE progress AS SELECT * FROM recon.ladder_progress;
SELECT is((SELECT count(*)::int FROM progress),
          (SELECT count(*)::int FROM recon.funnel_records WHERE record_type IN ('lead', 'order')),
          'ladder_progress has one row per lead and order (the demo''s opportunities all have a lead)');
SELECT is((SELECT count(DISTINCT record_id)::int FROM progress), (SELECT count(*)::int FROM progress), '... unique by record_id');
SELECT is((SELECT count(*)::int FROM progress WHERE furthest_step IS NULL OR reached_at IS NULL OR unmapped_entries <> 0), 0,
          'every record has a furthest step, dated, and no unmapped entry');
SELECT set_eq($$SELECT record_id FROM progress WHERE furthest_step = 'won'$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE opportunity_id IS NOT NULL AND outcome = 'won'$$,
              'the leads that reached won are the truth''s won opportunities');
SELECT set_eq($$SELECT record_id FROM progress WHERE furthest_step = 'delivered'$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE record_type = 'order' AND outcome = 'won'$$,
              'the orders that reached delivered are the truth''s won orders');
SELECT set_eq($$SELECT record_id FROM progress WHERE exit_step = 'cancelled'$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE record_type = 'order' AND outcome = 'cancelled'$$,
              'the orders that exited cancelled are the truth''s cancelled orders');
SELECT set_eq($$SELECT record_id FROM progress WHERE exit_step = 'lost'$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE opportunity_id IS NOT NULL AND outcome = 'lost'$$,
              'the leads that exited lost are the truth''s lost opportunities');
SELECT set_eq($$SELECT record_id FROM progress WHERE furthest_rung >= 5 AND ladder = 'services'$$,
              $$SELECT record_id FROM recon_truth.journeys WHERE opportunity_id IS NOT NULL$$,
              'the leads at or past qualified are the ones with an opportunity');
SELECT is((SELECT count(*)::int FROM progress p JOIN recon_truth.journeys j USING (record_id)
           WHERE (j.is_spam OR j.is_test) AND j.record_type = 'lead'
             AND NOT (p.furthest_step = 'captured' AND p.exit_step IS NOT DISTINCT FROM CASE WHEN j.outcome = 'lost' THEN 'disqualified' END)), 0,
          'spam and test leads never pass captured, and exit disqualified once closed');
SELECT is((SELECT count(*)::int FROM progress p JOIN recon.funnel_records o ON o.parent_record_id = p.record_id
           WHERE p.furthest_step = 'won' AND p.reached_at <> o.closed_at), 0,
          'a won lead reached won when its opportunity closed');
SELECT is((SELECT count(*)::int FROM progress p JOIN recon.funnel_records r USING (record_id)
           WHERE p.first_response_at < r.created_at OR (r.status <> 'open' AND p.first_response_at IS NULL AND p.ladder = 'ecommerce')), 0,
          'the first response comes after creation, and every closed order had one');

------------------------------------------------------------------- mapping
SELECT is(recon.map_stage('crm', 'proposal', 'won', 'pgTAP: count a proposal as won'), 2, 're-mapping a stage records version 2');
SELECT cmp_ok((SELECT count(*)::int FROM recon.ladder_progress WHERE furthest_step = 'won'), '>',
              (SELECT count(*)::int FROM progress WHERE furthest_step = 'won'), '... and more leads reach won through it');
SELECT is(recon.map_stage('crm', 'proposal', NULL, 'pgTAP: proposals are not a step'), 3, 'taking it off the ladder is version 3');
SELECT is_empty($$SELECT * FROM recon.ladder_unmapped_stages$$, '... and is no exception: it was deliberate');

------------------------------------------------------------------- bad input
SELECT throws_ok($$SELECT * FROM recon.apply_ladder_preset('b2b', 'crm', 'unknown')$$, '22023', NULL, 'an unknown preset is refused (22023)');
SELECT throws_ok($$SELECT recon.map_stage('crm', 'Meeting', 'meeting', 'pgTAP')$$, '22023', NULL, 'an unknown step is refused (22023)');
SELECT throws_ok($$SELECT recon.map_stage('crm', 'Meeting', 'contacted', NULL)$$, '22004', NULL, 'a mapping without a reason is refused (22004)');

SELECT * FROM finish();
ROLLBACK;
