-- pgTAP: materialized layers and recon_refresh() (src/refresh/refresh.sql): the refresh order
-- follows the dependencies, refreshes are concurrent where they can be, callers are serialized,
-- readers are never blocked (proved with dblink sessions in a scratch database), and scheduling
-- with pg_cron works where pg_cron lives (a real job runs once; skipped when pg_cron is not
-- preloaded) and explains itself where it does not.
\getenv pgpassword PGPASSWORD
\if :{?pgpassword}
\else
\set pgpassword ''
\endif
BEGIN;
SET LOCAL pgtap.password = :'pgpassword';
SELECT plan(79);
CREATE EXTENSION IF NOT EXISTS dblink;

-- A connection string to a database of this cluster, for dblink sessions (the Unix socket first).
CREATE FUNCTION pg_temp.conninfo(db text) RETURNS text LANGUAGE sql AS $$
    SELECT format('host=%s port=%s dbname=%s user=%s', split_part(current_setting('unix_socket_directories'), ',', 1),
                  current_setting('port'), quote_ident(db), current_user)
           || CASE WHEN current_setting('pgtap.password', true) <> '' THEN ' password=' || current_setting('pgtap.password') ELSE '' END
$$;
-- One value from a query run in a dblink session.
CREATE FUNCTION pg_temp.remote(conn text, sql text) RETURNS text LANGUAGE sql AS $$
    SELECT v FROM dblink(conn, sql) AS t(v text)
$$;
-- The SQLSTATE a statement raises in a dblink session ('ok' when none).
CREATE FUNCTION pg_temp.remote_error(conn text, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dblink_exec(conn, sql);
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE;
END $$;
-- The hint of the error a statement raises here.
CREATE FUNCTION pg_temp.hint_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    h text;
BEGIN
    EXECUTE sql;
    RETURN NULL;
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
    RETURN h;
END $$;

------------------------------------------------------------------ objects
SELECT has_function(f, args, format('%s(%s) exists', f, array_to_string(args, ', ')))
FROM (VALUES ('recon_refresh', ARRAY[]::text[]), ('recon_schedule_refresh', ARRAY['text', 'text']),
             ('recon_unschedule_refresh', ARRAY['text']), ('recon_purge_refresh_runs', ARRAY['interval'])) AS t(f, args);
SELECT has_function('recon', f, args, format('recon.%s(%s) exists', f, array_to_string(args, ', ')))
FROM (VALUES ('materialize_layer', ARRAY['name', 'name[]']), ('check_cron_schedule', ARRAY['text']),
             ('pg_cron_missing', ARRAY[]::text[]), ('refresh_job_command', ARRAY[]::text[]),
             ('refresh_lock_key', ARRAY[]::text[])) AS t(f, args);
SELECT has_materialized_view('recon', m, format('materialized view recon.%s exists', m))
FROM unnest(ARRAY['mv_report_layers', 'mv_report_channel_month']) AS m;
SELECT has_view('recon', 'materialized_layers', 'view recon.materialized_layers exists');
SELECT has_table('recon', 'refresh_runs', 'table recon.refresh_runs exists');
SELECT is((SELECT count(*)::int FROM recon.materialized_layers WHERE description IS NULL), 0,
          'every materialized layer has a comment');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'recon'::regnamespace AND relkind = 'm'
             AND oid::regclass::text NOT IN (SELECT view_name FROM recon.materialized_layers)), 0,
          'every materialized view of schema recon is an extension member recon_refresh() sees');

------------------------------------------------------------------ pg_cron
-- Here (recon_tap) pg_cron is not installed: 55000 with the way to enable it.
SELECT throws_ok($$SELECT recon_schedule_refresh('0 * * * *')$$, '55000',
                 format('pg_cron is not installed in database "%s"', current_database()),
                 'scheduling without pg_cron in this database is 55000');
SELECT matches(pg_temp.hint_of($$SELECT recon_schedule_refresh('0 * * * *')$$),
               format('cron\.database_name = ''%s''.*restart.*CREATE EXTENSION pg_cron', current_database()),
               '... and the hint says to point cron.database_name here, restart and CREATE EXTENSION pg_cron');
