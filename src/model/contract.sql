-- The metrics contract: what each KPI means, which system is its record, which
-- date drives it, what is in and out, from when. Every change is a new row in
-- an append-only log; the contract view derives valid_to from the next version.
-- UPDATE, DELETE and TRUNCATE on the log are rejected (SQLSTATE 23001), so a
-- definition can only change by recording who changed it, when and why.

CREATE TABLE recon.metrics_contract_log (
    change_id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kpi               text NOT NULL CHECK (kpi ~ '^[a-z][a-z0-9_]{0,62}$'),
    version           integer NOT NULL CHECK (version > 0),
    action            text NOT NULL CHECK (action IN ('define', 'revise', 'retire')),
    definition        text,
    system_of_record  text CHECK (system_of_record IN ('platform', 'crm', 'finance', 'recon')),
    date_field        text,
    inclusion_rule    text,
    exclusion_rule    text,
    unit              text,
    valid_from        timestamptz NOT NULL,
    changed_by        text NOT NULL DEFAULT current_user,
    changed_at        timestamptz NOT NULL DEFAULT now(),
    reason            text NOT NULL CHECK (btrim(reason) <> ''),
    UNIQUE (kpi, version),
    CONSTRAINT metrics_contract_log_complete CHECK (
        action = 'retire' OR (definition IS NOT NULL AND system_of_record IS NOT NULL AND date_field IS NOT NULL))
);
COMMENT ON TABLE recon.metrics_contract_log IS
    'Append-only history of the metrics contract: one row per define, revise or retire of a KPI, with who, when and why. UPDATE, DELETE and TRUNCATE are rejected; write through recon.define_metric / recon.retire_metric.';
SELECT pg_catalog.pg_extension_config_dump('recon.metrics_contract_log', '');
SELECT pg_catalog.pg_extension_config_dump('recon.metrics_contract_log_change_id_seq', '');

-- Number and check each new contract entry against the KPI's history.
CREATE FUNCTION recon.metrics_contract_log_before_insert() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    last recon.metrics_contract_log;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('recon.metrics_contract:' || NEW.kpi));
    SELECT * INTO last FROM recon.metrics_contract_log
     WHERE kpi = NEW.kpi ORDER BY version DESC LIMIT 1;

    IF NEW.version IS NULL THEN
        NEW.version := coalesce(last.version, 0) + 1;
    ELSIF NEW.version <> coalesce(last.version, 0) + 1 THEN
        RAISE EXCEPTION 'metric "%" version % is out of sequence: the next version is %',
                        NEW.kpi, NEW.version, coalesce(last.version, 0) + 1
            USING ERRCODE = 'unique_violation';
    END IF;
    IF NEW.action IS NULL THEN
        NEW.action := CASE WHEN last.action IS NULL OR last.action = 'retire' THEN 'define' ELSE 'revise' END;
    END IF;

    IF NEW.action = 'define' AND last.action IS NOT NULL AND last.action <> 'retire' THEN
        RAISE EXCEPTION 'metric "%" is already defined (version %)', NEW.kpi, last.version
            USING ERRCODE = 'unique_violation', HINT = 'Use action revise to change it.';
    ELSIF NEW.action IN ('revise', 'retire') AND (last.action IS NULL OR last.action = 'retire') THEN
        RAISE EXCEPTION 'metric "%" has no version in force to %', NEW.kpi, NEW.action
            USING ERRCODE = 'no_data_found', HINT = 'Define it first.';
    END IF;
    IF last.valid_from IS NOT NULL AND NEW.valid_from < last.valid_from THEN
        RAISE EXCEPTION 'metric "%" version % cannot be valid from %: version % is valid from %',
                        NEW.kpi, NEW.version, NEW.valid_from, last.version, last.valid_from
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'A new version takes effect at or after the one it replaces; history is not rewritten.';
    END IF;
    IF NEW.action = 'retire' THEN
        NEW.definition := NULL; NEW.system_of_record := NULL; NEW.date_field := NULL;
        NEW.inclusion_rule := NULL; NEW.exclusion_rule := NULL; NEW.unit := NULL;
    END IF;
    RETURN NEW;
END $$;
COMMENT ON FUNCTION recon.metrics_contract_log_before_insert() IS
    'Trigger: numbers each contract change, checks define/revise/retire against the KPI''s history and that validity only moves forward.';
CREATE TRIGGER metrics_contract_log_sequence BEFORE INSERT ON recon.metrics_contract_log
    FOR EACH ROW EXECUTE FUNCTION recon.metrics_contract_log_before_insert();
SELECT recon.make_append_only('recon.metrics_contract_log');

CREATE VIEW recon.metrics_contract AS
    SELECT kpi, version, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit,
           valid_from, valid_to,
           CASE WHEN valid_to IS NULL THEN 'current'
                WHEN next_action = 'retire' THEN 'retired' ELSE 'superseded' END AS status,
           changed_by, changed_at, reason
    FROM (SELECT l.*,
                 lead(valid_from) OVER w AS valid_to,
                 lead(action) OVER w AS next_action
          FROM recon.metrics_contract_log l
          WINDOW w AS (PARTITION BY kpi ORDER BY version)) v
    WHERE action <> 'retire';
