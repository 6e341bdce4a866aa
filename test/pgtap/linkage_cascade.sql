-- pgTAP: the matching cascade (src/linkage/cascade.sql): bad input, idempotent
-- re-runs, manual decisions surviving them (audited), ties flagged not guessed,
-- NULL-heavy rows, stronger methods winning, exact allocation, the inferred
-- stage's hook, a failed run leaving the previous links, and precision 1.0 of
-- the exact methods on the demo generator's truth.
BEGIN;
SELECT plan(69);
SET LOCAL TimeZone = 'UTC';

CREATE FUNCTION pg_temp.sig(label text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT signal_key::text FROM recon.conversion_signals WHERE batch_id = label
$$;
CREATE FUNCTION pg_temp.link_set() RETURNS TABLE (link_type text, left_id text, right_id text, method text,
                                                  confidence float8, rule text, allocated_amount numeric)
LANGUAGE sql STABLE AS $$
    SELECT link_type, left_id, right_id, method, confidence, rule, allocated_amount FROM recon.match_links
$$;
CREATE FUNCTION pg_temp.right_of(lt text, l text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT string_agg(right_id, ',' ORDER BY right_id COLLATE "C") FROM recon.match_links WHERE link_type = lt AND left_id = l
$$;

INSERT INTO recon.funnel_records
    (record_id, record_type, crm_system, created_at, channel, fbclid, gclid, ttclid, email_sha256, phone_sha256,
     customer_id, stated_value, currency, stage, status, closed_at, owner, record_source)
VALUES
    ('O1', 'order', 'shop', '2026-03-01 10:00+00', 'meta', 'IwARa', NULL, NULL, encode(sha256('a'), 'hex'), NULL, 'CA', 10, 'USD', 'placed', 'open', NULL, NULL, 'tap'),
    ('O2', 'order', 'shop', '2026-03-01 12:00+00', 'meta', NULL, NULL, NULL, encode(sha256('b'), 'hex'), NULL, 'CB', 20, 'USD', 'placed', 'open', NULL, NULL, 'tap'),
    ('O3', 'order', 'shop', '2026-03-02 10:00+00', 'tiktok', NULL, NULL, 'TT1', NULL, NULL, 'CC', 1000, 'JPY', 'placed', 'open', NULL, NULL, 'tap'),
    ('O4', 'order', 'shop', '2026-03-02 10:00+00', 'tiktok', NULL, NULL, 'TT1', NULL, NULL, 'CC', 2000, 'JPY', 'placed', 'open', NULL, NULL, 'tap'),
    ('O5', 'order', 'shop', '2026-03-03 10:00+00', 'direct', NULL, NULL, NULL, NULL, NULL, 'CD', 10, 'USD', 'placed', 'open', NULL, NULL, 'tap'),
    ('O6', 'order', 'shop', '2026-03-03 10:00+00', 'direct', NULL, NULL, NULL, NULL, NULL, 'CD', 10, 'USD', 'placed', 'open', NULL, NULL, 'tap'),
    ('O7', 'order', 'shop', '2026-03-03 10:00+00', 'direct', NULL, NULL, NULL, NULL, NULL, 'CD', NULL, 'USD', 'placed', 'open', NULL, NULL, 'tap'),
    ('N1', 'lead', 'crm', '2026-03-04 10:00+00', 'unknown', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'captured', 'open', NULL, NULL, 'tap'),
    ('P1', 'lead', 'crm', '2026-03-05 10:00+00', 'google', NULL, 'G1', NULL, NULL, encode(sha256('+1555'), 'hex'), NULL, NULL, NULL, 'captured', 'open', NULL, 'r1', 'tap'),
    ('P2', 'lead', 'crm', '2026-03-09 10:00+00', 'direct', NULL, NULL, NULL, NULL, encode(sha256('+1555'), 'hex'), NULL, NULL, NULL, 'captured', 'open', NULL, 'r1', 'tap'),
    ('LX', 'lead', 'crm', '2026-03-10 10:00+00', 'linkedin', NULL, NULL, NULL, encode(sha256('x'), 'hex'), NULL, 'CX', NULL, NULL, 'valid', 'won', '2026-03-12 09:00+00', 'r2', 'tap');
INSERT INTO recon.funnel_records
    (record_id, record_type, crm_system, created_at, channel, email_sha256, customer_id, parent_record_id, stated_value,
     currency, stage, status, owner, record_source)
VALUES ('OX', 'opportunity', 'crm', '2026-03-12 09:00+00', 'linkedin', encode(sha256('x'), 'hex'), 'CX', 'LX', 5000, 'GBP',
        'qualified', 'open', 'r2', 'tap');

INSERT INTO recon.conversion_signals (platform, source, event_id, event_name, event_time, fbclid, ttclid, fbc, email_sha256,
                                      order_id, value, currency, record_source, batch_id)
VALUES
    ('meta', 'pixel', 'e1', 'Purchase', '2026-03-01 10:00+00', 'IwARa', NULL, NULL, encode(sha256('b'), 'hex'), NULL, 10, 'USD', 'tap', 'A'),   -- click id O1 beats email O2
    ('meta', 'pixel', 'e2', 'Purchase', '2026-03-01 12:00+00', NULL, NULL, NULL, encode(sha256('b'), 'hex'), NULL, 20, 'USD', 'tap', 'B'),     -- email -> O2
    ('tiktok', 'pixel', 'e3', 'CompletePayment', '2026-03-02 10:05+00', NULL, 'TT1', NULL, NULL, NULL, 1000, 'JPY', 'tap', 'C'),            -- tie O3/O4
    ('meta', 'pixel', NULL, 'Purchase', '2026-03-04 17:00+00', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'tap', 'D'),                         -- no ids, no record near in time
    ('meta', 'pixel', 'e5', 'Purchase', '2026-03-01 10:00+00', NULL, NULL, NULL, NULL, 'O1', 10, 'USD', 'tap', 'E'),                          -- order id -> O1
    ('meta', 'capi', 'e5', 'Purchase', '2026-03-01 10:00:09+00', NULL, NULL, NULL, NULL, 'O1', 10, 'USD', 'tap', 'F'),                        -- same event id as E
    ('linkedin', 'lead_form', 'e7', 'Lead', '2026-03-12 10:00+00', NULL, NULL, NULL, encode(sha256('x'), 'hex'), NULL, NULL, NULL, 'tap', 'G'); -- closer to OX than to LX

INSERT INTO recon.finance_transactions (transaction_id, transaction_type, occurred_at, amount, currency, order_id,
                                        customer_id, invoice_id, parent_transaction_id, record_source)
VALUES
    ('PAY-O1', 'payment', '2026-03-01 10:00+00', 10, 'USD', 'O1', 'CA', NULL, NULL, 'tap'),
    ('PAY-CD', 'payment', '2026-03-03 12:00+00', 100, 'USD', NULL, 'CD', NULL, NULL, 'tap'),             -- customer with 3 orders
    ('PAY-JPY', 'payment', '2026-03-02 12:00+00', 1001, 'JPY', NULL, 'CC', NULL, NULL, 'tap'),           -- customer with O3, O4
    ('REF-JPY', 'refund', '2026-03-05 12:00+00', 301, 'JPY', NULL, NULL, NULL, 'PAY-JPY', 'tap'),
    ('ONLY-CUSTOMER', 'payment', '2026-03-06 12:00+00', 5, 'USD', NULL, 'CZ', NULL, NULL, 'tap');

------------------------------------------------------------------ bad input
SELECT throws_ok($$CALL recon.run_matching(ARRAY['exact_id', 'fuzzy'])$$, '22023', 'unknown matching method "fuzzy"',
                 'an unknown method name is refused (22023) and named');
SELECT throws_ok($$CALL recon.run_matching(ARRAY['exact_id', NULL])$$, '22004', NULL, 'a NULL method name is refused (22004)');
SELECT throws_ok($$CALL recon.run_matching(NULL, -0.5)$$, '22023', 'min_confidence -0.5 is outside [0, 1]',
                 'a negative threshold is refused (22023)');
SELECT throws_ok($$CALL recon.run_matching(NULL, NULL)$$, '22023', NULL, 'a NULL threshold is refused (22023)');
SELECT throws_ok($$CALL recon.run_matching(NULL, 2)$$, '22023', NULL, 'a threshold above 1 is refused (22023)');
SELECT is_empty($$SELECT * FROM recon.match_runs$$, 'refused calls record no run');
SELECT throws_ok($$SELECT recon.confirm_link('order_payment', 'PAY-O1', 'O1', 'x')$$, '22023', 'unknown link type "order_payment"',
                 'an unknown link type is refused (22023)');
SELECT throws_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-O1', 'O1', '')$$, '22023', NULL,
                 'an empty reason is refused (22023)');
SELECT throws_ok($$SELECT recon.reject_link('record_transaction', 'PAY-O1', 'O1', NULL)$$, '22004', NULL,
                 'a NULL reason is refused (22004)');
SELECT throws_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-404', 'O1', 'x')$$, '23503',
                 'transaction "PAY-404" does not exist', 'a missing transaction is named (23503)');