SELECT matches(pg_temp.hint_of($$SELECT recon_schedule_refresh('0 * * * *')$$),
               CASE WHEN current_setting('shared_preload_libraries') ~ 'pg_cron' THEN 'cron\.database_name'
                    ELSE 'shared_preload_libraries = ''pg_cron''' END,
               '... naming the step still missing on this server');
SELECT is((recon.pg_cron_missing()).message, format('pg_cron is not installed in database "%s"', current_database()),
          'recon.pg_cron_missing() says why pg_cron cannot schedule from here');
SELECT throws_ok($$SELECT recon_unschedule_refresh()$$, '55000', NULL, 'unscheduling without pg_cron is 55000');
SELECT throws_ok($$SELECT recon_schedule_refresh('* * * * * *')$$, '22023', NULL,
                 'a schedule in seconds is 22023 (pg_cron 1.4), checked before pg_cron');
SELECT is(recon_purge_refresh_runs(), 0::bigint, 'purging without pg_cron purges nothing');

-- Where pg_cron lives (cron.database_name), through a dblink session: scheduling, the guards,
-- one real run of the job, unscheduling and the purge of its run history.
CREATE FUNCTION pg_temp.cron_tests() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    cron_db     text := current_setting('cron.database_name', true);
    had_cron    boolean;
    had_recon   boolean;
    job         bigint;
    job2        bigint;
    runs_before bigint;
    status      text;
    waited      integer := 0;
