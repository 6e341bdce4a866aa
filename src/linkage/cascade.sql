-- The matching cascade (issue 4, its SQL part): links between ad signals, CRM
-- records and finance transactions, each with its method, confidence and the
-- rule that made it. CALL recon.run_matching() rebuilds the automatic links in
-- one transaction, strongest method first; recon.confirm_link / recon.reject_link
-- record audited human decisions that every re-run respects. The probabilistic
-- stage (recon.match_inferred, src/linkage/inferred.sql, over the C Fellegi-Sunter functions) runs last.
-- Rules and reasoning: docs/matching.md.

------------------------------------------------------------------ tables
CREATE TABLE recon.match_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz,
    methods      text[] NOT NULL,
    parameters   jsonb NOT NULL DEFAULT '{}',
    run_by       text NOT NULL DEFAULT current_user,
    link_counts  jsonb
);
COMMENT ON TABLE recon.match_runs IS
    'One row per CALL recon.run_matching: when, by whom, which methods, the parameters (min_confidence) and, in link_counts, the links made and milliseconds spent per stage, e.g. {"exact_id": {"signal_record": 118000, ..., "ambiguous": 3, "ms": 812.4}}.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_runs', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_runs_run_id_seq', '');

CREATE TABLE recon.match_links (
    link_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_type         text COLLATE "C" NOT NULL CHECK (link_type IN
                      ('signal_record', 'record_transaction', 'record_record', 'signal_signal')),
    left_id           text COLLATE "C" NOT NULL,
    right_id          text COLLATE "C" NOT NULL,
    method            text COLLATE "C" NOT NULL CHECK (method IN
                      ('exact_id', 'exact_contact', 'crm_relationship', 'manual_verified', 'inferred')),
    confidence        float8 NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    rule              text NOT NULL,
    explanation       jsonb,
    allocated_amount  numeric,
    currency          recon_currency_code,
    flags             text[] NOT NULL DEFAULT '{}',
    run_id            bigint REFERENCES recon.match_runs,
    created_at        timestamptz NOT NULL DEFAULT now(),
    created_by        text NOT NULL DEFAULT current_user,
    CONSTRAINT match_links_pair UNIQUE (link_type, left_id, right_id)
);
COMMENT ON TABLE recon.match_links IS
    'Links between the layers, one row per pair: signal_record (conversion_signals.signal_key -> funnel_records.record_id), record_transaction (transaction_id -> record_id, with the allocated part of the amount), record_record (duplicate or child -> original or parent), signal_signal (repeated signal -> first one). Method, confidence 0..1 and the rule that made it; manual_verified links come from recon.confirm_link and survive re-runs, the others are rebuilt by recon.run_matching.';
COMMENT ON COLUMN recon.match_links.left_id IS
    'signal_record: signal_key as text; record_transaction: transaction_id; record_record: the duplicate or child record; signal_signal: the repeated signal. A left side links to one right side, except a transaction allocated to several records.';
COMMENT ON COLUMN recon.match_links.right_id IS
    'signal_record and record_transaction: record_id; record_record: the original or parent record; signal_signal: the first signal.';
COMMENT ON COLUMN recon.match_links.rule IS
    'What made the link: order_id, lead_id, fbclid, fbc click id, gclid, fbc, event_id, email_sha256, external_id = customer_id, invoice_id -> opportunity, parent_record_id, manual...';
COMMENT ON COLUMN recon.match_links.explanation IS
    'Why, in detail: for manual links the decision (id, reason, who, when); for inferred links the comparison levels and weights.';
COMMENT ON COLUMN recon.match_links.allocated_amount IS
    'record_transaction: the part of the transaction amount (in its currency) allocated to this record; the parts of one transaction sum exactly to its amount.';
COMMENT ON COLUMN recon.match_links.flags IS
    'Findings about the link: split (the transaction is allocated to several records), equal_split (split in equal parts because the records'' values could not weigh it).';
SELECT pg_catalog.pg_extension_config_dump('recon.match_links', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_links_link_id_seq', '');

CREATE TABLE recon.match_decisions (
    decision_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_type    text COLLATE "C" NOT NULL CHECK (link_type IN
                 ('signal_record', 'record_transaction', 'record_record', 'signal_signal')),
    left_id      text COLLATE "C" NOT NULL,
    right_id     text COLLATE "C" NOT NULL,
    decision     text COLLATE "C" NOT NULL CHECK (decision IN ('confirm', 'reject')),
    reason       text NOT NULL CHECK (btrim(reason) <> ''),
    decided_by   text NOT NULL DEFAULT current_user,
    decided_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE recon.match_decisions IS
    'Append-only audit of manual decisions on links: confirm or reject a pair, with the reason, who and when. The latest decision per pair wins (recon.match_latest_decisions). UPDATE, DELETE and TRUNCATE are rejected (23001); write through recon.confirm_link / recon.reject_link.';
CREATE INDEX match_decisions_pair ON recon.match_decisions (link_type, left_id, right_id, decision_id);
SELECT recon.make_append_only('recon.match_decisions');
SELECT pg_catalog.pg_extension_config_dump('recon.match_decisions', '');
SELECT pg_catalog.pg_extension_config_dump('recon.match_decisions_decision_id_seq', '');

CREATE TABLE recon.match_ambiguities (
    run_id      bigint NOT NULL REFERENCES recon.match_runs ON DELETE CASCADE,
    link_type   text COLLATE "C" NOT NULL,
    left_id     text COLLATE "C" NOT NULL,
    method      text COLLATE "C" NOT NULL,
    rule        text NOT NULL,
    reason      text NOT NULL,
    candidates  text[] NOT NULL,
    PRIMARY KEY (run_id, link_type, left_id)
);
COMMENT ON TABLE recon.match_ambiguities IS
    'Sides the last run left unlinked on purpose because several candidates were equally good (same rule strength, same time distance) or a customer had several candidate records: flagged, not guessed. Later stages of the run leave these sides alone; recon.unmatched_exceptions shows them. Only the latest run''s rows are kept.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_ambiguities', '');

------------------------------------------------------------------ small helpers
CREATE FUNCTION recon.match_methods() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['manual_verified', 'exact_id', 'exact_contact', 'crm_relationship', 'inferred']::text[]
$$;
COMMENT ON FUNCTION recon.match_methods() IS
    'The matching methods in the cascade''s order, strongest first: manual_verified, exact_id, exact_contact, crm_relationship, inferred.';

CREATE FUNCTION recon.match_link_types() RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY['signal_record', 'record_transaction', 'record_record', 'signal_signal']::text[]
$$;
COMMENT ON FUNCTION recon.match_link_types() IS
    'The link types (layer pairs): signal_record, record_transaction, record_record, signal_signal.';

CREATE VIEW recon.match_latest_decisions AS
    SELECT DISTINCT ON (link_type, left_id, right_id)
           decision_id, link_type, left_id, right_id, decision, reason, decided_by, decided_at
    FROM recon.match_decisions
    ORDER BY link_type, left_id, right_id, decision_id DESC;
COMMENT ON VIEW recon.match_latest_decisions IS
    'The decision in force for each pair: the latest confirm or reject recorded in recon.match_decisions.';

-- Whether one side of a link exists: a signal (by its key written as text), a record or a transaction.
-- (plpgsql, like every function here that reads the data tables: a SQL function keeps its plans
-- for the whole transaction, and a bulk load in between drops the indexes they use.)
CREATE FUNCTION recon.match_side_exists(layer text, id text) RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE layer
        WHEN 'signal' THEN id ~ '^[1-9][0-9]{0,17}$'
                           AND EXISTS (SELECT 1 FROM recon.conversion_signals s WHERE s.signal_key = id::bigint)
        WHEN 'record' THEN EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = id)
        WHEN 'transaction' THEN EXISTS (SELECT 1 FROM recon.finance_transactions t WHERE t.transaction_id = id)
    END;
END $$;
COMMENT ON FUNCTION recon.match_side_exists(text, text) IS
    'Whether a link side exists: layer signal (id = signal_key written as text, no leading zeros), record or transaction.';

