-- Platform layer: what the ad platforms claim (accounts, daily delivery and
-- attributed conversions per window) and the event-level signals the
-- advertiser sent them. Platform ids are text: 18-digit Meta ids do not survive
-- a float (see docs/data-model.md).

CREATE TABLE recon.ad_accounts (
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    account_id       text COLLATE "C" NOT NULL CHECK (account_id <> ''),
    account_name     text,
    timezone         recon_timezone_name NOT NULL,
    currency         recon_currency_code NOT NULL,
    report_timezone  recon_timezone_name,
    record_source    text COLLATE "C" NOT NULL DEFAULT 'manual',
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id)
);
COMMENT ON TABLE recon.ad_accounts IS
    'Ad accounts: platform, id, the account''s time zone and currency, and report_timezone, the zone its daily reports use (the account zone, or UTC for TikTok, LinkedIn, Snap...), filled from recon.platforms when omitted.';
COMMENT ON COLUMN recon.ad_accounts.report_timezone IS
    'Zone that defines report_date in this account''s reports: the account zone for Meta, Google, Microsoft; UTC for TikTok, LinkedIn, Snap, Pinterest, Reddit.';

CREATE FUNCTION recon.ad_accounts_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.report_timezone IS NULL THEN
        SELECT CASE p.report_clock WHEN 'utc' THEN 'UTC' ELSE NEW.timezone END
          INTO NEW.report_timezone
          FROM recon.platforms p WHERE p.platform = NEW.platform;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        NEW.updated_at := clock_timestamp();
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.ad_accounts_before_write() IS
    'Trigger: fills report_timezone from the platform''s report clock and keeps updated_at current.';
CREATE TRIGGER ad_accounts_defaults BEFORE INSERT OR UPDATE ON recon.ad_accounts
    FOR EACH ROW EXECUTE FUNCTION recon.ad_accounts_before_write();
SELECT pg_catalog.pg_extension_config_dump('recon.ad_accounts', '');

CREATE TABLE recon.ad_delivery_daily (
    platform             text COLLATE "C" NOT NULL,
    account_id           text COLLATE "C" NOT NULL,
    report_date          date NOT NULL,
    level                text COLLATE "C" NOT NULL DEFAULT 'ad' CHECK (level IN ('campaign', 'adset', 'ad')),
    campaign_id          text COLLATE "C" NOT NULL,
    campaign_name        text,
    adset_id             text COLLATE "C" NOT NULL DEFAULT '',
    adset_name           text,
    ad_id                text COLLATE "C" NOT NULL DEFAULT '',
    ad_name              text,
    spend                numeric NOT NULL DEFAULT 0 CHECK (spend >= 0),
    currency             recon_currency_code NOT NULL,
    impressions          bigint NOT NULL DEFAULT 0 CHECK (impressions >= 0),
    clicks               bigint NOT NULL DEFAULT 0 CHECK (clicks >= 0),
    link_clicks          bigint CHECK (link_clicks >= 0),
    attribution_setting  text,
    action_report_time   text CHECK (action_report_time IN ('impression', 'conversion', 'mixed')),
    report_timezone      recon_timezone_name NOT NULL,
    pulled_at            timestamptz NOT NULL,
    record_source        text COLLATE "C" NOT NULL,
    batch_id             text COLLATE "C",
    loaded_at            timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    dq_flags             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id),
    FOREIGN KEY (platform, account_id) REFERENCES recon.ad_accounts,
    CONSTRAINT ad_delivery_level_ids CHECK (
        (level = 'campaign' AND adset_id = '' AND ad_id = '')
     OR (level = 'adset' AND adset_id <> '' AND ad_id = '')
     OR (level = 'ad' AND adset_id <> '' AND ad_id <> ''))
);
COMMENT ON TABLE recon.ad_delivery_daily IS
    'Daily delivery per platform, account, campaign, ad set and ad as the platform reports it: spend in account currency, impressions, clicks, the attribution setting and action_report_time in force, the report''s time zone and when it was pulled. One level per row (campaign, adset or ad): never sum across levels.';
COMMENT ON COLUMN recon.ad_delivery_daily.action_report_time IS
    'Meta: impression = conversions booked on the click/impression day; conversion = on the conversion day; mixed = clicks on click day, views on conversion day.';
CREATE TRIGGER ad_delivery_daily_touch BEFORE UPDATE ON recon.ad_delivery_daily
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX ad_delivery_daily_campaign ON recon.ad_delivery_daily (platform, campaign_id, report_date);
SELECT pg_catalog.pg_extension_config_dump('recon.ad_delivery_daily', '');