COMMENT ON VIEW recon.metrics_contract IS
    'The metrics contract, one row per KPI version with valid_from/valid_to (valid_to = when the next version or a retirement took effect) and status current, superseded or retired.';

CREATE FUNCTION recon.define_metric(kpi text, definition text, system_of_record text, date_field text,
                                    reason text, inclusion_rule text DEFAULT NULL,
                                    exclusion_rule text DEFAULT NULL, unit text DEFAULT NULL,
                                    valid_from timestamptz DEFAULT now())
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.metrics_contract_log
        (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, valid_from, reason)
    VALUES (kpi, definition, system_of_record, date_field, inclusion_rule, exclusion_rule, unit, valid_from, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.define_metric(text, text, text, text, text, text, text, text, timestamptz) IS
    'Defines a KPI or records a new version of it, effective from valid_from; returns the version number. The reason is required.';

CREATE FUNCTION recon.retire_metric(kpi text, reason text, valid_from timestamptz DEFAULT now())
RETURNS integer LANGUAGE sql AS $$
    INSERT INTO recon.metrics_contract_log (kpi, action, valid_from, reason)
    VALUES (kpi, 'retire', valid_from, reason)
    RETURNING version
$$;
COMMENT ON FUNCTION recon.retire_metric(text, text, timestamptz) IS
    'Ends a KPI''s validity at valid_from (its history stays); returns the retirement''s version number.';

CREATE FUNCTION recon.metric_as_of(kpi text, at timestamptz DEFAULT now())
RETURNS SETOF recon.metrics_contract LANGUAGE sql STABLE AS $$
    SELECT c.* FROM recon.metrics_contract c
    WHERE c.kpi = metric_as_of.kpi AND c.valid_from <= at AND (c.valid_to IS NULL OR at < c.valid_to)
    ORDER BY c.version DESC LIMIT 1
$$;
COMMENT ON FUNCTION recon.metric_as_of(text, timestamptz) IS
    'The version of a KPI in force at a moment (no row when undefined or retired then).';

CREATE FUNCTION recon.install_default_contract(reason text DEFAULT 'recon default contract',
                                               valid_from timestamptz DEFAULT '-infinity')
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
    m record;
BEGIN
    FOR m IN SELECT * FROM (VALUES
        ('spend', 'Money the platform charged for delivery, in the account currency, converted to the reporting currency at the report date.',
         'platform', 'ad_delivery_daily.report_date (platform report time zone)', 'All delivery rows at one level (ad).', NULL, 'currency'),
        ('platform_conversions', 'Conversions the platform attributes to its ads in the window named by the platform_report_window setting.',
         'platform', 'ad_delivery_daily.report_date, booked per action_report_time', 'One action type per event family.', 'Other attribution windows (they overlap).', 'count'),
        ('platform_conversion_value', 'Conversion value the platform attributes to its ads, same window and action types as platform_conversions.',
         'platform', 'ad_delivery_daily.report_date, booked per action_report_time', NULL, NULL, 'currency'),
        ('crm_conversions', 'Valid CRM records (leads or orders) attributed to the channel.',
         'crm', 'funnel_records.created_at (reporting time zone)', 'Records whose dq_flags mark none of spam, test, duplicate.', 'Spam, test and duplicate records.', 'count'),
        ('crm_won', 'Valid CRM records whose final status is won.',
         'crm', 'funnel_records.created_at (reporting time zone, cohort)', 'status = won.', 'Lost, cancelled, open, spam, test, duplicate.', 'count'),
        ('booked_value', 'Stated value of won CRM records, converted to the reporting currency at creation.',
         'crm', 'funnel_records.created_at (reporting time zone, cohort)', 'status = won.', NULL, 'currency'),
        ('collected_revenue', 'Cash received for the records, net of refunds and chargebacks, tax and shipping, converted to the reporting currency at the transaction date.',
         'finance', 'funnel_records.created_at for the cohort view; finance_transactions.occurred_at for the cash view', 'Posted payments minus posted refunds and chargebacks.', 'Pending, failed and reversed transactions; invoices and credit notes until paid.', 'currency'),
        ('platform_roas', 'platform_conversion_value divided by spend.',
         'platform', 'ad_delivery_daily.report_date', NULL, NULL, 'ratio'),
        ('collected_roas', 'collected_revenue divided by spend of the same channel and period.',
         'finance', 'funnel_records.created_at (cohort)', NULL, 'Immature cohorts are labelled, not compared.', 'ratio')
    ) AS d(kpi, definition, sor, date_field, incl, excl, unit)
    LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM recon.metrics_contract_log l WHERE l.kpi = m.kpi);
        PERFORM recon.define_metric(m.kpi, m.definition, m.sor, m.date_field, reason, m.incl, m.excl, m.unit,
                                    install_default_contract.valid_from);
        n := n + 1;
    END LOOP;
    RETURN n;
END $$;
COMMENT ON FUNCTION recon.install_default_contract(text, timestamptz) IS
    'Adds version 1 of recon''s standard KPIs (spend, platform_conversions, crm_conversions, collected_revenue, ROAS...) for each KPI not yet in the contract, valid from valid_from (default -infinity: the definitions also govern history); returns how many were added. Not run by CREATE EXTENSION so that the contract is wholly user data for pg_dump.';
