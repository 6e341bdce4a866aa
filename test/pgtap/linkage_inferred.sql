-- pgTAP: the inferred stage of the matching cascade (src/linkage/inferred.sql) on the demo
-- generator's data, checked against its truth (bench/matching/truth.sql), plus crafted edge cases.
BEGIN;
SELECT plan(21);
SET LOCAL client_min_messages = warning;

SELECT is((SELECT sum(rows_written) > 0 FROM recon_demo_generate(11, 2000)), true, 'demo data for 2,000 journeys');
-- Crafted: one signal with two identical candidate records (a tie), one signal with nothing but a time.
INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stated_value, currency,
                                  stage, status, record_source)
VALUES ('TIE-1', 'order', 'shop', '2026-07-15 12:00:00.123+00', 'meta', 77.77, 'USD', 'placed', 'open', 'tap'),
       ('TIE-2', 'order', 'shop', '2026-07-15 12:00:00.123+00', 'meta', 77.77, 'USD', 'placed', 'open', 'tap');
INSERT INTO recon.conversion_signals (platform, source, event_name, event_time, value, currency, record_source, batch_id)
VALUES ('meta', 'pixel', 'Purchase', '2026-07-15 12:00:00.123+00', 77.77, 'USD', 'tap', 'tie'),
       ('meta', 'pixel', 'Purchase', '2026-07-20 03:33:00+00', NULL, NULL, 'tap', 'bare');
CREATE FUNCTION pg_temp.sig(batch text) RETURNS text LANGUAGE sql AS $$
    SELECT signal_key::text FROM recon.conversion_signals WHERE batch_id = batch $$;

\ir ../../bench/matching/truth.sql

-- Inferred alone, no ids used: where the truth says a link exists, F1 >= 0.95.
CALL recon.run_matching(ARRAY['inferred']);
SELECT cmp_ok((SELECT f1 FROM matching_truth_f1 WHERE link_type = 'signal_record' AND method = 'inferred'), '>=', 0.95,
              'signal -> record, inferred only: F1 at least 0.95');
SELECT cmp_ok((SELECT f1 FROM matching_truth_f1 WHERE link_type = 'record_transaction' AND method = 'inferred'), '>=', 0.95,
              'transaction -> record, inferred only: F1 at least 0.95');
SELECT cmp_ok((SELECT min(precision) FROM matching_truth_f1 WHERE method = 'inferred'), '>=', 0.99,
              'inferred precision at least 0.99');
SELECT is((SELECT count(*) FROM recon.match_links WHERE left_id = pg_temp.sig('tie')), 0::bigint,
          'a signal with two equal candidates is not linked ...');
SELECT is((SELECT candidates::text FROM recon.match_ambiguities WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('tie')),
          '{TIE-1,TIE-2}', '... it is flagged with both candidates');
SELECT is((SELECT count(*) FROM recon.match_links WHERE left_id = pg_temp.sig('bare')), 0::bigint,
          'a signal with only a time and no record near it stays unmatched, without error');
SELECT is((SELECT count(*) FROM recon.match_links WHERE method = 'inferred'
           AND NOT (confidence >= 0.9 AND confidence <= 1 AND rule = 'fellegi_sunter'
                    AND jsonb_array_length(explanation -> 'comparisons') > 0
                    AND abs((explanation ->> 'probability')::float8 - confidence) < 1e-6)), 0::bigint,
          'every inferred link carries its probability as confidence and an explanation of its comparisons');
SELECT is((SELECT count(*) FROM recon.match_models m JOIN recon.match_runs r USING (run_id)
           WHERE r.run_id = (SELECT max(run_id) FROM recon.match_runs)), 2::bigint,
          'the run stored the model it trained per link type');
