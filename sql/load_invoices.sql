-- load_invoices: an accounting system's invoices and payments export (CSV,
-- amounts in major units) into recon.finance_transactions: header spellings,
-- types and statuses, dates and zones, decimal marks, minor units per currency
-- (JPY none, KWD three), parents, link keys, upsert by id and rejects.
BEGIN;
\set VERBOSITY terse
SET LOCAL TimeZone = 'UTC';
SET LOCAL DateStyle = 'ISO, YMD';
\set cols 'transaction_id, transaction_type AS type, status, occurred_at, amount, currency AS cur, tax_amount AS tax, shipping_amount AS ship, fee_amount AS fee, tax_treatment AS tax_treat, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id AS parent, cash_amount AS cash, revenue_amount AS revenue, record_source, batch_id, dq_flags'

SELECT format, input, mapper, writes, skip_pattern, options FROM recon.load_formats WHERE format = 'invoices_csv';
SELECT field, headers, required FROM recon.load_format_fields WHERE format = 'invoices_csv' ORDER BY field;

-- 1. The ledger, through the real path. Its dates have no offset: they are New York days.
SELECT recon.load_begin() \g /dev/null
\copy recon_staged_lines(line) FROM 'examples/invoices/ledger.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02')
SELECT * FROM recon.load_staged('invoices_csv', 'examples/invoices/ledger.csv', '{"batch_id": "inv-1", "timezone": "America/New_York", "pulled_at": "2026-03-10T06:00:00Z"}');
-- Every column written: JPY 165,000 is 165000 yen, KWD 1250.750 keeps three decimals; the
-- refund and the chargeback take their payment's order, opportunity and customer; revenue
-- is net of included tax and shipping; an invoice's own number is not its invoice_id.
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'inv-1' ORDER BY transaction_id;
-- Rejected: JPY with decimals, 30 February, a negative credit note, US$, a spreadsheet's
-- 1.00235E+05, a short row, no link key, shipping + tax above the amount, a refund of an
-- unknown payment, a vendor bill. Skipped: the totals line.
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'inv-1' ORDER BY line_number;

-- Reload: the same rows, all replaced, nothing else changes.
CREATE TEMP TABLE before_reload AS
SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
       tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
       record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'inv-%';
\set content `cat examples/invoices/ledger.csv`
SELECT * FROM recon.load_text('invoices_csv', 'examples/invoices/ledger.csv', :'content', '{"batch_id": "inv-2", "timezone": "America/New_York", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT count(*) AS rows_changed FROM (
    (SELECT * FROM before_reload EXCEPT
     SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
            tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
            record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'inv-%')
    UNION ALL
    (SELECT transaction_id, transaction_type, status, occurred_at, amount, currency, tax_amount, shipping_amount, fee_amount,
            tax_treatment, order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id, cash_amount, revenue_amount,
            record_source, dq_flags FROM recon.finance_transactions WHERE batch_id LIKE 'inv-%'
     EXCEPT SELECT * FROM before_reload)) d;

-- 2. Restated: the refund went through, the invoice is paid, and a new JPY payment
-- (1500 whole yen) pays the invoice rejected above.
\set content `cat examples/invoices/ledger_restated.csv`
SELECT * FROM recon.load_text('invoices_csv', 'examples/invoices/ledger_restated.csv', :'content', '{"batch_id": "inv-3", "timezone": "America/New_York", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'inv-3' ORDER BY transaction_id;

-- 3. A European export: a title line above the header, semicolons, day-first dates, decimal
-- commas, Berlin time, other header spellings (Invoice Number, Gross Amount, VAT, Amounts Are).
\set content `cat examples/invoices/ledger_eu.csv`
SELECT * FROM recon.load_text('invoices_csv', 'examples/invoices/ledger_eu.csv', :'content', '{"batch_id": "inv-eu", "decimal_mark": ",", "date_style": "dmy", "timezone": "Europe/Berlin", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'inv-eu' ORDER BY transaction_id;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'inv-eu' ORDER BY line_number;
SELECT header, preamble FROM recon.load_batches WHERE batch_id = 'inv-eu';

-- 4. An export without a currency column needs the currency option; the tax_treatment option
-- says how amounts treat tax when the file does not (here net invoice amounts, VAT on top).
-- Without a timezone option, times without an offset are in the reporting zone (Tokyo here).
SELECT recon.set_setting('reporting_timezone', 'Asia/Tokyo', 'load_invoices') \g /dev/null
SAVEPOINT s;
SELECT * FROM recon.load_text('invoices_csv', 'payments.csv', E'Payment ID,Type,Payment Date,Amount,Customer\nP-9001,payment,2026-03-09,49.00,C-40017', '{"batch_id": "inv-nocur"}');
ROLLBACK TO s;
SAVEPOINT s;
SELECT * FROM recon.load_text('invoices_csv', 'payments.csv', E'Payment ID,Type,Payment Date,Amount,Customer\nP-9001,payment,2026-03-09,49.00,C-40017', '{"batch_id": "inv-badtax", "currency": "GBP", "tax_treatment": "gross"}');
ROLLBACK TO s;
SELECT rows_read, rows_loaded, rows_rejected, tables FROM recon.load_text('invoices_csv', 'invoices.csv',
    E'Invoice Number,Type,Invoice Date,Amount,VAT,Customer\nI-5001,invoice,2026-03-09,40.83,8.17,C-40017\nI-5002,Sales Invoice,2026-03-09 17:45,"1,020.00",204.00,C-40018',
    '{"batch_id": "inv-gbp", "currency": "GBP", "tax_treatment": "exclusive", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'inv-gbp' ORDER BY transaction_id;

-- 5. Parents and repeats: a refund of a payment this file rejects is rejected too; a chargeback
-- in another currency than its payment; a line repeated by an overlapping export; a refund of
-- a payment written by the same file is fine.
SELECT rows_read, rows_loaded, rows_rejected, tables FROM recon.load_text('invoices_csv', 'parents.csv',
    E'Transaction ID,Type,Status,Date,Currency,Amount,Customer ID,Parent Transaction ID\n'
    'P-7001,Payment,Paid,2026-03-09,USD,-5.00,C-40070,\n'
    'R-7001,Refund,Paid,2026-03-10,USD,5.00,,P-7001\n'
    'CB-7001,Chargeback,Posted,2026-03-10,EUR,20.00,,PAY-2026-0311\n'
    'P-7002,Payment,Paid,2026-03-09,USD,15.00,C-40071,\n'
    'P-7002,Payment,Paid,2026-03-09,USD,15.00,C-40071,\n'
    'R-7002,Refund,Paid,2026-03-10,USD,5.00,,P-7002',
    '{"batch_id": "inv-parents", "pulled_at": "2026-03-10T06:00:00Z"}');
SELECT :cols FROM recon.finance_transactions WHERE batch_id = 'inv-parents' ORDER BY transaction_id;
SELECT line_number, disposition, reasons, raw FROM recon.load_rejects WHERE batch_id = 'inv-parents' ORDER BY line_number;

-- Money per currency: cash and revenue, signed, in major units.
SELECT currency, count(*) AS transactions, sum(cash_amount) AS cash, sum(revenue_amount) AS revenue, sum(fee_amount) AS fees
FROM recon.finance_transactions WHERE batch_id LIKE 'inv-%' GROUP BY currency ORDER BY currency;

-- Every load: read = loaded + rejected + skipped.
SELECT batch_id, rows_read, rows_loaded, rows_replaced, rows_rejected, rows_skipped, tables, replaced_scope
FROM recon.load_batches WHERE batch_id LIKE 'inv-%' ORDER BY started_at;
ROLLBACK;
