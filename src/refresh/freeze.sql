-- The freeze policy: a closed period's figures are frozen, and a late change is
-- a restatement, shown with its probable cause and accepted with a reason,
-- instead of silently moving last month's numbers.
--
-- A period (month) is closed when its last day + freeze_after_days (setting,
-- default 14) is before the day the data reached (recon.data_as_of() in the
-- reporting time zone, as recorded by the last recon_refresh()). Its figures
-- are then copied into recon.frozen_figures (append-only) as version 1. The
-- figures come from freeze sources: long-form figure sets listed by
-- recon.freeze_sources(), each a relation with subject, period, metric, value.

------------------------------------------------------------ sources
CREATE VIEW recon.report_figures AS
    SELECT channel AS subject, month AS period, layer || '.' || metric AS metric, value
    FROM recon.mv_report_layers;
COMMENT ON VIEW recon.report_figures IS
    'The report as a freeze source: per channel (subject) and month (period), each figure of recon.mv_report_layers named layer.metric, as of the last refresh.';

-- One line per source: (name, relation with subject text, period date, metric text, value numeric).
CREATE FUNCTION recon.freeze_sources(OUT source text, OUT relation text) RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES
    ('report', 'recon.report_figures'),
    ('bridge', 'recon.mv_bridge_figures')
$$;
COMMENT ON FUNCTION recon.freeze_sources() IS
    'The figure sets the freeze policy protects: source name and the relation exposing subject, period (month), metric and value. Adding a source is one line here.';

CREATE FUNCTION recon.current_figures()
RETURNS TABLE (source text, subject text, period date, metric text, value numeric)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s    record;
    rel  regclass;
BEGIN
    FOR s IN SELECT * FROM recon.freeze_sources() ORDER BY 1 LOOP
        rel := to_regclass(s.relation);
        IF rel IS NULL THEN
            RAISE EXCEPTION 'freeze source "%" reads %, which does not exist', s.source, s.relation
                USING ERRCODE = 'undefined_table', HINT = 'Correct its line in recon.freeze_sources().';
        END IF;
        RETURN QUERY EXECUTE format(
            'SELECT %L::text, subject::text, date_trunc(''month'', period)::date, metric::text, value::numeric FROM %s',
            s.source, rel);
    END LOOP;
END $$;
COMMENT ON FUNCTION recon.current_figures() IS
    'Every figure of every freeze source as it is now (the materialized layers as of the last refresh): source, subject, period (month), metric, value.';

------------------------------------------------------------ frozen figures
CREATE TABLE recon.frozen_figures (
    source     text NOT NULL,
    subject    text NOT NULL,
    period     date NOT NULL CHECK (period = date_trunc('month', period)),
    metric     text NOT NULL,
    value      numeric,
    version    integer NOT NULL CHECK (version > 0),
    frozen_at  timestamptz NOT NULL DEFAULT now(),
    frozen_by  text NOT NULL DEFAULT current_user,
    reason     text NOT NULL CHECK (btrim(reason) <> ''),
    PRIMARY KEY (source, period, version, subject, metric)
);
COMMENT ON TABLE recon.frozen_figures IS
    'Append-only snapshots of closed periods: version 1 when the period was frozen, each later version a restatement accepted with its reason (who and when stamped). The latest version of a period is what reports show. UPDATE, DELETE and TRUNCATE are rejected (23001).';
SELECT pg_catalog.pg_extension_config_dump('recon.frozen_figures', '');
CREATE TRIGGER frozen_figures_append_only BEFORE UPDATE OR DELETE ON recon.frozen_figures
    FOR EACH ROW EXECUTE FUNCTION recon.reject_change();
CREATE TRIGGER frozen_figures_no_truncate BEFORE TRUNCATE ON recon.frozen_figures
    FOR EACH STATEMENT EXECUTE FUNCTION recon.reject_change();

