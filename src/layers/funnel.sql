-- The funnel layer as the CRM tells it, per credited channel, campaign, cohort month
-- (record creation in the reporting zone) and ladder: how many leads or orders came,
-- how many were real, contacted, qualified, won, how fast, and why the others were
-- lost. Credit and outcome come from recon.bridge_records (the one definition the
-- bridge and the collected layer share); the steps from recon.ladder_progress.

-- Per lead or order: its credit, outcome and ladder progress, the funnel flags the
-- views count. A function so that the plan can take in-memory hashes and no JIT.
CREATE FUNCTION recon.funnel_facts()
RETURNS TABLE (record_id text, channel text, platform text, account_id text, campaign_id text, cohort_month date,
               ladder text, outcome text, outcome_reason text, is_valid boolean, contacted boolean,
               qualified boolean, paid boolean, invoiced boolean, furthest_rung integer,
               response_hours double precision, cycle_days double precision)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
SET enable_mergejoin = off      -- two sorts of a million ids cost more than a hash join
AS $facts$
    WITH rungs AS MATERIALIZED (        -- per ladder, the response step and the qualified step
        SELECT s.ladder, min(s.rung) FILTER (WHERE s.is_response) AS response_rung,
               min(s.rung) FILTER (WHERE s.step = 'qualified' AND s.kind = 'progress') AS qualified_rung
        FROM recon.ladder_steps s GROUP BY s.ladder
    )
    SELECT b.record_id, b.channel, b.platform, coalesce(b.account_id, ''), coalesce(b.campaign_id, ''), b.cohort_month,
           coalesce(p.ladder, '(none)'), b.outcome, b.outcome_reason,
           v.is_valid,
           CASE WHEN q.response_rung IS NOT NULL THEN v.is_valid AND p.furthest_rung >= q.response_rung END,
           CASE WHEN q.qualified_rung IS NOT NULL THEN v.is_valid AND p.furthest_rung >= q.qualified_rung END,
           b.collected > 0, b.invoiced > 0, p.furthest_rung,
           extract(epoch FROM p.first_response_at - b.created_at) / 3600,
           CASE WHEN b.outcome = 'won' THEN extract(epoch FROM b.closed_at - b.created_at) / 86400 END
    FROM recon.bridge_records b
    JOIN recon.ladder_progress p ON p.record_id = b.record_id COLLATE "C"
    LEFT JOIN rungs q ON q.ladder = p.ladder
    CROSS JOIN LATERAL (SELECT b.outcome NOT IN ('invalid', 'duplicate') AS is_valid) v