SELECT throws_ok($$SELECT recon.confirm_link('signal_record', '999999999', 'O1', 'x')$$, '23503',
                 'signal "999999999" does not exist', 'a missing signal is named (23503)');
SELECT throws_ok($$SELECT recon.reject_link('record_record', 'P2', 'P404', 'x')$$, '23503',
                 'record "P404" does not exist', 'a missing record is named (23503)');
SELECT is_empty($$SELECT * FROM recon.match_decisions$$, 'refused decisions record nothing');

------------------------------------------------------------------ a run
CALL recon.run_matching();
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('A')), 'O1', 'a click id (exact_id) wins over an email (exact_contact)');
SELECT is((SELECT method FROM recon.match_links WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('A')), 'exact_id',
          '... with its method');
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('B')), 'O2', 'an email links a signal without ids');
SELECT is((SELECT confidence FROM recon.match_links WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('B')), 0.99::float8,
          'exact_contact has confidence 0.99');
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('G')), 'LX', 'a contact links a signal to the lead, not to the opportunity made from it');
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('C')), NULL, 'two records equally close: no link');
SELECT results_eq($$SELECT method COLLATE "default", reason, candidates COLLATE "default" FROM recon.match_ambiguities WHERE link_type = 'signal_record'$$,
                  $$VALUES ('exact_id'::text, 'two equal candidates'::text, ARRAY['O3', 'O4']::text[])$$,
                  '... flagged with both candidates');