BEGIN
    IF cron_db IS NULL THEN
        RETURN NEXT skip('pg_cron is not preloaded here (make test runs with -o shared_preload_libraries=pg_cron)', 20);
        RETURN;
    END IF;
    PERFORM dblink_connect('rr_cron', pg_temp.conninfo(cron_db));
    had_cron := pg_temp.remote('rr_cron', $q$SELECT count(*) > 0 FROM pg_extension WHERE extname = 'pg_cron'$q$)::boolean;
    had_recon := pg_temp.remote('rr_cron', $q$SELECT count(*) > 0 FROM pg_extension WHERE extname = 'recon'$q$)::boolean;
    IF NOT had_cron THEN PERFORM dblink_exec('rr_cron', 'CREATE EXTENSION pg_cron'); END IF;
    IF NOT had_recon THEN PERFORM dblink_exec('rr_cron', 'CREATE EXTENSION recon'); END IF;

    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT recon.pg_cron_missing()::text$q$), '(,,)',
                   format('in %s recon.pg_cron_missing() has nothing to say', cron_db));
    job := pg_temp.remote('rr_cron', $q$SELECT recon_schedule_refresh('*/5 * * * *')$q$)::bigint;
    RETURN NEXT ok(job > 0, 'recon_schedule_refresh returns the pg_cron job id');
    RETURN NEXT is(pg_temp.remote('rr_cron', format('SELECT jobname || '' | '' || schedule FROM cron.job WHERE jobid = %s', job)),
                   'recon_refresh | */5 * * * *', '... of a job named recon_refresh with the schedule');
    RETURN NEXT matches(pg_temp.remote('rr_cron', format('SELECT command FROM cron.job WHERE jobid = %s', job)),
                        '^SELECT [a-z_"]+\.recon_refresh\(\)$', '... running the schema-qualified recon_refresh()');
    job2 := pg_temp.remote('rr_cron', $q$SELECT recon_schedule_refresh(' 0  3 * * * ')$q$)::bigint;
    RETURN NEXT is(job2, job, 'scheduling the same name again keeps the job ...');
    RETURN NEXT is(pg_temp.remote('rr_cron', format('SELECT schedule FROM cron.job WHERE jobid = %s', job)), '0 3 * * *',
                   '... and changes its schedule');
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT count(*) FROM cron.job WHERE jobname = 'recon_refresh'$q$), '1',
                   '... without a second job');

    PERFORM pg_temp.remote('rr_cron', $q$SELECT cron.schedule('pgtap_other_job', '0 4 * * *', 'SELECT 1')$q$);
    RETURN NEXT is(pg_temp.remote_error('rr_cron', $q$SELECT recon_schedule_refresh('0 * * * *', 'pgtap_other_job')$q$), '42710',
                   'a job name that runs another command is not taken over (42710)');
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT command FROM cron.job WHERE jobname = 'pgtap_other_job'$q$), 'SELECT 1',
                   '... and that job is unchanged');
    RETURN NEXT is(pg_temp.remote_error('rr_cron', $q$SELECT recon_unschedule_refresh('pgtap_other_job')$q$), '42809',
                   '... nor unscheduled by recon_unschedule_refresh (42809)');
    PERFORM pg_temp.remote('rr_cron', $q$SELECT cron.unschedule('pgtap_other_job')$q$);
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT recon_unschedule_refresh('pgtap_no_such_job')$q$), 'f',
                   'unscheduling a job that does not exist returns false');
    RETURN NEXT is(pg_temp.remote_error('rr_cron', $q$SELECT recon_schedule_refresh('61 * * * *')$q$), '22023',
                   'a bad schedule is 22023 where pg_cron lives too');

    -- One real run (pg_cron 1.4 has minute granularity: wait for the next minute). Once in several
    -- runs pg_cron's launcher, started before its extension existed, missed a job scheduled just
    -- after CREATE EXTENSION pg_cron; scheduling it again (same name: the same job) after 75 s
    -- makes it reload its jobs.
    runs_before := pg_temp.remote('rr_cron', 'SELECT count(*) FROM recon.refresh_runs')::bigint;
    job2 := pg_temp.remote('rr_cron', $q$SELECT recon_schedule_refresh('* * * * *', 'recon_refresh_pgtap')$q$)::bigint;
    LOOP
        status := pg_temp.remote('rr_cron', format($q$SELECT max(status) FROM cron.job_run_details
                                                       WHERE jobid = %s AND status IN ('succeeded', 'failed')$q$, job2));
        EXIT WHEN status IS NOT NULL OR waited >= 140;
        IF waited = 75 THEN
            PERFORM pg_temp.remote('rr_cron', $q$SELECT recon_schedule_refresh('* * * * *', 'recon_refresh_pgtap')$q$);
        END IF;
        PERFORM pg_sleep(1);
        waited := waited + 1;
    END LOOP;
    RETURN NEXT is(status, 'succeeded', format('the scheduled job ran recon_refresh() and succeeded (after %s s)', waited));
    RETURN NEXT cmp_ok(pg_temp.remote('rr_cron', 'SELECT count(*) FROM recon.refresh_runs')::bigint, '>', runs_before,
                       '... which logged a refresh run');
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT recon_unschedule_refresh('recon_refresh_pgtap')$q$), 't',
                   'recon_unschedule_refresh removes the job');
    RETURN NEXT is(pg_temp.remote('rr_cron', format('SELECT count(*) FROM cron.job WHERE jobid = %s', job2)), '0', '... from cron.job');
    RETURN NEXT is(pg_temp.remote('rr_cron', format('SELECT count(*) FROM cron.job_run_details WHERE jobid = %s', job2)), '0',
                   '... and purges its run history');

    -- Run history older than 7 days is purged by every refresh; newer runs stay.
    PERFORM dblink_exec('rr_cron', format($q$INSERT INTO cron.job_run_details (jobid, database, username, command, status, start_time, end_time)
                                            VALUES (%1$s, current_database(), current_user, 'SELECT recon_refresh()', 'succeeded',
                                                    now() - interval '8 days', now() - interval '8 days'),
                                                   (%1$s, current_database(), current_user, 'SELECT recon_refresh()', 'succeeded',
                                                    now() - interval '1 day', now() - interval '1 day')$q$, job));
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT recon_purge_refresh_runs()$q$), '1',
                   'recon_purge_refresh_runs deletes the refresh job''s runs older than 7 days');
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT string_agg(mode, ',' ORDER BY mode COLLATE "C") FROM recon_refresh() WHERE mode IN ('freeze', 'purge')$q$),
                   'freeze,purge', 'with pg_cron installed, recon_refresh() also purges');
    RETURN NEXT is(pg_temp.remote('rr_cron', $q$SELECT recon_unschedule_refresh()$q$), 't', 'the default job is unscheduled');

    IF NOT had_recon THEN PERFORM dblink_exec('rr_cron', 'DROP EXTENSION recon'); END IF;
    IF NOT had_cron THEN PERFORM dblink_exec('rr_cron', 'DROP EXTENSION pg_cron'); END IF;
    PERFORM dblink_disconnect('rr_cron');
END $$;
SELECT * FROM pg_temp.cron_tests();