$facts$;
COMMENT ON FUNCTION recon.funnel_facts() IS
    'One row per lead or order (recon.bridge_records joined to recon.ladder_progress): its credited channel, platform, account and campaign ('''' when none), cohort month, ladder (''(none)'' when its CRM system follows none), outcome and reason, and the flags the funnel views count: is_valid (not invalid or duplicate), contacted (valid and at or past the ladder''s response step, e.g. contacted; NULL when the ladder has none), qualified (valid and at or past the ladder''s qualified step; NULL when the ladder has none), paid (collected > 0), invoiced, the furthest rung, hours to the first response and days from creation to a win.';

CREATE FUNCTION recon.funnel_performance_rows()
RETURNS TABLE (channel text, platform text, account_id text, campaign_id text, month date, ladder text,
               records bigint, invalid bigint, duplicates bigint, valid bigint, valid_rate numeric,
               contacted bigint, contact_rate numeric, qualified bigint, qualification_rate numeric,
               open bigint, won bigint, lost bigint, cancelled bigint, win_rate numeric,
               median_response_hours numeric, median_sales_cycle_days numeric, maturity text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $funnel$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    counts AS (
        SELECT f.channel, min(f.platform) AS platform, min(f.account_id) AS account_id, f.campaign_id,
               f.cohort_month, f.ladder, count(*) AS records,
               count(*) FILTER (WHERE f.outcome = 'invalid') AS invalid,
               count(*) FILTER (WHERE f.outcome = 'duplicate') AS duplicates,
               count(*) FILTER (WHERE f.is_valid) AS valid,
               -- NULL, not 0, for a ladder without the step
               CASE WHEN bool_or(f.contacted IS NOT NULL) THEN count(*) FILTER (WHERE f.contacted) END AS contacted,
               CASE WHEN bool_or(f.qualified IS NOT NULL) THEN count(*) FILTER (WHERE f.qualified) END AS qualified,
               count(*) FILTER (WHERE f.is_valid AND f.outcome = 'open') AS open,
               count(*) FILTER (WHERE f.outcome = 'won') AS won,
               count(*) FILTER (WHERE f.outcome = 'lost') AS lost,
               count(*) FILTER (WHERE f.outcome = 'cancelled') AS cancelled,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.response_hours) FILTER (WHERE f.is_valid) AS response_hours,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY f.cycle_days) AS cycle_days
        FROM recon.funnel_facts() f
        GROUP BY f.channel, f.campaign_id, f.cohort_month, f.ladder
    )
    SELECT k.channel, k.platform, k.account_id, k.campaign_id, k.cohort_month, k.ladder,
           k.records, k.invalid, k.duplicates, k.valid, round(k.valid::numeric / k.records, 4),
           k.contacted, round(k.contacted::numeric / nullif(k.valid, 0), 4),
           k.qualified, round(k.qualified::numeric / nullif(k.valid, 0), 4),
           k.open, k.won, k.lost, k.cancelled,
           round(k.won::numeric / nullif(k.won + k.lost + k.cancelled, 0), 4),
           round(k.response_hours::numeric, 1), round(k.cycle_days::numeric, 1),
           recon.cohort_maturity(k.cohort_month, c.mature_after, c.as_of_day)
    FROM counts k CROSS JOIN ctx c
$funnel$;
COMMENT ON FUNCTION recon.funnel_performance_rows() IS
    'The rows of recon.funnel_performance (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_performance AS SELECT * FROM recon.funnel_performance_rows();
COMMENT ON VIEW recon.funnel_performance IS
    'Funnel layer, per credited channel, campaign ('''' when none), cohort month (record creation in the reporting zone) and ladder: records (leads and orders; opportunities folded in), invalid (spam, test) and duplicates, valid and valid_rate (valid / records), contacted and contact_rate (valid records at or past the ladder''s response step, contacted or confirmed / valid; NULL for ladders without one), qualified and qualification_rate (valid records at or past the qualified step / valid; NULL for ladders without one), open, won, lost, cancelled, win_rate (won / closed: won, lost or cancelled), median hours from creation to the first response (valid records: the first entry into the response step, a later step or an exit such as disqualified), median days from creation to a win, and the cohort''s maturity (incomplete until the month''s last day plus the last maturity_days point has passed in the data). Credit and outcome from recon.bridge_records, steps from recon.ladder_progress. Whose number: the CRM''s. Unique key: (channel, campaign_id, month, ladder).';

CREATE FUNCTION recon.funnel_reasons_rows()
RETURNS TABLE (channel text, campaign_id text, month date, ladder text, outcome text, reason text,
               records bigint, share numeric)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $reasons$
    SELECT channel, campaign_id, cohort_month, ladder, outcome, reason, n,
           round(n::numeric / sum(n) OVER (PARTITION BY channel, campaign_id, cohort_month, ladder, outcome), 4)
    FROM (SELECT f.channel, f.campaign_id, f.cohort_month, f.ladder, f.outcome,
                 coalesce(f.outcome_reason, '(none)') AS reason, count(*) AS n
          FROM recon.funnel_facts() f
          WHERE f.outcome IN ('invalid', 'duplicate', 'lost', 'cancelled')
          GROUP BY 1, 2, 3, 4, 5, 6) r
$reasons$;
COMMENT ON FUNCTION recon.funnel_reasons_rows() IS
    'The rows of recon.funnel_reasons (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_reasons AS SELECT * FROM recon.funnel_reasons_rows();
COMMENT ON VIEW recon.funnel_reasons IS
    'Why records did not end won, per credited channel, campaign, cohort month and ladder: for each outcome (invalid, duplicate, lost, cancelled) the CRM''s reasons (''(none)'' when it gave none), the records and their share of the outcome. Unique key: (channel, campaign_id, month, ladder, outcome, reason).';