CREATE VIEW recon.frozen_periods AS
    SELECT source, period, max(version) AS version,
           min(frozen_at) AS first_frozen_at,
           max(frozen_at) AS last_frozen_at,
           (array_agg(frozen_by ORDER BY version DESC))[1] AS frozen_by,
           (array_agg(reason ORDER BY version DESC))[1] AS reason,
           count(*) FILTER (WHERE version = 1) AS figures_at_freeze
    FROM recon.frozen_figures
    GROUP BY source, period;
COMMENT ON VIEW recon.frozen_periods IS
    'One row per frozen period and source: its latest version (1 = never restated), when it was first frozen and last restated, by whom and why (the latest version''s reason), and how many figures the freeze took.';

-- Freeze the periods that have closed.
CREATE FUNCTION recon.freeze_periods()
RETURNS TABLE (source text, period date, figures bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    as_of     timestamptz;
    as_of_day date;
    days      integer := recon.setting('freeze_after_days')::integer;
    stamp     timestamptz := clock_timestamp();   -- the moment of the freeze, not of the transaction's start
BEGIN
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());
    -- The moment the materialized figures cover: a period closes against the data they hold.
    SELECT r.data_as_of INTO as_of FROM recon.refresh_runs r ORDER BY r.run_id DESC LIMIT 1;
    IF as_of IS NULL THEN
        RETURN;
    END IF;
    as_of_day := (as_of AT TIME ZONE recon.setting('reporting_timezone'))::date;
    RETURN QUERY
    WITH cur AS (
        SELECT * FROM recon.current_figures()
    ),
    closing AS (
        SELECT DISTINCT c.source, c.period,
               (c.period + interval '1 month' - interval '1 day')::date AS last_day
        FROM cur c
        WHERE (c.period + interval '1 month' - interval '1 day')::date + days < as_of_day
          AND NOT EXISTS (SELECT 1 FROM recon.frozen_figures f WHERE f.source = c.source AND f.period = c.period)
    ),
    frozen AS (
        INSERT INTO recon.frozen_figures (source, subject, period, metric, value, version, frozen_at, reason)
        SELECT c.source, c.subject, c.period, c.metric, c.value, 1, stamp,
               format('period closed: its last day %s + %s days (freeze_after_days) is before %s, the day the data reached',
                      k.last_day, days, as_of_day)
        FROM cur c JOIN closing k ON k.source = c.source AND k.period = c.period
        RETURNING frozen_figures.source, frozen_figures.period
    )
    SELECT f.source, f.period, count(*) FROM frozen f GROUP BY 1, 2 ORDER BY 1, 2;
END $$;
COMMENT ON FUNCTION recon.freeze_periods() IS
    'Freezes every period whose last day + freeze_after_days is before the day the data reached at the last recon_refresh() (recon.refresh_runs.data_as_of, reporting time zone) and that is not frozen yet: its current figures become version 1 in recon.frozen_figures. Returns the periods frozen and their figure counts. recon_refresh() calls it.';

