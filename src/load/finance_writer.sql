-- What every finance loader shares (docs/loading-finance.md): amounts in minor
-- units, and the writer that upserts recon.finance_transactions by transaction_id.
-- A finance export restates the records it carries: a row whose id is loaded
-- already replaces it (a refund now succeeded, an invoice now paid); rows are
-- never deleted by a load. Every table CHECK is a reject reason before the
-- insert, so a bad row is rejected, never a constraint error.

-- An amount in minor units (Stripe's integers): a whole number, or NULL.
CREATE FUNCTION recon.load_minor_units(raw text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) ~ '^-?[0-9]{1,18}(\.0+)?$' THEN trunc(btrim(raw)::numeric)::bigint END
$$;
COMMENT ON FUNCTION recon.load_minor_units(text) IS
    'An amount written in minor units (Stripe: 1999 = 19.99 USD, 1500 = 1500 JPY): a whole number of at most 18 digits, sign allowed (1999.0 reads as 1999); NULL when blank or not whole (19.99, 1e3).';

-- A reason when a minor-units amount is present but not a whole number.
CREATE FUNCTION recon.load_bad_minor_units(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NOT NULL AND recon.load_minor_units(raw) IS NULL
                THEN 'bad_amount: ' || field || ' ' || quote_literal(raw) || ' is not a whole number of minor units' END
$$;
COMMENT ON FUNCTION recon.load_bad_minor_units(text, text) IS
    'Reject reason ''bad_amount: <field> ''''19.99'''' is not a whole number of minor units'' when a minor-units amount is not blank and not whole (an amount already converted to major units, or a float); else NULL.';

-- A minor-units amount in major units of its currency; NULL when either does not read.
CREATE FUNCTION recon.load_money_from_minor(raw text, currency text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN @extschema@.recon_currency_is_known(upper(btrim(currency)))
                THEN @extschema@.recon_money_from_minor(recon.load_minor_units(raw), upper(btrim(currency))) END
$$;
COMMENT ON FUNCTION recon.load_money_from_minor(text, text) IS
    'A minor-units amount in the major units recon stores, by the currency''s ISO 4217 exponent: (1999, usd) -> 19.99, (1500, jpy) -> 1500, (1999, kwd) -> 1.999. NULL when the amount is not whole or the currency is unknown (never raises; the reasons say why).';

-- The staging table a finance mapper fills, one row per row of pg_temp.recon_load_rows.
CREATE FUNCTION recon.load_finance_begin() RETURNS void
LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
    DROP TABLE IF EXISTS pg_temp.recon_load_finance;
    CREATE TEMP TABLE recon_load_finance (
        line_number            bigint PRIMARY KEY,
        reasons                text[] NOT NULL DEFAULT '{}',
        skip                   text,
        transaction_id         text,
        transaction_type       text,
        status                 text,
        occurred_at            timestamptz,
        amount                 numeric,
        currency               text,
        tax_amount             numeric NOT NULL DEFAULT 0,
        shipping_amount        numeric NOT NULL DEFAULT 0,
        fee_amount             numeric,
        tax_treatment          text NOT NULL DEFAULT 'inclusive',
        order_id               text,
        opportunity_id         text,
        customer_id            text,
        invoice_id             text,
        parent_transaction_id  text,
        dq_flags               text[] NOT NULL DEFAULT '{}');
END $$;
COMMENT ON FUNCTION recon.load_finance_begin() IS
    'Creates (empty) pg_temp.recon_load_finance, which a finance mapper fills with one typed row per row of pg_temp.recon_load_rows: reasons (reject), skip (a reason to skip it instead), the recon.finance_transactions columns (currency as written; fee_amount NULL keeps the fee already recorded) and dq_flags. Then recon.load_write_finance writes it.';

-- Set aside the staged rows a finance writer does not write; returns {"rejected": n, "skipped": n}.
CREATE FUNCTION recon.load_finance_set_aside(batch text, source_file text, staged text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
    RETURN jsonb_build_object(
        'rejected', recon.load_set_aside(batch, source_file, 'rejected',
                        format('SELECT line_number, reasons FROM %s WHERE cardinality(reasons) > 0', staged)),
        'skipped', recon.load_set_aside(batch, source_file, 'skipped',
                        format('SELECT line_number, ARRAY[skip] AS reasons FROM %s WHERE cardinality(reasons) = 0 AND skip IS NOT NULL', staged)));
END $$;
COMMENT ON FUNCTION recon.load_finance_set_aside(text, text, text) IS
    'Moves the rows of a finance staging table (staged: its name; columns line_number, reasons, skip) that will not be written to recon.load_rejects: rejected when they have reasons, else skipped when they have a skip reason. Returns {"rejected": n, "skipped": n}.';

-- Write pg_temp.recon_load_finance into recon.finance_transactions.
CREATE FUNCTION recon.load_write_finance(batch text, source_file text) RETURNS jsonb
LANGUAGE plpgsql SET client_min_messages = warning AS $$
DECLARE
    n bigint;
    aside jsonb;
    replaced bigint;
    written bigint;
    scope jsonb;
BEGIN
    UPDATE pg_temp.recon_load_finance SET currency = upper(btrim(currency));

    -- The table's rules, as reasons: what the mapper left untyped, signs, precision, parts within the amount.
    UPDATE pg_temp.recon_load_finance f
       SET reasons = f.reasons || x.more
      FROM (SELECT line_number, array_remove(ARRAY[
                   CASE WHEN cardinality(reasons) = 0 AND transaction_id IS NULL THEN 'missing: transaction_id' END,
                   CASE WHEN cardinality(reasons) = 0 AND transaction_type IS NULL THEN 'missing: transaction_type' END,
                   CASE WHEN cardinality(reasons) = 0 AND status IS NULL THEN 'missing: status' END,
                   CASE WHEN cardinality(reasons) = 0 AND occurred_at IS NULL THEN 'missing: occurred_at' END,
                   CASE WHEN cardinality(reasons) = 0 AND amount IS NULL THEN 'missing: amount' END,
                   CASE WHEN cardinality(reasons) = 0 AND currency IS NULL THEN 'missing: currency' END,
                   CASE WHEN amount < 0 THEN 'bad_amount: amount ' || amount || ' is negative: amounts are positive and the type carries the sign (write a refund or credit note as a positive amount of that type)' END,
                   CASE WHEN tax_amount < 0 THEN 'bad_amount: tax ' || tax_amount || ' is negative' END,
                   CASE WHEN shipping_amount < 0 THEN 'bad_amount: shipping ' || shipping_amount || ' is negative' END,
                   CASE WHEN fee_amount < 0 THEN 'bad_amount: fee ' || fee_amount || ' is negative' END,
                   recon.load_bad_precision('amount', amount, currency),
                   recon.load_bad_precision('tax', tax_amount, currency),
                   recon.load_bad_precision('shipping', shipping_amount, currency),
                   recon.load_bad_precision('fee', fee_amount, currency),
                   CASE WHEN tax_treatment = 'exempt' AND tax_amount > 0
                        THEN 'bad_amount: tax ' || tax_amount || ' on a tax-exempt transaction' END,
                   CASE WHEN amount >= 0 AND shipping_amount + CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END > amount
                        THEN format('bad_amount: shipping %s + tax included %s exceed the amount %s', shipping_amount,
                                    CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END, amount) END,
                   CASE WHEN coalesce(order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id) IS NULL
                        THEN 'missing: a link key (order_id, opportunity_id, customer_id, invoice_id or parent_transaction_id)' END,
                   CASE WHEN parent_transaction_id = transaction_id
                        THEN 'bad_id: parent_transaction_id ' || quote_literal(parent_transaction_id) || ' is the transaction itself' END
                   ], NULL) AS more
            FROM pg_temp.recon_load_finance) x
     WHERE f.line_number = x.line_number AND cardinality(x.more) > 0;

    -- One row per transaction in a file: a later line with the same id is rejected.
    UPDATE pg_temp.recon_load_finance f
       SET reasons = f.reasons || format('duplicate_row: transaction_id %L is also on line %s', f.transaction_id, d.first_line)
      FROM (SELECT line_number, min(line_number) OVER (PARTITION BY transaction_id) AS first_line
            FROM pg_temp.recon_load_finance WHERE cardinality(reasons) = 0 AND skip IS NULL) d
     WHERE f.line_number = d.line_number AND d.first_line <> d.line_number;

    -- Parents: the version this file writes, else the one loaded (the foreign key). A child whose
    -- parent is neither, or is in another currency, is rejected; so are its own children, down the chain.
    LOOP
        DROP TABLE IF EXISTS pg_temp.recon_load_parents;
        CREATE TEMP TABLE recon_load_parents AS
        SELECT c.line_number, c.parent_transaction_id, p.currency, p.order_id, p.opportunity_id, p.customer_id, p.invoice_id,
               p.pref IS NOT NULL AS found,
               (SELECT min(s.line_number) FROM pg_temp.recon_load_finance s WHERE s.transaction_id = c.parent_transaction_id) AS parent_line
        FROM pg_temp.recon_load_finance c
        LEFT JOIN LATERAL (
            SELECT s.line_number, s.currency, s.order_id, s.opportunity_id, s.customer_id, s.invoice_id, 1 AS pref
            FROM pg_temp.recon_load_finance s
            WHERE s.transaction_id = c.parent_transaction_id AND cardinality(s.reasons) = 0 AND s.skip IS NULL
            UNION ALL
            SELECT NULL, t.currency, t.order_id, t.opportunity_id, t.customer_id, t.invoice_id, 2
            FROM recon.finance_transactions t WHERE t.transaction_id = c.parent_transaction_id
            ORDER BY pref, line_number LIMIT 1) p ON true
        WHERE c.parent_transaction_id IS NOT NULL AND cardinality(c.reasons) = 0 AND c.skip IS NULL;
        UPDATE pg_temp.recon_load_finance f
           SET reasons = f.reasons || CASE
                   WHEN NOT p.found AND p.parent_line IS NULL
                   THEN format('unknown_parent: parent_transaction_id %L is not loaded (load it first, or in the same file, then this file again)', p.parent_transaction_id)
                   WHEN NOT p.found
                   THEN format('unknown_parent: parent_transaction_id %L is on line %s, which is not written', p.parent_transaction_id, p.parent_line)
                   ELSE format('currency_mismatch: %s %s is in %s, its parent %s in %s',
                               f.transaction_type, f.transaction_id, f.currency, p.parent_transaction_id, p.currency) END
          FROM pg_temp.recon_load_parents p
         WHERE p.line_number = f.line_number AND (NOT p.found OR p.currency <> f.currency);
        GET DIAGNOSTICS n = ROW_COUNT;
        EXIT WHEN n = 0;
    END LOOP;

    -- A child without its own link keys takes its parent's (a refund is for the charge's order).
    UPDATE pg_temp.recon_load_finance f
       SET order_id = coalesce(f.order_id, p.order_id), opportunity_id = coalesce(f.opportunity_id, p.opportunity_id),
           customer_id = coalesce(f.customer_id, p.customer_id), invoice_id = coalesce(f.invoice_id, p.invoice_id)
      FROM pg_temp.recon_load_parents p
     WHERE p.line_number = f.line_number;

    aside := recon.load_finance_set_aside(batch, source_file, 'pg_temp.recon_load_finance');
    DELETE FROM pg_temp.recon_load_finance WHERE cardinality(reasons) > 0 OR skip IS NOT NULL;

    SELECT count(*) INTO replaced
    FROM pg_temp.recon_load_finance s JOIN recon.finance_transactions t USING (transaction_id);
    SELECT jsonb_build_object('by', 'transaction_id', 'from', min(occurred_at), 'to', max(occurred_at)) INTO scope
    FROM pg_temp.recon_load_finance HAVING count(*) > 0;

    INSERT INTO recon.finance_transactions AS t
        (transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount,
         fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id,
         record_source, batch_id, dq_flags)
    SELECT s.transaction_id, s.transaction_type, s.status, s.occurred_at, s.amount, s.currency, s.tax_amount,
           s.shipping_amount, coalesce(s.fee_amount, old.fee_amount, 0), s.tax_treatment, s.order_id,
           s.opportunity_id, s.customer_id, s.invoice_id, s.parent_transaction_id, source_file, batch, s.dq_flags
    FROM pg_temp.recon_load_finance s
    LEFT JOIN recon.finance_transactions old USING (transaction_id)
    ORDER BY s.line_number
    ON CONFLICT (transaction_id) DO UPDATE
       SET transaction_type = excluded.transaction_type, status = excluded.status, occurred_at = excluded.occurred_at,
           amount = excluded.amount, currency = excluded.currency, tax_amount = excluded.tax_amount,
           shipping_amount = excluded.shipping_amount, fee_amount = excluded.fee_amount,
           tax_treatment = excluded.tax_treatment, order_id = excluded.order_id,
           opportunity_id = excluded.opportunity_id, customer_id = excluded.customer_id,
           invoice_id = excluded.invoice_id, parent_transaction_id = excluded.parent_transaction_id,
           record_source = excluded.record_source, batch_id = excluded.batch_id, dq_flags = excluded.dq_flags;
    GET DIAGNOSTICS written = ROW_COUNT;
    DROP TABLE pg_temp.recon_load_parents;

    RETURN aside || jsonb_build_object('replaced', replaced, 'scope', scope,
                                       'tables', jsonb_build_object('finance_transactions', written));
END $$;
COMMENT ON FUNCTION recon.load_write_finance(text, text) IS
    'The writer every finance loader shares. Reads pg_temp.recon_load_finance (recon.load_finance_begin); turns the table''s rules into reject reasons (missing values, negative amounts, decimals beyond the currency''s minor units, shipping + included tax above the amount, tax on an exempt transaction, no link key); rejects a repeated transaction_id, a currency other than the parent''s, and a parent that is neither loaded nor written by the file (and, down the chain, its children); gives a child without link keys its parent''s order, opportunity, customer and invoice; skips rows with a skip reason; upserts the rest by transaction_id (a blank fee keeps the recorded one). Returns rejected, skipped, replaced (rows that were loaded before), scope and rows written.';