-- Stage conversion: records reaching each progress step of their ladder, and the
-- share of the previous step. CRM steps from recon.ladder_progress (reaching a step
-- counts as passing every lower one); finance steps from the record's money;
-- the platform step is the platform's own claim for the campaign (its clock).
CREATE FUNCTION recon.funnel_stage_conversion_rows()
RETURNS TABLE (channel text, campaign_id text, month date, ladder text, rung integer, step text, layer text,
               reached numeric, previous_step text, from_previous numeric, from_records numeric, clock text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $stages$
    WITH groups AS (        -- per group and furthest rung; finance steps from the money
        SELECT f.channel, f.platform, f.campaign_id, f.cohort_month, f.ladder, f.furthest_rung,
               count(*) AS records, count(*) FILTER (WHERE f.invoiced) AS invoiced, count(*) FILTER (WHERE f.paid) AS paid
        FROM recon.funnel_facts() f
        WHERE f.ladder <> '(none)'
        GROUP BY 1, 2, 3, 4, 5, 6
    ), totals AS (
        SELECT channel, min(platform) AS platform, campaign_id, cohort_month, ladder, sum(records) AS records,
               sum(invoiced) AS invoiced, sum(paid) AS paid
        FROM groups GROUP BY channel, campaign_id, cohort_month, ladder
    ), claimed AS (
        SELECT platform, campaign_id, month, sum(conversions) AS conversions
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), crm AS (             -- reaching a step passes every lower one
        SELECT g.channel, g.campaign_id, g.cohort_month, g.ladder, s.step, sum(g.records) AS reached
        FROM groups g
        JOIN recon.ladder_steps s ON s.ladder = g.ladder AND s.kind = 'progress' AND s.layer = 'crm' AND g.furthest_rung >= s.rung
        GROUP BY 1, 2, 3, 4, 5
    ), reached AS (
        SELECT t.channel, t.campaign_id, t.cohort_month, t.ladder, s.rung, s.step, s.layer, t.records,
               CASE s.layer
                   WHEN 'crm' THEN coalesce(k.reached, 0)
                   WHEN 'finance' THEN CASE WHEN s.step = 'invoiced' THEN t.invoiced
                                            WHEN s.step IN ('paid', 'collected') THEN t.paid END
                   WHEN 'platform' THEN CASE WHEN t.platform IS NOT NULL AND t.campaign_id <> '' THEN coalesce(c.conversions, 0) END
               END AS reached,
               CASE s.layer WHEN 'platform' THEN 'platform report day (its report zone, action_report_time), same month'
                            WHEN 'crm' THEN 'record creation (cohort), followed to today'
                            ELSE 'money linked to the cohort''s records, to today' END AS clock
        FROM totals t
        JOIN recon.ladder_steps s ON s.ladder = t.ladder AND s.kind = 'progress'
        LEFT JOIN claimed c ON s.layer = 'platform' AND c.platform = t.platform AND c.campaign_id = t.campaign_id
                           AND c.month = t.cohort_month
        LEFT JOIN crm k ON (k.channel, k.campaign_id, k.cohort_month, k.ladder, k.step) = (t.channel, t.campaign_id, t.cohort_month, t.ladder, s.step)
    )
    SELECT channel, campaign_id, cohort_month, ladder, rung, step, layer, reached,
           lag(step) OVER w, round(reached / nullif(lag(reached) OVER w, 0), 4), round(reached / records, 4), clock
    FROM reached
    WINDOW w AS (PARTITION BY channel, campaign_id, cohort_month, ladder ORDER BY rung)
$stages$;
COMMENT ON FUNCTION recon.funnel_stage_conversion_rows() IS
    'The rows of recon.funnel_stage_conversion (a function so that it can set work_mem and jit).';

CREATE VIEW recon.funnel_stage_conversion AS SELECT * FROM recon.funnel_stage_conversion_rows();
COMMENT ON VIEW recon.funnel_stage_conversion IS
    'Stage conversion along the ladder, per credited channel, campaign, cohort month and ladder, one row per progress step: reached (crm steps: records at or past the step, by recon.ladder_progress; finance steps: invoiced = records with an invoice or charge, paid / collected = records with money collected; platform_conversion: the conversions the platform claims for the campaign in the month of its report day, NULL for records no platform campaign is credited with), the previous step and from_previous (reached / previous step''s reached), from_records (reached / the group''s records) and the clock that dates the step. Records whose CRM system follows no ladder are left out here (see recon.ladder_unmapped_stages). Unique key: (channel, campaign_id, month, ladder, step).';