------------------------------------------------------------ restatements
-- Rows loaded or changed after a moment, with the channel and period (month, reporting zone) they count in.
CREATE FUNCTION recon.data_changes_since(since timestamptz)
RETURNS TABLE (kind text, channel text, period date, loaded_at timestamptz, updated_at timestamptz)
LANGUAGE sql STABLE AS $$
    WITH s AS (SELECT recon.setting('reporting_timezone') AS tz)
    -- a CRM record counts in its own month; an opportunity in its lead's (as in the report)
    SELECT 'CRM record', coalesce(p.channel, f.channel) COLLATE "default",
           date_trunc('month', coalesce(p.created_at, f.created_at) AT TIME ZONE s.tz)::date, f.loaded_at, f.updated_at
    FROM recon.funnel_records f
    LEFT JOIN recon.funnel_records p ON f.record_type = 'opportunity' AND p.record_id = f.parent_record_id
    CROSS JOIN s
    WHERE f.updated_at > since
    UNION ALL
    -- money counts in the month of the lead or order it came from; unlinked money in its own, as unknown
    SELECT 'finance transaction', coalesce(lead.channel, ord.channel, 'unknown') COLLATE "default",
           date_trunc('month', coalesce(lead.created_at, ord.created_at, t.occurred_at) AT TIME ZONE s.tz)::date,
           t.loaded_at, t.updated_at
    FROM recon.finance_transactions t
    LEFT JOIN recon.funnel_records ord ON ord.record_id = t.order_id
    LEFT JOIN recon.funnel_records opp ON opp.record_id = t.opportunity_id
    LEFT JOIN recon.funnel_records lead ON lead.record_id = opp.parent_record_id
    CROSS JOIN s
    WHERE t.updated_at > since
    UNION ALL
    SELECT 'ad delivery row', d.platform COLLATE "default", date_trunc('month', d.report_date)::date, d.loaded_at, d.updated_at
    FROM recon.ad_delivery_daily d WHERE d.updated_at > since
    UNION ALL
    SELECT 'platform conversion row', c.platform COLLATE "default", date_trunc('month', c.report_date)::date, c.loaded_at, c.updated_at
    FROM recon.platform_conversions_daily c WHERE c.updated_at > since
    UNION ALL
    SELECT 'FX rate', NULL, date_trunc('month', r.rate_date)::date, r.loaded_at, r.updated_at
    FROM recon.fx_rates r WHERE r.updated_at > since
    UNION ALL
    SELECT 'setting ' || st.name, NULL, NULL, st.changed_at, st.changed_at
    FROM recon.settings st WHERE st.changed_at > since
$$;
COMMENT ON FUNCTION recon.data_changes_since(timestamptz) IS
    'Rows of the layer tables, FX rates and settings loaded or changed (updated_at) after since, each with the channel and month it counts in (CRM records and their money in the lead''s or order''s month, as the report counts them); NULL channel or period means every one. The raw material of the restatements'' probable causes.';

