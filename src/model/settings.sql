-- Settings: reporting clock and currency, FX policy, cohort maturity points.
-- recon.settings holds only what the user changed; defaults live in
-- recon.setting_defaults() so that pg_dump of the table never collides with
-- rows the install script would insert.

CREATE FUNCTION recon.setting_defaults(OUT name text, OUT value text, OUT description text)
RETURNS SETOF record LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('reporting_timezone', 'UTC',
     'IANA zone that defines days and months in reports (platform data keeps its own report zone).'),
    ('reporting_currency', 'USD',
     'ISO 4217 currency all layers are converted to for side-by-side numbers; originals are kept.'),
    ('fx_policy', 'daily',
     'Which FX rate converts an amount: daily (rate of the transaction date), monthly_average (the month''s average), fixed (budget rate valid from a date).'),
    ('fx_max_staleness_days', '4',
     'Under the daily policy, how many days back a missing day''s rate may be taken from (weekends, holidays); beyond that the conversion fails.'),
    ('fx_pivot_currency', 'EUR',
     'Currency used to cross two rates when no direct or inverse rate exists (ECB publishes EUR-based rates); empty disables crossing.'),
    ('maturity_days', '{7,30,60,90}',
     'Cohort maturity points in days; a cohort younger than the last point is labelled incomplete.'),
    ('platform_report_window', 'default',
     'Attribution window whose platform conversions the reports show (default = the account''s attribution setting).'),
    ('freeze_after_days', '14',
     'A month is frozen once its last day plus this many days is before the day the data reached; later changes to it are restatements, accepted with a reason (0 to 3650).'),
    ('monitor_baseline_periods', '8',
     'How many earlier periods (weeks, or days) the monitor''s baseline takes its median and MAD over (3 to 104).'),
    ('monitor_threshold', '3',
     'How many robust spreads (1.4826 x MAD, at least the period''s own sampling error) a watched value must move from its baseline median to raise an alert (1 to 20).'),
    ('monitor_min_shift', '0.2',
     'The smallest move, as a share of the baseline median, that raises an alert however small the spread (0 to 10).'),
    ('monitor_min_sample', '30',
     'The fewest conversions (or records) on each side of a period for the monitor to judge it; smaller periods are insufficient_data (1 to 1000000).'),
    ('store_raw_contacts', 'false',
     'Whether loads may keep raw emails, phones and names (the keep_pii load option) in recon.contact_details and in rejected rows; false: only SHA-256 digests and internal keys are stored. Only recon_admin reads raw contacts.')
$$;
COMMENT ON FUNCTION recon.setting_defaults() IS
    'Every recon setting with its default value and what it controls.';

CREATE TABLE recon.settings (
    name        text PRIMARY KEY,
    value       text NOT NULL,
    changed_by  text NOT NULL DEFAULT current_user,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text
);
COMMENT ON TABLE recon.settings IS
    'Settings the user changed (defaults are in recon.setting_defaults()); read them through recon.setting(name) or recon.effective_settings.';
SELECT pg_catalog.pg_extension_config_dump('recon.settings', '');

