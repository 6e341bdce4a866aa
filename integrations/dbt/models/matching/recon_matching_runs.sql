{#- The matching cascade as a post-hook: with the var recon_run_matching true, building this
    model runs CALL recon.run_matching() right after it, and every model below depends on it
    (the depends_on comment), so they read fresh links. -#}
{{ config(post_hook=[recon.run_matching_sql() if var('recon_run_matching', false) else '']) }}
-- recon's matching runs: when each ran, what it linked per stage, and how long it took.
select
    run_id,
    started_at,
    finished_at,
    round(extract(epoch from finished_at - started_at)::numeric, 3) as seconds,
    methods,
    run_by,
    link_counts
from {{ source('recon', 'match_runs') }}