-- The layers a link type joins: (left, right).
CREATE FUNCTION recon.match_layers(link_type text, OUT left_layer text, OUT right_layer text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE link_type WHEN 'signal_record' THEN 'signal' WHEN 'record_transaction' THEN 'transaction'
                          WHEN 'record_record' THEN 'record' WHEN 'signal_signal' THEN 'signal' END,
           CASE link_type WHEN 'signal_record' THEN 'record' WHEN 'record_transaction' THEN 'record'
                          WHEN 'record_record' THEN 'record' WHEN 'signal_signal' THEN 'signal' END
$$;
COMMENT ON FUNCTION recon.match_layers(text) IS
    'The layers of a link type''s left and right sides: signal_record = (signal, record), record_transaction = (transaction, record), record_record = (record, record), signal_signal = (signal, signal).';

-- Checks the arguments of confirm_link / reject_link; raises with a specific SQLSTATE.
CREATE FUNCTION recon.match_check_decision(link_type text, left_id text, right_id text, reason text)
RETURNS void LANGUAGE plpgsql STABLE AS $$
DECLARE
    layers record;
BEGIN
    IF link_type IS NULL OR left_id IS NULL OR right_id IS NULL OR reason IS NULL THEN
        RAISE EXCEPTION 'link_type, left_id, right_id and reason must not be NULL (got %, %, %, %)',
                        coalesce(quote_literal(link_type), 'NULL'), coalesce(quote_literal(left_id), 'NULL'),
                        coalesce(quote_literal(right_id), 'NULL'), coalesce(quote_literal(reason), 'NULL')
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF link_type <> ALL (recon.match_link_types()) THEN
        RAISE EXCEPTION 'unknown link type "%"', link_type
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Valid link types: ' || array_to_string(recon.match_link_types(), ', ') || '.';
    END IF;
    IF btrim(reason) = '' THEN
        RAISE EXCEPTION 'the reason for a decision on % % -> % is empty', link_type, left_id, right_id
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'Every manual confirm or reject is audited with a reason a colleague can read.';
    END IF;
    layers := recon.match_layers(link_type);
    IF layers.left_layer = layers.right_layer AND left_id = right_id THEN
        RAISE EXCEPTION 'a % cannot be linked to itself (% %)', layers.left_layer, layers.left_layer, left_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT recon.match_side_exists(layers.left_layer, left_id) THEN
        RAISE EXCEPTION '% "%" does not exist', layers.left_layer, left_id
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('The left side of a %s link is a %s.', link_type, layers.left_layer);
    END IF;
    IF NOT recon.match_side_exists(layers.right_layer, right_id) THEN
        RAISE EXCEPTION '% "%" does not exist', layers.right_layer, right_id
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('The right side of a %s link is a %s.', link_type, layers.right_layer);
    END IF;
END $$;
COMMENT ON FUNCTION recon.match_check_decision(text, text, text, text) IS
    'Validates a manual decision: no NULL (22004), a known link type and a non-blank reason (22023), no self-link (22023), both sides exist (23503 naming the missing id).';

-- Splits the amount of each given transaction over its record_transaction links:
-- pro rata to the records' stated values when they all have one, positive and in
-- one currency (equal parts otherwise, flag equal_split), each part rounded to the
-- transaction currency's minor units and the last part (by record id) taking the
-- remainder, so that the parts sum exactly to the amount. NULL: every transaction
-- with more than one link.
CREATE FUNCTION recon.match_reallocate(transaction_ids text[] DEFAULT NULL) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    updated_links bigint;
BEGIN
    WITH targets AS (
        SELECT l.left_id FROM recon.match_links l
        WHERE l.link_type = 'record_transaction' AND (transaction_ids IS NULL OR l.left_id = ANY (transaction_ids))
        GROUP BY l.left_id
        HAVING transaction_ids IS NOT NULL OR count(*) > 1
    ), members AS (
        SELECT l.link_id, l.left_id, l.right_id, t.amount, t.currency, r.stated_value,
               count(*) OVER w AS n,
               bool_and(coalesce(r.stated_value > 0, false)) OVER w
                   AND min(r.currency) OVER w = max(r.currency) OVER w AS weighted
        FROM targets g
        JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = g.left_id
        JOIN recon.finance_transactions t ON t.transaction_id = l.left_id
        LEFT JOIN recon.funnel_records r ON r.record_id = l.right_id
        WINDOW w AS (PARTITION BY l.left_id)
    ), shares AS (
        SELECT m.*,
               row_number() OVER (PARTITION BY m.left_id ORDER BY m.right_id) AS k,
               @extschema@.recon_money_round(
                   m.amount * CASE WHEN m.weighted THEN m.stated_value ELSE 1 END
                   / sum(CASE WHEN m.weighted THEN m.stated_value ELSE 1 END) OVER (PARTITION BY m.left_id),
                   m.currency) AS share
        FROM members m
    ), parts AS (
        SELECT s.link_id, s.currency, s.n, s.weighted,
               CASE WHEN s.k < s.n THEN s.share
                    ELSE s.amount - (sum(s.share) OVER (PARTITION BY s.left_id) - s.share) END AS part
        FROM shares s
    ), updated AS (
        UPDATE recon.match_links l
        SET allocated_amount = p.part,
            currency = p.currency,
            flags = array_remove(array_remove(l.flags, 'split'), 'equal_split')
                    || CASE WHEN p.n = 1 THEN '{}'::text[] WHEN p.weighted THEN '{split}' ELSE '{split,equal_split}' END
        FROM parts p
        WHERE l.link_id = p.link_id
        RETURNING 1
    )
    SELECT count(*) INTO updated_links FROM updated;
    RETURN updated_links;
END $$;
COMMENT ON FUNCTION recon.match_reallocate(text[]) IS
    'Allocates each given transaction''s amount over its record_transaction links (NULL: every transaction with several links): pro rata to the records'' stated values (equal parts when a value is missing or the records'' currencies differ, flag equal_split), rounded with recon_money_round, the last part taking the remainder so the parts sum exactly to the amount. Returns the links updated.';

------------------------------------------------------------------ manual decisions
CREATE FUNCTION recon.confirm_link(link_type text, left_id text, right_id text, reason text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_type  constant text := link_type;
    v_left  constant text := left_id;
    v_right constant text := right_id;
    other   text;
    d       recon.match_decisions;
    v_link  bigint;
BEGIN
    PERFORM recon.match_check_decision(v_type, v_left, v_right, reason);
    -- one decision at a time per left side (a run holds an EXCLUSIVE lock on the links)
    PERFORM pg_advisory_xact_lock(hashtext('recon.match_links'), hashtext(v_type || ':' || v_left));
    IF v_type <> 'record_transaction' THEN
        SELECT l.right_id INTO other FROM recon.match_links l
        WHERE l.link_type = v_type AND l.left_id = v_left AND l.method = 'manual_verified' AND l.right_id <> v_right
        LIMIT 1;
        IF other IS NOT NULL THEN
            RAISE EXCEPTION '% % is already confirmed to %: a % links to one %', v_type, v_left, other,
                            (recon.match_layers(v_type)).left_layer, (recon.match_layers(v_type)).right_layer
                USING ERRCODE = 'unique_violation',
                      HINT = format('Reject %s -> %s first (recon.reject_link) if that link is wrong.', v_left, other);
        END IF;
    END IF;
    INSERT INTO recon.match_decisions (link_type, left_id, right_id, decision, reason)
    VALUES (v_type, v_left, v_right, 'confirm', reason)
    RETURNING * INTO d;
    -- the human's choice replaces whatever the machine linked this side to
    DELETE FROM recon.match_links l
    WHERE l.link_type = v_type AND l.left_id = v_left AND l.method <> 'manual_verified';
    INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation,
                                   allocated_amount, currency)
    SELECT v_type, v_left, v_right, 'manual_verified', 1, 'manual',
           jsonb_build_object('decision_id', d.decision_id, 'reason', d.reason,
                              'decided_by', d.decided_by, 'decided_at', d.decided_at),
           t.amount, t.currency
    FROM (SELECT 1) one
    LEFT JOIN recon.finance_transactions t ON v_type = 'record_transaction' AND t.transaction_id = v_left
    ON CONFLICT ON CONSTRAINT match_links_pair DO UPDATE SET explanation = EXCLUDED.explanation
    RETURNING link_id INTO v_link;
    IF v_type = 'record_transaction' THEN
        PERFORM recon.match_reallocate(ARRAY[v_left]);
    END IF;
    RETURN v_link;
END $$;
COMMENT ON FUNCTION recon.confirm_link(text, text, text, text) IS
    'A human confirms a link: records the decision (reason required, who and when) and makes or keeps a manual_verified link (confidence 1) that every re-run keeps; automatic links of the same left side are dropped. Confirming a second record for one transaction allocates it over both. Raises 22004 (NULL), 22023 (unknown link type, blank reason, self-link), 23503 (a side does not exist), 23505 (the left side is already confirmed elsewhere). Returns the link id.';

CREATE FUNCTION recon.reject_link(link_type text, left_id text, right_id text, reason text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    v_type  constant text := link_type;
    v_left  constant text := left_id;
    v_right constant text := right_id;
    removed boolean;
BEGIN
    PERFORM recon.match_check_decision(v_type, v_left, v_right, reason);
    PERFORM pg_advisory_xact_lock(hashtext('recon.match_links'), hashtext(v_type || ':' || v_left));
    INSERT INTO recon.match_decisions (link_type, left_id, right_id, decision, reason)
    VALUES (v_type, v_left, v_right, 'reject', reason);
    DELETE FROM recon.match_links l WHERE l.link_type = v_type AND l.left_id = v_left AND l.right_id = v_right;
    removed := FOUND;
    IF v_type = 'record_transaction' THEN
        PERFORM recon.match_reallocate(ARRAY[v_left]);
    END IF;
    RETURN removed;
END $$;
COMMENT ON FUNCTION recon.reject_link(text, text, text, text) IS
    'A human rejects a pair: records the decision (reason required, who and when), deletes the link if there is one (returns whether it did) and keeps every later run from linking that pair. Same errors as recon.confirm_link.';

------------------------------------------------------------------ the stages
-- Time since a moment, in milliseconds (one decimal).
CREATE FUNCTION recon.match_ms(since timestamptz) RETURNS numeric
LANGUAGE sql VOLATILE AS $$
    SELECT round(extract(epoch FROM clock_timestamp() - since) * 1000, 1)
$$;
COMMENT ON FUNCTION recon.match_ms(timestamptz) IS
    'Milliseconds elapsed since a moment (clock time), for the per-stage timings in match_runs.link_counts.';

-- Stage 1: pairs whose latest decision is confirm get their manual_verified link back if it is missing.
CREATE FUNCTION recon.match_stage_manual(run bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    counts jsonb;
BEGIN
    WITH ins AS (
        INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation,
                                       allocated_amount, currency, run_id)
        SELECT d.link_type, d.left_id, d.right_id, 'manual_verified', 1, 'manual',
               jsonb_build_object('decision_id', d.decision_id, 'reason', d.reason,
                                  'decided_by', d.decided_by, 'decided_at', d.decided_at),
               t.amount, t.currency, run
        FROM recon.match_latest_decisions d
        LEFT JOIN recon.finance_transactions t ON d.link_type = 'record_transaction' AND t.transaction_id = d.left_id
        WHERE d.decision = 'confirm'
          AND recon.match_side_exists((recon.match_layers(d.link_type)).left_layer, d.left_id)
          AND recon.match_side_exists((recon.match_layers(d.link_type)).right_layer, d.right_id)
        ON CONFLICT ON CONSTRAINT match_links_pair DO NOTHING
        RETURNING link_type
    )
    SELECT jsonb_object_agg(lt, (SELECT count(*) FROM ins WHERE ins.link_type = lt)) INTO counts
    FROM unnest(recon.match_link_types()) AS lt;
    RETURN counts;
END $$;
COMMENT ON FUNCTION recon.match_stage_manual(bigint) IS
    'Cascade stage 1 (manual_verified): restores the manual link of every pair whose latest decision is confirm and whose sides still exist. Returns the links made per link type.';

-- The one-to-one picker shared by the stages. `candidates` is a query with columns
-- left_id, right_id, rule_rank (smaller = stronger), rule_order (index into `rules`:
-- which rule names a pair that several found) and distance (interval, smaller =
-- better). Left sides already linked, flagged ambiguous earlier in this run, and
-- rejected pairs are left out; then each left side keeps its candidates of the
-- best rank and the smallest distance: one right side is linked, two or more
-- equally good ones are flagged in match_ambiguities and nothing is linked.
-- Hash joins and hash aggregates throughout: the planner cannot estimate the
-- unpivoted key columns, and a merge join or a nested loop over them is slower.
CREATE FUNCTION recon.match_pick(run bigint, link_type text, method text, confidence float8, rules text[],
                                 candidates text)
RETURNS jsonb LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $pick$
DECLARE
    linked bigint;
    flagged bigint;
    is_money constant boolean := link_type = 'record_transaction';
BEGIN
    -- Each step in a temporary table (no WAL, real row counts for the next step's plan).
    IF to_regclass('pg_temp.match_eligible') IS NOT NULL THEN DROP TABLE pg_temp.match_eligible; END IF;
    EXECUTE format($q$
        CREATE TEMP TABLE match_eligible ON COMMIT DROP AS
        SELECT c.left_id, c.right_id, c.rule_order,
               rank() OVER (PARTITION BY c.left_id ORDER BY c.rule_rank, c.distance) AS rk
        FROM (SELECT c.left_id::text COLLATE "C" AS left_id, c.right_id::text COLLATE "C" AS right_id,
                     c.rule_rank, c.rule_order, c.distance
              FROM (%1$s) c) c
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l
                          WHERE l.link_type = %2$L AND l.left_id = c.left_id)
          AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                          WHERE a.run_id = %3$s AND a.link_type = %2$L AND a.left_id = c.left_id)
          AND NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                          WHERE d.decision = 'reject' AND d.link_type = %2$L
                            AND d.left_id = c.left_id AND d.right_id = c.right_id)
        $q$, candidates, link_type, run);
    IF to_regclass('pg_temp.match_best') IS NOT NULL THEN DROP TABLE pg_temp.match_best; END IF;
    CREATE TEMP TABLE match_best ON COMMIT DROP AS
        SELECT e.left_id, min(e.right_id) AS lo, max(e.right_id) AS hi, min(e.rule_order) AS rule_order
        FROM match_eligible e WHERE e.rk = 1
        GROUP BY e.left_id;
    EXECUTE format($q$
        INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                       allocated_amount, currency)
        SELECT %2$L, b.left_id, b.lo, %4$L, %5$s, (%6$L::text[])[b.rule_order], %3$s, %7$s
        FROM match_best b %8$s
        WHERE b.lo = b.hi
        ORDER BY b.left_id      -- in index order: far fewer index pages touched on a large table
        $q$, NULL, link_type, run, method, confidence, rules,
        CASE WHEN is_money THEN 't.amount, t.currency' ELSE 'NULL::numeric, NULL' END,
        CASE WHEN is_money THEN 'JOIN recon.finance_transactions t ON t.transaction_id = b.left_id' ELSE '' END);
    GET DIAGNOSTICS linked = ROW_COUNT;
    INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
    SELECT run, match_pick.link_type, b.left_id, match_pick.method, rules[b.rule_order], 'two equal candidates',
           array_agg(DISTINCT e.right_id)
    FROM match_best b JOIN match_eligible e ON e.left_id = b.left_id AND e.rk = 1
    WHERE b.lo <> b.hi
    GROUP BY b.left_id, b.rule_order;
    GET DIAGNOSTICS flagged = ROW_COUNT;
    RETURN jsonb_build_object('linked', linked, 'ambiguous', flagged);