SELECT is((SELECT reason FROM recon.unmatched_exceptions WHERE layer = 'signal' AND id = pg_temp.sig('C')), 'two equal candidates',
          '... and listed as an exception');
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('D')), NULL, 'a signal with no ids stays unmatched');
SELECT is((SELECT reason FROM recon.unmatched_exceptions WHERE layer = 'signal' AND id = pg_temp.sig('D')), 'no click id or contact key',
          '... with its reason');
SELECT is((SELECT reason FROM recon.unmatched_exceptions WHERE layer = 'record' AND id = 'N1'), NULL,
          'an unknown-channel record with no ids is not an exception (no signal is expected)');
SELECT is(pg_temp.right_of('signal_signal', pg_temp.sig('F')), pg_temp.sig('E'), 'the repeated event id links to the first signal');
SELECT is(pg_temp.right_of('record_record', 'P2'), 'P1', 'a later lead with the same phone hash is a duplicate of the first');
SELECT is(pg_temp.right_of('record_transaction', 'PAY-CD'), NULL, 'a customer with three orders: no guess');
SELECT is((SELECT reason FROM recon.match_ambiguities WHERE left_id = 'PAY-CD'), 'customer has 3 candidate records', '... flagged');
SELECT is(pg_temp.right_of('record_transaction', 'ONLY-CUSTOMER'), NULL, 'a customer with no order: no link');
SELECT is((SELECT reason FROM recon.unmatched_exceptions WHERE id = 'ONLY-CUSTOMER'),
          'payment without order id: the customer has no order or opportunity', '... explained');
SELECT ok((SELECT bool_and(counts ? 'ms') FROM recon.match_runs, jsonb_each(link_counts) AS e(stage, counts)
           WHERE stage IN ('manual_verified', 'exact_id', 'exact_contact', 'crm_relationship')),
          'each stage records its milliseconds');

