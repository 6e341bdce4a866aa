-- The inferred stage of the matching cascade: Fellegi-Sunter over comparison levels
-- (src/linkage/fellegi_sunter.sql), trained on the run's own open records, for the sides the
-- exact stages left unlinked. Called by recon.run_matching (src/linkage/cascade.sql).

CREATE TABLE recon.match_models (
    run_id          bigint NOT NULL REFERENCES recon.match_runs ON DELETE CASCADE,
    link_type       text COLLATE "C" NOT NULL,
    model           jsonb NOT NULL,
    candidate_pairs bigint NOT NULL,
    random_pairs    bigint NOT NULL,
    trained_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, link_type)
);
COMMENT ON TABLE recon.match_models IS
    'The Fellegi-Sunter model each run of the inferred stage trained, per link type: u from random pairs, m by EM over the blocked candidate pairs, the prior of one true partner among all right sides. Kept per run, so a drift in m or u is visible.';
SELECT pg_catalog.pg_extension_config_dump('recon.match_models', '');

-- The comparisons of an ad signal against a CRM record, as levels (see recon.match_inferred).
CREATE FUNCTION recon.match_signal_record_levels(
    s_time timestamptz, s_value numeric, s_currency text, s_email text, s_phone text, s_campaign text,
    s_platform text, s_event_name text,
    r_time timestamptz, r_value numeric, r_currency text, r_email text, r_phone text, r_campaign text,
    r_channel text, r_type text) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        @extschema@.recon_compare_time(s_time, r_time, '{1 second,5 minutes,1 hour,1 day}'),
        CASE WHEN s_currency = r_currency THEN @extschema@.recon_compare_amount(s_value, r_value, '{1,10}') ELSE 0 END,
        @extschema@.recon_compare_exact(s_email, r_email),
        @extschema@.recon_compare_exact(s_phone, r_phone),
        @extschema@.recon_compare_exact(s_campaign, r_campaign),
        @extschema@.recon_compare_exact(s_platform, r_channel),
        @extschema@.recon_compare_exact(
            CASE WHEN lower(s_event_name) IN ('purchase', 'completepayment', 'complete_payment', 'placeanorder') THEN 'order'
                 WHEN lower(s_event_name) IN ('lead', 'submitform', 'submit_form', 'completeregistration', 'contact') THEN 'lead' END,
            r_type)]::smallint[]
$$;
COMMENT ON FUNCTION recon.match_signal_record_levels(timestamptz, numeric, text, text, text, text, text, text, timestamptz, numeric, text, text, text, text, text, text) IS
    'Comparison levels of an ad signal against a CRM record: time gap (same instant, 1 s, 5 min, 1 h, 1 day, else), value in the same currency (equal, 1%, 10%, else), email hash, phone hash, campaign id, platform vs channel, event kind vs record type.';

-- The comparisons of a finance transaction against a CRM record.
CREATE FUNCTION recon.match_record_transaction_levels(
    t_time timestamptz, t_amount numeric, t_currency text, t_customer text,
    r_time timestamptz, r_closed timestamptz, r_value numeric, r_currency text, r_customer text) RETURNS smallint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ARRAY[
        @extschema@.recon_compare_exact(t_customer, r_customer),
        -- beyond 10%: a part of the record's value (an installment, a partial refund) or more than it
        CASE WHEN t_currency IS DISTINCT FROM r_currency THEN 0
             WHEN @extschema@.recon_compare_amount(t_amount, r_value, '{1,10}') < 4
                 THEN @extschema@.recon_compare_amount(t_amount, r_value, '{1,10}')
             WHEN t_amount < r_value THEN 4 ELSE 5 END,
        -- money moves when an order is placed or a deal is closed: the nearer of the two counts
        CASE WHEN r_closed IS NULL THEN @extschema@.recon_compare_time(t_time, r_time, '{1 minute,1 day,30 days,120 days}')
             ELSE least(@extschema@.recon_compare_time(t_time, r_time, '{1 minute,1 day,30 days,120 days}'),
                        @extschema@.recon_compare_time(t_time, r_closed, '{1 minute,1 day,30 days,120 days}')) END,
        @extschema@.recon_compare_exact(t_currency, r_currency)]::smallint[]