------------------------------------------------------------------ refresh order
-- Views named against their dependencies' alphabetical order: a_top reads z_base's copy
-- through a plain view (middle); recon_refresh() must still refresh z_base first.
CREATE VIEW recon.z_base AS SELECT channel, month, spend FROM recon.report_channel_month;
COMMENT ON VIEW recon.z_base IS 'pgTAP';
DO $$
BEGIN
    SET LOCAL client_min_messages = warning;
    PERFORM recon.materialize_layer('z_base', ARRAY['channel', 'month']);
    CREATE VIEW recon.middle AS SELECT channel, month, spend FROM recon.mv_z_base;
    CREATE VIEW recon.a_top AS SELECT channel, count(*) AS months FROM recon.middle GROUP BY channel;
    COMMENT ON VIEW recon.a_top IS 'pgTAP';
    PERFORM recon.materialize_layer('a_top', ARRAY['channel']);
    RESET client_min_messages;
    ALTER EXTENSION recon ADD MATERIALIZED VIEW recon.mv_z_base;
    ALTER EXTENSION recon ADD MATERIALIZED VIEW recon.mv_a_top;
END $$;
SELECT results_eq($$SELECT view_name, refresh_order, depends_on FROM recon.materialized_layers
                    WHERE view_name IN ('recon.mv_report_layers', 'recon.mv_report_channel_month', 'recon.mv_z_base', 'recon.mv_a_top',
                                        'recon.mv_bridge_campaign_month', 'recon.mv_bridge_figures')
                    ORDER BY refresh_order, view_name COLLATE "C"$$,
                  $$VALUES ('recon.mv_bridge_campaign_month', 0, '{}'::text[]),
                           ('recon.mv_report_layers', 0, '{}'::text[]),
                           ('recon.mv_bridge_figures', 1, '{recon.mv_bridge_campaign_month}'),
                           ('recon.mv_report_channel_month', 1, '{recon.mv_report_layers}'),
                           ('recon.mv_z_base', 2, '{recon.mv_report_channel_month}'),
                           ('recon.mv_a_top', 3, '{recon.mv_z_base}')$$,
                  'materialized_layers orders the copies by their dependencies, also through plain views');
SELECT ok(pg_get_viewdef('recon.mv_z_base') ~ 'recon\.mv_report_channel_month' AND pg_get_viewdef('recon.mv_a_top') ~ 'recon\.middle',
          'a copy reads the copy of a materialized view and the plain view of a plain one');

DO $$
BEGIN
    PERFORM recon.set_setting('reporting_timezone', 'America/New_York', 'pgTAP refresh suite');
    PERFORM recon_demo_generate(7, 400);
END $$;
CREATE TEMP TABLE refreshed AS SELECT row_number() OVER () AS n, * FROM recon_refresh();
SELECT results_eq($$SELECT view_name, mode FROM refreshed
                    WHERE view_name NOT LIKE 'recon.mv_bridge%' AND view_name NOT IN ('recon.mv_platform_performance',
                          'recon.mv_gap_decomposition', 'recon.mv_ratio_monitor', 'recon.mv_alerts') ORDER BY n$$,
                  $$VALUES ('recon.mv_report_layers', 'concurrently'), ('recon.mv_report_channel_month', 'concurrently'),
                           ('recon.mv_z_base', 'concurrently'), ('recon.mv_a_top', 'concurrently'),
                           ('recon.frozen_figures', 'freeze')$$,
                  'recon_refresh() refreshes every copy concurrently, in dependency order, then freezes');
SELECT ok((SELECT bool_and(milliseconds >= 0 AND rows >= 0) FROM refreshed), '... timing each step and counting its rows');
SELECT ok((SELECT n FROM refreshed WHERE view_name = 'recon.mv_ratio_monitor') < (SELECT n FROM refreshed WHERE view_name = 'recon.mv_alerts')
          AND (SELECT count(*) FROM refreshed WHERE view_name = 'recon.mv_gap_decomposition' AND mode = 'concurrently') = 1,
          '... the gap''s copies too, the monitor before the alerts that read it');
SELECT is((SELECT rows FROM refreshed WHERE view_name = 'recon.mv_report_layers'), (SELECT count(*) FROM recon.report_layers),
          '... rows = the rows the copy now holds');
SELECT set_eq('SELECT * FROM recon.mv_report_layers', 'SELECT * FROM recon.report_layers',
              'after the refresh mv_report_layers is report_layers');
