-- linkage_cascade: the matching cascade (src/linkage/cascade.sql) on a tiny
-- hand-made dataset: every stage, ties flagged not guessed, manual confirm and
-- reject surviving re-runs, allocation summing exactly, coverage, exceptions,
-- and bad input. Everything runs in one transaction rolled back at the end
-- (match_decisions is append-only), so later suites see empty tables.
BEGIN;
SET LOCAL TimeZone = 'UTC';

-- Signals are labelled in batch_id (S1..S10): their keys come from a sequence.
CREATE FUNCTION regress.label(layer text, id text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN layer = 'signal' THEN (SELECT s.batch_id FROM recon.conversion_signals s WHERE s.signal_key::text = id)
                ELSE id END
$$;
CREATE FUNCTION regress.sig(label text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT signal_key::text FROM recon.conversion_signals WHERE batch_id = label
$$;
CREATE VIEW regress.links AS
    SELECT l.link_type, regress.label((recon.match_layers(l.link_type)).left_layer, l.left_id) AS left_side,
           regress.label((recon.match_layers(l.link_type)).right_layer, l.right_id) AS right_side,
           l.method, l.confidence, l.rule, l.allocated_amount, l.currency, l.flags
    FROM recon.match_links l;

INSERT INTO recon.funnel_records
    (record_id, record_type, crm_system, created_at, channel, fbclid, gclid, email_sha256, customer_id,
     parent_record_id, stated_value, currency, stage, status, closed_at, owner, record_source)
VALUES
    ('ORD-1', 'order', 'shop', '2026-03-01 10:00+00', 'meta', 'IwAR1abc', NULL, encode(sha256('e1@example.com'), 'hex'), 'C1', NULL, 100, 'USD', 'placed', 'open', NULL, NULL, 'test'),
    ('ORD-2', 'order', 'shop', '2026-03-02 10:00+00', 'meta', NULL, NULL, encode(sha256('e2@example.com'), 'hex'), 'C2', NULL, 50, 'USD', 'placed', 'open', NULL, NULL, 'test'),
    ('LEAD-1', 'lead', 'crm', '2026-03-03 09:00+00', 'google', NULL, 'G1', encode(sha256('e3@example.com'), 'hex'), 'C3', NULL, NULL, NULL, 'valid', 'won', '2026-03-05 09:00+00', 'rep1', 'test'),
    ('LEAD-2', 'lead', 'crm', '2026-03-10 09:00+00', 'direct', NULL, NULL, encode(sha256('e3@example.com'), 'hex'), NULL, NULL, NULL, NULL, 'captured', 'open', NULL, 'rep2', 'test'),
    ('OPP-1', 'opportunity', 'crm', '2026-03-05 09:00+00', 'google', NULL, NULL, encode(sha256('e3@example.com'), 'hex'), 'C3', 'LEAD-1', 1000, 'EUR', 'won', 'won', '2026-03-20 09:00+00', 'rep1', 'test'),
    ('ORD-3', 'order', 'shop', '2026-03-06 10:00+00', 'direct', NULL, NULL, NULL, 'C4', NULL, 10, 'USD', 'placed', 'open', NULL, NULL, 'test'),
    ('ORD-4', 'order', 'shop', '2026-03-06 11:00+00', 'direct', NULL, NULL, NULL, 'C4', NULL, 20, 'USD', 'placed', 'open', NULL, NULL, 'test'),
    ('LEAD-3', 'lead', 'crm', '2026-03-04 10:00+00', 'google', NULL, 'G9', NULL, NULL, NULL, NULL, NULL, 'captured', 'open', NULL, 'rep3', 'test'),
    ('LEAD-4', 'lead', 'crm', '2026-03-04 14:00+00', 'google', NULL, 'G9', NULL, NULL, NULL, NULL, NULL, 'captured', 'open', NULL, 'rep4', 'test'),
    ('ORD-5', 'order', 'shop', '2026-03-07 10:00+00', 'meta', NULL, NULL, NULL, NULL, NULL, 25, 'USD', 'placed', 'open', NULL, NULL, 'test'),
    ('ORD-6', 'order', 'shop', '2026-03-08 10:00+00', 'meta', NULL, NULL, encode(sha256('e6@example.com'), 'hex'), 'C6', NULL, 60, 'USD', 'delivered', 'won', '2026-03-09 10:00+00', NULL, 'test'),
    ('LEAD-5', 'lead', 'crm', '2026-03-11 09:00+00', 'direct', NULL, NULL, encode(sha256('e5@example.com'), 'hex'), NULL, NULL, NULL, NULL, 'captured', 'open', NULL, 'rep5', 'test'),
    ('LEAD-6', 'lead', 'crm', '2026-03-11 09:00+00', 'organic', NULL, NULL, encode(sha256('e5@example.com'), 'hex'), NULL, NULL, NULL, NULL, 'captured', 'open', NULL, 'rep5', 'test');

INSERT INTO recon.conversion_signals
    (platform, source, event_id, event_name, event_time, gclid, fbc, email_sha256, order_id, value, currency,
     record_source, batch_id)
VALUES
    ('meta', 'pixel', 'ORD-1', 'Purchase', '2026-03-01 10:00:05+00', NULL, NULL, NULL, 'ORD-1', 100, 'USD', 'test', 'S1'),
    ('meta', 'capi', 'capi.x', 'Purchase', '2026-03-01 10:00:30+00', NULL, NULL, NULL, 'ORD-1', 100, 'USD', 'test', 'S2'),
    ('meta', 'pixel', 'ev-3', 'Purchase', '2026-03-01 10:01:00+00', NULL, 'fb.1.1772359200000.IwAR1abc', NULL, NULL, 100, 'USD', 'test', 'S3'),
    ('google', 'offline_upload', 'ev-4', 'Lead', '2026-03-04 09:00+00', 'G1', NULL, NULL, NULL, 150, 'EUR', 'test', 'S4'),
    ('meta', 'capi', 'ev-5', 'Purchase', '2026-03-02 10:05+00', NULL, NULL, encode(sha256('e2@example.com'), 'hex'), NULL, 50, 'USD', 'test', 'S5'),
    ('google', 'offline_upload', 'ev-6', 'Lead', '2026-03-04 12:00+00', 'G9', NULL, NULL, NULL, 150, 'EUR', 'test', 'S6'),
    ('meta', 'pixel', 'ev-7', 'Purchase', '2026-03-02 11:00+00', NULL, NULL, NULL, NULL, 50, 'USD', 'test', 'S7'),
    ('meta', 'pixel', 'ev-8', 'Purchase', '2026-03-01 12:00+00', NULL, NULL, encode(sha256('e2@example.com'), 'hex'), 'ORD-1', 100, 'USD', 'test', 'S8'),
    ('meta', 'pixel', 'ev-9', 'Purchase', '2026-03-03 10:00+00', NULL, NULL, NULL, 'ORD-404', 80, 'USD', 'test', 'S9'),
    ('meta', 'pixel', 'ev-10', 'Purchase', '2026-03-02 10:00:03+00', NULL, NULL, NULL, 'ORD-2', 50, 'USD', 'test', 'S10');

INSERT INTO recon.finance_transactions
    (transaction_id, transaction_type, occurred_at, amount, currency, tax_amount, order_id, opportunity_id, customer_id,
     invoice_id, parent_transaction_id, record_source)
VALUES
    ('T1', 'payment', '2026-03-01 10:00+00', 100, 'USD', 0, 'ORD-1', NULL, 'C1', NULL, NULL, 'test'),
    ('T2', 'refund', '2026-03-12 10:00+00', 20, 'USD', 0, NULL, NULL, NULL, NULL, 'T1', 'test'),
    ('T3', 'invoice', '2026-03-20 09:00+00', 1190, 'EUR', 190, NULL, 'OPP-1', 'C3', NULL, NULL, 'test'),
    ('T4', 'payment', '2026-04-03 09:00+00', 595, 'EUR', 95, NULL, NULL, 'C3', 'T3', NULL, 'test'),
    ('T5', 'payment', '2026-03-02 10:01+00', 50, 'USD', 0, NULL, NULL, 'C2', NULL, NULL, 'test'),
    ('T6', 'payment', '2026-03-06 12:00+00', 100, 'USD', 0, NULL, NULL, 'C4', NULL, NULL, 'test'),
    ('T7', 'payment', '2026-03-03 10:00+00', 80, 'USD', 0, 'ORD-404', NULL, NULL, NULL, NULL, 'test'),
    ('T8', 'payment', '2026-03-09 10:00+00', 45, 'USD', 0, NULL, NULL, 'C9', NULL, NULL, 'test');

-- Bad input: clear errors with specific SQLSTATEs, nothing run.
SELECT regress.sqlstate_of($$CALL recon.run_matching(ARRAY['exact_id', 'fuzzy'])$$) AS unknown_method;
SELECT * FROM regress.error_of($$CALL recon.run_matching(ARRAY['exact_id', 'fuzzy'])$$);
SELECT regress.sqlstate_of($$CALL recon.run_matching(ARRAY['exact_id', NULL])$$) AS null_method;
SELECT regress.sqlstate_of($$CALL recon.run_matching('{}')$$) AS no_method;
SELECT regress.sqlstate_of($$CALL recon.run_matching(NULL, -0.1)$$) AS negative_threshold;
SELECT regress.sqlstate_of($$CALL recon.run_matching(NULL, 1.5)$$) AS threshold_above_one;
SELECT regress.sqlstate_of($$CALL recon.run_matching(NULL, NULL)$$) AS null_threshold;
SELECT regress.sqlstate_of($$CALL recon.run_matching(NULL, 'NaN')$$) AS nan_threshold;
SELECT count(*) AS runs_after_refusals FROM recon.match_runs;

-- The first run: every stage, strongest first.
CALL recon.run_matching();
SELECT * FROM regress.links ORDER BY link_type COLLATE "C", left_side COLLATE "C", right_side COLLATE "C";

-- Per-stage counts (milliseconds vary, so they are checked, not printed).
SELECT stage, counts - 'ms' AS counts, (counts ? 'ms') AS timed
FROM recon.match_runs r, jsonb_each(r.link_counts) AS e(stage, counts)
WHERE r.run_id = (SELECT max(run_id) FROM recon.match_runs) AND jsonb_typeof(counts) = 'object'
ORDER BY array_position(ARRAY['cleanup', 'manual_verified', 'exact_id', 'exact_contact', 'crm_relationship',
                              'allocation', 'inferred'], stage);
SELECT methods, parameters, run_by = current_user AS run_by_me, finished_at >= started_at AS finished
FROM recon.match_runs ORDER BY run_id DESC LIMIT 1;

-- Equal candidates are flagged, not guessed.
SELECT * FROM (
    SELECT link_type, regress.label((recon.match_layers(link_type)).left_layer, left_id) AS left_side, method, rule, reason, candidates
    FROM recon.match_ambiguities) a
ORDER BY link_type COLLATE "C", left_side COLLATE "C";

-- Re-running gives the same links with the same confidences.
CREATE TEMP TABLE first_links AS SELECT link_type, left_id, right_id, method, confidence, rule, allocated_amount FROM recon.match_links;
CALL recon.run_matching();
SELECT (SELECT count(*) FROM (TABLE first_links EXCEPT SELECT link_type, left_id, right_id, method, confidence, rule, allocated_amount FROM recon.match_links) a) AS lost,
       (SELECT count(*) FROM (SELECT link_type, left_id, right_id, method, confidence, rule, allocated_amount FROM recon.match_links EXCEPT TABLE first_links) b) AS gained;

-- Manual decisions: a reviewer rejects the exact-id pair S10 -> ORD-2, confirms the
-- signal without ids S7 -> ORD-2, and splits the customer payment T6 over ORD-3 and ORD-4.
SELECT recon.reject_link('signal_record', regress.sig('S10'), 'ORD-2', 'test order placed by the shop owner') AS removed;
SELECT recon.confirm_link('signal_record', regress.sig('S7'), 'ORD-2', 'customer sent the receipt') > 0 AS confirmed;
SELECT recon.confirm_link('record_transaction', 'T6', 'ORD-3', 'one payment for two orders (bank statement)') > 0 AS confirmed;
SELECT recon.confirm_link('record_transaction', 'T6', 'ORD-4', 'one payment for two orders (bank statement)') > 0 AS confirmed;
SELECT * FROM regress.links WHERE method = 'manual_verified' ORDER BY left_side COLLATE "C", right_side COLLATE "C";
SELECT sum(allocated_amount) AS t6_allocated FROM recon.match_links WHERE link_type = 'record_transaction' AND left_id = 'T6';

-- ... they survive a re-run, and the rejected pair is not linked again.
CALL recon.run_matching();
SELECT * FROM regress.links
WHERE left_side IN ('S7', 'S10', 'T6') ORDER BY left_side COLLATE "C", right_side COLLATE "C";
SELECT link_type, regress.label((recon.match_layers(link_type)).left_layer, left_id) AS left_side,
       right_id, decision, reason, decided_by = current_user AS by_me
FROM recon.match_decisions ORDER BY decision_id;

-- A confirmed side cannot be confirmed elsewhere; a reject then confirm changes it.
SELECT replace(regress.sqlstate_of(format($$SELECT recon.confirm_link('signal_record', %L, 'ORD-1', 'second thoughts')$$,
                                          regress.sig('S7'))), ' ' || regress.sig('S7') || ' ', ' S7 ') AS second_confirm;
SELECT recon.reject_link('signal_record', regress.sig('S7'), 'ORD-2', 'wrong receipt') AS removed;
SELECT recon.confirm_link('signal_record', regress.sig('S7'), 'ORD-1', 'right receipt') > 0 AS confirmed;
SELECT right_side, method FROM regress.links WHERE left_side = 'S7';

-- The decision log is append-only.
SELECT regress.sqlstate_of($$UPDATE recon.match_decisions SET reason = 'edited'$$) AS update_log;
SELECT regress.sqlstate_of($$DELETE FROM recon.match_decisions$$) AS delete_log;
SELECT regress.sqlstate_of($$TRUNCATE recon.match_decisions$$) AS truncate_log;

-- Bad manual input.
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('record_payment', 'T1', 'ORD-1', 'x')$$) AS unknown_link_type;
SELECT * FROM regress.error_of($$SELECT recon.confirm_link('record_payment', 'T1', 'ORD-1', 'x')$$);
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('record_transaction', 'T1', 'ORD-1', '  ')$$) AS blank_reason;
SELECT regress.sqlstate_of($$SELECT recon.reject_link('record_transaction', 'T1', 'ORD-1', NULL)$$) AS null_reason;
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('record_transaction', 'T1', NULL, 'x')$$) AS null_side;
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('record_transaction', 'T404', 'ORD-1', 'x')$$) AS missing_transaction;
SELECT regress.sqlstate_of($$SELECT recon.reject_link('record_transaction', 'T1', 'ORD-404', 'x')$$) AS missing_record;
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('signal_record', '0042', 'ORD-1', 'x')$$) AS signal_key_with_zeros;
SELECT regress.sqlstate_of($$SELECT recon.confirm_link('record_record', 'LEAD-1', 'LEAD-1', 'x')$$) AS self_link;
SELECT regress.sqlstate_of($$INSERT INTO recon.match_decisions (link_type, left_id, right_id, decision, reason) VALUES ('record_record', 'a', 'b', 'confirm', '')$$) AS empty_reason_row;

