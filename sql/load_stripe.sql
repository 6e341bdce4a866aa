-- load_stripe: Stripe's API lists (charges, refunds, invoices, balance
-- transactions) into recon.finance_transactions: minor units per currency (JPY
-- has none, KWD three), statuses, parents and inherited order ids, fees from
-- balance transactions, upsert by id (reload, restated lists) and rejects.
BEGIN;
\set VERBOSITY terse
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
\set cols 'transaction_id, transaction_type AS type, status, occurred_at, amount, currency AS cur, tax_amount AS tax, shipping_amount AS ship, fee_amount AS fee, tax_treatment AS tax_treat, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id AS parent, cash_amount AS cash, revenue_amount AS revenue, record_source, batch_id, dq_flags'

SELECT format, input, mapper, writes, options FROM recon.load_formats WHERE source_system = 'stripe' ORDER BY format;
SELECT format, field, json_path, pii FROM recon.load_format_fields WHERE format = 'stripe_charges' ORDER BY field;

-- 1. Charges, through the real path: \copy of the pretty-printed API response.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/stripe/charges.json' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('stripe_charges', 'examples/stripe/charges.json', '{"batch_id": "stripe-ch-1", "pulled_at": "2026-03-10T06:00:00Z"}');
-- Every column written: JPY 1500 is 1500 yen, KWD 12500 is 12.500 dinars; an uncaptured
-- charge is pending (no cash), a partial capture moved 75.00 of 100.00; an expanded
-- customer object gives its id; test-mode and disputed charges are flagged.
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-ch-1' ORDER BY transaction_id;
-- Rejected: not whole minor units, an ISO time for Unix seconds, an unknown currency,
-- a payment intent id, nothing to link to. Emails are masked (sha256 of the value).
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'stripe-ch-1' ORDER BY line_number;

-- Reload: same rows (all replaced, nothing else changes).
CREATE TEMP TABLE before_reload AS
SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
       tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
       record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'stripe-%';
\set doc `cat examples/stripe/charges.json`
SELECT * FROM recon.load_json('stripe_charges', 'examples/stripe/charges.json', :'doc'::jsonb, '{"batch_id": "stripe-ch-2", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT count(*) AS rows_changed FROM (
    (SELECT * FROM before_reload EXCEPT
     SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
            tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
            record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'stripe-%')
    UNION ALL
    (SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
            tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
            record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'stripe-%'
     EXCEPT SELECT * FROM before_reload)) d;
SELECT count(*) AS rows_of_batch_2 FROM recon.finance_transactions WHERE batch_id = 'stripe-ch-2';

