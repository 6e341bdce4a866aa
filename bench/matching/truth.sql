-- Links of the last recon.run_matching checked against the demo generator's truth
-- (recon_truth, see docs/demo.md). Creates the view matching_truth_quality: per link type and
-- method, links, correct links, precision, and the recall of everything linked so far.
--
-- The truth per link type:
--   signal_record       every signal was sent for its journey's record: the generator writes that
--                       record's id into order_id (orders) or lead_id (leads)
--   record_transaction  every transaction belongs to its journey's order (order_id) or
--                       opportunity (opportunity_id)
--   record_record       a repeat form fill -> the journey's first lead (journeys.duplicate_record_id),
--                       an opportunity -> its lead (journeys.opportunity_id)
--   signal_signal       two signals of the same record
CREATE OR REPLACE VIEW matching_truth_pairs AS
SELECT 'signal_record'::text AS link_type, s.signal_key::text AS left_id, coalesce(s.order_id, s.lead_id) AS right_id
FROM recon.conversion_signals s WHERE s.record_source = 'demo'
UNION ALL
SELECT 'record_transaction', t.transaction_id, coalesce(t.order_id, t.opportunity_id)
FROM recon.finance_transactions t WHERE t.record_source = 'demo'
UNION ALL
SELECT 'record_record', j.duplicate_record_id, j.record_id FROM recon_truth.journeys j WHERE j.duplicate_record_id IS NOT NULL
UNION ALL
SELECT 'record_record', j.opportunity_id, j.record_id FROM recon_truth.journeys j WHERE j.opportunity_id IS NOT NULL;

-- Signals of one record are duplicates of each other whichever way round they are linked.
CREATE OR REPLACE VIEW matching_truth_quality AS
WITH signal_record AS (
    SELECT signal_key::text AS id, coalesce(order_id, lead_id) AS record_id FROM recon.conversion_signals
),
judged AS (
    SELECT l.link_type, l.method,
           CASE WHEN l.link_type = 'signal_signal' THEN
                    (SELECT a.record_id FROM signal_record a WHERE a.id = l.left_id)
                  = (SELECT b.record_id FROM signal_record b WHERE b.id = l.right_id)
                ELSE EXISTS (SELECT 1 FROM matching_truth_pairs t
                             WHERE t.link_type = l.link_type AND t.left_id = l.left_id AND t.right_id = l.right_id)
           END AS correct
    FROM recon.match_links l
),
truth AS (
    SELECT link_type, count(*) AS true_pairs FROM matching_truth_pairs GROUP BY link_type
)
SELECT j.link_type, j.method, count(*) AS links, count(*) FILTER (WHERE j.correct) AS correct,
       round(count(*) FILTER (WHERE j.correct)::numeric / count(*), 4) AS precision,
       t.true_pairs,
       round(count(*) FILTER (WHERE j.correct)::numeric / nullif(t.true_pairs, 0), 4) AS recall_share
FROM judged j LEFT JOIN truth t USING (link_type)
GROUP BY j.link_type, j.method, t.true_pairs;

-- Precision, recall and F1 of one method where the truth says a link exists.
CREATE OR REPLACE VIEW matching_truth_f1 AS
SELECT link_type, method, links, correct, true_pairs, precision,
       recall_share AS recall,
       round(2 * precision * recall_share / nullif(precision + recall_share, 0), 4) AS f1
FROM matching_truth_quality;
