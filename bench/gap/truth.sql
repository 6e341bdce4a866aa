-- The gap decomposition the demo's truth implies, per channel and month, computed
-- from recon_truth (what the generator simulated), not from the loaded tables.
-- Used by test/pgtap/gap_truth.sql and bench/gap.sql.
CREATE OR REPLACE VIEW gap_truth_items AS
WITH run AS (SELECT reporting_timezone FROM recon_truth.runs LIMIT 1),
claims AS (            -- what each platform counts in its default window, and why
    SELECT c.platform, c.cause, c.report_date, c.conversions, c.value, j.converted_at, j.record_id,
           j.outcome_reason IN ('spam', 'test', 'test order') AS rejected
    FROM recon_truth.platform_claims c JOIN recon_truth.journeys j USING (journey_id)
    WHERE 'default' = ANY (c.windows)
)
-- platform side, on the platform's clock
SELECT c.platform AS channel, date_trunc('month', c.report_date)::date AS period,
       CASE c.cause WHEN 'view_through' THEN 'view_through' WHEN 'modeled' THEN 'modeled'
                    WHEN 'identity_lost' THEN 'identity_loss' WHEN 'double_claim' THEN 'double_claims'
                    WHEN 'dedup_failure' THEN 'dedup_failures'
                    WHEN 'junk' THEN CASE WHEN c.rejected THEN 'invalid' ELSE 'clock' END
                    ELSE 'clock' END AS part,
       'platform' AS side, c.conversions AS n, c.value AS v
FROM claims c
UNION ALL      -- the CRM side of the claimed click conversions (a junk record the CRM still holds counts like one)
SELECT c.platform, date_trunc('month', c.converted_at AT TIME ZONE run.reporting_timezone)::date, 'clock', 'crm',
       -c.conversions, -c.value
FROM claims c CROSS JOIN run
WHERE c.cause = 'click' OR (c.cause = 'junk' AND NOT c.rejected)
UNION ALL      -- CRM conversions clicked longer ago than the platform's window
SELECT j.platform, date_trunc('month', j.converted_at AT TIME ZONE run.reporting_timezone)::date, 'attribution_window', 'crm',
       -1, -CASE j.platform WHEN 'google' THEN 150 WHEN 'linkedin' THEN 200 ELSE j.stated_value END
FROM recon_truth.journeys j CROSS JOIN run
WHERE j.kind = 'outside_window' AND j.record_id IS NOT NULL;
COMMENT ON VIEW gap_truth_items IS 'Each injected cause of the platform-vs-CRM gap, dated on its own side''s clock.';

CREATE OR REPLACE VIEW gap_truth AS
SELECT channel, period, part, sum(n) AS conversions, sum(v) AS value
FROM gap_truth_items GROUP BY 1, 2, 3;

-- The measured parts in the same long form (channel totals).
CREATE OR REPLACE VIEW gap_measured AS
SELECT g.channel, g.period, p.part, p.n AS conversions, p.v AS value
FROM recon.gap_decomposition g
CROSS JOIN LATERAL (VALUES ('attribution_window', g.attribution_window, g.attribution_window_value),
                           ('view_through', g.view_through, g.view_through_value),
                           ('modeled', g.modeled, g.modeled_value),
                           ('identity_loss', g.identity_loss, g.identity_loss_value),
                           ('clock', g.clock, g.clock_value),
                           ('double_claims', g.double_claims, g.double_claims_value),
                           ('dedup_failures', g.dedup_failures, g.dedup_failures_value),
                           ('invalid', g.invalid, g.invalid_value),
                           ('residual', g.residual, g.residual_value)) AS p(part, n, v)
WHERE g.campaign_id IS NULL;

-- Every (channel, month, part) where the measure and the truth disagree; zero parts on either side count as absent.
CREATE OR REPLACE VIEW gap_truth_differences AS
SELECT coalesce(m.channel, t.channel) AS channel, coalesce(m.period, t.period) AS period, coalesce(m.part, t.part) AS part,
       m.conversions AS measured, t.conversions AS truth, m.value AS measured_value, t.value AS truth_value
FROM (SELECT * FROM gap_measured WHERE conversions <> 0 OR value <> 0 OR conversions IS NULL) m
FULL JOIN (SELECT * FROM gap_truth WHERE conversions <> 0 OR value <> 0) t USING (channel, period, part)
WHERE m.conversions IS DISTINCT FROM t.conversions OR m.value IS DISTINCT FROM t.value;