------------------------------------------------------------------ idempotent
CREATE TEMP TABLE first_links AS SELECT * FROM pg_temp.link_set();
CALL recon.run_matching();
SELECT set_eq($$SELECT * FROM pg_temp.link_set()$$, $$SELECT * FROM first_links$$, 'a second run gives the same links');
CALL recon.run_matching();
SELECT set_eq($$SELECT * FROM pg_temp.link_set()$$, $$SELECT * FROM first_links$$, '... and a third');
SELECT is((SELECT count(*)::int FROM recon.match_runs), 3, 'each run is recorded');
SELECT is((SELECT count(*)::int FROM recon.match_ambiguities), 3, 'only the last run''s ambiguities are kept');

------------------------------------------------------------------ manual decisions
SELECT ok(recon.reject_link('signal_record', pg_temp.sig('A'), 'O1', 'shared device') , 'rejecting a linked pair removes the link');
SELECT ok(recon.confirm_link('signal_record', pg_temp.sig('C'), 'O4', 'order number in the chat') > 0, 'a tie is resolved by a human');
SELECT lives_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-CD', 'O5', 'remittance advice')$$, 'a payment confirmed to one order');
SELECT lives_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-CD', 'O6', 'remittance advice')$$, '... and to a second');
SELECT lives_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-CD', 'O7', 'remittance advice')$$, '... and to a third');
SELECT throws_ok(format($$SELECT recon.confirm_link('signal_record', %L, 'O3', 'no, the other')$$, pg_temp.sig('C')), '23505', NULL,
                 'a signal confirmed to one record cannot be confirmed to another (23505)');
CALL recon.run_matching();
SELECT is(pg_temp.right_of('signal_record', pg_temp.sig('A')), 'O2', 'the rejected click-id pair is not linked again; the email candidate is');
SELECT is((SELECT method FROM recon.match_links WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('A')), 'exact_contact', '... by its own method');
SELECT results_eq($$SELECT right_id COLLATE "default", method COLLATE "default", confidence FROM recon.match_links WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('C')$$,
                  $$VALUES ('O4'::text, 'manual_verified'::text, 1::float8)$$, 'the manual link survives the re-run');
SELECT results_eq($$SELECT right_id COLLATE "default", allocated_amount, flags FROM recon.match_links WHERE left_id = 'PAY-CD' ORDER BY right_id COLLATE "C"$$,
                  $$VALUES ('O5'::text, 33.33::numeric, '{split,equal_split}'::text[]), ('O6', 33.33, '{split,equal_split}'),
                           ('O7', 33.34, '{split,equal_split}')$$,
                  'a payment for three orders, one without a value: equal parts, the last takes the remainder');
SELECT is((SELECT sum(allocated_amount) FROM recon.match_links WHERE left_id = 'PAY-CD'), 100::numeric, '... summing exactly to the amount');
SELECT results_eq($$SELECT link_type COLLATE "default", decision COLLATE "default", reason, decided_by = current_user FROM recon.match_decisions ORDER BY decision_id$$,
                  $$VALUES ('signal_record'::text, 'reject'::text, 'shared device'::text, true),
                           ('signal_record', 'confirm', 'order number in the chat', true),
                           ('record_transaction', 'confirm', 'remittance advice', true),
                           ('record_transaction', 'confirm', 'remittance advice', true),
                           ('record_transaction', 'confirm', 'remittance advice', true)$$,
                  'every decision is audited with its reason and user');
SELECT throws_ok($$DELETE FROM recon.match_decisions$$, '23001', NULL, 'the audit cannot be deleted');
SELECT throws_ok($$UPDATE recon.match_decisions SET reason = 'x'$$, '23001', NULL, '... nor edited');

-- JPY: a split follows the values and keeps whole yen; a refund follows its charge's split.
SELECT lives_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-JPY', 'O3', 'split invoice')$$, 'a yen payment confirmed to O3');
SELECT lives_ok($$SELECT recon.confirm_link('record_transaction', 'PAY-JPY', 'O4', 'split invoice')$$, '... and O4');
CALL recon.run_matching();
SELECT results_eq($$SELECT right_id COLLATE "default", allocated_amount, method COLLATE "default" FROM recon.match_links WHERE left_id = 'PAY-JPY' ORDER BY right_id COLLATE "C"$$,
                  $$VALUES ('O3'::text, 334::numeric, 'manual_verified'::text), ('O4', 667, 'manual_verified')$$,
                  'pro rata to 1000 and 2000 yen: 334 + 667 = 1001');
