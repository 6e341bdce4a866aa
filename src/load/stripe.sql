-- Stripe: the API's list objects ({"object": "list", "data": [...]}) of charges,
-- refunds, invoices and balance transactions (docs/loading-finance.md). Amounts
-- are integers in the currency's minor units (JPY 1500 is 1500 yen, KWD 1999 is
-- 1.999), currencies lower-case, times Unix seconds. Charges, refunds and
-- invoices are upserted into finance_transactions by id; balance transactions
-- set the fee of the charges they settle.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, options, description) VALUES
    ('stripe_charges', 'json', 'stripe', 'recon.load_map_stripe_charges', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe charges (GET /v1/charges): payments with amount and amount_captured in minor units, status succeeded/pending/failed, captured, customer, invoice and metadata.order_id. An uncaptured charge is a pending payment.'),
    ('stripe_refunds', 'json', 'stripe', 'recon.load_map_stripe_refunds', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe refunds (GET /v1/refunds): refunds of a charge (the parent transaction, loaded first or in the same load), amount in minor units, status succeeded/pending/requires_action/failed/canceled, reason.'),
    ('stripe_invoices', 'json', 'stripe', 'recon.load_map_stripe_invoices', '{finance_transactions}',
     '{metadata_order_key,metadata_opportunity_key}',
     'Stripe invoices (GET /v1/invoices): total, subtotal, subtotal_excluding_tax and tax in minor units, status draft/open/paid/void/uncollectible, customer, customer_tax_exempt, metadata.order_id.'),
    ('stripe_balance_transactions', 'json', 'stripe', 'recon.load_map_stripe_balance_transactions', '{finance_transactions}',
     '{}',
     'Stripe balance transactions (GET /v1/balance_transactions): amount, fee and net in minor units of the settlement currency, type and source. Charge and payment transactions set the fee of their charge when it is in the same currency; payouts, refunds, adjustments and Stripe''s own fees are skipped.');

INSERT INTO recon.load_format_fields (format, field, json_path, required, pii)
SELECT f.format, x.field, x.json_path, x.required, x.pii
FROM (VALUES ('stripe_charges'), ('stripe_refunds'), ('stripe_invoices'), ('stripe_balance_transactions')) AS f(format)
CROSS JOIN (VALUES
    ('id',        '{id}'::text[], true,  false),
    ('object',    '{object}',     false, false),
    ('livemode',  '{livemode}',   false, false),
    ('amount',    '{amount}',     true,  false),
    ('currency',  '{currency}',   true,  false),
    ('created',   '{created}',    true,  false),
    ('status',    '{status}',     false, false)
) AS x(field, json_path, required, pii)
UNION ALL
SELECT format, field, json_path, false, pii
FROM (VALUES
    ('stripe_charges',  'customer',               '{customer}'::text[],              false),
    ('stripe_charges',  'amount_captured',        '{amount_captured}',               false),
    ('stripe_charges',  'captured',               '{captured}',                      false),
    ('stripe_charges',  'disputed',               '{disputed}',                      false),
    ('stripe_charges',  'invoice',                '{invoice}',                       false),
    ('stripe_charges',  'billing_email',          '{billing_details,email}',         true),
    ('stripe_charges',  'billing_name',           '{billing_details,name}',          true),
    ('stripe_charges',  'billing_phone',          '{billing_details,phone}',         true),
    ('stripe_refunds',  'charge',                 '{charge}',                        false),
    ('stripe_refunds',  'reason',                 '{reason}',                        false),
    ('stripe_invoices', 'customer',               '{customer}',                      false),
    ('stripe_invoices', 'total',                  '{total}',                         false),
    ('stripe_invoices', 'subtotal',               '{subtotal}',                      false),
    ('stripe_invoices', 'subtotal_excluding_tax', '{subtotal_excluding_tax}',        false),
    ('stripe_invoices', 'tax',                    '{tax}',                           false),
    ('stripe_invoices', 'customer_tax_exempt',    '{customer_tax_exempt}',           false),
    ('stripe_invoices', 'customer_email',         '{customer_email}',                true),
    ('stripe_invoices', 'customer_name',          '{customer_name}',                 true),
    ('stripe_invoices', 'customer_phone',         '{customer_phone}',                true),
    ('stripe_balance_transactions', 'fee',        '{fee}',                           false),
    ('stripe_balance_transactions', 'net',        '{net}',                           false),
    ('stripe_balance_transactions', 'type',       '{type}',                          false),
    ('stripe_balance_transactions', 'source',     '{source}',                        false)
) AS y(format, field, json_path, pii);
-- An invoice's amount is its total; the field named amount reads amount_due, used when total is absent.
UPDATE recon.load_format_fields SET json_path = '{amount_due}' WHERE format = 'stripe_invoices' AND field = 'amount';

-- The id of a Stripe reference, written as an id or as an expanded object.
CREATE FUNCTION recon.load_stripe_id(value jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT nullif(btrim(CASE jsonb_typeof(value) WHEN 'string' THEN value #>> '{}' WHEN 'object' THEN value ->> 'id' END), '')
$$;
COMMENT ON FUNCTION recon.load_stripe_id(jsonb) IS
    'The id a Stripe field refers to: the value itself (cus_PqR8sT2uVw4xYz), or the id of an expanded object ({"id": "cus_...", "object": "customer", ...} when the request asked expand[]); NULL when blank, null or anything else.';

-- What every Stripe row has: id, object, created, currency, metadata links, livemode.
CREATE FUNCTION recon.load_stripe_base(batch text, options jsonb, expected_object text, id_prefixes text[],
                                       other_pii text[] DEFAULT '{}')
RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    fmt text := (SELECT format FROM recon.load_batches WHERE batch_id = batch);
    others text;
    order_key text := coalesce(options ->> 'metadata_order_key', 'order_id');
    opportunity_key text := coalesce(options ->> 'metadata_opportunity_key', 'opportunity_id');
    p record;
BEGIN
    -- A list of other objects: the file was given the wrong format.
    SELECT string_agg(DISTINCT object, ', ') INTO others FROM pg_temp.recon_load_rows WHERE object <> expected_object;
    IF others IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_temp.recon_load_rows WHERE object = expected_object) THEN
        RAISE EXCEPTION 'this document lists Stripe % objects, not %s', others, expected_object
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Load a list of ' || others || ' objects as ' ||
                         coalesce((SELECT string_agg(format, ' or ' ORDER BY format) FROM recon.load_formats
                                   WHERE source_system = 'stripe' AND format = ANY (SELECT 'stripe_' || o || 's' FROM unnest(string_to_array(others, ', ')) o)),
                                  'a format of its own') || '.';
    END IF;
    -- Personal fields written as JSON null are dropped from the raw row: recon.load_mask_raw
    -- would turn the whole row NULL (its jsonb_set is strict), and null is no data anyway.
    FOR p IN SELECT json_path FROM recon.load_format_fields WHERE format = fmt AND pii
               UNION ALL SELECT ARRAY[k] FROM unnest(other_pii) k LOOP
        UPDATE pg_temp.recon_load_rows SET raw = (raw::jsonb #- p.json_path)::text
         WHERE jsonb_typeof(extra #> p.json_path) = 'null';
    END LOOP;
    -- Top-level personal fields the format cannot declare beside deeper ones (recon.load_json_rows
    -- collects the paths of a format's personal fields in one array: they must have one depth).
    IF NOT coalesce((options ->> 'keep_pii')::boolean, false) THEN
        UPDATE pg_temp.recon_load_rows r
           SET raw = (SELECT jsonb_object_agg(e.key, CASE WHEN e.key = ANY (other_pii) AND jsonb_typeof(e.value) = 'string'
                                                          THEN to_jsonb('sha256:' || @extschema@.recon_sha256_hex(e.value #>> '{}'))
                                                          ELSE e.value END)
                      FROM jsonb_each(r.raw::jsonb) e)::text
         WHERE r.extra ?| other_pii;
    END IF;

    DROP TABLE IF EXISTS pg_temp.recon_load_stripe;
    CREATE TEMP TABLE recon_load_stripe AS
    SELECT r.line_number,
           array_remove(ARRAY[
               CASE WHEN r.object <> expected_object THEN format('wrong_object: a Stripe %s in a %s load', r.object, fmt) END,
               recon.load_missing('id', r.id),
               CASE WHEN btrim(r.id) !~ ('^(' || array_to_string(id_prefixes, '|') || ')_[A-Za-z0-9]+$')
                    THEN format('bad_id: id %L is not a Stripe %s id (%s_...)', r.id, expected_object, array_to_string(id_prefixes, '_... or ')) END,
               recon.load_missing('created', r.created),
               recon.load_bad('bad_date', 'created', r.created, t.occurred_at),
               recon.load_missing('currency', r.currency),
               recon.load_bad_currency('currency', r.currency),
               recon.load_missing('amount', r.amount),
               recon.load_bad_minor_units('amount', r.amount)
           ], NULL) AS reasons,
           nullif(btrim(r.id), '') AS id, t.occurred_at, upper(btrim(r.currency)) AS currency,
           nullif(btrim(r.extra -> 'metadata' ->> order_key), '') AS order_id,
           nullif(btrim(r.extra -> 'metadata' ->> opportunity_key), '') AS opportunity_id,
           CASE WHEN r.livemode = 'false' THEN ARRAY['test_mode'] ELSE '{}'::text[] END AS dq_flags
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT @extschema@.recon_parse_timestamp(r.created, 'UTC', 'epoch') AS occurred_at) t;
END $$;
COMMENT ON FUNCTION recon.load_stripe_base(text, jsonb, text, text[], text[]) IS
    'The part of every Stripe mapper that is the same: raises 22023 when the document lists other objects (refunds loaded as stripe_charges); drops personal fields written as JSON null from the raw rows and masks other_pii (top-level personal fields the format cannot declare beside its deeper ones: receipt_email) unless keep_pii; then types into pg_temp.recon_load_stripe each row''s id (its prefixes checked), created (Unix seconds, UTC), currency (upper-cased, known), amount (a whole number of minor units), the order and opportunity ids in its metadata (keys order_id and opportunity_id unless the options metadata_order_key / metadata_opportunity_key say otherwise) and dq flag test_mode for livemode false, with the reasons to reject it.';

-- Charges: payments.
CREATE FUNCTION recon.load_map_stripe_charges(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'charge', '{ch,py}', '{receipt_email}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency,
         order_id, opportunity_id, customer_id, invoice_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_bad_minor_units('amount_captured', r.amount_captured),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('succeeded', 'pending', 'failed')
                    THEN format('bad_status: status %L (a charge is succeeded, pending or failed)', r.status) END], NULL),
           b.id, 'payment',
           CASE WHEN r.status = 'succeeded' AND r.captured = 'false' THEN 'pending'
                WHEN r.status = 'succeeded' THEN 'posted' WHEN r.status = 'pending' THEN 'pending'
                WHEN r.status = 'failed' THEN 'failed' END,
           b.occurred_at,
           -- a captured charge moved amount_captured (a partial capture moves less than amount)
           recon.load_money_from_minor(CASE WHEN r.status = 'succeeded' AND r.captured = 'true'
                                                 AND recon.load_minor_units(r.amount_captured) > 0
                                            THEN r.amount_captured ELSE r.amount END, b.currency),
           b.currency, b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'customer'), recon.load_stripe_id(r.extra -> 'invoice'),
           b.dq_flags || array_remove(ARRAY[
               CASE WHEN r.status = 'succeeded' AND r.captured = 'false' THEN 'uncaptured' END,
               CASE WHEN r.status = 'succeeded' AND r.captured = 'true'
                     AND recon.load_minor_units(r.amount_captured) BETWEEN 1 AND recon.load_minor_units(r.amount) - 1
                    THEN 'partial_capture' END,
               CASE WHEN r.disputed = 'true' THEN 'disputed' END], NULL)
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number);
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_charges(text, text, jsonb) IS
    'Mapper of stripe_charges: one payment per charge (ch_ or py_). succeeded and captured -> posted, for amount_captured (flag partial_capture when less than amount); succeeded but not captured -> pending (flag uncaptured: an authorization, no cash yet); pending -> pending; failed -> failed. Links: metadata order and opportunity ids, customer, invoice. Flags disputed and test_mode (livemode false). Refunds are their own rows (stripe_refunds); fees come from stripe_balance_transactions and survive a reload.';

-- Refunds: children of their charge.
CREATE FUNCTION recon.load_map_stripe_refunds(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'refund', '{re,pyr}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, skip, transaction_id, transaction_type, status, occurred_at, amount, currency,
         order_id, opportunity_id, parent_transaction_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_missing('charge', r.charge),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('succeeded', 'pending', 'requires_action', 'failed', 'canceled')
                    THEN format('bad_status: status %L (a refund is succeeded, pending, requires_action, failed or canceled)', r.status) END], NULL),
           -- releasing an authorization is a refund in Stripe's books, but no money moved
           CASE WHEN r.reason = 'expired_uncaptured_charge' OR p.dq_flags @> '{uncaptured}'
                THEN format('released_authorization: refund %s of charge %s, which was never captured (reason %s): no money moved',
                            b.id, recon.load_stripe_id(r.extra -> 'charge'), coalesce(r.reason, 'none')) END,
           b.id, 'refund',
           CASE r.status WHEN 'succeeded' THEN 'posted' WHEN 'pending' THEN 'pending' WHEN 'requires_action' THEN 'pending'
                         WHEN 'failed' THEN 'failed' WHEN 'canceled' THEN 'reversed' END,
           b.occurred_at, recon.load_money_from_minor(r.amount, b.currency), b.currency,
           b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'charge'), b.dq_flags
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number)
    LEFT JOIN recon.finance_transactions p ON p.transaction_id = recon.load_stripe_id(r.extra -> 'charge');
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_refunds(text, text, jsonb) IS
    'Mapper of stripe_refunds: one refund per row (re_ or pyr_), its charge the parent transaction, which must be loaded (stripe_charges first) or the refund is rejected as unknown_parent; without order or opportunity ids of its own it takes its charge''s. succeeded -> posted, pending and requires_action -> pending, failed -> failed, canceled -> reversed. A refund that only releases an uncaptured authorization (reason expired_uncaptured_charge, or its charge is flagged uncaptured) is skipped: no money moved.';

-- Invoices.
CREATE FUNCTION recon.load_map_stripe_invoices(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    -- The invoice's amount is its total; amount_due (the field typed as amount) when total is absent.
    UPDATE pg_temp.recon_load_rows SET amount = total WHERE total IS NOT NULL;
    PERFORM recon.load_stripe_base(batch, options, 'invoice', '{in}');
    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount,
         tax_treatment, order_id, opportunity_id, customer_id, dq_flags)
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_bad_minor_units('tax', r.tax),
               recon.load_bad_minor_units('subtotal', r.subtotal),
               recon.load_bad_minor_units('subtotal_excluding_tax', r.subtotal_excluding_tax),
               recon.load_missing('status', r.status),
               CASE WHEN r.status NOT IN ('draft', 'open', 'paid', 'void', 'uncollectible')
                    THEN format('bad_status: status %L (an invoice is draft, open, paid, void or uncollectible)', r.status) END], NULL),
           b.id, 'invoice',
           CASE r.status WHEN 'draft' THEN 'pending' WHEN 'open' THEN 'posted' WHEN 'paid' THEN 'posted'
                         WHEN 'void' THEN 'reversed' WHEN 'uncollectible' THEN 'posted' END,
           b.occurred_at,
           -- exclusive: the amount before the tax Stripe added on top (total - tax = total_excluding_tax)
           recon.load_money_from_minor((recon.load_minor_units(r.amount)
                                        - CASE WHEN x.treatment = 'exclusive' THEN recon.load_minor_units(r.tax) ELSE 0 END)::text,
                                       b.currency),
           b.currency, coalesce(recon.load_money_from_minor(r.tax, b.currency), 0), x.treatment,
           b.order_id, b.opportunity_id, recon.load_stripe_id(r.extra -> 'customer'),
           b.dq_flags || CASE WHEN r.status = 'uncollectible' THEN ARRAY['uncollectible'] ELSE '{}' END
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number)
    -- Stripe adds tax on top of prices (exclusive) unless the prices include it, in which
    -- case the subtotal without tax is below the subtotal.
    CROSS JOIN LATERAL (SELECT CASE
            WHEN r.customer_tax_exempt IN ('exempt', 'reverse') THEN 'exempt'
            WHEN recon.load_minor_units(r.subtotal_excluding_tax) < recon.load_minor_units(r.subtotal) THEN 'inclusive'
            WHEN recon.load_minor_units(r.tax) > 0 THEN 'exclusive'
            ELSE 'inclusive' END AS treatment) x;
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_invoices(text, text, jsonb) IS
    'Mapper of stripe_invoices: one invoice per row (in_), tax in minor units; tax_treatment exempt when customer_tax_exempt is exempt or reverse, inclusive when subtotal_excluding_tax is below subtotal (prices include tax), exclusive when Stripe added tax on top (then amount = total - tax: the amount before tax, as exclusive means), else inclusive (no tax); amount = total otherwise (amount_due when total is absent). draft -> pending, open and paid -> posted, void -> reversed, uncollectible -> posted with dq flag uncollectible. Links: customer, metadata order and opportunity ids.';