END $pick$;
COMMENT ON FUNCTION recon.match_pick(bigint, text, text, double precision, text[], text) IS
    'Internal: links each open left side of a candidate query (left_id, right_id, rule_rank, rule_order, distance) to its single best right side (strongest rule, then closest in time), naming the rule rules[rule_order]; two or more equally good candidates link nothing and are recorded in match_ambiguities. Skips linked and ambiguous left sides and rejected pairs. Returns {"linked": n, "ambiguous": n}.';

-- |a - b| for two moments.
CREATE FUNCTION recon.match_gap(a timestamptz, b timestamptz) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN a >= b THEN a - b ELSE b - a END
$$;
COMMENT ON FUNCTION recon.match_gap(timestamptz, timestamptz) IS
    'The time between two moments, whichever comes first: how close a candidate is.';

-- Sums the per-link-type results of match_pick into a stage's counts.
CREATE FUNCTION recon.match_stage_counts(results jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_object_agg(lt, coalesce((results -> lt ->> 'linked')::bigint, 0))
           || jsonb_build_object('ambiguous',
                                 (SELECT coalesce(sum((v ->> 'ambiguous')::bigint), 0) FROM jsonb_each(results) AS e(k, v)))
    FROM unnest(recon.match_link_types()) AS lt
$$;
COMMENT ON FUNCTION recon.match_stage_counts(jsonb) IS
    'Internal: {"signal_record": {"linked": n, "ambiguous": m}, ...} -> {"signal_record": n, ..., "ambiguous": total}, every link type present.';

-- Stage 2: exact ids.
CREATE FUNCTION recon.match_stage_exact_id(run bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    results jsonb := '{}';
BEGIN
    -- The keys of both sides, unpivoted once into temporary tables: with their statistics the
    -- joins are planned as one-batch hash joins (over a CTE the planner guesses ten times the rows).
    -- kind: 1 fbclid, 2 gclid, 3 gbraid, 4 wbraid, 5 ttclid, 6 msclkid, 7 li_fat_id, 8 fbc;
    -- 101 order_id, 102 lead_id (the record's own id).
    IF to_regclass('pg_temp.match_signal_keys') IS NOT NULL THEN DROP TABLE pg_temp.match_signal_keys; END IF;
    CREATE TEMP TABLE match_signal_keys ON COMMIT DROP AS
    WITH sig AS MATERIALIZED (
        SELECT signal_key, event_time, order_id, lead_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id,
               fbc, (@extschema@.recon_parse_fbc(fbc)).fbclid COLLATE "C" AS fbc_click_id
        FROM recon.conversion_signals
        WHERE coalesce(order_id, lead_id, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, fbc) IS NOT NULL
    )
    SELECT signal_key, event_time, 101 AS kind, order_id AS id, false AS via_fbc FROM sig WHERE order_id <> ''
    UNION ALL SELECT signal_key, event_time, 102, lead_id, false FROM sig WHERE lead_id <> ''
    UNION ALL SELECT signal_key, event_time, 1, fbclid, false FROM sig WHERE fbclid <> ''
    UNION ALL SELECT signal_key, event_time, 1, fbc_click_id, true FROM sig WHERE fbc_click_id <> ''
    UNION ALL SELECT signal_key, event_time, 2, gclid, false FROM sig WHERE gclid <> ''
    UNION ALL SELECT signal_key, event_time, 3, gbraid, false FROM sig WHERE gbraid <> ''
    UNION ALL SELECT signal_key, event_time, 4, wbraid, false FROM sig WHERE wbraid <> ''
    UNION ALL SELECT signal_key, event_time, 5, ttclid, false FROM sig WHERE ttclid <> ''
    UNION ALL SELECT signal_key, event_time, 6, msclkid, false FROM sig WHERE msclkid <> ''
    UNION ALL SELECT signal_key, event_time, 7, li_fat_id, false FROM sig WHERE li_fat_id <> ''
    UNION ALL SELECT signal_key, event_time, 8, fbc, false FROM sig WHERE fbc <> '';
    IF to_regclass('pg_temp.match_record_keys') IS NOT NULL THEN DROP TABLE pg_temp.match_record_keys; END IF;
    CREATE TEMP TABLE match_record_keys ON COMMIT DROP AS
    WITH rec AS MATERIALIZED (
        SELECT record_id, created_at, fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id,
               fbc, (@extschema@.recon_parse_fbc(fbc)).fbclid COLLATE "C" AS fbc_click_id
        FROM recon.funnel_records
        WHERE coalesce(fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, fbc) IS NOT NULL
    )
    SELECT record_id, created_at, 1 AS kind, fbclid AS id, false AS via_fbc FROM rec WHERE fbclid <> ''
    UNION ALL SELECT record_id, created_at, 1, fbc_click_id, true FROM rec WHERE fbc_click_id <> ''
    UNION ALL SELECT record_id, created_at, 2, gclid, false FROM rec WHERE gclid <> ''
    UNION ALL SELECT record_id, created_at, 3, gbraid, false FROM rec WHERE gbraid <> ''
    UNION ALL SELECT record_id, created_at, 4, wbraid, false FROM rec WHERE wbraid <> ''
    UNION ALL SELECT record_id, created_at, 5, ttclid, false FROM rec WHERE ttclid <> ''
    UNION ALL SELECT record_id, created_at, 6, msclkid, false FROM rec WHERE msclkid <> ''
    UNION ALL SELECT record_id, created_at, 7, li_fat_id, false FROM rec WHERE li_fat_id <> ''
    UNION ALL SELECT record_id, created_at, 8, fbc, false FROM rec WHERE fbc <> '';
    ANALYZE pg_temp.match_signal_keys, pg_temp.match_record_keys;

    -- signal -> record: the record's own id (rank 1), else a click id or the fbc cookie (rank 2);
    -- several records: the closest in time. rule_order: 1 order_id, 2 lead_id, 3 fbclid, 4 the
    -- click id of an fbc cookie, 5 gclid ... 10 li_fat_id, 11 fbc.
    results := results || jsonb_build_object('signal_record', recon.match_pick(run, 'signal_record', 'exact_id', 1.0,
        ARRAY['order_id', 'lead_id', 'fbclid', 'fbc click id', 'gclid', 'gbraid', 'wbraid', 'ttclid', 'msclkid',
              'li_fat_id', 'fbc'], $c$
        SELECT o.signal_key AS left_id, r.record_id AS right_id, 1 AS rule_rank, o.kind - 100 AS rule_order,
               recon.match_gap(o.event_time, r.created_at) AS distance
        FROM pg_temp.match_signal_keys o JOIN recon.funnel_records r ON r.record_id = o.id
        WHERE o.kind > 100
        UNION ALL
        SELECT sk.signal_key, rk.record_id, 2,
               CASE WHEN sk.via_fbc OR rk.via_fbc THEN 4 ELSE 2 + sk.kind + (sk.kind > 1)::int END,
               recon.match_gap(sk.event_time, rk.created_at)
        FROM pg_temp.match_signal_keys sk JOIN pg_temp.match_record_keys rk ON rk.kind = sk.kind AND rk.id = sk.id
        WHERE sk.kind < 100
    $c$));

    -- transaction -> record: order_id (rank 1), else opportunity_id (rank 2).
    results := results || jsonb_build_object('record_transaction', recon.match_pick(run, 'record_transaction', 'exact_id', 1.0,
        ARRAY['order_id', 'opportunity_id'], $c$
        WITH k AS (
            SELECT transaction_id, 1 AS rule_order, order_id AS id FROM recon.finance_transactions WHERE order_id <> ''
            UNION ALL
            SELECT transaction_id, 2, opportunity_id FROM recon.finance_transactions WHERE opportunity_id <> ''
        )
        SELECT k.transaction_id AS left_id, r.record_id AS right_id, k.rule_order AS rule_rank, k.rule_order,
               interval '0' AS distance
        FROM k JOIN recon.funnel_records r ON r.record_id = k.id
    $c$));

    -- repeated signal -> first signal: the same event id (rank 1), else the same order id sent from
    -- another source (Pixel vs Conversions API, rank 2); the earliest such signal.
    results := results || jsonb_build_object('signal_signal', recon.match_pick(run, 'signal_signal', 'exact_id', 1.0,
        ARRAY['event_id', 'order_id across sources'], $c$
        WITH s AS MATERIALIZED (
            SELECT signal_key, platform, event_name, event_id, order_id, source, event_time
            FROM recon.conversion_signals WHERE event_id <> '' OR order_id <> ''
        ), repeated_event AS (      -- hash aggregates first: only repeated keys are sorted
            SELECT platform, event_name, event_id FROM s WHERE event_id <> ''
            GROUP BY platform, event_name, event_id HAVING count(*) > 1
        ), by_event AS (
            SELECT s.signal_key, first_value(s.signal_key) OVER w AS root_key, first_value(s.event_time) OVER w AS root_time
            FROM s JOIN repeated_event r USING (platform, event_name, event_id)
            WINDOW w AS (PARTITION BY s.platform, s.event_name, s.event_id ORDER BY s.event_time, s.signal_key)
        ), several_sources AS (
            SELECT platform, order_id FROM s WHERE order_id <> ''
            GROUP BY platform, order_id HAVING min(source) <> max(source)
        ), source_first AS (
            SELECT DISTINCT ON (s.platform, s.order_id, s.source) s.platform, s.order_id, s.source, s.signal_key, s.event_time
            FROM s JOIN several_sources m USING (platform, order_id)
            ORDER BY s.platform, s.order_id, s.source, s.event_time, s.signal_key
        )
        SELECT signal_key AS left_id, root_key AS right_id, 1 AS rule_rank, 1 AS rule_order,
               root_time - timestamptz '2000-01-01 00:00+00' AS distance
        FROM by_event WHERE root_key <> signal_key
        UNION ALL
        SELECT x.signal_key, f.signal_key, 2, 2, f.event_time - timestamptz '2000-01-01 00:00+00'
        FROM s x
        JOIN source_first f ON f.platform = x.platform AND f.order_id = x.order_id AND f.source <> x.source
        WHERE (f.event_time, f.signal_key) < (x.event_time, x.signal_key)
    $c$));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_exact_id(bigint) IS
    'Cascade stage 2 (exact_id, confidence 1.0): signal -> record by order/lead id, else by click id (fbclid, gclid, gbraid, wbraid, ttclid, msclkid, li_fat_id, the click id inside an fbc cookie) or fbc; transaction -> record by order_id, else opportunity_id; repeated signal -> first signal by (platform, event_name, event_id) or by (platform, order_id) from another source. Returns links per link type and the ambiguous count.';

-- Stage 3: exact protected contact keys.
CREATE FUNCTION recon.match_stage_exact_contact(run bigint) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $$
DECLARE
    results jsonb := '{}';
BEGIN
    IF to_regclass('pg_temp.match_signal_contacts') IS NOT NULL THEN DROP TABLE pg_temp.match_signal_contacts; END IF;
    CREATE TEMP TABLE match_signal_contacts ON COMMIT DROP AS
    WITH sig AS MATERIALIZED (
        SELECT s.signal_key, s.event_time, s.email_sha256::text COLLATE "C" AS email,
               s.phone_sha256::text COLLATE "C" AS phone, s.external_id
        FROM recon.conversion_signals s
        WHERE coalesce(s.email_sha256, s.phone_sha256, s.external_id) IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                          WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
    )
    SELECT signal_key, event_time, 1 AS kind, email AS id FROM sig WHERE email <> ''
    UNION ALL SELECT signal_key, event_time, 2, phone FROM sig WHERE phone <> ''
    UNION ALL SELECT signal_key, event_time, 3, external_id FROM sig WHERE external_id <> '';
    IF to_regclass('pg_temp.match_record_contacts') IS NOT NULL THEN DROP TABLE pg_temp.match_record_contacts; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_temp.match_signal_contacts) THEN
        -- every signal with a contact key is linked already: nothing to unpivot on the record side
        results := jsonb_build_object('signal_record', jsonb_build_object('linked', 0, 'ambiguous', 0));
    ELSE
        CREATE TEMP TABLE match_record_contacts ON COMMIT DROP AS
        WITH rec AS MATERIALIZED (     -- leads and orders: an opportunity shares its lead's contact but no ad converts into it
            SELECT record_id, created_at, email_sha256::text COLLATE "C" AS email,
                   phone_sha256::text COLLATE "C" AS phone, customer_id
            FROM recon.funnel_records
            WHERE coalesce(email_sha256, phone_sha256, customer_id) IS NOT NULL AND record_type <> 'opportunity'
        )
        SELECT record_id, created_at, 1 AS kind, email AS id FROM rec WHERE email <> ''
        UNION ALL SELECT record_id, created_at, 2, phone FROM rec WHERE phone <> ''
        UNION ALL SELECT record_id, created_at, 3, customer_id FROM rec WHERE customer_id <> '';
        ANALYZE pg_temp.match_signal_contacts, pg_temp.match_record_contacts;

        -- signal -> lead or order on a hashed email, hashed phone, or external_id = customer_id; the
        -- closest in time. Only signals still open are unpivoted.
        results := results || jsonb_build_object('signal_record', recon.match_pick(run, 'signal_record', 'exact_contact', 0.99,
            ARRAY['email_sha256', 'phone_sha256', 'external_id = customer_id'], $c$
            SELECT sk.signal_key AS left_id, rk.record_id AS right_id, 1 AS rule_rank, sk.kind AS rule_order,
                   recon.match_gap(sk.event_time, rk.created_at) AS distance
            FROM pg_temp.match_signal_contacts sk JOIN pg_temp.match_record_contacts rk ON rk.kind = sk.kind AND rk.id = sk.id
        $c$));
    END IF;

    -- duplicate lead -> original lead: same hashed email (rank 1) or phone (rank 2), the later lead
    -- to the earliest. Leads created at the same moment as the earliest are not originals either:
    -- their candidates include themselves, so they are flagged, never linked in a circle.
    results := results || jsonb_build_object('record_record', recon.match_pick(run, 'record_record', 'exact_contact', 0.99,
        ARRAY['email_sha256', 'phone_sha256'], $c$
        WITH keyed AS MATERIALIZED (
            SELECT record_id, created_at, 1 AS kind, email_sha256::text COLLATE "C" AS id
            FROM recon.funnel_records WHERE record_type = 'lead' AND email_sha256 <> ''
            UNION ALL
            SELECT record_id, created_at, 2, phone_sha256::text COLLATE "C"
            FROM recon.funnel_records WHERE record_type = 'lead' AND phone_sha256 <> ''
        ), firsts AS (
            SELECT kind, id, min(created_at) AS first_at FROM keyed GROUP BY kind, id HAVING count(*) > 1
        ), origins AS (
            SELECT y.kind, y.id, y.record_id, y.created_at, count(*) OVER (PARTITION BY y.kind, y.id) AS n
            FROM keyed y JOIN firsts f ON f.kind = y.kind AND f.id = y.id AND f.first_at = y.created_at
        )
        SELECT x.record_id AS left_id, o.record_id AS right_id, x.kind AS rule_rank, x.kind AS rule_order,
               x.created_at - o.created_at AS distance
        FROM keyed x
        JOIN origins o ON o.kind = x.kind AND o.id = x.id
        WHERE x.created_at > o.created_at OR o.n > 1
    $c$));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_exact_contact(bigint) IS
    'Cascade stage 3 (exact_contact, confidence 0.99): signal -> lead or order on email_sha256, phone_sha256 or external_id = customer_id (closest in time); duplicate lead -> earliest lead with the same email_sha256 (else phone_sha256). Returns links per link type and the ambiguous count.';

-- Stage 4: CRM relationships.
CREATE FUNCTION recon.match_stage_crm_relationship(run bigint) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET enable_nestloop = off
AS $$
DECLARE
    results jsonb := '{}';
    n bigint;
    money_links bigint := 0;
    money_flagged bigint := 0;
    pass integer;
BEGIN
    -- child record -> parent record (opportunity -> the lead it came from, follow-up -> first order).
    results := results || jsonb_build_object('record_record', recon.match_pick(run, 'record_record', 'crm_relationship', 0.98,
        ARRAY['parent_record_id'], $c$
        SELECT r.record_id AS left_id, p.record_id AS right_id, 1 AS rule_rank, 1 AS rule_order, interval '0' AS distance
        FROM recon.funnel_records r JOIN recon.funnel_records p ON p.record_id = r.parent_record_id
        WHERE r.parent_record_id <> r.record_id
    $c$));

    -- transaction -> the record(s) of the transaction it refers to: its invoice (rank 1), else its
    -- parent transaction (refund -> charge). A referenced transaction split over several records
    -- passes the split on. Repeated until nothing new links (chains: refund -> payment -> invoice);
    -- then the customer route, then the references once more for what the customer route linked.
    FOR pass IN 1..2 LOOP
        FOR i IN 1..20 LOOP
            WITH refs AS (
                SELECT t.transaction_id, t.amount, t.currency, v.route, v.ref_id
                FROM recon.finance_transactions t
                CROSS JOIN LATERAL (VALUES (1, t.invoice_id), (2, t.parent_transaction_id)) AS v(route, ref_id)
                WHERE v.ref_id <> t.transaction_id
                  AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                                  WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
                  AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                                  WHERE a.run_id = run AND a.link_type = 'record_transaction' AND a.left_id = t.transaction_id)
            ), cand AS (
                SELECT r.transaction_id, r.amount, r.currency, r.route, l.right_id,
                       min(r.route) OVER (PARTITION BY r.transaction_id) AS best_route
                FROM refs r
                JOIN recon.match_links l ON l.link_type = 'record_transaction' AND l.left_id = r.ref_id
                WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                                  WHERE d.decision = 'reject' AND d.link_type = 'record_transaction'
                                    AND d.left_id = r.transaction_id AND d.right_id = l.right_id)
            )
            INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                           allocated_amount, currency)
            SELECT 'record_transaction', c.transaction_id, c.right_id, 'crm_relationship', 0.98,
                   CASE c.route WHEN 1 THEN 'invoice_id -> ' ELSE 'parent_transaction_id -> ' END || coalesce(rec.record_type, 'record'),
                   run, c.amount, c.currency
            FROM cand c LEFT JOIN recon.funnel_records rec ON rec.record_id = c.right_id
            WHERE c.route = c.best_route
            ON CONFLICT ON CONSTRAINT match_links_pair DO NOTHING;
            GET DIAGNOSTICS n = ROW_COUNT;
            money_links := money_links + n;
            EXIT WHEN n = 0;
        END LOOP;
        EXIT WHEN pass = 2;

        -- a transaction that names nothing but its customer -> the customer's only order or
        -- opportunity; several -> flagged (not guessed).
        WITH open_t AS (
            SELECT t.transaction_id, t.customer_id, t.amount, t.currency
            FROM recon.finance_transactions t
            WHERE t.customer_id <> ''
              AND coalesce(t.order_id, t.opportunity_id, t.invoice_id, t.parent_transaction_id) IS NULL
              AND NOT EXISTS (SELECT 1 FROM recon.match_links l
                              WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
        ), cand AS (
            SELECT t.transaction_id, t.amount, t.currency, r.record_id, r.record_type
            FROM open_t t
            JOIN recon.funnel_records r ON r.customer_id = t.customer_id AND r.record_type IN ('order', 'opportunity')
            WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                              WHERE d.decision = 'reject' AND d.link_type = 'record_transaction'
                                AND d.left_id = t.transaction_id AND d.right_id = r.record_id)
        ), grouped AS (
            SELECT transaction_id, count(*) AS n, min(record_id) AS record_id, min(record_type) AS record_type,
                   min(amount) AS amount, min(currency) AS currency, array_agg(record_id ORDER BY record_id) AS candidates
            FROM cand GROUP BY transaction_id
        ), ins AS (
            INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, run_id,
                                           allocated_amount, currency)
            SELECT 'record_transaction', g.transaction_id, g.record_id, 'crm_relationship', 0.98,
                   'customer_id -> ' || g.record_type, run, g.amount, g.currency
            FROM grouped g WHERE g.n = 1
            RETURNING 1
        ), amb AS (
            INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
            SELECT run, 'record_transaction', g.transaction_id, 'crm_relationship', 'customer_id',
                   format('customer has %s candidate records', g.n), g.candidates
            FROM grouped g WHERE g.n > 1
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM amb) INTO n, money_flagged;
        money_links := money_links + n;
    END LOOP;
    results := results || jsonb_build_object('record_transaction',
                                             jsonb_build_object('linked', money_links, 'ambiguous', money_flagged));
    RETURN recon.match_stage_counts(results);