SELECT results_eq($$SELECT right_id COLLATE "default", allocated_amount, method COLLATE "default", rule FROM recon.match_links WHERE left_id = 'REF-JPY' ORDER BY right_id COLLATE "C"$$,
                  $$VALUES ('O3'::text, 100::numeric, 'crm_relationship'::text, 'parent_transaction_id -> order'::text),
                           ('O4', 201, 'crm_relationship', 'parent_transaction_id -> order')$$,
                  'the refund of a split charge is split the same way: 100 + 201 = 301');

------------------------------------------------------------------ methods and the inferred hook
CALL recon.run_matching(ARRAY['exact_id']);
SELECT is((SELECT count(*)::int FROM recon.match_links WHERE method NOT IN ('exact_id', 'manual_verified')), 0,
          'running only exact_id leaves no weaker links');
SELECT is((SELECT link_counts -> 'inferred' FROM recon.match_runs ORDER BY run_id DESC LIMIT 1), NULL, '... and does not call the inferred stage');
CALL recon.run_matching();
SELECT ok((SELECT link_counts -> 'inferred' ? 'ms' AND link_counts #> '{inferred,detail}' ? 'signal_record'
           FROM recon.match_runs ORDER BY run_id DESC LIMIT 1),
          'a full run runs the inferred stage and reports its counts and time');

-- Stand-ins for the inferred stage (the real one is restored below; all of it rolls back).
CREATE TEMP TABLE saved_inferred AS
SELECT pg_get_functiondef('recon.match_inferred(bigint, double precision)'::regprocedure) AS def;
CREATE OR REPLACE FUNCTION recon.match_inferred(run bigint, min_confidence float8) RETURNS jsonb LANGUAGE sql AS $$
    WITH ins AS (
        INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation, run_id)
        SELECT 'signal_record', s.signal_key::text, 'N1', 'inferred', 0.8, 'test', jsonb_build_object('min_confidence', min_confidence), run
        FROM recon.conversion_signals s
        WHERE s.batch_id = 'D'
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
        RETURNING 1)
    SELECT jsonb_build_object('signal_record', jsonb_build_object('linked', count(*))) FROM ins
$$;
CALL recon.run_matching(NULL, 0.85);
SELECT results_eq($$SELECT right_id COLLATE "default", method COLLATE "default", run_id = (SELECT max(run_id) FROM recon.match_runs), explanation ->> 'min_confidence'
                    FROM recon.match_links WHERE link_type = 'signal_record' AND left_id = pg_temp.sig('D')$$,
                  $$VALUES ('N1'::text, 'inferred'::text, true, '0.85'::text)$$,
                  'recon.match_inferred is called last with the run id and min_confidence');
SELECT is((SELECT (link_counts -> 'inferred' ->> 'signal_record')::int FROM recon.match_runs ORDER BY run_id DESC LIMIT 1), 1,
          '... and its links are counted');
SELECT is((SELECT reason FROM recon.unmatched_exceptions WHERE layer = 'signal' AND id = pg_temp.sig('D')),
          'linked with confidence 0.8, below the last run''s min_confidence 0.85', 'a link below the threshold is an exception');

-- A failing run leaves the previous links.
CREATE TEMP TABLE before_failure AS SELECT * FROM pg_temp.link_set();
CREATE OR REPLACE FUNCTION recon.match_inferred(run bigint, min_confidence float8) RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'model not trained' USING ERRCODE = 'RZ002';
END $$;
SELECT throws_ok($$CALL recon.run_matching()$$, 'RZ002', 'model not trained', 'a failing stage fails the run');
SELECT set_eq($$SELECT * FROM pg_temp.link_set()$$, $$SELECT * FROM before_failure$$, '... which leaves the previous links');
DO $$ BEGIN EXECUTE (SELECT def FROM saved_inferred); END $$;