SELECT set_eq('SELECT * FROM recon.mv_report_channel_month', 'SELECT * FROM recon.report_channel_month',
              '... mv_report_channel_month is report_channel_month');
SELECT set_eq('SELECT * FROM recon.mv_a_top', 'SELECT * FROM recon.a_top', '... and the copy three levels up is its view');
SELECT results_eq($$SELECT jsonb_array_length(views), data_as_of = recon.data_as_of() FROM recon.refresh_runs ORDER BY run_id DESC LIMIT 1$$,
                  $$VALUES (10, true)$$, 'the run is logged with its views and the moment the data covers');

-- All or nothing: a copy that fails to refresh rolls back the copies refreshed before it.
CREATE VIEW recon.fragile AS
    SELECT channel, month, CASE WHEN current_setting('pgtap.fail', true) = 'on' THEN 1 / (length(channel) - length(channel)) END AS boom
    FROM recon.report_channel_month;
COMMENT ON VIEW recon.fragile IS 'pgTAP: fails to refresh when pgtap.fail is on';
DO $$
BEGIN
    SET LOCAL client_min_messages = warning;
    PERFORM recon.materialize_layer('fragile', ARRAY['channel', 'month']);
    ALTER EXTENSION recon ADD MATERIALIZED VIEW recon.mv_fragile;
    PERFORM recon_refresh();
    INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
    VALUES ('pgtap-referral', 'lead', 'crm', '2026-03-05 10:00+00', 'referral', 'new', 'pgtap');
    SET LOCAL pgtap.fail = 'on';
END $$;
CREATE TEMP TABLE runs_before AS SELECT count(*) AS n FROM recon.refresh_runs;
SELECT throws_ok('SELECT recon_refresh()', '22012', NULL, 'a copy that cannot be refreshed fails recon_refresh() ...');
SELECT is((SELECT count(*)::int FROM recon.mv_report_layers WHERE channel = 'referral'), 0,
          '... and the copies refreshed before it in the same call keep their old rows (nothing half-refreshed)');
SELECT is((SELECT count(*) FROM recon.refresh_runs), (SELECT n FROM runs_before), '... and no run is logged');
DO $$
BEGIN
    SET LOCAL pgtap.fail = 'off';
    DELETE FROM recon.funnel_records WHERE record_id = 'pgtap-referral';
    ALTER EXTENSION recon DROP MATERIALIZED VIEW recon.mv_fragile;
    DROP MATERIALIZED VIEW recon.mv_fragile;
    PERFORM recon_refresh();
END $$;

-- Serialized: the caller holds the advisory lock until its transaction ends; another session waits.
SELECT ok(EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                    AND ((classid::bigint << 32) | objid::bigint) = recon.refresh_lock_key() AND objsubid = 1),
          'recon_refresh() holds the advisory lock recon.refresh_lock_key() until the transaction ends');
CREATE FUNCTION pg_temp.lock_tests() RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM dblink_connect('rr_same_db', pg_temp.conninfo(current_database()));
    RETURN NEXT is(pg_temp.remote('rr_same_db', 'SELECT pg_try_advisory_xact_lock(recon.refresh_lock_key())'), 'f',
                   '... so another session cannot take it');
    PERFORM dblink_exec('rr_same_db', $q$SET lock_timeout = '300ms'$q$);
    RETURN NEXT is(pg_temp.remote_error('rr_same_db', 'SELECT recon_refresh()'), '55P03',
                   '... and its recon_refresh() waits for this one (here: until its lock_timeout)');
    PERFORM dblink_disconnect('rr_same_db');
END $$;
SELECT * FROM pg_temp.lock_tests();

-- Plain when a copy is unpopulated or has no usable unique index, and says so.
REFRESH MATERIALIZED VIEW recon.mv_a_top WITH NO DATA;
SELECT is((SELECT refresh_mode FROM recon.materialized_layers WHERE view_name = 'recon.mv_a_top'), 'plain',
          'an unpopulated copy is refreshed plainly');