END $$;
COMMENT ON FUNCTION recon.match_stage_crm_relationship(bigint) IS
    'Cascade stage 4 (crm_relationship, confidence 0.98): child record -> parent record (parent_record_id: opportunity -> lead); transaction -> the record(s) of its invoice (invoice_id) or of its parent transaction (refund -> charge), chains followed; a transaction naming only its customer -> the customer''s only order or opportunity (several: flagged). Returns links per link type and the ambiguous count.';

------------------------------------------------------------------ the procedure
CREATE PROCEDURE recon.run_matching(methods text[] DEFAULT NULL, min_confidence float8 DEFAULT 0.9)
LANGUAGE plpgsql
-- JIT compiling these plans costs more than running them; hash joins want memory.
SET jit = off
SET work_mem = '256MB'
AS $$
DECLARE
    wanted   text[];
    bad      text;
    v_run    bigint;
    t_run    timestamptz := clock_timestamp();
    t0       timestamptz;
    counts   jsonb := '{}';
    stage    jsonb;
    n        bigint;
    detail   jsonb;
BEGIN
    -- Under row-level security a scoped role sees part of the layers: it would delete every
    -- automatic link and rebuild only its own (recon.scope_unrestricted: src/security/access.sql).
    IF NOT recon.scope_unrestricted() THEN
        RAISE EXCEPTION 'recon.run_matching needs every row, and role % sees only its scope', current_user
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Run matching as recon_admin or as a role with an all_rows scope in recon.access_scopes.';
    END IF;
    IF methods IS NOT NULL THEN
        IF array_position(methods, NULL) IS NOT NULL THEN
            RAISE EXCEPTION 'methods % contains NULL', methods
                USING ERRCODE = 'null_value_not_allowed',
                      HINT = 'Name methods, or pass NULL (the default) for all of them.';
        END IF;
        IF cardinality(methods) = 0 THEN
            RAISE EXCEPTION 'methods is empty: name at least one matching method'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Valid methods: ' || array_to_string(recon.match_methods(), ', ') || '; NULL runs them all.';
        END IF;
        SELECT m INTO bad FROM unnest(methods) AS m WHERE m <> ALL (recon.match_methods()) LIMIT 1;
        IF bad IS NOT NULL THEN
            RAISE EXCEPTION 'unknown matching method "%"', bad
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Valid methods: ' || array_to_string(recon.match_methods(), ', ') || '.';
        END IF;
    END IF;
    IF min_confidence IS NULL OR NOT (min_confidence >= 0 AND min_confidence <= 1) OR min_confidence = 'NaN' THEN
        RAISE EXCEPTION 'min_confidence % is outside [0, 1]', coalesce(min_confidence::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A link''s confidence is a probability; the threshold is one too (default 0.9).';
    END IF;
    wanted := ARRAY(SELECT m FROM unnest(recon.match_methods()) WITH ORDINALITY AS u(m, o)
                    WHERE methods IS NULL OR m = ANY (methods) ORDER BY o);

    -- One run at a time, and no manual decision in the middle of one; readers keep
    -- seeing the previous links until this transaction commits.
    LOCK TABLE recon.match_links IN EXCLUSIVE MODE;
    INSERT INTO recon.match_runs (methods, parameters)
    VALUES (wanted, jsonb_build_object('min_confidence', min_confidence))
    RETURNING run_id INTO v_run;

    t0 := clock_timestamp();
    DELETE FROM recon.match_links WHERE method <> 'manual_verified';
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM recon.match_ambiguities WHERE run_id <> v_run;
    counts := jsonb_build_object('cleanup', jsonb_build_object('removed', n, 'ms', recon.match_ms(t0)));

    IF 'manual_verified' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_manual(v_run);
        counts := counts || jsonb_build_object('manual_verified', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'exact_id' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_exact_id(v_run);
        counts := counts || jsonb_build_object('exact_id', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'exact_contact' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_exact_contact(v_run);
        counts := counts || jsonb_build_object('exact_contact', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;
    IF 'crm_relationship' = ANY (wanted) THEN
        t0 := clock_timestamp();
        stage := recon.match_stage_crm_relationship(v_run);
        counts := counts || jsonb_build_object('crm_relationship', stage || jsonb_build_object('ms', recon.match_ms(t0)));
    END IF;

    -- Transactions linked to several records: split their amounts.
    t0 := clock_timestamp();
    n := recon.match_reallocate(NULL);
    counts := counts || jsonb_build_object('allocation', jsonb_build_object('split_links', n, 'ms', recon.match_ms(t0)));

    IF 'inferred' = ANY (wanted) THEN
        t0 := clock_timestamp();
        detail := recon.match_inferred(v_run, min_confidence);
        SELECT jsonb_object_agg(lt, (SELECT count(*) FROM recon.match_links l
                                     WHERE l.link_type = lt AND l.method = 'inferred'))
          INTO stage
          FROM unnest(recon.match_link_types()) AS lt;
        counts := counts || jsonb_build_object('inferred', stage || jsonb_build_object('detail', detail, 'ms', recon.match_ms(t0)));
    END IF;

    -- every link was just rewritten: without fresh statistics the planner takes match_links for
    -- a few hundred rows and joins the bridge's million through index loops
    ANALYZE recon.match_links;

    UPDATE recon.match_runs
    SET finished_at = clock_timestamp(),
        link_counts = counts || jsonb_build_object('total_ms', recon.match_ms(t_run))
    WHERE run_id = v_run;
END $$;
COMMENT ON PROCEDURE recon.run_matching(text[], double precision) IS
    'The matching cascade, in one transaction (a failure leaves the previous links): deletes the automatic links, then links, each stage only for sides still open and never a rejected pair, 1. manual confirmations (manual_verified), 2. exact_id, 3. exact_contact, 4. crm_relationship, 5. inferred (recon.match_inferred: Fellegi-Sunter, see src/linkage/inferred.sql). Equal candidates are flagged, not guessed (recon.match_ambiguities). methods: a subset to run (NULL: all; unknown names raise 22023); min_confidence in [0, 1] (22023 otherwise) is passed to the inferred stage and marks weaker links as exceptions. Counts and milliseconds per stage go to recon.match_runs.link_counts. Refused (42501) for a role limited by its scope (row-level security would hide part of what it relinks).';

------------------------------------------------------------------ coverage and exceptions
-- The views are functions underneath for one reason: they read every signal, record and
-- transaction, and the plans they need (in memory, hash joins and hash aggregates on "C" keys, no
-- JIT) take settings a view cannot carry: 6.6 s -> 1.9 s for the coverage at 100k journeys.
CREATE FUNCTION recon.match_coverage_rows()
RETURNS TABLE (link_type text, entity text, channel text, period date, currency recon_currency_code, method text,
               records bigint, linked_records bigint, value numeric, linked_value numeric, share numeric,
               match_rate numeric)
LANGUAGE plpgsql STABLE
SET work_mem = '256MB'
SET jit = off
SET enable_mergejoin = off
SET enable_nestloop = off
SET enable_sort = off        -- hash aggregates: a few hundred groups from every row of three tables
AS $cov$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH settings AS MATERIALIZED (     -- once, not per row
        SELECT recon.setting('reporting_timezone') AS tz
    ), best AS (       -- each linked side's strongest method, per link type
        SELECT link_type, 'left' COLLATE "C" AS side, left_id AS id, min(array_position(recon.match_methods(), method::text)) AS m
        FROM recon.match_links GROUP BY link_type, left_id
        UNION ALL
        SELECT link_type, 'right', right_id, min(array_position(recon.match_methods(), method::text))
        FROM recon.match_links WHERE link_type IN ('signal_record', 'record_transaction') GROUP BY link_type, right_id
    ), money_channel AS (   -- a transaction's channel: that of the record holding the largest part
        SELECT DISTINCT ON (l.left_id) l.left_id AS transaction_id, r.channel
        FROM recon.match_links l JOIN recon.funnel_records r ON r.record_id = l.right_id
        WHERE l.link_type = 'record_transaction'
        ORDER BY l.left_id, l.allocated_amount DESC NULLS LAST, l.right_id
    ), entities AS (
        SELECT lt.link_type, 'signal' AS entity, 'left' AS side, s.signal_key::text COLLATE "C" AS id, s.platform AS channel,
               s.event_time AS at, s.currency, s.value
        FROM recon.conversion_signals s
        CROSS JOIN (VALUES ('signal_record' COLLATE "C"), ('signal_signal')) AS lt(link_type)
        UNION ALL
        SELECT lt.link_type, 'record', lt.side, r.record_id, r.channel, r.created_at, r.currency, r.stated_value
        FROM recon.funnel_records r
        CROSS JOIN (VALUES ('signal_record' COLLATE "C", 'right' COLLATE "C"), ('record_record', 'left'),
                           ('record_transaction', 'right')) AS lt(link_type, side)
        WHERE CASE lt.link_type WHEN 'signal_record' THEN r.record_type IN ('lead', 'order')   -- what ad signals convert into
                                WHEN 'record_transaction' THEN r.record_type IN ('order', 'opportunity')   -- what is paid
                                ELSE true END
        UNION ALL
        SELECT 'record_transaction', 'transaction', 'left' COLLATE "C", t.transaction_id, coalesce(mc.channel, 'unknown'),
               t.occurred_at, t.currency, t.amount
        FROM recon.finance_transactions t LEFT JOIN money_channel mc USING (transaction_id)
    ), labelled AS (
        SELECT e.link_type, e.entity, e.channel::text AS channel,
               (date_trunc('month', e.at AT TIME ZONE st.tz))::date AS period, e.currency, e.value,
               coalesce(b.m, 6) AS k       -- 6 = unmatched
        FROM entities e CROSS JOIN settings st
        LEFT JOIN best b ON b.link_type = e.link_type AND b.side = e.side AND b.id = e.id
    ), grouped AS (
        SELECT link_type, entity, channel, period, currency,
               count(*) AS total, count(*) FILTER (WHERE k < 6) AS linked,
               ARRAY[count(*) FILTER (WHERE k = 1), count(*) FILTER (WHERE k = 2), count(*) FILTER (WHERE k = 3),
                     count(*) FILTER (WHERE k = 4), count(*) FILTER (WHERE k = 5), count(*) FILTER (WHERE k = 6)] AS n,
               ARRAY[sum(value) FILTER (WHERE k = 1), sum(value) FILTER (WHERE k = 2), sum(value) FILTER (WHERE k = 3),
                     sum(value) FILTER (WHERE k = 4), sum(value) FILTER (WHERE k = 5), sum(value) FILTER (WHERE k = 6)] AS v
        FROM labelled
        GROUP BY link_type, entity, channel, period, currency
    )
    SELECT g.link_type, g.entity, g.channel, g.period, g.currency, m.method,
           g.n[m.k] AS records,
           CASE WHEN m.k < 6 THEN g.n[m.k] ELSE 0 END AS linked_records,
           g.v[m.k] AS value,
           CASE WHEN m.k < 6 THEN g.v[m.k] WHEN g.v[m.k] IS NOT NULL THEN 0 END AS linked_value,
           round(g.n[m.k]::numeric / g.total, 4) AS share,
           round(CASE WHEN m.k < 6 THEN g.n[m.k] ELSE 0 END::numeric / g.total, 4) AS match_rate
    FROM grouped g
    CROSS JOIN unnest(recon.match_methods() || 'unmatched'::text) WITH ORDINALITY AS m(method, k)
    WHERE g.n[m.k] > 0 OR m.k = 6;
END $cov$;
COMMENT ON FUNCTION recon.match_coverage_rows() IS
    'The rows of recon.match_coverage (a function so that it can set work_mem and jit).';

CREATE VIEW recon.match_coverage AS SELECT * FROM recon.match_coverage_rows();
COMMENT ON VIEW recon.match_coverage IS
    'Coverage of the links per link type and counted side (entity: signal, record or transaction; records are leads and orders for signal_record, orders and opportunities for record_transaction, all for record_record), channel (signal platform, record channel, or the channel of the record a transaction is linked to; unknown when it is not), month in the reporting time zone and currency: one row per strongest method plus an unmatched row per group, so that records, linked_records, value, linked_value, share and match_rate each add up over a group''s rows. share = records / group total; match_rate = linked_records / group total (0 on the unmatched row), so the group''s match rate is the sum of its rows''.';

CREATE FUNCTION recon.unmatched_exceptions_rows()
RETURNS TABLE (layer text, link_type text, id text, channel text, occurred_at timestamptz, age interval,
               value numeric, currency recon_currency_code, reason text, detail text, owner text)
LANGUAGE plpgsql STABLE
SET work_mem = '256MB'
SET jit = off
SET enable_mergejoin = off
SET enable_nestloop = off
AS $exc$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH last_run AS MATERIALIZED (
        SELECT run_id, coalesce((parameters ->> 'min_confidence')::float8, 0.9) AS min_confidence
        FROM recon.match_runs ORDER BY run_id DESC LIMIT 1
    ), amb AS (
        SELECT a.* FROM recon.match_ambiguities a JOIN last_run USING (run_id)
    ), rejected AS (
        SELECT DISTINCT link_type, left_id FROM recon.match_latest_decisions WHERE decision = 'reject'
    ), clock AS MATERIALIZED (      -- once: it scans three tables
        SELECT recon.data_as_of() AS as_of
    ), ex AS (
        -- signals no record backs
        SELECT 'signal' AS layer, 'signal_record' AS link_type, s.signal_key::text AS id, s.platform::text AS channel,
               s.event_time AS occurred_at, s.value, s.currency, NULL::text AS owner,
               CASE WHEN a.left_id IS NOT NULL THEN a.reason
                    WHEN rj.left_id IS NOT NULL THEN 'candidate rejected by a reviewer'
                    WHEN coalesce(s.order_id, s.lead_id, s.fbclid, s.gclid, s.gbraid, s.wbraid, s.ttclid, s.msclkid,
                                  s.li_fat_id, s.fbc, s.email_sha256, s.phone_sha256, s.external_id) IS NULL
                         THEN 'no click id or contact key'
                    WHEN coalesce(s.order_id, s.lead_id) IS NOT NULL
                         AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id IN (s.order_id, s.lead_id))
                         THEN 'order or lead id not in CRM'
                    WHEN coalesce(s.order_id, s.lead_id) IS NOT NULL THEN 'not matched by the last run'
                    ELSE 'ids match no CRM record' END AS reason,
               CASE WHEN a.left_id IS NOT NULL THEN 'candidates: ' || array_to_string(a.candidates, ', ') END AS detail
        FROM recon.conversion_signals s
        LEFT JOIN amb a ON a.link_type = 'signal_record' AND a.left_id = s.signal_key::text
        LEFT JOIN rejected rj ON rj.link_type = 'signal_record' AND rj.left_id = s.signal_key::text
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
        UNION ALL
        -- money no record explains
        SELECT 'transaction', 'record_transaction', t.transaction_id, NULL, t.occurred_at, t.amount, t.currency, NULL,
               CASE WHEN a.left_id IS NOT NULL THEN a.reason
                    WHEN rj.left_id IS NOT NULL THEN 'candidate rejected by a reviewer'
                    WHEN t.order_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = t.order_id)
                         THEN 'order id not in CRM'
                    WHEN t.opportunity_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM recon.funnel_records r WHERE r.record_id = t.opportunity_id)
                         THEN 'opportunity id not in CRM'
                    WHEN coalesce(t.order_id, t.opportunity_id) IS NOT NULL THEN 'not matched by the last run'
                    WHEN t.invoice_id IS NOT NULL THEN 'invoice not linked to a record'
                    WHEN t.parent_transaction_id IS NOT NULL THEN 'parent transaction not linked to a record'
                    WHEN NOT EXISTS (SELECT 1 FROM recon.funnel_records r
                                     WHERE r.customer_id = t.customer_id AND r.record_type IN ('order', 'opportunity'))
                         THEN t.transaction_type || ' without order id: the customer has no order or opportunity'
                    ELSE 'not matched by the last run' END,
               CASE WHEN a.left_id IS NOT NULL THEN 'candidates: ' || array_to_string(a.candidates, ', ') END
        FROM recon.finance_transactions t
        LEFT JOIN amb a ON a.link_type = 'record_transaction' AND a.left_id = t.transaction_id
        LEFT JOIN rejected rj ON rj.link_type = 'record_transaction' AND rj.left_id = t.transaction_id
        WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
        UNION ALL
        -- records a paid channel brought that no signal of any platform backs
        SELECT 'record', 'signal_record', r.record_id, r.channel, r.created_at, r.stated_value, r.currency, r.owner,
               CASE WHEN coalesce(r.fbclid, r.gclid, r.gbraid, r.wbraid, r.ttclid, r.msclkid, r.li_fat_id, r.fbc,
                                  r.email_sha256, r.phone_sha256, r.customer_id) IS NULL
                    THEN 'identity-lost: no ids'
                    ELSE 'paid-channel record without a signal' END,
               NULL
        FROM recon.funnel_records r JOIN recon.channels c ON c.channel = r.channel AND c.platform IS NOT NULL
        WHERE r.record_type IN ('lead', 'order')
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.right_id = r.record_id)
        UNION ALL
        -- won deals and orders without money
        SELECT 'record', 'record_transaction', r.record_id, r.channel, r.created_at, r.stated_value, r.currency, r.owner,
               'won without a transaction', NULL
        FROM recon.funnel_records r
        WHERE r.record_type IN ('order', 'opportunity') AND r.status = 'won'
          AND NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.right_id = r.record_id)
        UNION ALL
        -- duplicates and repeats with equally good originals
        SELECT CASE a.link_type WHEN 'record_record' THEN 'record' ELSE 'signal' END, a.link_type, a.left_id,
               coalesce(r.channel, s.platform), coalesce(r.created_at, s.event_time), coalesce(r.stated_value, s.value),
               coalesce(r.currency, s.currency), r.owner, a.reason, 'candidates: ' || array_to_string(a.candidates, ', ')
        FROM amb a
        LEFT JOIN recon.funnel_records r ON a.link_type = 'record_record' AND r.record_id = a.left_id
        LEFT JOIN recon.conversion_signals s ON a.link_type = 'signal_signal' AND s.signal_key::text = a.left_id
        WHERE a.link_type IN ('record_record', 'signal_signal')
        UNION ALL
        -- links weaker than the last run's threshold
        SELECT (recon.match_layers(l.link_type)).left_layer, l.link_type, l.left_id,
               coalesce(r.channel, s.platform), coalesce(t.occurred_at, r.created_at, s.event_time),
               coalesce(t.amount, r.stated_value, s.value), coalesce(t.currency, r.currency, s.currency), r.owner,
               format('linked with confidence %s, below the last run''s min_confidence %s', l.confidence, lr.min_confidence),
               format('%s -> %s by %s (%s)', l.left_id, l.right_id, l.method, l.rule)
        FROM recon.match_links l CROSS JOIN last_run lr
        LEFT JOIN recon.conversion_signals s ON l.link_type IN ('signal_record', 'signal_signal') AND s.signal_key::text = l.left_id
        LEFT JOIN recon.funnel_records r ON l.link_type = 'record_record' AND r.record_id = l.left_id
        LEFT JOIN recon.finance_transactions t ON l.link_type = 'record_transaction' AND t.transaction_id = l.left_id
        WHERE l.confidence < lr.min_confidence
        UNION ALL
        -- transactions whose allocated parts do not add up to the amount
        SELECT 'transaction', 'record_transaction', t.transaction_id, NULL, t.occurred_at,
               t.amount - p.allocated, t.currency, NULL, 'allocation remainder',
               format('%s of %s %s allocated over %s record(s)', p.allocated, t.amount, t.currency, p.n)
        FROM (SELECT left_id, sum(allocated_amount) AS allocated, count(*) AS n
              FROM recon.match_links
              WHERE link_type = 'record_transaction' AND allocated_amount IS NOT NULL
              GROUP BY left_id) p
        JOIN recon.finance_transactions t ON t.transaction_id = p.left_id
        WHERE p.allocated <> t.amount
    )
    SELECT ex.layer, ex.link_type, ex.id, ex.channel, ex.occurred_at, c.as_of - ex.occurred_at AS age,
           ex.value, ex.currency, ex.reason, ex.detail, ex.owner
    FROM ex CROSS JOIN clock c;
END $exc$;
COMMENT ON FUNCTION recon.unmatched_exceptions_rows() IS
    'The rows of recon.unmatched_exceptions (a function so that it can set work_mem and jit).';

CREATE VIEW recon.unmatched_exceptions AS SELECT * FROM recon.unmatched_exceptions_rows();
COMMENT ON VIEW recon.unmatched_exceptions IS
    'What the links leave unexplained, one row per case: signals no record backs, transactions no record explains, paid-channel leads and orders without a signal, won orders and opportunities without a transaction, sides left ambiguous by the last run (equal candidates), links below the last run''s min_confidence, and allocation remainders. With the value and currency, the age as of the newest loaded data (recon.data_as_of(), not now(), so a backfill or a late load does not age everything), a likely reason and, for records, the CRM owner.';