CREATE VIEW recon.restatements AS
WITH cur AS MATERIALIZED (
    SELECT * FROM recon.current_figures()
),
versions AS (
    SELECT source, period, version, min(frozen_at) AS frozen_at, min(frozen_by) AS frozen_by, min(reason) AS reason
    FROM recon.frozen_figures GROUP BY 1, 2, 3
),
latest AS (
    SELECT DISTINCT ON (source, period) * FROM versions ORDER BY source, period, version DESC
),
shown AS (
    SELECT f.source, f.subject, f.period, f.metric, f.value FROM recon.frozen_figures f JOIN latest l USING (source, period, version)
),
cur_frozen AS (
    SELECT c.* FROM cur c JOIN latest l USING (source, period)
),
pending AS (           -- a frozen period whose current figures differ from what is shown
    SELECT source, subject, period, metric, s.value AS reported_value, c.value AS restated_value,
           l.version, l.frozen_at AS since, NULL::timestamptz AS until,
           'pending'::text AS status, NULL::text AS reason, NULL::text AS accepted_by, NULL::timestamptz AS accepted_at
    FROM shown s FULL JOIN cur_frozen c USING (source, subject, period, metric)
    JOIN latest l USING (source, period)
    WHERE s.value IS DISTINCT FROM c.value
),
new_versions AS (      -- each accepted version's figures ...
    SELECT f.source, f.subject, f.period, f.metric, f.value, f.version FROM recon.frozen_figures f WHERE f.version > 1
),
old_versions AS (      -- ... and the figures of the version before, numbered as the version that replaced them
    SELECT f.source, f.subject, f.period, f.metric, f.value, f.version + 1 AS version
    FROM recon.frozen_figures f
    JOIN versions x ON x.source = f.source AND x.period = f.period AND x.version = f.version + 1
),
accepted AS (
    SELECT d.source, d.subject, d.period, d.metric, d.reported_value, d.restated_value,
           vn.version, vp.frozen_at AS since, vn.frozen_at AS until,
           'accepted'::text AS status, vn.reason, vn.frozen_by AS accepted_by, vn.frozen_at AS accepted_at
    FROM (SELECT source, subject, period, metric, version, o.value AS reported_value, n.value AS restated_value
          FROM new_versions n FULL JOIN old_versions o USING (source, subject, period, metric, version)
          WHERE n.value IS DISTINCT FROM o.value) d
    JOIN versions vn ON vn.source = d.source AND vn.period = d.period AND vn.version = d.version
    JOIN versions vp ON vp.source = d.source AND vp.period = d.period AND vp.version = d.version - 1
),
restated AS MATERIALIZED (
    SELECT * FROM pending UNION ALL SELECT * FROM accepted
),
changes AS MATERIALIZED (
    SELECT * FROM recon.data_changes_since((SELECT min(since) FROM restated))
),
causes AS (
    SELECT w.subject, w.period, w.since, w.until,
           string_agg(CASE WHEN k.kind LIKE 'setting %' THEN k.kind || ' changed'
                           ELSE concat_ws(' and ',
                                    CASE WHEN k.loaded > 0 THEN format('%s %s%s loaded', k.loaded, k.kind, CASE WHEN k.loaded > 1 THEN 's' ELSE '' END) END,
                                    CASE WHEN k.changed > 0 THEN format('%s %s%s changed', k.changed, k.kind, CASE WHEN k.changed > 1 THEN 's' ELSE '' END) END)
                      END, ', ' ORDER BY k.position) || ' after the freeze' AS cause
    FROM (SELECT DISTINCT subject, period, since, until FROM restated) w
    CROSS JOIN LATERAL (
        SELECT ch.kind,
               min(CASE ch.kind WHEN 'CRM record' THEN 1 WHEN 'finance transaction' THEN 2 WHEN 'ad delivery row' THEN 3
                                WHEN 'platform conversion row' THEN 4 WHEN 'FX rate' THEN 5 ELSE 6 END) AS position,
               count(*) FILTER (WHERE ch.loaded_at > w.since) AS loaded,
               count(*) FILTER (WHERE ch.loaded_at <= w.since) AS changed
        FROM changes ch
        WHERE ch.updated_at > w.since AND (w.until IS NULL OR ch.updated_at <= w.until)
          AND (ch.period IS NULL OR ch.period = w.period)
          AND (ch.channel IS NULL OR ch.channel = w.subject
               OR NOT EXISTS (SELECT 1 FROM recon.channels k WHERE k.channel = w.subject))
        GROUP BY ch.kind) k
    GROUP BY 1, 2, 3, 4
)
SELECT r.source, r.subject, r.period, r.metric, r.reported_value, r.restated_value,
       coalesce(r.restated_value, 0) - coalesce(r.reported_value, 0) AS difference,
       r.version, r.since AS frozen_at,
       coalesce(c.cause, 'no row of the period was loaded or changed after the freeze: a row was deleted, or the way the figure is computed changed') AS probable_cause,
       r.status, r.reason, r.accepted_by, r.accepted_at
FROM restated r
LEFT JOIN causes c ON c.subject = r.subject AND c.period = r.period AND c.since = r.since
                  AND c.until IS NOT DISTINCT FROM r.until;
COMMENT ON VIEW recon.restatements IS
    'Figures of frozen periods that changed: pending = the current figure (as of the last refresh) differs from the frozen one reports show (version = the frozen version, frozen_at = when); accepted = a later version recorded by recon.accept_restatement, with its reason, who and when. probable_cause counts the period''s rows (of that channel when the subject is one) loaded or changed after the freeze, by kind, from loaded_at and updated_at; settings changed after it are named.';

CREATE FUNCTION recon.accept_restatement(source text, period date, reason text) RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    p        date;
    latest   integer;
    changed  bigint;
    stamp    timestamptz := clock_timestamp();