SELECT is((SELECT mode FROM recon_refresh() WHERE view_name = 'recon.mv_a_top'), 'plain', '... and recon_refresh() says so');
SELECT is((SELECT mode FROM recon_refresh() WHERE view_name = 'recon.mv_a_top'), 'concurrently', '... then concurrently again');
DROP INDEX recon.mv_z_base_key;
CREATE UNIQUE INDEX mv_z_base_partial ON recon.mv_z_base (channel, month) WHERE spend > 0;
SELECT is((SELECT mode FROM recon_refresh() WHERE view_name = 'recon.mv_z_base'), 'plain',
          'a partial unique index does not allow a concurrent refresh');
CREATE UNIQUE INDEX mv_z_base_expr ON recon.mv_z_base (lower(channel), month);
SELECT is((SELECT unique_key FROM recon.materialized_layers WHERE view_name = 'recon.mv_z_base'), NULL,
          '... nor does an index on an expression');
CREATE UNIQUE INDEX mv_z_base_plain ON recon.mv_z_base (month, channel);
SELECT is((SELECT unique_key FROM recon.materialized_layers WHERE view_name = 'recon.mv_z_base'), '{month,channel}'::text[],
          'a unique index on plain columns does');

-- materialize_layer's guards.
SELECT throws_ok($$SELECT recon.materialize_layer('middle', ARRAY['nope'])$$, '42703', NULL, 'an unknown key column is 42703');
SELECT throws_ok($$SELECT recon.materialize_layer('middle', ARRAY[NULL]::name[])$$, '42703', NULL, 'a NULL key column is 42703');
SELECT throws_ok($$SELECT recon.materialize_layer('middle', NULL)$$, '22004', NULL, 'a NULL key is 22004');
SELECT throws_ok($$SELECT recon.materialize_layer('refresh_runs', ARRAY['run_id'])$$, '42809', NULL, 'a table is not materialized (42809)');
SELECT throws_ok($$SELECT recon.materialize_layer('no_such_view', ARRAY['a'])$$, '42809', NULL, 'nor a missing view');
CREATE VIEW recon.a_view_of_62_bytes_whose_materialized_copy_would_need_65_bytes AS SELECT 1 AS a;
SELECT throws_ok($$SELECT recon.materialize_layer('a_view_of_62_bytes_whose_materialized_copy_would_need_65_bytes', ARRAY['a'])$$,
                 '42622', NULL, 'a view whose copy''s key index name would pass 63 bytes is 42622');

---------------------------------------------------- readers are never blocked
-- In a scratch database (its data must be committed for other sessions to see it): a refresh
-- is left open in one session; another session reads the materialized views with a lock
-- timeout, and sees the old figures until the refresh commits.
CREATE FUNCTION pg_temp.readers_tests() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    scratch    text := 'recon_pgtap_readers';
    old_rows   text;
    new_rows   text;
    refresher  integer;
    modes      text;
    err        text;
    t0         timestamptz;
    waited     integer := 0;
