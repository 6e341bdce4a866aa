-- The data model's schema and what every table shares (governance columns).
-- Tables, views and procedures live in schema recon; analyst functions and types
-- (recon_*) live in the extension's schema.

CREATE SCHEMA recon;
COMMENT ON SCHEMA recon IS
    'recon data model: platform, funnel and collected layers, settings, FX rates, metrics contract, reports.';

-- Every table carries: record_source (which system or file), batch_id (which load),
-- loaded_at / updated_at, and dq_flags (data-quality findings, e.g. {mangled_id}).
CREATE FUNCTION recon.touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.touch_updated_at() IS
    'Trigger: keeps updated_at current on every UPDATE of a recon table.';

-- Raise 23001 for any change to an append-only table.
CREATE FUNCTION recon.reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on %.% is not allowed: the table is append-only', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'Record a new version or a correcting entry instead; history is never rewritten.';
END $$;
COMMENT ON FUNCTION recon.reject_change() IS
    'Trigger: rejects UPDATE, DELETE and TRUNCATE on append-only tables (SQLSTATE 23001).';

-- The platforms recon knows and the clock their reports use.
CREATE TABLE recon.platforms (
    platform      text PRIMARY KEY,
    display_name  text NOT NULL,
    report_clock  text NOT NULL CHECK (report_clock IN ('account_timezone', 'utc')),
    click_id_keys text[] NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE recon.platforms IS
    'Ad platforms and the clock their reports use: account time zone (Meta, Google, Microsoft) or UTC (TikTok, LinkedIn, Snap, Pinterest, Reddit). Shipped with the extension.';
INSERT INTO recon.platforms VALUES
    ('meta',      'Meta Ads',               'account_timezone', '{fbclid,fbc,ctwa_clid}'),
    ('google',    'Google Ads',             'account_timezone', '{gclid,gbraid,wbraid}'),
    ('microsoft', 'Microsoft Advertising',  'account_timezone', '{msclkid}'),
    ('tiktok',    'TikTok Ads',             'utc',              '{ttclid}'),
    ('linkedin',  'LinkedIn Ads',           'utc',              '{li_fat_id}'),
    ('snap',      'Snapchat Ads',           'utc',              '{ScCid}'),
    ('pinterest', 'Pinterest Ads',          'utc',              '{epik}'),
    ('reddit',    'Reddit Ads',             'utc',              '{rdt_cid}');

-- Channels a CRM record can be attributed to: every platform plus non-paid sources.
CREATE TABLE recon.channels (
    channel       text PRIMARY KEY,
    display_name  text NOT NULL,
    platform      text REFERENCES recon.platforms
);
COMMENT ON TABLE recon.channels IS
    'Values allowed in funnel_records.channel: each ad platform (platform set) plus organic, direct, email, referral and unknown. Shipped with the extension.';
INSERT INTO recon.channels
    SELECT platform, display_name, platform FROM recon.platforms
    UNION ALL
    VALUES ('organic', 'Organic search and social', NULL), ('direct', 'Direct', NULL),
           ('email', 'Email', NULL), ('referral', 'Referral', NULL), ('unknown', 'Unknown', NULL);
