-- Funnel layer: what happened to each lead, order or opportunity in the CRM.

CREATE TABLE recon.funnel_records (
    record_id         text COLLATE "C" PRIMARY KEY CHECK (record_id <> ''),
    record_type       text COLLATE "C" NOT NULL CHECK (record_type IN ('lead', 'order', 'opportunity')),
    crm_system        text COLLATE "C" NOT NULL,
    created_at        timestamptz NOT NULL,
    channel           text COLLATE "C" NOT NULL DEFAULT 'unknown' REFERENCES recon.channels,
    source            text COLLATE "C",
    campaign_id       text COLLATE "C",
    adset_id          text COLLATE "C",
    ad_id             text COLLATE "C",
    utm_source        text COLLATE "C",
    utm_medium        text COLLATE "C",
    utm_campaign      text COLLATE "C",
    utm_content       text COLLATE "C",
    utm_term          text COLLATE "C",
    utm_id            text COLLATE "C",
    fbclid            text COLLATE "C",
    gclid             text COLLATE "C",
    gbraid            text COLLATE "C",
    wbraid            text COLLATE "C",
    ttclid            text COLLATE "C",
    msclkid           text COLLATE "C",
    li_fat_id         text COLLATE "C",
    fbc               text COLLATE "C",
    fbp               text COLLATE "C",
    external_id       text COLLATE "C",
    email_sha256      recon_sha256_digest,
    phone_sha256      recon_sha256_digest,
    customer_id       text COLLATE "C",
    parent_record_id  text COLLATE "C" REFERENCES recon.funnel_records DEFERRABLE INITIALLY DEFERRED,
    stated_value      numeric,
    currency          recon_currency_code,
    stage             text COLLATE "C" NOT NULL,
    status            text COLLATE "C" NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost', 'cancelled')),
    status_reason     text,
    closed_at         timestamptz,
    owner             text COLLATE "C",
    market            text COLLATE "C",
    record_source     text COLLATE "C" NOT NULL,
    batch_id          text COLLATE "C",
    loaded_at         timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    dq_flags          text[] NOT NULL DEFAULT '{}',
    CONSTRAINT funnel_records_value_has_currency CHECK (stated_value IS NULL OR currency IS NOT NULL),
    CONSTRAINT funnel_records_closed_when_final CHECK ((status = 'open') = (closed_at IS NULL)),
    CONSTRAINT funnel_records_closed_after_created CHECK (closed_at IS NULL OR closed_at >= created_at)
);
COMMENT ON TABLE recon.funnel_records IS
    'Leads, orders and opportunities with a stable internal id: when and where they came from (channel, campaign ids, UTM tags, click ids, protected contact keys), their stated value, current stage and final status (won, lost, cancelled) with reason, owner and market. dq_flags marks spam, test, duplicate records; they are kept, not deleted.';
COMMENT ON COLUMN recon.funnel_records.channel IS
    'Normalized source: an ad platform (meta, google, tiktok...) or organic, direct, email, referral, unknown.';
COMMENT ON COLUMN recon.funnel_records.parent_record_id IS
    'CRM relationship: the lead an opportunity came from, or the order a follow-up order belongs to.';

CREATE TRIGGER funnel_records_touch BEFORE UPDATE ON recon.funnel_records
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX funnel_records_customer ON recon.funnel_records (customer_id) WHERE customer_id IS NOT NULL;
SELECT pg_catalog.pg_extension_config_dump('recon.funnel_records', '');

CREATE TABLE recon.funnel_stage_history (
    record_id      text COLLATE "C" NOT NULL REFERENCES recon.funnel_records ON DELETE CASCADE,
    stage          text COLLATE "C" NOT NULL,
    entered_at     timestamptz NOT NULL,
    exited_at      timestamptz,
    record_source  text COLLATE "C" NOT NULL,
    batch_id       text COLLATE "C",
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    dq_flags       text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (record_id, entered_at, stage),
    CONSTRAINT funnel_stage_history_order CHECK (exited_at IS NULL OR exited_at >= entered_at)
);
COMMENT ON TABLE recon.funnel_stage_history IS
    'Every stage a funnel record entered, with timestamps: the basis for stage conversion, response time and sales cycle.';
CREATE TRIGGER funnel_stage_history_touch BEFORE UPDATE ON recon.funnel_stage_history
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.funnel_stage_history', '');

-- Why a record does not count as a real conversion: invalid (spam, test) or duplicate.
CREATE FUNCTION recon.record_invalidity(status_reason text, dq_flags text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN status_reason IN ('spam', 'test', 'test order') OR dq_flags && ARRAY['spam', 'test'] THEN 'invalid'
                WHEN status_reason = 'duplicate' OR dq_flags && ARRAY['duplicate'] THEN 'duplicate' END
$$;
COMMENT ON FUNCTION recon.record_invalidity(text, text[]) IS
    'invalid when the CRM closed the record as spam, test or test order (or dq_flags say spam/test), duplicate when it closed it as a duplicate (or dq_flags say so), else NULL.';