BEGIN
    IF accept_restatement.reason IS NULL OR btrim(accept_restatement.reason) = '' THEN
        RAISE EXCEPTION 'a restatement needs a reason'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Say why the figures changed, e.g. ''late payments for January loaded on March 3''.';
    END IF;
    IF accept_restatement.period IS NULL THEN
        RAISE EXCEPTION 'the period to restate cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accept_restatement.source IS NULL
       OR NOT EXISTS (SELECT 1 FROM recon.freeze_sources() s WHERE s.source = accept_restatement.source) THEN
        RAISE EXCEPTION 'unknown freeze source "%"', accept_restatement.source
            USING ERRCODE = 'undefined_object',
                  HINT = format('The sources are: %s.', (SELECT string_agg(s.source, ', ' ORDER BY s.source) FROM recon.freeze_sources() s));
    END IF;
    p := date_trunc('month', accept_restatement.period)::date;
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());

    SELECT max(f.version) INTO latest FROM recon.frozen_figures f
    WHERE f.source = accept_restatement.source AND f.period = p;
    IF latest IS NULL THEN
        RAISE EXCEPTION 'period % of source "%" is not frozen: there is nothing to restate', p, accept_restatement.source
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Reports show current figures for periods that are not frozen; recon.frozen_periods lists the frozen ones.';
    END IF;
    SELECT count(*) INTO changed
    FROM (SELECT f.subject, f.metric, f.value FROM recon.frozen_figures f
          WHERE f.source = accept_restatement.source AND f.period = p AND f.version = latest) s
    FULL JOIN (SELECT c.subject, c.metric, c.value FROM recon.current_figures() c
               WHERE c.source = accept_restatement.source AND c.period = p) c USING (subject, metric)
    WHERE s.value IS DISTINCT FROM c.value;
    IF changed = 0 THEN
        RAISE EXCEPTION 'period % of source "%" has no pending restatement: its current figures are those of version %',
                        p, accept_restatement.source, latest
            USING ERRCODE = 'no_data_found',
                  HINT = 'recon.restatements lists what changed; after loading data, run recon_refresh() first.';
    END IF;
    INSERT INTO recon.frozen_figures (source, subject, period, metric, value, version, frozen_at, reason)
    SELECT accept_restatement.source, c.subject, p, c.metric, c.value, latest + 1, stamp, btrim(accept_restatement.reason)
    FROM recon.current_figures() c
    WHERE c.source = accept_restatement.source AND c.period = p;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'period % of source "%" has no current figures: a frozen period cannot be emptied', p, accept_restatement.source
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'If the data is loaded, run recon_refresh() first.';
    END IF;
    RETURN latest + 1;
END $$;
COMMENT ON FUNCTION recon.accept_restatement(text, date, text) IS
    'Accepts the pending restatement of a frozen period (any day of the month names the month): its current figures become a new version in recon.frozen_figures with the reason, who and when, and reports show them from then on. Returns the new version. Raises 22023 without a reason, 42704 for an unknown source, 55000 when the period is not frozen, P0002 when nothing changed.';

CREATE VIEW recon.reported_figures AS
WITH cur AS MATERIALIZED (
    SELECT * FROM recon.current_figures()
),
latest AS (
    SELECT source, period, max(version) AS version FROM recon.frozen_figures GROUP BY 1, 2
)
SELECT s.source, s.subject, s.period, s.metric, s.value,
       true AS frozen,
       s.version > 1 AND (v1.subject IS NULL OR v1.value IS DISTINCT FROM s.value) AS restated,
       c.subject IS NULL OR c.value IS DISTINCT FROM s.value AS restatement_pending,
       s.version, s.frozen_at, c.value AS current_value
FROM recon.frozen_figures s
JOIN latest l USING (source, period, version)
LEFT JOIN recon.frozen_figures v1 ON (v1.source, v1.subject, v1.period, v1.metric, v1.version) = (s.source, s.subject, s.period, s.metric, 1)
LEFT JOIN cur c ON (c.source, c.subject, c.period, c.metric) = (s.source, s.subject, s.period, s.metric)
UNION ALL
SELECT c.source, c.subject, c.period, c.metric, c.value, false, false, false, NULL, NULL, c.value
FROM cur c
WHERE NOT EXISTS (SELECT 1 FROM latest l WHERE l.source = c.source AND l.period = c.period);
COMMENT ON VIEW recon.reported_figures IS
    'What reports should show: for a frozen period the figures of its latest version (never silently moved: frozen = true; restated = the figure differs from version 1 after an accepted restatement; restatement_pending = the current figure differs, see recon.restatements), for other periods the current figures (as of the last refresh).';
