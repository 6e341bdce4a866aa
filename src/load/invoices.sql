-- A generic invoices and payments export of an accounting system (CSV): one row
-- per invoice, payment, refund, credit note, chargeback or write-off, amounts in
-- major units (docs/loading-finance.md). Rows are upserted into
-- finance_transactions by their id with the shared finance writer.

INSERT INTO recon.load_formats (format, input, source_system, mapper, writes, skip_pattern, options, description) VALUES
    ('invoices_csv', 'csv', 'accounting', 'recon.load_map_invoices_csv', '{finance_transactions}',
     '^\s*(grand\s+)?totals?\s*:?\s*$', '{currency,tax_treatment}',
     'An accounting system''s export of invoices and payments (CSV): transaction id (Invoice Number, Payment ID, Document No.), type (invoice, payment, refund, credit note, chargeback, write-off), status, date or timestamp, amount in major units, currency, tax, shipping, fee, tax treatment and the link keys (order, opportunity, customer, invoice paid, parent transaction refunded).');

INSERT INTO recon.load_format_fields (format, field, headers, required) VALUES
    ('invoices_csv', 'transaction_id', ARRAY['transaction[ _-]?id', 'transaction[ _-]?(number|no\.?|#)', 'document[ _-]?(id|number|no\.?|#)',
                                             'payment[ _-]?(id|number|no\.?|#)', 'invoice[ _-]?(number|no\.?|#)',
                                             'credit[ _-]?note[ _-]?(id|number|no\.?|#)', 'number', 'id'], true),
    ('invoices_csv', 'transaction_type', ARRAY['type', 'transaction[ _-]?type', 'document[ _-]?type', 'kind'], true),
    ('invoices_csv', 'status', ARRAY['status', 'state', 'payment[ _-]?status', 'invoice[ _-]?status'], false),
    ('invoices_csv', 'occurred_at', ARRAY['occurred[ _-]?at', 'date', 'transaction[ _-]?date', 'document[ _-]?date', 'invoice[ _-]?date',
                                          'payment[ _-]?date', 'posted[ _-]?(at|on|date)', 'posting[ _-]?date', 'created([ _-]?at)?', 'timestamp'], true),
    ('invoices_csv', 'amount', ARRAY['amount', 'total', 'total[ _-]?amount', 'gross([ _-]?amount)?'], true),
    ('invoices_csv', 'currency', ARRAY['currency', 'currency[ _-]?code', 'ccy'], false),
    ('invoices_csv', 'tax_amount', ARRAY['tax', 'tax[ _-]?amount', 'vat', 'vat[ _-]?amount', 'sales[ _-]?tax', 'gst'], false),
    ('invoices_csv', 'shipping_amount', ARRAY['shipping', 'shipping[ _-]?amount', 'freight', 'delivery([ _-]?charge)?'], false),
    ('invoices_csv', 'fee_amount', ARRAY['fee', 'fees', 'fee[ _-]?amount', 'processing[ _-]?fee', 'payment[ _-]?fee'], false),
    ('invoices_csv', 'tax_treatment', ARRAY['tax[ _-]?treatment', 'tax[ _-]?(type|mode|behaviou?r)', 'amounts[ _-]?are'], false),
    ('invoices_csv', 'order_id', ARRAY['order[ _-]?(id|number|no\.?|#)', 'order', 'sales[ _-]?order([ _-]?(id|number|no\.?))?'], false),
    ('invoices_csv', 'opportunity_id', ARRAY['opportunity[ _-]?id', 'opportunity', 'deal[ _-]?id', 'deal'], false),
    ('invoices_csv', 'customer_id', ARRAY['customer[ _-]?(id|number|no\.?|#)', 'client[ _-]?(id|number)', 'account[ _-]?(id|number|no\.?)', 'customer'], false),
    ('invoices_csv', 'invoice_id', ARRAY['invoice[ _-]?id', 'applied[ _-]?to([ _-]?invoice)?', 'invoice[ _-]?ref(erence)?',
                                         'invoice[ _-]?(number|no\.?|#)'], false),
    ('invoices_csv', 'parent_transaction_id', ARRAY['parent[ _-]?(transaction[ _-]?)?id', 'original[ _-]?(transaction|payment)([ _-]?(id|no\.?|number))?',
                                                    'refunded[ _-]?(transaction|payment)([ _-]?id)?', 'related[ _-]?(transaction|payment)([ _-]?id)?', 'parent'], false);