-- Balance transactions: the fee of each charge.
CREATE FUNCTION recon.load_map_stripe_balance_transactions(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    aside jsonb;
    replaced bigint;
    written bigint;
BEGIN
    PERFORM recon.load_stripe_base(batch, options, 'balance_transaction', '{txn}');
    DROP TABLE IF EXISTS pg_temp.recon_load_fees;
    CREATE TEMP TABLE recon_load_fees AS
    SELECT r.line_number,
           b.reasons || array_remove(ARRAY[
               recon.load_missing('fee', r.fee),
               recon.load_bad_minor_units('fee', r.fee),
               recon.load_bad_minor_units('net', r.net),
               CASE WHEN recon.load_minor_units(r.amount) - recon.load_minor_units(r.fee) <> recon.load_minor_units(r.net)
                    THEN format('bad_amount: net %s is not amount %s - fee %s', r.net, r.amount, r.fee) END,
               CASE WHEN recon.load_minor_units(r.fee) < 0 THEN format('bad_amount: fee %s is negative', r.fee) END,
               recon.load_missing('type', r.type),
               CASE WHEN r.type IN ('charge', 'payment') THEN recon.load_missing('source', r.source) END], NULL) AS reasons,
           CASE WHEN r.type NOT IN ('charge', 'payment')
                THEN format('not_a_charge_fee: type %s (recon takes fees from charge and payment balance transactions)', r.type) END AS skip,
           recon.load_stripe_id(r.extra -> 'source') AS source, b.currency, recon.load_money_from_minor(r.fee, b.currency) AS fee
    FROM pg_temp.recon_load_rows r JOIN pg_temp.recon_load_stripe b USING (line_number);

    -- The charge must be loaded, once per file; a fee in another (settlement) currency is not converted.
    UPDATE pg_temp.recon_load_fees f
       SET reasons = f.reasons || x.reason, skip = coalesce(x.skip, f.skip)
      FROM (SELECT f2.line_number,
                   CASE WHEN t.transaction_id IS NULL
                        THEN format('unknown_parent: source %L is not a loaded charge (load stripe_charges first, then this file again)', f2.source)
                        WHEN f2.line_number <> min(f2.line_number) OVER (PARTITION BY f2.source)
                        THEN format('duplicate_row: source %L is also on line %s', f2.source, min(f2.line_number) OVER (PARTITION BY f2.source)) END AS reason,
                   CASE WHEN t.currency <> f2.currency
                        THEN format('fee_currency: the fee %s %s is in the settlement currency, charge %s is in %s (recon does not convert fees)',
                                    f2.fee, f2.currency, f2.source, t.currency) END AS skip
            FROM pg_temp.recon_load_fees f2
            LEFT JOIN recon.finance_transactions t ON t.transaction_id = f2.source AND t.transaction_type = 'payment'
            WHERE cardinality(f2.reasons) = 0 AND f2.skip IS NULL) x
     WHERE f.line_number = x.line_number AND (x.reason IS NOT NULL OR x.skip IS NOT NULL);
    UPDATE pg_temp.recon_load_fees SET reasons = array_remove(reasons, NULL);

    aside := recon.load_finance_set_aside(batch, source_file, 'pg_temp.recon_load_fees');
    DELETE FROM pg_temp.recon_load_fees WHERE cardinality(reasons) > 0 OR skip IS NOT NULL;
    SELECT count(*) FILTER (WHERE t.fee_amount <> 0) INTO replaced
    FROM pg_temp.recon_load_fees f JOIN recon.finance_transactions t ON t.transaction_id = f.source;
    UPDATE recon.finance_transactions t SET fee_amount = f.fee
      FROM pg_temp.recon_load_fees f WHERE t.transaction_id = f.source;
    GET DIAGNOSTICS written = ROW_COUNT;
    DROP TABLE pg_temp.recon_load_fees;
    RETURN aside || jsonb_build_object('replaced', replaced, 'tables', jsonb_build_object('finance_transactions', written));
END $$;
COMMENT ON FUNCTION recon.load_map_stripe_balance_transactions(text, text, jsonb) IS
    'Mapper of stripe_balance_transactions: a charge or payment transaction (txn_) sets fee_amount of its source, a payment loaded by stripe_charges (unknown source: rejected), when both are in the same currency; a fee in another settlement currency is skipped (fee_currency), and so are the other types (payout, refund, adjustment, stripe_fee...). Rejects fees that are not whole minor units or where net is not amount - fee. The payment keeps its own record_source and batch_id. replaced counts payments that had a fee already.';