CREATE TABLE recon.platform_conversions_daily (
    platform             text COLLATE "C" NOT NULL,
    account_id           text COLLATE "C" NOT NULL,
    report_date          date NOT NULL,
    campaign_id          text COLLATE "C" NOT NULL,
    adset_id             text COLLATE "C" NOT NULL DEFAULT '',
    ad_id                text COLLATE "C" NOT NULL DEFAULT '',
    action_type          text COLLATE "C" NOT NULL,
    attribution_window   text COLLATE "C" NOT NULL,
    conversions          numeric NOT NULL DEFAULT 0 CHECK (conversions >= 0),
    conversion_value     numeric NOT NULL DEFAULT 0,
    currency             recon_currency_code NOT NULL,
    record_source        text COLLATE "C" NOT NULL,
    batch_id             text COLLATE "C",
    loaded_at            timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    dq_flags             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id, action_type, attribution_window),
    FOREIGN KEY (platform, account_id, report_date, campaign_id, adset_id, ad_id)
        REFERENCES recon.ad_delivery_daily ON DELETE CASCADE
);
COMMENT ON TABLE recon.platform_conversions_daily IS
    'Platform-attributed conversions and value per delivery row, action type and attribution window (1d_click, 7d_click, 28d_click, 1d_view, 1d_ev, dda, default). Windows overlap: 7d_click includes 1d_click, and default is the account''s setting (e.g. 7d_click + 1d_view); pick one window, never sum them.';
CREATE TRIGGER platform_conversions_daily_touch BEFORE UPDATE ON recon.platform_conversions_daily
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.platform_conversions_daily', '');

CREATE TABLE recon.conversion_signals (
    signal_key       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    account_id       text COLLATE "C",
    source           text COLLATE "C" NOT NULL CHECK (source IN ('pixel', 'capi', 'offline_upload', 'lead_form', 'app_sdk')),
    event_id         text COLLATE "C",
    event_name       text COLLATE "C" NOT NULL,
    event_time       timestamptz NOT NULL,
    fbclid           text COLLATE "C",
    gclid            text COLLATE "C",
    gbraid           text COLLATE "C",
    wbraid           text COLLATE "C",
    ttclid           text COLLATE "C",
    msclkid          text COLLATE "C",
    li_fat_id        text COLLATE "C",
    fbc              text COLLATE "C",
    fbp              text COLLATE "C",
    external_id      text COLLATE "C",
    email_sha256     recon_sha256_digest,
    phone_sha256     recon_sha256_digest,
    value            numeric,
    currency         recon_currency_code,
    order_id         text COLLATE "C",
    lead_id          text COLLATE "C",
    campaign_id      text COLLATE "C",
    adset_id         text COLLATE "C",
    ad_id            text COLLATE "C",
    record_source    text COLLATE "C" NOT NULL,
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    CONSTRAINT conversion_signals_value_has_currency CHECK (value IS NULL OR currency IS NOT NULL)
);
COMMENT ON TABLE recon.conversion_signals IS
    'Event-level conversion signals the advertiser sent to or received from a platform: Pixel, Conversions API, offline uploads, lead forms. Duplicates are kept on purpose: the gap analysis needs to see Pixel+CAPI pairs whose event ids drifted.';
CREATE TRIGGER conversion_signals_touch BEFORE UPDATE ON recon.conversion_signals
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
CREATE INDEX conversion_signals_order ON recon.conversion_signals (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX conversion_signals_event ON recon.conversion_signals (platform, event_name, event_id);
SELECT pg_catalog.pg_extension_config_dump('recon.conversion_signals', '');

CREATE TABLE recon.ad_clicks (
    platform         text COLLATE "C" NOT NULL REFERENCES recon.platforms,
    click_id         text COLLATE "C" NOT NULL CHECK (click_id <> ''),
    clicked_at       timestamptz NOT NULL,
    account_id       text COLLATE "C",
    campaign_id      text COLLATE "C",
    adset_id         text COLLATE "C",
    ad_id            text COLLATE "C",
    record_source    text COLLATE "C" NOT NULL,
    batch_id         text COLLATE "C",
    loaded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    dq_flags         text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (platform, click_id)
);
COMMENT ON TABLE recon.ad_clicks IS
    'The click log: each ad click the advertiser captured (landing-page click id with its time and the campaign, ad set and ad ids from the URL, or a click-level report such as Google''s click_view). The gap analysis reads it for click-to-conversion lag (attribution window) and for the day a platform books a click (clock).';
COMMENT ON COLUMN recon.ad_clicks.click_id IS
    'The platform''s click id as captured: fbclid, gclid, gbraid, wbraid, ttclid, msclkid or li_fat_id.';
CREATE TRIGGER ad_clicks_touch BEFORE UPDATE ON recon.ad_clicks
    FOR EACH ROW EXECUTE FUNCTION recon.touch_updated_at();
SELECT pg_catalog.pg_extension_config_dump('recon.ad_clicks', '');
