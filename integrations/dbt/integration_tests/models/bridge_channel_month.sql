-- recon.bridge_by with its default ledger (source recon.bridge_ledger), in each row's original
-- currency: one bridge per channel, currency and cohort month (a bridge holds one currency).
{{ config(materialized='table') }}
{{ recon.bridge_by(['channel', 'currency', 'cohort_month'], currency_mode='original') }}
