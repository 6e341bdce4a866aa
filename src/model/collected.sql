-- Collected layer: what finance invoiced, received, refunded and wrote off.

CREATE TABLE recon.finance_transactions (
    transaction_id         text COLLATE "C" PRIMARY KEY CHECK (transaction_id <> ''),
    transaction_type       text COLLATE "C" NOT NULL CHECK (transaction_type IN
                           ('invoice', 'payment', 'refund', 'chargeback', 'credit_note', 'write_off')),
    status                 text COLLATE "C" NOT NULL DEFAULT 'posted' CHECK (status IN ('posted', 'pending', 'failed', 'reversed')),
    occurred_at            timestamptz NOT NULL,
    amount                 numeric NOT NULL CHECK (amount >= 0),
    currency               recon_currency_code NOT NULL,
    tax_amount             numeric NOT NULL DEFAULT 0 CHECK (tax_amount >= 0),
    shipping_amount        numeric NOT NULL DEFAULT 0 CHECK (shipping_amount >= 0),
    fee_amount             numeric NOT NULL DEFAULT 0 CHECK (fee_amount >= 0),
    tax_treatment          text NOT NULL DEFAULT 'inclusive' CHECK (tax_treatment IN ('inclusive', 'exclusive', 'exempt')),
    order_id               text COLLATE "C",
    opportunity_id         text COLLATE "C",
    customer_id            text COLLATE "C",
    invoice_id             text COLLATE "C",
    parent_transaction_id  text COLLATE "C" REFERENCES recon.finance_transactions DEFERRABLE INITIALLY DEFERRED,
    cash_amount            numeric GENERATED ALWAYS AS (
                               CASE WHEN status <> 'posted' THEN 0
                                    WHEN transaction_type = 'payment' THEN amount
                                    WHEN transaction_type IN ('refund', 'chargeback') THEN -amount
                                    ELSE 0 END) STORED,
    revenue_amount         numeric GENERATED ALWAYS AS (
                               CASE WHEN status <> 'posted' THEN 0
                                    WHEN transaction_type IN ('payment') THEN
                                        amount - CASE tax_treatment WHEN 'inclusive' THEN tax_amount ELSE 0 END
                                               - shipping_amount
                                    WHEN transaction_type IN ('refund', 'chargeback') THEN
                                        -(amount - CASE tax_treatment WHEN 'inclusive' THEN tax_amount ELSE 0 END
                                                 - shipping_amount)
                                    ELSE 0 END) STORED,
    record_source          text COLLATE "C" NOT NULL,
    batch_id               text COLLATE "C",
    loaded_at              timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    dq_flags               text[] NOT NULL DEFAULT '{}',
    CONSTRAINT finance_transactions_has_link CHECK (
        coalesce(order_id, opportunity_id, customer_id, invoice_id, parent_transaction_id) IS NOT NULL),
    CONSTRAINT finance_transactions_parts_within CHECK (
        shipping_amount + CASE WHEN tax_treatment = 'inclusive' THEN tax_amount ELSE 0 END <= amount)
);
COMMENT ON TABLE recon.finance_transactions IS
    'Finance transactions in original currency: invoices, payments, refunds, chargebacks, credit notes, write-offs, with link keys (order, opportunity, customer, invoice, parent transaction) and tax/shipping/fee treatment. Amounts are positive; cash_amount (+payments, -refunds/chargebacks) and revenue_amount (the same net of inclusive tax and shipping; fees are a cost, not deducted) carry the sign.';
COMMENT ON COLUMN recon.finance_transactions.cash_amount IS
    'Signed cash effect of a posted transaction: +amount for payments, -amount for refunds and chargebacks, 0 otherwise (invoices, credit notes and write-offs move receivables, not cash).';
CREATE TRIGGER finance_transactions_touch BEFORE UPDATE ON recon.finance_transactions
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX finance_transactions_order ON recon.finance_transactions (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX finance_transactions_opportunity ON recon.finance_transactions (opportunity_id) WHERE opportunity_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('recon.finance_transactions', '');
