-- Diagnosis: which step of the ladder holds each campaign back. Each rule is a
-- conversion between two funnel counts with the cause a shortfall there points to;
-- a campaign's rate is compared with the median of the campaigns on the same
-- ladder. Rules are judged only on enough data (min_sample), the steps that take
-- time only on mature cohorts; otherwise the view says so instead of guessing.
-- docs/layers.md explains the rules.

CREATE FUNCTION recon.diagnosis_rules()
RETURNS TABLE (rule_order integer, rule text, numerator text, denominator text, cause text, needs_maturity boolean,
               min_sample integer, shortfall numeric, min_campaigns integer)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT r.*, 30, 0.8, 3
    FROM (VALUES
        (1, 'platform_to_valid', 'valid records', 'platform conversions', 'targeting / form quality: the platform counts conversions that are not real leads or orders', false),
        (2, 'valid_to_contacted', 'contacted', 'valid records', 'routing / speed to lead: valid leads nobody contacts', true),
        (3, 'contacted_to_qualified', 'qualified', 'contacted', 'offer / audience: contacted leads that do not qualify', true),
        (4, 'qualified_to_won', 'won', 'qualified', 'price / sales: qualified deals that are not won', true),
        (5, 'won_to_paid', 'paid records', 'won', 'invoicing / collections: won deals that do not pay', true),
        (6, 'ordered_to_collected', 'paid records', 'valid orders', 'fulfilment / returns / payment: orders whose money does not arrive or stay', true)
    ) AS r(rule_order, rule, numerator, denominator, cause, needs_maturity)
$$;
COMMENT ON FUNCTION recon.diagnosis_rules() IS
    'The diagnosis rules, in ladder order: the conversion each one measures (numerator / denominator), the cause a shortfall points to, whether it is judged only on mature cohorts (steps that take time), the minimum denominator (min_sample 30), the shortfall that flags it (rate below 0.8 x the benchmark) and the campaigns a benchmark needs (3). platform_to_valid applies to every ladder; valid_to_contacted, contacted_to_qualified, qualified_to_won and won_to_paid to ladders with a qualified step (services); ordered_to_collected to ladders without one (ecommerce).';

CREATE FUNCTION recon.campaign_diagnosis_steps_rows()
RETURNS TABLE (channel text, campaign_id text, ladder text, rule_order integer, rule text, cause text,
               numerator numeric, denominator numeric, rate numeric, basis text, benchmark numeric,
               benchmark_campaigns integer, ratio numeric, status text)
LANGUAGE sql STABLE
SET jit = off
SET work_mem = '256MB'
AS $steps$
    WITH ctx AS MATERIALIZED (SELECT * FROM recon.report_context()),
    facts AS (              -- campaigns of ad platforms only, each cohort month mature or not
        SELECT f.*, recon.cohort_maturity(f.cohort_month, c.mature_after, c.as_of_day) = 'mature' AS mature
        FROM recon.funnel_facts() f CROSS JOIN ctx c
        WHERE f.platform IS NOT NULL AND f.campaign_id <> '' AND f.ladder <> '(none)'
    ), counts AS (
        SELECT channel, min(platform) AS platform, campaign_id, ladder, cohort_month, bool_and(mature) AS mature,
               count(*) FILTER (WHERE is_valid) AS valid,
               count(*) FILTER (WHERE contacted) AS contacted, bool_or(contacted IS NOT NULL) AS has_contacted,
               count(*) FILTER (WHERE qualified) AS qualified, bool_or(qualified IS NOT NULL) AS has_qualified,
               count(*) FILTER (WHERE outcome = 'won') AS won,
               count(*) FILTER (WHERE is_valid AND paid) AS paid
        FROM facts GROUP BY channel, campaign_id, ladder, cohort_month
    ), claims AS (
        SELECT platform, campaign_id, month, sum(conversions) AS conversions
        FROM recon.platform_performance GROUP BY 1, 2, 3
    ), measured AS (        -- each rule's numerator and denominator per campaign, mature cohorts apart
        SELECT k.channel, k.campaign_id, k.ladder, r.rule_order, r.rule, r.cause, r.needs_maturity, r.min_sample,
               r.shortfall, r.min_campaigns,
               sum(v.num) FILTER (WHERE k.mature) AS num_mature, sum(v.den) FILTER (WHERE k.mature) AS den_mature,
               sum(v.num) AS num_all, sum(v.den) AS den_all
        FROM counts k
        LEFT JOIN claims cl ON cl.platform = k.platform AND cl.campaign_id = k.campaign_id AND cl.month = k.cohort_month
        CROSS JOIN recon.diagnosis_rules() r
        CROSS JOIN LATERAL (SELECT
            CASE r.rule WHEN 'platform_to_valid' THEN k.valid
                        WHEN 'valid_to_contacted' THEN k.contacted
                        WHEN 'contacted_to_qualified' THEN k.qualified
                        WHEN 'qualified_to_won' THEN k.won
                        ELSE k.paid END::numeric AS num,
            CASE r.rule WHEN 'platform_to_valid' THEN coalesce(cl.conversions, 0)
                        WHEN 'valid_to_contacted' THEN CASE WHEN k.has_contacted AND k.has_qualified THEN k.valid END
                        WHEN 'contacted_to_qualified' THEN CASE WHEN k.has_contacted AND k.has_qualified THEN k.contacted END
                        WHEN 'qualified_to_won' THEN CASE WHEN k.has_qualified THEN k.qualified END
                        WHEN 'won_to_paid' THEN CASE WHEN k.has_qualified THEN k.won END
                        ELSE CASE WHEN NOT k.has_qualified THEN k.valid END END::numeric AS den) v
        WHERE v.den IS NOT NULL
        GROUP BY k.channel, k.campaign_id, k.ladder, r.rule_order, r.rule, r.cause, r.needs_maturity, r.min_sample,
                 r.shortfall, r.min_campaigns
    ), judged AS (          -- on mature cohorts when the rule needs them and they are enough, else say why not
        SELECT m.*,
               CASE WHEN m.needs_maturity AND m.den_mature >= m.min_sample THEN 'mature cohorts'
                    WHEN NOT m.needs_maturity AND m.den_all >= m.min_sample THEN 'all cohorts'
                    WHEN m.needs_maturity AND m.den_all >= m.min_sample THEN 'immature cohorts'
                    ELSE 'too few' END AS basis
        FROM measured m
    ), rated AS (
        SELECT j.*,
               CASE WHEN j.basis = 'mature cohorts' THEN j.num_mature ELSE j.num_all END AS num,
               CASE WHEN j.basis = 'mature cohorts' THEN j.den_mature ELSE j.den_all END AS den
        FROM judged j
    ), benchmarks AS (      -- the median campaign on the same ladder, among those judged
        SELECT ladder, rule, percentile_cont(0.5) WITHIN GROUP (ORDER BY num / den) AS benchmark, count(*) AS campaigns
        FROM rated WHERE basis IN ('mature cohorts', 'all cohorts') AND den > 0
        GROUP BY ladder, rule
    ), compared AS (
        SELECT r.*, round(r.num / nullif(r.den, 0), 4) AS rate,
               CASE WHEN b.campaigns >= r.min_campaigns THEN round(b.benchmark::numeric, 4) END AS benchmark,
               coalesce(b.campaigns, 0)::integer AS benchmark_campaigns
        FROM rated r LEFT JOIN benchmarks b USING (ladder, rule)
    ), statused AS (
        SELECT c.*, round(c.rate / nullif(c.benchmark, 0), 4) AS ratio,
               CASE WHEN c.basis = 'too few' THEN 'insufficient data'
                    WHEN c.basis = 'immature cohorts' THEN 'immature'
                    WHEN c.benchmark IS NULL THEN 'no benchmark'
                    WHEN c.rate < c.shortfall * c.benchmark THEN 'below benchmark'
                    ELSE 'on benchmark' END AS status
        FROM compared c
    )
    SELECT s.channel, s.campaign_id, s.ladder, s.rule_order, s.rule, s.cause, s.num, s.den, s.rate, s.basis,
           s.benchmark, s.benchmark_campaigns, s.ratio,
           CASE WHEN s.status = 'below benchmark'
                     AND s.rule_order = first_value(s.rule_order) OVER (
                         PARTITION BY s.channel, s.campaign_id, s.ladder
                         ORDER BY (s.status = 'below benchmark') DESC, s.ratio, s.rule_order)
                THEN 'bottleneck' ELSE s.status END
    FROM statused s