SELECT ok((SELECT bool_and((e.value ->> 'converged')::boolean) FROM recon.match_models, jsonb_each(model #> '{m_from,em_by_rule}') e), 'EM converged for every blocking rule');

-- Re-running gives the same inferred links with the same confidences.
CREATE TEMP TABLE first_links AS SELECT link_type, left_id, right_id, method, confidence FROM recon.match_links;
CALL recon.run_matching(ARRAY['inferred']);
SELECT is((SELECT count(*) FROM (SELECT link_type, left_id, right_id, method, confidence FROM recon.match_links
                                  EXCEPT TABLE first_links) d), 0::bigint, 'a re-run adds no inferred link ...');
SELECT is((SELECT count(*) FROM (TABLE first_links EXCEPT SELECT link_type, left_id, right_id, method, confidence
                                  FROM recon.match_links) d), 0::bigint, '... and loses none');

-- A reviewer rejects an inferred link: the re-run does not make it again.
CREATE TEMP TABLE victim AS SELECT left_id, right_id FROM recon.match_links
WHERE link_type = 'signal_record' AND method = 'inferred' ORDER BY left_id LIMIT 1;
SELECT recon.reject_link('signal_record', (SELECT left_id FROM victim), (SELECT right_id FROM victim), 'tap: wrong person');
CALL recon.run_matching(ARRAY['inferred']);
SELECT is((SELECT count(*) FROM recon.match_links l JOIN victim v USING (left_id, right_id)), 0::bigint,
          'a rejected inferred pair is not linked again');

-- The full cascade: exact methods first, precision 1.0 for each.
CALL recon.run_matching();
SELECT is((SELECT min(precision) FROM matching_truth_f1 WHERE method IN ('exact_id', 'exact_contact', 'crm_relationship')),
          1.0000::numeric, 'exact methods have precision 1.0 on the demo truth');
SELECT is((SELECT count(*) FROM recon.match_links WHERE method = 'inferred' AND link_type = 'signal_record'
           AND left_id IN (SELECT signal_key::text FROM recon.conversion_signals WHERE record_source = 'demo')), 0::bigint,
          'with the exact stages first, nothing is left for inference on the demo signals (they all carry ids)');

-- Identity loss: every 10th demo signal loses its ids and contact hashes. The exact stages link
-- the rest; the inferred stage learns m from those known matches and links the stripped ones.
-- A second platform's tag values the sale in its own currency: no amount to compare, left aside.
CREATE TEMP TABLE other_currency_signals AS
    SELECT s.signal_key::text AS left_id FROM recon.conversion_signals s
    JOIN recon.funnel_records f ON f.record_id = coalesce(s.order_id, s.lead_id) WHERE s.currency <> f.currency;
UPDATE recon.conversion_signals
SET event_id = NULL, order_id = NULL, lead_id = NULL, fbclid = NULL, gclid = NULL, ttclid = NULL, li_fat_id = NULL,
    fbc = NULL, fbp = NULL, external_id = NULL, email_sha256 = NULL, phone_sha256 = NULL
WHERE record_source = 'demo' AND signal_key % 10 = 0;
CALL recon.run_matching();
SELECT ok((SELECT (model #>> '{m_from,known_matches}')::bigint >= 100 FROM recon.match_models
           WHERE link_type = 'signal_record' ORDER BY run_id DESC LIMIT 1),
          'with exact links present, m comes from those known matches (no EM)');
SELECT cmp_ok((SELECT precision FROM matching_truth_f1 WHERE link_type = 'signal_record' AND method = 'inferred'), '>=', 0.99,
              'identity loss: inferred links of the stripped signals have precision at least 0.99');
SELECT cmp_ok((SELECT count(*) FROM recon.match_links l JOIN recon.conversion_signals s ON s.signal_key::text = l.left_id
               WHERE l.method = 'inferred' AND s.record_source = 'demo' AND s.source <> 'offline_upload'
                 AND l.left_id NOT IN (SELECT left_id FROM other_currency_signals))::numeric
              / (SELECT count(*) FROM recon.conversion_signals WHERE record_source = 'demo' AND signal_key % 10 = 0
                 AND source <> 'offline_upload' AND signal_key::text NOT IN (SELECT left_id FROM other_currency_signals)),
              '>=', 0.95,
              '... and recover at least 95% of them, offline uploads (sent a day after the conversion, outside the time blocks) and a second platform''s tags (another currency) aside');

-- A new demo drops the links and flagged ties that name demo rows, and keeps the others.
SELECT is((SELECT sum(rows_written) > 0 FROM recon_demo_generate(12, 300)), true, 'the demo is generated again ...');
SELECT is((SELECT count(*) FROM recon.match_links), 0::bigint, '... and no link names a row that is gone or reused');
SELECT is((SELECT array_agg(left_id) FROM recon.match_ambiguities), ARRAY[pg_temp.sig('tie')],
          '... while the flagged tie of a user signal stays');

SELECT * FROM finish();
ROLLBACK;