------------------------------------------------------------------ the demo's truth
DELETE FROM recon.finance_transactions WHERE record_source = 'tap';
DELETE FROM recon.conversion_signals WHERE record_source = 'tap';
DELETE FROM recon.funnel_records WHERE record_source = 'tap';
SET CONSTRAINTS ALL IMMEDIATE;   -- run the deferred key checks now: the generator truncates these tables
SET CONSTRAINTS ALL DEFERRED;
SELECT ok((SELECT count(*) FROM recon_demo_generate(7, 2000)) > 0, 'demo data for seed 7, 2,000 journeys');
CALL recon.run_matching();
SELECT is((SELECT count(*)::int FROM recon.match_links l JOIN recon.conversion_signals s ON s.signal_key::text = l.left_id
           WHERE l.link_type = 'signal_record' AND l.method = 'exact_id'
             AND l.right_id IS DISTINCT FROM coalesce(s.order_id, s.lead_id)), 0,
          'exact_id signal links agree with the order/lead id the signal carries (precision 1.0)');
SELECT is((SELECT count(*)::int FROM recon.conversion_signals s
           WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)), 0,
          '... and every demo signal is linked (recall 1.0)');
SELECT results_eq($$SELECT count(*) FILTER (WHERE j.record_id = l.right_id)::int, count(*)::int,
                           (SELECT count(*)::int FROM recon_truth.journeys WHERE duplicate_record_id IS NOT NULL)
                    FROM recon.match_links l LEFT JOIN recon_truth.journeys j ON j.duplicate_record_id = l.left_id
                    WHERE l.link_type = 'record_record' AND l.method = 'exact_contact'$$,
                  $$SELECT n, n, n FROM (SELECT count(*)::int AS n FROM recon_truth.journeys WHERE duplicate_record_id IS NOT NULL) t$$,
                  'duplicate leads: every exact_contact link is a true duplicate and every duplicate is found');
SELECT results_eq($$SELECT count(*) FILTER (WHERE j.record_id = l.right_id)::int, count(*)::int
                    FROM recon.match_links l LEFT JOIN recon_truth.journeys j ON j.opportunity_id = l.left_id
                    WHERE l.link_type = 'record_record' AND l.method = 'crm_relationship'$$,
                  $$SELECT n, n FROM (SELECT count(*)::int AS n FROM recon_truth.journeys WHERE opportunity_id IS NOT NULL) t$$,
                  'opportunity -> lead: precision and recall 1.0');
SELECT is((SELECT count(*)::int FROM recon.match_links l JOIN recon.finance_transactions t ON t.transaction_id = l.left_id
           WHERE l.link_type = 'record_transaction' AND l.right_id IS DISTINCT FROM coalesce(t.order_id, t.opportunity_id)), 0,
          'transactions link to the order or opportunity finance recorded');

-- Without the order and lead ids on the signals, and with installments and refunds naming only
-- their invoice or charge, the click ids, cookies, contact hashes and finance references still
-- find the truth.
CREATE TEMP TABLE signal_truth AS
    SELECT signal_key::text AS left_id, coalesce(order_id, lead_id) AS record_id FROM recon.conversion_signals;
CREATE TEMP TABLE money_truth AS
    SELECT transaction_id AS left_id, coalesce(order_id, opportunity_id) AS record_id FROM recon.finance_transactions;
UPDATE recon.conversion_signals SET order_id = NULL, lead_id = NULL;
UPDATE recon.finance_transactions SET order_id = NULL WHERE parent_transaction_id IS NOT NULL;
UPDATE recon.finance_transactions SET opportunity_id = NULL WHERE invoice_id IS NOT NULL;
CALL recon.run_matching();
SELECT results_eq($$SELECT l.method COLLATE "default", count(*) FILTER (WHERE l.right_id = t.record_id) = count(*) AND count(*) > 100
                    FROM recon.match_links l JOIN signal_truth t USING (left_id)
                    WHERE l.link_type = 'signal_record' GROUP BY l.method ORDER BY l.method COLLATE "C"$$,
                  $$VALUES ('exact_contact'::text, true), ('exact_id', true)$$,
                  'signal -> record by click id, fbc and contact hash: precision 1.0 per method');
SELECT results_eq($$SELECT l.method COLLATE "default", count(*) FILTER (WHERE l.right_id = t.record_id) = count(*) AND count(*) > 100
                    FROM recon.match_links l JOIN money_truth t USING (left_id)
                    WHERE l.link_type = 'record_transaction' GROUP BY l.method ORDER BY l.method COLLATE "C"$$,
                  $$VALUES ('crm_relationship'::text, true), ('exact_id', true)$$,
                  'transaction -> record by id, invoice and parent charge: precision 1.0 per method');

SELECT * FROM finish();
ROLLBACK;