BEGIN
    PERFORM dblink_connect('rr_admin', pg_temp.conninfo(current_database()));
    PERFORM dblink_exec('rr_admin', 'SET client_min_messages = warning');
    PERFORM dblink_exec('rr_admin', format('DROP DATABASE IF EXISTS %I WITH (FORCE)', scratch));
    PERFORM dblink_exec('rr_admin', format('CREATE DATABASE %I', scratch));
    PERFORM dblink_connect('rr_writer', pg_temp.conninfo(scratch));
    PERFORM dblink_exec('rr_writer', 'SET client_min_messages = warning; CREATE EXTENSION recon');
    PERFORM dblink_exec('rr_writer', $q$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
                                       VALUES ('L-1', 'lead', 'crm', '2026-03-05 10:00+00', 'email', 'new', 'pgtap')$q$);
    PERFORM pg_temp.remote('rr_writer', 'SELECT count(*) FROM recon_refresh()');
    old_rows := pg_temp.remote('rr_writer', 'SELECT count(*) FROM recon.mv_report_layers');
    -- New data arrives (committed) after the last refresh.
    PERFORM dblink_exec('rr_writer', $q$INSERT INTO recon.funnel_records (record_id, record_type, crm_system, created_at, channel, stage, record_source)
                                       VALUES ('L-2', 'lead', 'crm', '2026-03-06 10:00+00', 'referral', 'new', 'pgtap')$q$);
    new_rows := pg_temp.remote('rr_writer', 'SELECT count(*) FROM recon.report_layers');
    RETURN NEXT cmp_ok(new_rows::int, '>', old_rows::int, 'scratch database: the new data adds rows the copy does not have yet');

    -- The refresher: a transaction whose refresh has run and is not committed.
    PERFORM dblink_connect('rr_refresher', pg_temp.conninfo(scratch));
    refresher := pg_temp.remote('rr_refresher', 'SELECT pg_backend_pid()')::integer;
    PERFORM dblink_exec('rr_refresher', 'BEGIN');
    PERFORM dblink_send_query('rr_refresher', $q$SELECT string_agg(mode, ',') FROM recon_refresh() WHERE view_name LIKE 'recon.mv%'$q$);
    WHILE dblink_is_busy('rr_refresher') = 1 AND waited < 300 LOOP
        PERFORM pg_sleep(0.1);
        waited := waited + 1;
    END LOOP;
    SELECT m INTO modes FROM dblink_get_result('rr_refresher') AS t(m text);
    PERFORM * FROM dblink_get_result('rr_refresher') AS t(m text);       -- end of the results
    RETURN NEXT is(modes, 'concurrently,concurrently,concurrently,concurrently,concurrently,concurrently,concurrently,concurrently',
                   'the open refresh was concurrent');
    RETURN NEXT is((SELECT count(*)::int FROM pg_locks l
                    WHERE l.pid = refresher AND l.locktype = 'relation' AND l.mode = 'ExclusiveLock' AND l.granted
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = scratch)
                      AND l.relation::text = ANY (string_to_array(pg_temp.remote('rr_writer',
                              $q$SELECT string_agg(oid::text, ',') FROM pg_class WHERE relname IN ('mv_report_layers', 'mv_report_channel_month')$q$), ','))), 2,
                   '... and holds an ExclusiveLock on both materialized views until it commits');

    -- The reader.
    PERFORM dblink_connect('rr_reader', pg_temp.conninfo(scratch));
    PERFORM dblink_exec('rr_reader', $q$SET lock_timeout = '2s'$q$);
    BEGIN
        t0 := clock_timestamp();
        RETURN NEXT is(pg_temp.remote('rr_reader', 'SELECT count(*) FROM recon.mv_report_layers'), old_rows,
                       'a reader with lock_timeout reads mv_report_layers during the open refresh and sees the old figures');
        RETURN NEXT is(pg_temp.remote('rr_reader', 'SELECT count(*) FROM recon.mv_report_channel_month'),
                       pg_temp.remote('rr_writer', 'SELECT count(*) FROM recon.mv_report_channel_month'),
                       '... and mv_report_channel_month too');
        RETURN NEXT cmp_ok(clock_timestamp() - t0, '<', interval '1 second', '... without waiting');
        err := NULL;
    EXCEPTION WHEN others THEN
        err := SQLSTATE || ': ' || SQLERRM;
    END;
    RETURN NEXT is(err, NULL, 'reading during a concurrent refresh raises nothing (no lock timeout)');

    PERFORM dblink_exec('rr_refresher', 'COMMIT');
    RETURN NEXT is(pg_temp.remote('rr_reader', 'SELECT count(*) FROM recon.mv_report_layers'), new_rows,
                   'after the commit the reader sees the new figures');

    -- The contrast: a plain refresh would block the same reader.
    PERFORM dblink_exec('rr_refresher', 'BEGIN');
    PERFORM dblink_exec('rr_refresher', 'REFRESH MATERIALIZED VIEW recon.mv_report_layers');
    PERFORM dblink_exec('rr_reader', $q$SET lock_timeout = '200ms'$q$);
    RETURN NEXT is(pg_temp.remote_error('rr_reader', 'SELECT count(*) FROM recon.mv_report_layers'), '55P03',
                   'whereas an open plain REFRESH blocks the reader (55P03 after its lock_timeout): the test can tell');
    PERFORM dblink_exec('rr_refresher', 'ROLLBACK');

    PERFORM dblink_disconnect('rr_reader');
    PERFORM dblink_disconnect('rr_refresher');
    PERFORM dblink_disconnect('rr_writer');
    PERFORM dblink_exec('rr_admin', format('DROP DATABASE %I WITH (FORCE)', scratch));
    PERFORM dblink_disconnect('rr_admin');
END $$;
SELECT * FROM pg_temp.readers_tests();

SELECT * FROM finish();
ROLLBACK;