$$;
COMMENT ON FUNCTION recon.match_record_transaction_levels(timestamptz, numeric, text, text, timestamptz, timestamptz, numeric, text, text) IS
    'Comparison levels of a finance transaction against a CRM record: customer id, amount in the same currency, time gap to the record''s creation or closing, whichever is nearer (1 minute, 1 day, 30 days, 120 days, else), currency. Amount levels: equal, within 1%, within 10%, a part of the record value (installment, partial refund), more than it.';

-- About 1,000 of n ids, the same ones on every run: a hash test, no sort.
CREATE FUNCTION recon.match_sampled(id text, n bigint) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT abs(hashtext(id)::bigint) % greatest(n / 1000, 1) = 0
$$;
COMMENT ON FUNCTION recon.match_sampled(text, bigint) IS
    'Internal: true for about 1,000 of n ids, chosen by a hash of the id, so that repeated runs draw the same random pairs.';

-- Train, score and link one link type from pairs in temp tables infer_left, infer_right,
-- infer_cand (left_id, right_id, rules, levels), infer_random (levels) and infer_known (levels
-- of pairs the exact stages linked). rule_fixed maps each blocking rule to the comparisons it
-- forces to agree; n_right counts infer_right (the prior is one true partner among them).
CREATE FUNCTION recon.match_infer_link(run bigint, p_link_type text, names text[], level_counts integer[],
                                       rule_fixed jsonb, n_right bigint, min_confidence float8) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
AS $$
DECLARE
    model        jsonb;
    n_cand       bigint;
    n_random     bigint;
    linked       bigint := 0;
    flagged      bigint := 0;
    below        bigint := 0;
    prior        float8;
    round        integer;
    em           jsonb;
    n_known      bigint;
BEGIN
    SELECT count(*) INTO n_cand FROM infer_cand;
    SELECT count(*) INTO n_random FROM infer_random;
    IF n_cand = 0 OR n_random = 0 THEN
        RETURN jsonb_build_object('candidate_pairs', n_cand, 'linked', 0, 'ambiguous', 0);
    END IF;

    -- u from random pairs. m from the pairs the exact stages already linked when there are enough
    -- of them (known matches: no EM needed); otherwise by EM once per blocking rule over that
    -- rule's candidates, with the comparisons the rule forces to agree held (their m cannot be
    -- learnt from it), averaged over the rules. Then u without the true matches the random pairs
    -- hold (for a near-unique key, a customer id, they are all of its agreements). Scoring uses
    -- the prior of one true partner among all right sides, not the candidates' match share.
    prior := greatest(1.0 / greatest(n_right, 2), 1e-9);
    SELECT count(*) INTO n_known FROM infer_known;
    SELECT @extschema@.recon_fs_estimate_u(@extschema@.recon_fs_pattern_counts(levels), names, level_counts)
      INTO model FROM infer_random;
    IF n_known >= 100 THEN
        SELECT @extschema@.recon_fs_m_from_matches(@extschema@.recon_fs_pattern_counts(levels), model)
          INTO model FROM infer_known;
        SELECT @extschema@.recon_fs_refine_u(@extschema@.recon_fs_pattern_counts(levels), model, prior)
          INTO model FROM infer_random;
        model := model || jsonb_build_object('m_from', jsonb_build_object('known_matches', n_known));
    ELSE
        FOR round IN 1 .. 3 LOOP      -- a sharper u makes m sharper, and the other way round
            SELECT @extschema@.recon_fs_average_m(array_agg(x.m ORDER BY x.rule)),
                   jsonb_object_agg(x.rule, x.m -> 'em')
              INTO model, em
              FROM (SELECT f.key AS rule,
                           @extschema@.recon_fs_estimate_m(@extschema@.recon_fs_pattern_counts(c.levels), model,
                                                           ARRAY(SELECT jsonb_array_elements_text(f.value))) AS m
                    FROM jsonb_each(rule_fixed) AS f
                    JOIN infer_cand c ON f.key = ANY (c.rules)
                    GROUP BY f.key, f.value) x;
            SELECT @extschema@.recon_fs_estimate_u_em(@extschema@.recon_fs_pattern_counts(levels), model)
              INTO model FROM infer_random;
        END LOOP;
        model := model || jsonb_build_object('m_from', jsonb_build_object('em_by_rule', em));
    END IF;
    model := jsonb_set(model, '{prior}', to_jsonb(prior));
    INSERT INTO recon.match_models (run_id, link_type, model, candidate_pairs, random_pairs)
    VALUES (run, p_link_type, model, n_cand, n_random);

    -- Each left side's best candidates by weight; two equal best: flagged, not guessed.
    DROP TABLE IF EXISTS infer_best;
    CREATE TEMP TABLE infer_best AS
    SELECT c.left_id, c.right_id, c.levels, c.weight, @extschema@.recon_fs_probability(c.weight) AS probability,
           count(*) OVER (PARTITION BY c.left_id) AS n_best
    FROM (SELECT c.*, rank() OVER (PARTITION BY c.left_id ORDER BY c.weight DESC) AS rk
          FROM (SELECT c.*, @extschema@.recon_fs_weight(model, c.levels) AS weight FROM infer_cand c) c
          WHERE NOT EXISTS (SELECT 1 FROM recon.match_latest_decisions d
                            WHERE d.decision = 'reject' AND d.link_type = p_link_type
                              AND d.left_id = c.left_id AND d.right_id = c.right_id)) c
    WHERE c.rk = 1;

    INSERT INTO recon.match_links (link_type, left_id, right_id, method, confidence, rule, explanation, run_id,
                                   allocated_amount, currency)
    SELECT p_link_type, b.left_id, b.right_id, 'inferred', b.probability,
           'fellegi_sunter', @extschema@.recon_fs_explain(model, b.levels), run,
           CASE WHEN p_link_type = 'record_transaction' THEN t.amount END,
           CASE WHEN p_link_type = 'record_transaction' THEN t.currency END
    FROM infer_best b
    LEFT JOIN recon.finance_transactions t ON p_link_type = 'record_transaction' AND t.transaction_id = b.left_id
    WHERE b.n_best = 1 AND b.probability >= min_confidence;
    GET DIAGNOSTICS linked = ROW_COUNT;

    INSERT INTO recon.match_ambiguities (run_id, link_type, left_id, method, rule, reason, candidates)
    SELECT run, p_link_type, b.left_id, 'inferred', 'fellegi_sunter', 'two equal candidates',
           array_agg(b.right_id ORDER BY b.right_id)
    FROM infer_best b
    WHERE b.n_best > 1 AND b.probability >= min_confidence
    GROUP BY b.left_id;
    GET DIAGNOSTICS flagged = ROW_COUNT;

    SELECT count(DISTINCT left_id) INTO below FROM infer_best WHERE probability < min_confidence;
    RETURN jsonb_build_object('candidate_pairs', n_cand, 'linked', linked, 'ambiguous', flagged,
                              'best_below_threshold', below);