-- Validate one setting value and return it in canonical form.
CREATE FUNCTION recon.validate_setting(setting_name text, setting_value text) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    days integer[];
    bounds numeric[];
    position integer;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM recon.setting_defaults() d WHERE d.name = setting_name) THEN
        RAISE EXCEPTION 'unrecognized recon setting "%"', setting_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'SELECT name FROM recon.effective_settings lists the settings.';
    END IF;
    IF setting_value IS NULL THEN
        RAISE EXCEPTION 'recon setting "%" cannot be NULL', setting_name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'DELETE the row from recon.settings to go back to the default.';
    END IF;
    CASE setting_name
    WHEN 'reporting_timezone' THEN
        RETURN @extschema@.recon_timezone(setting_value);
    WHEN 'reporting_currency' THEN
        RETURN @extschema@.recon_currency(setting_value);
    WHEN 'fx_pivot_currency' THEN
        RETURN CASE WHEN btrim(setting_value) = '' THEN '' ELSE @extschema@.recon_currency(setting_value) END;
    WHEN 'fx_policy' THEN
        IF setting_value NOT IN ('daily', 'monthly_average', 'fixed') THEN
            RAISE EXCEPTION 'invalid value for recon setting "fx_policy": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'Allowed values: daily, monthly_average, fixed.';
        END IF;
        RETURN setting_value;
    WHEN 'fx_max_staleness_days' THEN
        IF setting_value !~ '^\s*\d{1,3}\s*$' THEN
            RAISE EXCEPTION 'invalid value for recon setting "fx_max_staleness_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A whole number of days from 0 to 999.';
        END IF;
        RETURN btrim(setting_value);
    WHEN 'maturity_days' THEN
        BEGIN
            days := setting_value::integer[];
        EXCEPTION WHEN others THEN
            days := NULL;
        END;
        IF days IS NULL OR cardinality(days) = 0 OR array_ndims(days) <> 1
           OR array_position(days, NULL) IS NOT NULL
           OR EXISTS (SELECT 1 FROM unnest(days) WITH ORDINALITY AS d(v, i)
                      WHERE v <= 0 OR (i > 1 AND v <= days[i - 1])) THEN
            RAISE EXCEPTION 'invalid value for recon setting "maturity_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'An array of positive, strictly increasing day counts such as {7,30,60,90}.';
        END IF;
        RETURN days::text;
    WHEN 'freeze_after_days' THEN
        IF setting_value !~ '^\s*\d{1,4}\s*$' OR btrim(setting_value)::integer > 3650 THEN   -- OR stops at the first true
            RAISE EXCEPTION 'invalid value for recon setting "freeze_after_days": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A whole number of days from 0 to 3650.';
        END IF;
        RETURN btrim(setting_value)::integer::text;
    WHEN 'monitor_baseline_periods', 'monitor_min_sample', 'monitor_threshold', 'monitor_min_shift' THEN
        -- (low, high, whole numbers only?) per setting; an IF condition cannot hold a CASE (its THEN ends the condition)
        position := array_position(ARRAY['monitor_baseline_periods', 'monitor_min_sample', 'monitor_threshold', 'monitor_min_shift'],
                                   setting_name);
        bounds := ARRAY[(ARRAY[3, 1, 1, 0])[position], (ARRAY[104, 1000000, 20, 10])[position], (ARRAY[1, 1, 0, 0])[position]];
        IF setting_value !~ '^\s*\d{1,7}(\.\d{1,4})?\s*$' OR (bounds[3] = 1 AND setting_value ~ '\.')
           OR btrim(setting_value)::numeric NOT BETWEEN bounds[1] AND bounds[2] THEN
            RAISE EXCEPTION 'invalid value for recon setting "%": "%"', setting_name, setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = format('A %s from %s to %s.', CASE WHEN bounds[3] = 1 THEN 'whole number' ELSE 'number' END,
                                      bounds[1], bounds[2]);
        END IF;
        RETURN btrim(setting_value)::numeric::text;
    WHEN 'store_raw_contacts' THEN
        IF lower(btrim(setting_value)) NOT IN ('true', 'false') THEN
            RAISE EXCEPTION 'invalid value for recon setting "store_raw_contacts": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'true or false.';
        END IF;
        RETURN lower(btrim(setting_value));
    WHEN 'platform_report_window' THEN
        IF setting_value !~ '^[a-z0-9_]+$' THEN
            RAISE EXCEPTION 'invalid value for recon setting "platform_report_window": "%"', setting_value
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'An attribution window name such as default, 7d_click or 1d_view.';
        END IF;
        RETURN setting_value;
    END CASE;
END $$;
COMMENT ON FUNCTION recon.validate_setting(text, text) IS
    'Checks a setting value and returns its canonical form; raises 42704 for an unknown setting and 22023 for a bad value.';

CREATE FUNCTION recon.settings_before_write() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.value := recon.validate_setting(NEW.name, NEW.value);
    -- a new row is stamped by the column defaults; an UPDATE is stamped here. A restored
    -- row (pg_restore inserts it) keeps the stamp it was dumped with.
    IF TG_OP = 'UPDATE' THEN
        NEW.changed_by := current_user;
        NEW.changed_at := now();
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.settings_before_write() IS
    'Trigger: validates and canonicalizes every setting written to recon.settings; an update is stamped with who and when (a new row gets them from the column defaults, so pg_restore keeps the dumped ones).';
CREATE TRIGGER settings_validate BEFORE INSERT OR UPDATE ON recon.settings
    FOR EACH ROW EXECUTE FUNCTION recon.settings_before_write();

CREATE FUNCTION recon.setting(setting_name text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(
        (SELECT s.value FROM recon.settings s WHERE s.name = setting_name),
        (SELECT d.value FROM recon.setting_defaults() d WHERE d.name = setting_name))
$$;
COMMENT ON FUNCTION recon.setting(text) IS
    'Effective value of a setting: the user''s value from recon.settings, else the default; NULL for an unknown name.';

CREATE FUNCTION recon.set_setting(setting_name text, setting_value text, reason text DEFAULT NULL)
RETURNS text LANGUAGE sql AS $$
    INSERT INTO recon.settings AS s (name, value, reason)
    VALUES (setting_name, setting_value, reason)
    ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, reason = EXCLUDED.reason
    RETURNING s.value
$$;
COMMENT ON FUNCTION recon.set_setting(text, text, text) IS
    'Sets a setting (validated, canonicalized, stamped with who and when) and returns the stored value.';

CREATE VIEW recon.effective_settings AS
    SELECT d.name,
           coalesce(s.value, d.value) AS value,
           s.name IS NULL AS is_default,
           d.value AS default_value,
           d.description,
           s.changed_by, s.changed_at, s.reason
    FROM recon.setting_defaults() d
    LEFT JOIN recon.settings s USING (name);
COMMENT ON VIEW recon.effective_settings IS
    'Every setting with its effective value, whether it is the default, and who changed it, when and why.';