-- A transaction type as an accounting export words it, in recon's spelling.
CREATE FUNCTION recon.load_finance_type(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'invoice' THEN 'invoice' WHEN 'sales_invoice' THEN 'invoice' WHEN 'tax_invoice' THEN 'invoice'
        WHEN 'payment' THEN 'payment' WHEN 'receipt' THEN 'payment' WHEN 'customer_payment' THEN 'payment'
        WHEN 'payment_received' THEN 'payment'
        WHEN 'refund' THEN 'refund' WHEN 'customer_refund' THEN 'refund'
        WHEN 'credit_note' THEN 'credit_note' WHEN 'credit_memo' THEN 'credit_note' WHEN 'creditnote' THEN 'credit_note'
        WHEN 'chargeback' THEN 'chargeback' WHEN 'charge_back' THEN 'chargeback' WHEN 'dispute' THEN 'chargeback'
        WHEN 'write_off' THEN 'write_off' WHEN 'writeoff' THEN 'write_off' WHEN 'bad_debt' THEN 'write_off' END
$$;
COMMENT ON FUNCTION recon.load_finance_type(text) IS
    'A transaction type as exports write it (Invoice, Sales invoice, Receipt, Customer payment, Refund, Credit Note, Credit memo, Chargeback, Dispute, Write-off, Bad debt; any case, spaces, dashes or underscores) -> invoice, payment, refund, credit_note, chargeback or write_off; NULL for anything else.';

-- A status as an accounting export words it, in recon's spelling; blank is posted.
CREATE FUNCTION recon.load_finance_status(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN nullif(btrim(raw), '') IS NULL THEN 'posted'
                ELSE CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'posted' THEN 'posted' WHEN 'paid' THEN 'posted' WHEN 'partially_paid' THEN 'posted'
        WHEN 'open' THEN 'posted' WHEN 'sent' THEN 'posted' WHEN 'issued' THEN 'posted' WHEN 'unpaid' THEN 'posted'
        WHEN 'overdue' THEN 'posted' WHEN 'awaiting_payment' THEN 'posted' WHEN 'authorised' THEN 'posted'
        WHEN 'succeeded' THEN 'posted' WHEN 'completed' THEN 'posted' WHEN 'settled' THEN 'posted'
        WHEN 'cleared' THEN 'posted' WHEN 'applied' THEN 'posted'
        WHEN 'refunded' THEN 'posted' WHEN 'partially_refunded' THEN 'posted'
        WHEN 'pending' THEN 'pending' WHEN 'draft' THEN 'pending' WHEN 'processing' THEN 'pending'
        WHEN 'scheduled' THEN 'pending' WHEN 'submitted' THEN 'pending' WHEN 'in_progress' THEN 'pending'
        WHEN 'failed' THEN 'failed' WHEN 'declined' THEN 'failed' WHEN 'bounced' THEN 'failed' WHEN 'rejected' THEN 'failed'
        WHEN 'reversed' THEN 'reversed' WHEN 'void' THEN 'reversed' WHEN 'voided' THEN 'reversed'
        WHEN 'cancelled' THEN 'reversed' WHEN 'canceled' THEN 'reversed' WHEN 'deleted' THEN 'reversed'
        WHEN 'returned' THEN 'reversed' END END
$$;
COMMENT ON FUNCTION recon.load_finance_status(text) IS
    'A status as exports write it -> posted (blank, posted, paid, open, sent, issued, unpaid, overdue, awaiting payment, authorised, succeeded, completed, settled, cleared, applied; refunded and partially refunded too: the refund is a row of its own), pending (pending, draft, processing, scheduled, submitted, in progress), failed (failed, declined, bounced, rejected) or reversed (reversed, void, voided, cancelled, deleted, returned); NULL for anything else.';

-- A tax treatment as an export words it.
CREATE FUNCTION recon.load_finance_tax_treatment(raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE regexp_replace(lower(btrim(raw)), '[\s_-]+', '_', 'g')
        WHEN 'inclusive' THEN 'inclusive' WHEN 'incl' THEN 'inclusive' WHEN 'included' THEN 'inclusive'
        WHEN 'tax_inclusive' THEN 'inclusive'
        WHEN 'exclusive' THEN 'exclusive' WHEN 'excl' THEN 'exclusive' WHEN 'excluded' THEN 'exclusive'
        WHEN 'tax_exclusive' THEN 'exclusive' WHEN 'on_top' THEN 'exclusive'
        WHEN 'exempt' THEN 'exempt' WHEN 'tax_exempt' THEN 'exempt' WHEN 'no_tax' THEN 'exempt' WHEN 'notax' THEN 'exempt'
        WHEN 'none' THEN 'exempt' WHEN 'zero_rated' THEN 'exempt' WHEN 'reverse_charge' THEN 'exempt'
        WHEN 'out_of_scope' THEN 'exempt' END
$$;
COMMENT ON FUNCTION recon.load_finance_tax_treatment(text) IS
    'A tax treatment as exports write it -> inclusive (the amount includes the tax: Inclusive, Tax Inclusive, incl), exclusive (tax on top of the amount: Exclusive, Tax Exclusive, on top) or exempt (Exempt, No Tax, NoTax, None, Zero-rated, Reverse charge, Out of scope); NULL for anything else.';

-- A reason when an id column holds a number a spreadsheet mangled.
CREATE FUNCTION recon.load_finance_bad_id(field text, raw text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN btrim(raw) ~* '^[0-9]+([.,][0-9]+)?e\+?[0-9]+$' OR btrim(raw) ~ '^[0-9]{16,}$'
                THEN recon.load_bad_id(field, raw) END
$$;
COMMENT ON FUNCTION recon.load_finance_bad_id(text, text) IS
    'Reject reason for an id a spreadsheet mangled: scientific notation (1.00234E+05) or 16+ digits ending in zeros where the digits were lost (recon.load_bad_id); NULL for other ids (INV-2026-0042, 100234, cus_...), which are kept as written.';

-- The mapper.
CREATE FUNCTION recon.load_map_invoices_csv(batch text, source_file text, options jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    header text[] := (SELECT b.header FROM recon.load_batches b WHERE b.batch_id = batch);
    style text := coalesce(options ->> 'date_style', 'iso');
    mark text := coalesce(options ->> 'decimal_mark', '.');
    zone text := coalesce(options ->> 'timezone', recon.setting('reporting_timezone'));
    treatment text := recon.load_finance_tax_treatment(coalesce(options ->> 'tax_treatment', 'inclusive'));
BEGIN
    IF treatment IS NULL THEN
        RAISE EXCEPTION 'tax_treatment % is not known', options ->> 'tax_treatment'
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use inclusive, exclusive or exempt: how the amounts of rows without a tax treatment treat their tax.';
    END IF;
    IF options ->> 'currency' IS NULL AND NOT EXISTS (
            SELECT 1 FROM unnest(header) h, recon.load_format_fields f, unnest(f.headers) p
            WHERE f.format = 'invoices_csv' AND f.field = 'currency' AND btrim(h) ~* ('^(?:' || p || ')$')) THEN
        RAISE EXCEPTION 'this invoices_csv file has no currency column and the load gives no currency'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass options {"currency": "<ISO 4217 code of the amounts>"}.';
    END IF;

    PERFORM recon.load_finance_begin();
    INSERT INTO pg_temp.recon_load_finance
        (line_number, reasons, transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount,
         shipping_amount, fee_amount, tax_treatment, order_id, opportunity_id, customer_id, invoice_id,
         parent_transaction_id)
    SELECT r.line_number,
           array_remove(ARRAY[
               recon.load_missing('transaction_id', r.transaction_id),
               recon.load_finance_bad_id('transaction_id', r.transaction_id),
               recon.load_missing('type', r.transaction_type),
               CASE WHEN t.transaction_type IS NULL AND nullif(btrim(r.transaction_type), '') IS NOT NULL
                    THEN format('bad_type: type %L (use invoice, payment, refund, credit note, chargeback or write-off)', r.transaction_type) END,
               CASE WHEN t.status IS NULL
                    THEN format('bad_status: status %L (use posted/paid/open, pending/draft, failed or void/reversed)', r.status) END,
               recon.load_missing('date', r.occurred_at),
               recon.load_bad('bad_date', 'date', r.occurred_at, t.occurred_at),
               recon.load_missing('amount', r.amount),
               recon.load_bad('bad_amount', 'amount', r.amount, t.amount),
               recon.load_bad('bad_amount', 'tax', r.tax_amount, t.tax_amount),
               recon.load_bad('bad_amount', 'shipping', r.shipping_amount, t.shipping_amount),
               recon.load_bad('bad_amount', 'fee', r.fee_amount, t.fee_amount),
               CASE WHEN t.tax_treatment IS NULL
                    THEN format('bad_tax_treatment: tax treatment %L (use inclusive, exclusive or exempt)', r.tax_treatment) END,
               recon.load_missing('currency', t.currency),
               recon.load_bad_currency('currency', t.currency),
               recon.load_finance_bad_id('order_id', r.order_id),
               recon.load_finance_bad_id('opportunity_id', r.opportunity_id),
               recon.load_finance_bad_id('customer_id', r.customer_id),
               recon.load_finance_bad_id('invoice_id', r.invoice_id),
               recon.load_finance_bad_id('parent_transaction_id', r.parent_transaction_id)
           ], NULL),
           btrim(r.transaction_id), t.transaction_type, t.status, t.occurred_at, t.amount, t.currency,
           coalesce(t.tax_amount, 0), coalesce(t.shipping_amount, 0), t.fee_amount, coalesce(t.tax_treatment, treatment),
           nullif(btrim(r.order_id), ''), nullif(btrim(r.opportunity_id), ''), nullif(btrim(r.customer_id), ''),
           -- an invoices-only export names its own number "Invoice Number": not a payment's invoice
           nullif(nullif(btrim(r.invoice_id), ''), btrim(r.transaction_id)),
           nullif(btrim(r.parent_transaction_id), '')
    FROM pg_temp.recon_load_rows r
    CROSS JOIN LATERAL (SELECT recon.load_finance_type(r.transaction_type) AS transaction_type,
                               recon.load_finance_status(r.status) AS status,
                               @extschema@.recon_parse_timestamp(r.occurred_at, zone, style) AS occurred_at,
                               @extschema@.recon_parse_decimal(r.amount, mark) AS amount,
                               btrim(coalesce(r.currency, options ->> 'currency')) AS currency,
                               @extschema@.recon_parse_decimal(r.tax_amount, mark) AS tax_amount,
                               @extschema@.recon_parse_decimal(r.shipping_amount, mark) AS shipping_amount,
                               @extschema@.recon_parse_decimal(r.fee_amount, mark) AS fee_amount,
                               CASE WHEN nullif(btrim(r.tax_treatment), '') IS NULL THEN treatment
                                    ELSE recon.load_finance_tax_treatment(r.tax_treatment) END AS tax_treatment) t;
    RETURN recon.load_write_finance(batch, source_file);
END $$;
COMMENT ON FUNCTION recon.load_map_invoices_csv(text, text, jsonb) IS
    'Mapper of invoices_csv: types each row (type and status in many spellings, date or timestamp in date_style, local to the timezone option or else the reporting_timezone setting, amounts in major units with the file''s decimal_mark, currency from the row or the currency option, tax treatment from the row or the tax_treatment option, default inclusive) and writes it with recon.load_write_finance. Rejects unknown types, statuses and tax treatments, bad dates and amounts, unknown currencies, ids mangled by a spreadsheet; the writer rejects negative amounts, decimals beyond the currency''s minor units, rows without a link key and refunds of unknown transactions.';