-- Wrong document for the format: a whole-file error naming the right format.
SAVEPOINT s;
\set doc `cat examples/stripe/refunds.json`
SELECT * FROM recon.load_json('stripe_charges', 'examples/stripe/refunds.json', :'doc'::jsonb, '{"batch_id": "stripe-wrong"}');
ROLLBACK TO s;
-- Another metadata key for the order id (WooCommerce writes order_number).
SELECT rows_loaded, rows_rejected, tables FROM recon.load_json('stripe_charges', 'inline', $$
{"object": "list", "has_more": false, "data": [
 {"id": "ch_3QkPaA2eZvKYlo2C0Wc1Xd2E", "object": "charge", "amount": 2590, "amount_captured": 2590, "captured": true,
  "created": 1773050400, "currency": "gbp", "status": "succeeded", "customer": null, "livemode": true,
  "metadata": {"order_number": "WC-88120"}}]}$$::jsonb,
  '{"batch_id": "stripe-ch-woo", "metadata_order_key": "order_number", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT transaction_id, status, amount, currency, order_id FROM recon.finance_transactions WHERE batch_id = 'stripe-ch-woo';

-- 2. Refunds: the charge is the parent; the order id comes from it.
\set doc `cat examples/stripe/refunds.json`
SELECT * FROM recon.load_json('stripe_refunds', 'examples/stripe/refunds.json', :'doc'::jsonb, '{"batch_id": "stripe-re-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-re-1' ORDER BY transaction_id;
-- Skipped: the refund that only released an expired authorization. Rejected: a refund of a
-- charge never loaded, a negative amount, created in milliseconds.
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'stripe-re-1' ORDER BY line_number;
SELECT * FROM recon.load_json('stripe_refunds', 'examples/stripe/refunds.json', :'doc'::jsonb, '{"batch_id": "stripe-re-2", "pulled_at": "2026-03-10T06:00:00Z"}');
-- Restated: the KWD refund went through.
\set doc `cat examples/stripe/refunds_restated.json`
SELECT * FROM recon.load_json('stripe_refunds', 'examples/stripe/refunds_restated.json', :'doc'::jsonb, '{"batch_id": "stripe-re-3", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-re-3' ORDER BY transaction_id;

-- 3. Invoices: tax inclusive (VAT in the prices), exclusive (added on top: amount = total - tax),
-- exempt (reverse charge); draft is pending, void reversed, uncollectible posted and flagged.
\set doc `cat examples/stripe/invoices.json`
SELECT * FROM recon.load_json('stripe_invoices', 'examples/stripe/invoices.json', :'doc'::jsonb, '{"batch_id": "stripe-in-1", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-in-1' ORDER BY transaction_id;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'stripe-in-1' ORDER BY line_number;
SELECT * FROM recon.load_json('stripe_invoices', 'examples/stripe/invoices.json', :'doc'::jsonb, '{"batch_id": "stripe-in-2", "pulled_at": "2026-03-10T06:00:00Z"}');
-- Restated: the draft was finalized (pending -> posted), the open invoice paid.
\set doc `cat examples/stripe/invoices_restated.json`
SELECT * FROM recon.load_json('stripe_invoices', 'examples/stripe/invoices_restated.json', :'doc'::jsonb, '{"batch_id": "stripe-in-3", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-in-3' ORDER BY transaction_id;

-- 4. Balance transactions: the fee of each charge, in the charge's currency.
\set doc `cat examples/stripe/balance_transactions.json`
SELECT * FROM recon.load_json('stripe_balance_transactions', 'examples/stripe/balance_transactions.json', :'doc'::jsonb, '{"batch_id": "stripe-bt-1", "pulled_at": "2026-03-10T06:00:00Z"}');
-- The payments' fees (JPY 54 is 54 yen); the KWD charge settled in USD keeps no fee.
SELECT transaction_id, status, amount, currency, fee_amount, cash_amount, revenue_amount, batch_id
FROM recon.finance_transactions WHERE transaction_type = 'payment' AND batch_id LIKE 'stripe-%' ORDER BY transaction_id;
SELECT line_number, disposition, reasons, left(raw, 60) AS raw FROM recon.load_rejects WHERE batch_id = 'stripe-bt-1' ORDER BY line_number;
-- Reload: every fee is replaced by the same fee.
SELECT * FROM recon.load_json('stripe_balance_transactions', 'examples/stripe/balance_transactions.json', :'doc'::jsonb, '{"batch_id": "stripe-bt-2", "pulled_at": "2026-03-10T06:00:00Z"}');
-- Reloading the charges keeps their fees.
\set doc `cat examples/stripe/charges.json`
SELECT rows_loaded, rows_replaced FROM recon.load_json('stripe_charges', 'examples/stripe/charges.json', :'doc'::jsonb, '{"batch_id": "stripe-ch-3", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT count(*) FILTER (WHERE fee_amount > 0) AS payments_with_fees FROM recon.finance_transactions
WHERE transaction_type = 'payment' AND batch_id LIKE 'stripe-%';
-- Restated charges: the ACH payment cleared, a charge is now disputed, the uncaptured one expired.
\set doc `cat examples/stripe/charges_restated.json`
SELECT * FROM recon.load_json('stripe_charges', 'examples/stripe/charges_restated.json', :'doc'::jsonb, '{"batch_id": "stripe-ch-4", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'stripe-ch-4' ORDER BY transaction_id;
-- ... and its balance transaction arrives with the next page.
\set doc `cat examples/stripe/balance_transactions_restated.json`
SELECT * FROM recon.load_json('stripe_balance_transactions', 'examples/stripe/balance_transactions_restated.json', :'doc'::jsonb, '{"batch_id": "stripe-bt-3", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT transaction_id, status, amount, currency, fee_amount FROM recon.finance_transactions
WHERE transaction_id IN ('py_3QkMpQ2eZvKYlo2C0Ha7JkLm', 'ch_3QkLmN2eZvKYlo2C0uT4rWq1') ORDER BY transaction_id;

-- Money per currency, signed: cash moved and revenue net of tax, in major units.
SELECT currency, count(*) AS transactions, sum(cash_amount) AS cash, sum(revenue_amount) AS revenue, sum(fee_amount) AS fees
FROM recon.finance_transactions WHERE batch_id LIKE 'stripe-%' GROUP BY currency ORDER BY currency;

-- Every load: read = loaded + rejected + skipped.
SELECT batch_id, format, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables, replaced_scope
FROM recon.load_batches WHERE batch_id LIKE 'stripe-%' ORDER BY started_at;
ROLLBACK;