$steps$;
COMMENT ON FUNCTION recon.campaign_diagnosis_steps_rows() IS
    'The rows of recon.campaign_diagnosis_steps (a function so that it can set work_mem and jit).';

CREATE VIEW recon.campaign_diagnosis_steps AS SELECT * FROM recon.campaign_diagnosis_steps_rows();
COMMENT ON VIEW recon.campaign_diagnosis_steps IS
    'Every diagnosis rule (recon.diagnosis_rules) for every ad-platform campaign, per credited channel, campaign and ladder: numerator and denominator (platform conversions from recon.platform_performance, the rest from the funnel), the rate, its basis (mature cohorts; all cohorts for a rule that needs no maturity; immature cohorts when the mature ones are too few; too few), the benchmark (median rate of the campaigns judged on the same ladder, when at least min_campaigns are) and the ratio to it, and the status: insufficient data (denominator below min_sample), immature (only immature cohorts have enough: not judged), no benchmark, on benchmark, below benchmark (rate < shortfall x benchmark), bottleneck (the campaign''s rule furthest below its benchmark). Unique key: (channel, campaign_id, ladder, rule).';

CREATE VIEW recon.campaign_diagnosis AS
    SELECT channel, campaign_id, ladder,
           CASE WHEN bool_or(status = 'bottleneck') THEN 'bottleneck'
                WHEN bool_or(status = 'on benchmark') THEN 'no bottleneck'
                WHEN bool_or(status = 'immature') THEN 'immature'
                WHEN bool_or(status = 'no benchmark') THEN 'no benchmark'
                ELSE 'insufficient data' END AS verdict,
           min(rule) FILTER (WHERE status = 'bottleneck') AS bottleneck,
           min(cause) FILTER (WHERE status = 'bottleneck') AS cause,
           min(rate) FILTER (WHERE status = 'bottleneck') AS rate,
           min(benchmark) FILTER (WHERE status = 'bottleneck') AS benchmark,
           min(denominator) FILTER (WHERE status = 'bottleneck') AS sample,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'below benchmark'), '{}') AS also_below,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'immature'), '{}') AS immature,
           coalesce(array_agg(rule ORDER BY rule_order) FILTER (WHERE status = 'insufficient data'), '{}') AS insufficient_data
    FROM recon.campaign_diagnosis_steps
    GROUP BY channel, campaign_id, ladder;
COMMENT ON VIEW recon.campaign_diagnosis IS
    'One verdict per ad-platform campaign (per credited channel, campaign and ladder): bottleneck (the rule furthest below its benchmark, with its cause, rate, benchmark and sample), no bottleneck (every judged rule on benchmark), immature (the rules that take time have enough data only in immature cohorts), no benchmark (too few campaigns to compare with) or insufficient data; also_below lists other rules below their benchmark, immature and insufficient_data the rules not judged. Details per rule in recon.campaign_diagnosis_steps. Unique key: (channel, campaign_id, ladder).';