END $$;
COMMENT ON FUNCTION recon.match_infer_link(bigint, text, text[], integer[], jsonb, bigint, double precision) IS
    'Internal: trains a Fellegi-Sunter model on the pairs staged in infer_random, infer_known and infer_cand (u from random pairs; m from the known matches when there are at least 100, else by EM per blocking rule with the rule''s own comparisons held; u without the random pairs'' true matches), stores it in recon.match_models, and links each left side to its single best candidate when the probability reaches min_confidence (equal best candidates go to match_ambiguities).';

-- Stage 5: inferred links for the signals and transactions the exact stages left open.
CREATE FUNCTION recon.match_inferred(run bigint, min_confidence float8) RETURNS jsonb
LANGUAGE plpgsql
SET enable_mergejoin = off
SET client_min_messages = warning
AS $$
DECLARE
    results jsonb := '{}';
    n_links bigint;
    n_left  bigint;
    n_right bigint;
BEGIN
    ---------------------------------------------------------------- signal -> record
    DROP TABLE IF EXISTS infer_left, infer_right, infer_cand, infer_random, infer_known;
    CREATE TEMP TABLE infer_left AS
    SELECT s.signal_key::text COLLATE "C" AS id, s.event_time AS t, s.value, s.currency::text AS currency,
           s.email_sha256::text AS email, s.phone_sha256::text AS phone, s.campaign_id, s.platform, s.event_name,
           floor(extract(epoch FROM s.event_time) / 300)::bigint AS bucket
    FROM recon.conversion_signals s
    WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'signal_record' AND l.left_id = s.signal_key::text)
      AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                      WHERE a.run_id = run AND a.link_type = 'signal_record' AND a.left_id = s.signal_key::text);
    -- nothing open (the usual case after the exact stages): no right side to read
    CREATE TEMP TABLE infer_right AS
    SELECT r.record_id AS id, r.created_at AS t, r.stated_value AS value, r.currency::text AS currency,
           r.email_sha256::text AS email, r.phone_sha256::text AS phone, r.campaign_id, r.channel, r.record_type,
           floor(extract(epoch FROM r.created_at) / 300)::bigint AS bucket
    FROM recon.funnel_records r WHERE r.record_type IN ('lead', 'order') AND EXISTS (SELECT 1 FROM infer_left);
    ANALYZE infer_left;
    ANALYZE infer_right;
    -- blocking: the same email or phone hash, or the same currency (or none on both sides) and
    -- created within the neighbouring 5-minute buckets
    CREATE TEMP TABLE infer_cand AS
    SELECT p.left_id, p.right_id, p.rules,
           recon.match_signal_record_levels(l.t, l.value, l.currency, l.email, l.phone, l.campaign_id, l.platform,
                                            l.event_name, r.t, r.value, r.currency, r.email, r.phone, r.campaign_id,
                                            r.channel, r.record_type) AS levels
    FROM (SELECT left_id, right_id, array_agg(rule) AS rules
          FROM (SELECT l.id AS left_id, r.id AS right_id, 'email' AS rule
                FROM infer_left l JOIN infer_right r ON r.email = l.email
                UNION ALL
                SELECT l.id, r.id, 'phone' FROM infer_left l JOIN infer_right r ON r.phone = l.phone
                UNION ALL
                SELECT l.id, r.id, 'time_bucket' FROM infer_left l CROSS JOIN generate_series(-1, 1) AS d(k)
                                      JOIN infer_right r ON r.bucket = l.bucket + d.k
                                                        AND coalesce(r.currency, '') = coalesce(l.currency, '')) u
          GROUP BY left_id, right_id) p
    JOIN infer_left l ON l.id = p.left_id
    JOIN infer_right r ON r.id = p.right_id;
    -- random pairs: about 1,000 x 1,000, picked by hash so reruns train the same model
    SELECT count(*) INTO n_left FROM infer_left;
    SELECT count(*) INTO n_right FROM infer_right;
    CREATE TEMP TABLE infer_random AS
    SELECT recon.match_signal_record_levels(l.t, l.value, l.currency, l.email, l.phone, l.campaign_id, l.platform,
                                            l.event_name, r.t, r.value, r.currency, r.email, r.phone, r.campaign_id,
                                            r.channel, r.record_type) AS levels
    FROM (SELECT * FROM infer_left WHERE recon.match_sampled(id, n_left)) l,
         (SELECT * FROM infer_right WHERE recon.match_sampled(id, n_right)) r;
    -- known matches: up to about 100,000 pairs the exact stages linked, picked by hash
    SELECT count(*) INTO n_links FROM recon.match_links WHERE link_type = 'signal_record' AND method <> 'inferred';
    CREATE TEMP TABLE infer_known AS
    SELECT recon.match_signal_record_levels(s.event_time, s.value, s.currency, s.email_sha256, s.phone_sha256,
                                            s.campaign_id, s.platform, s.event_name, r.created_at, r.stated_value,
                                            r.currency, r.email_sha256, r.phone_sha256, r.campaign_id, r.channel,
                                            r.record_type) AS levels
    FROM recon.match_links k
    JOIN recon.conversion_signals s ON s.signal_key = k.left_id::bigint
    JOIN recon.funnel_records r ON r.record_id = k.right_id
    WHERE k.link_type = 'signal_record' AND k.method <> 'inferred' AND EXISTS (SELECT 1 FROM infer_left)
      AND abs(hashtext(k.left_id)) % greatest(n_links / 100000, 1) = 0;
    results := results || jsonb_build_object('signal_record', recon.match_infer_link(run, 'signal_record',
        '{time,value,email,phone,campaign,platform,kind}', '{6,4,2,2,2,2,2}',
        -- the time buckets bound the gap to 15 minutes but leave its levels free: time is not held
        '{"email": ["email"], "phone": ["phone"], "time_bucket": []}', n_right, min_confidence));

    ---------------------------------------------------------------- transaction -> record
    DROP TABLE infer_left, infer_right, infer_cand, infer_random, infer_known;
    CREATE TEMP TABLE infer_left AS
    SELECT t.transaction_id AS id, t.occurred_at AS t, t.amount, t.currency::text AS currency, t.customer_id
    FROM recon.finance_transactions t
    WHERE NOT EXISTS (SELECT 1 FROM recon.match_links l WHERE l.link_type = 'record_transaction' AND l.left_id = t.transaction_id)
      AND NOT EXISTS (SELECT 1 FROM recon.match_ambiguities a
                      WHERE a.run_id = run AND a.link_type = 'record_transaction' AND a.left_id = t.transaction_id);
    CREATE TEMP TABLE infer_right AS
    SELECT r.record_id AS id, r.created_at AS t, r.closed_at AS closed, r.stated_value AS value,
           r.currency::text AS currency, r.customer_id
    FROM recon.funnel_records r WHERE r.record_type IN ('order', 'opportunity') AND EXISTS (SELECT 1 FROM infer_left);
    ANALYZE infer_left;
    ANALYZE infer_right;
    -- blocking: the same customer, or the same amount in the same currency
    CREATE TEMP TABLE infer_cand AS
    SELECT p.left_id, p.right_id, p.rules,
           recon.match_record_transaction_levels(l.t, l.amount, l.currency, l.customer_id,
                                                 r.t, r.closed, r.value, r.currency, r.customer_id) AS levels
    FROM (SELECT left_id, right_id, array_agg(rule) AS rules
          FROM (SELECT l.id AS left_id, r.id AS right_id, 'customer' AS rule
                FROM infer_left l JOIN infer_right r ON r.customer_id = l.customer_id
                UNION ALL
                SELECT l.id, r.id, 'amount' FROM infer_left l JOIN infer_right r ON r.currency = l.currency AND r.value = l.amount) u
          GROUP BY left_id, right_id) p
    JOIN infer_left l ON l.id = p.left_id
    JOIN infer_right r ON r.id = p.right_id;
    SELECT count(*) INTO n_left FROM infer_left;
    SELECT count(*) INTO n_right FROM infer_right;
    CREATE TEMP TABLE infer_random AS
    SELECT recon.match_record_transaction_levels(l.t, l.amount, l.currency, l.customer_id,
                                                 r.t, r.closed, r.value, r.currency, r.customer_id) AS levels
    FROM (SELECT * FROM infer_left WHERE recon.match_sampled(id, n_left)) l,
         (SELECT * FROM infer_right WHERE recon.match_sampled(id, n_right)) r;
    SELECT count(*) INTO n_links FROM recon.match_links WHERE link_type = 'record_transaction' AND method <> 'inferred';
    CREATE TEMP TABLE infer_known AS
    SELECT recon.match_record_transaction_levels(t.occurred_at, t.amount, t.currency, t.customer_id,
                                                 r.created_at, r.closed_at, r.stated_value, r.currency, r.customer_id) AS levels
    FROM recon.match_links k
    JOIN recon.finance_transactions t ON t.transaction_id = k.left_id
    JOIN recon.funnel_records r ON r.record_id = k.right_id
    WHERE k.link_type = 'record_transaction' AND k.method <> 'inferred' AND r.record_type IN ('order', 'opportunity')
      AND EXISTS (SELECT 1 FROM infer_left)
      AND abs(hashtext(k.left_id)) % greatest(n_links / 100000, 1) = 0;
    results := results || jsonb_build_object('record_transaction', recon.match_infer_link(run, 'record_transaction',
        '{customer,amount,time,currency}', '{2,5,6,2}',
        '{"customer": ["customer"], "amount": ["amount", "currency"]}', n_right, min_confidence));

    DROP TABLE IF EXISTS infer_left, infer_right, infer_cand, infer_random, infer_known, infer_best;
    RETURN results;
END $$;
COMMENT ON FUNCTION recon.match_inferred(bigint, double precision) IS
    'Stage 5 of recon.run_matching: for each signal and finance transaction still unlinked, Fellegi-Sunter over comparison levels (signal vs record: time, value, email and phone hash, campaign, platform, kind; transaction vs record: customer, amount, time, currency), blocked by contact hash or 5-minute time bucket and currency (signals) and customer or exact amount (transactions). The model is trained on the run''s data (u from about 1,000 x 1,000 random pairs; m from up to 100,000 pairs the exact stages linked, or by EM per blocking rule when fewer than 100 exist; u then corrected for the true matches among the random pairs), stored in recon.match_models; a link needs probability >= min_confidence and a single best candidate; its explanation lists each comparison''s level and weight.';