-- Only some methods: the others' links are gone, manual links stay.
CALL recon.run_matching(ARRAY['exact_id']);
SELECT method, count(*) FROM recon.match_links GROUP BY method ORDER BY method COLLATE "C";
CALL recon.run_matching();

-- Coverage: one row per strongest method plus an unmatched row per group; rows add up.
SELECT link_type, entity, channel, to_char(period, 'YYYY-MM') AS period, currency, method, records, linked_records, value, linked_value, share, match_rate
FROM recon.match_coverage
WHERE link_type IN ('signal_record', 'record_transaction')
ORDER BY link_type COLLATE "C", entity COLLATE "C", channel COLLATE "C", period, currency COLLATE "C",
         array_position(recon.match_methods() || 'unmatched'::text, method);
SELECT link_type, entity, sum(records) AS records, sum(linked_records) AS linked, sum(match_rate) AS match_rate_sum
FROM recon.match_coverage GROUP BY 1, 2 ORDER BY link_type COLLATE "C", entity COLLATE "C";

-- Exceptions: what the links leave unexplained, with a likely reason and owner.
SELECT * FROM (
    SELECT layer, link_type, regress.label(layer, id) AS id, channel, age, value, currency, reason, detail, owner
    FROM recon.unmatched_exceptions) e
ORDER BY layer COLLATE "C", link_type COLLATE "C", id COLLATE "C", reason COLLATE "C";

-- A stricter threshold lists the weaker exact links as exceptions.
CALL recon.run_matching(NULL, 0.995);
SELECT * FROM (
    SELECT layer, regress.label(layer, id) AS id, reason,
           replace(detail, id || ' ->', regress.label(layer, id) || ' ->') AS detail
    FROM recon.unmatched_exceptions
    WHERE reason LIKE 'linked with confidence%') e
ORDER BY id COLLATE "C";

ROLLBACK;
SELECT count(*) AS links_left FROM recon.match_links;
