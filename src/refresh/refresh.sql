-- Materialized layers and their refresh.
--
-- Every report view V in schema recon can have a materialized copy recon.mv_V,
-- made by one line: SELECT recon.materialize_layer('V', ARRAY[key columns]).
-- The copy reads the materialized copies of the views V reads, so the copies
-- form a graph; recon_refresh() walks it in dependency order (from pg_depend,
-- no list kept by hand), CONCURRENTLY where it can, in the caller's
-- transaction, then freezes the periods that have closed (freeze.sql).
-- recon_schedule_refresh() runs it from pg_cron when pg_cron is installed.

------------------------------------------------------------ materializing
CREATE FUNCTION recon.materialize_layer(view_name name, unique_key name[]) RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp       -- pg_get_viewdef then qualifies every name
AS $$
DECLARE
    v        oid;
    mv_name  text := 'mv_' || view_name;
    cols     name[];
    query    text;
    dep      record;
    pattern  text;
    missing  name[];
    mv       regclass;
BEGIN
    IF view_name IS NULL OR unique_key IS NULL THEN
        RAISE EXCEPTION 'recon.materialize_layer needs a view name and its unique key'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    SELECT c.oid INTO v FROM pg_class c
    WHERE c.relnamespace = 'recon'::regnamespace AND c.relname = view_name AND c.relkind = 'v';
    IF v IS NULL THEN
        RAISE EXCEPTION 'recon.% is not a view in schema recon', quote_ident(view_name)
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Materialize a view of schema recon, after the view is created.';
    END IF;
    IF octet_length(mv_name || '_key') > 63 THEN
        RAISE EXCEPTION 'the materialized copy of recon.% and its key index would be named "%" and "%_key", longer than 63 bytes',
                        quote_ident(view_name), mv_name, mv_name
            USING ERRCODE = 'name_too_long', HINT = 'Materialize views whose names have at most 56 bytes.';
    END IF;
    SELECT array_agg(a.attname ORDER BY a.attnum) INTO cols
    FROM pg_attribute a WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped;
    IF cardinality(unique_key) = 0 THEN
        RAISE EXCEPTION 'the unique key of recon.% is empty', quote_ident(view_name)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Name the columns that identify one row, e.g. ARRAY[''channel'', ''month''].';
    END IF;
    SELECT array_agg(k) INTO missing FROM unnest(unique_key) k WHERE k IS NULL OR NOT k = ANY (cols);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'unique key column % is not a column of recon.%', coalesce(missing[1]::text, 'NULL'), quote_ident(view_name)
            USING ERRCODE = 'undefined_column',
                  DETAIL = format('Columns of recon.%s: %s.', quote_ident(view_name), array_to_string(cols, ', '));
    END IF;

    -- The view's query, reading the materialized copy of every view it reads that has one.
    query := pg_get_viewdef(v, false);
    FOR dep IN
        SELECT DISTINCT c.relname
        FROM pg_rewrite r
        JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass
        JOIN pg_class c ON c.oid = d.refobjid AND c.relkind = 'v' AND c.relnamespace = 'recon'::regnamespace
        WHERE r.ev_class = v AND c.oid <> v
          AND EXISTS (SELECT 1 FROM pg_class m WHERE m.relnamespace = 'recon'::regnamespace
                                                 AND m.relname = 'mv_' || c.relname AND m.relkind = 'm')
    LOOP
        -- recon.v followed by an alias becomes recon.mv_v; without one, recon.mv_v v (columns stay qualified by v).
        pattern := '(?<![\w."$])recon\.' || regexp_replace(quote_ident(dep.relname), '([^\w])', '\\\1', 'g') || '(?![\w"$])';
        query := regexp_replace(query, pattern || '(?=\s+(?!(JOIN|LEFT|RIGHT|FULL|INNER|CROSS|NATURAL|ON|USING|WHERE|GROUP|HAVING|WINDOW|ORDER|LIMIT|OFFSET|FETCH|FOR|UNION|INTERSECT|EXCEPT|WITH)\M)[[:alpha:]_"])',
                                'recon.' || quote_ident('mv_' || dep.relname), 'g');
        query := regexp_replace(query, pattern, 'recon.' || quote_ident('mv_' || dep.relname) || ' ' || quote_ident(dep.relname), 'g');
    END LOOP;

    EXECUTE format('CREATE MATERIALIZED VIEW recon.%I (%s) AS %s WITH DATA',
                   mv_name, (SELECT string_agg(quote_ident(c), ', ') FROM unnest(cols) c), rtrim(query, E'; \n'));
    mv := format('recon.%I', mv_name)::regclass;
    -- Same columns and types as the view (a rewritten reference must not change the result's shape).
    IF EXISTS (SELECT a.attname, a.atttypid, a.atttypmod FROM pg_attribute a
               WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped
               EXCEPT
               SELECT a.attname, a.atttypid, a.atttypmod FROM pg_attribute a
               WHERE a.attrelid = mv AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION '% does not have the columns and types of recon.%', mv, quote_ident(view_name)
            USING ERRCODE = 'datatype_mismatch';
    END IF;
    EXECUTE format('CREATE UNIQUE INDEX %I ON %s (%s)', mv_name || '_key', mv,
                   (SELECT string_agg(quote_ident(k), ', ') FROM unnest(unique_key) k));
    EXECUTE format('COMMENT ON MATERIALIZED VIEW %s IS %L', mv,
                   format('Materialized copy of recon.%s (unique key %s), refreshed by recon_refresh(). %s',
                          quote_ident(view_name), array_to_string(unique_key, ', '),
                          coalesce(obj_description(v, 'pg_class'), '')));
    IF NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = mv AND d.deptype = 'e' AND e.extname = 'recon') THEN
        RAISE NOTICE '% is not a member of extension recon: recon_refresh() refreshes only the extension''s materialized views', mv
            USING HINT = format('ALTER EXTENSION recon ADD MATERIALIZED VIEW %s (it is then dropped with the extension and not dumped).', mv);
    END IF;
    RETURN mv;
END $$;
COMMENT ON FUNCTION recon.materialize_layer(name, name[]) IS
    'Creates recon.mv_<view> WITH DATA, a materialized copy of view recon.<view> that reads the materialized copies of the views it reads, with a unique index on unique_key so that REFRESH ... CONCURRENTLY works; one call per materialized layer, after the view, in the install script.';

-- The extension's materialized views, their dependencies on each other and their refresh order.
CREATE VIEW recon.materialized_layers AS
WITH RECURSIVE
ext_mv AS (
    SELECT c.oid, c.relname, c.relispopulated
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e'
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_catalog.pg_extension'::regclass
    WHERE e.extname = 'recon' AND c.relkind = 'm' AND c.relnamespace = 'recon'::regnamespace
),
reads AS (             -- relation -> the relations its query reads
    SELECT DISTINCT r.ev_class AS rel, d.refobjid AS ref
    FROM pg_catalog.pg_rewrite r
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
                                AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.deptype = 'n'
    WHERE d.refobjid <> r.ev_class
),
reach (mv, rel) AS (   -- what each materialized view reads, directly or through plain views
    SELECT m.oid, f.ref FROM ext_mv m JOIN reads f ON f.rel = m.oid
    UNION
    SELECT r.mv, f.ref
    FROM reach r
    JOIN pg_catalog.pg_class c ON c.oid = r.rel AND c.relkind = 'v'
    JOIN reads f ON f.rel = r.rel
),
edges AS (
    SELECT DISTINCT r.mv, r.rel AS depends_on FROM reach r JOIN ext_mv m ON m.oid = r.rel WHERE r.rel <> r.mv
),
depth (mv, d) AS (     -- longest chain of materialized views below each one
    SELECT oid, 0 FROM ext_mv
    UNION ALL
    SELECT e.mv, depth.d + 1 FROM depth JOIN edges e ON e.depends_on = depth.mv
    WHERE depth.d < (SELECT count(*) FROM ext_mv)
),
unique_key AS (        -- the first unique index REFRESH ... CONCURRENTLY can use: plain columns, no predicate
    SELECT DISTINCT ON (i.indrelid) i.indrelid,
           ARRAY(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, n)
                 JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS cols
    FROM pg_catalog.pg_index i JOIN ext_mv m ON m.oid = i.indrelid
    WHERE i.indisunique AND i.indimmediate AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
    ORDER BY i.indrelid, i.indexrelid
)
SELECT m.oid::regclass::text AS view_name,
       CASE WHEN m.relname LIKE 'mv\_%' THEN 'recon.' || quote_ident(substr(m.relname, 4)) END AS source_view,
       (SELECT max(d) FROM depth WHERE depth.mv = m.oid)::integer AS refresh_order,
       ARRAY(SELECT e.depends_on::regclass::text FROM edges e WHERE e.mv = m.oid ORDER BY 1) AS depends_on,
       m.relispopulated AS populated,
       k.cols AS unique_key,
       CASE WHEN m.relispopulated AND k.cols IS NOT NULL THEN 'concurrently' ELSE 'plain' END AS refresh_mode,
       obj_description(m.oid, 'pg_class') AS description
FROM ext_mv m LEFT JOIN unique_key k ON k.indrelid = m.oid;
COMMENT ON VIEW recon.materialized_layers IS
    'The extension''s materialized views: the view each copies, refresh_order (0 = reads no other materialized view; a view is refreshed after every one it reads, directly or through plain views, per pg_depend), whether it is populated, its usable unique key, and whether recon_refresh() will refresh it concurrently (populated and uniquely indexed: readers are not blocked) or plainly.';

------------------------------------------------------------ the refresh log
CREATE TABLE recon.refresh_runs (
    run_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    data_as_of   timestamptz,
    refreshed_by text NOT NULL DEFAULT current_user,
    views        jsonb NOT NULL DEFAULT '[]'
);
COMMENT ON TABLE recon.refresh_runs IS
    'One row per recon_refresh(): when it ran, by whom, recon.data_as_of() when it began (the moment the materialized figures cover; freezing uses it) and, per view, the mode, rows and milliseconds.';
SELECT pg_catalog.pg_extension_config_dump('recon.refresh_runs', '');
SELECT pg_catalog.pg_extension_config_dump('recon.refresh_runs_run_id_seq', '');

-- The key of the advisory lock that serializes refreshes, freezes and restatements.
CREATE FUNCTION recon.refresh_lock_key() RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT 491327287150::bigint $$;  -- 0x7265636f6e, "recon" in ASCII
COMMENT ON FUNCTION recon.refresh_lock_key() IS
    'Key of the transaction-level advisory lock (pg_advisory_xact_lock) taken by recon_refresh(), recon.freeze_periods() and recon.accept_restatement(): one of them at a time.';

------------------------------------------------------------ recon_refresh
CREATE FUNCTION @extschema@.recon_refresh()
RETURNS TABLE (view_name text, mode text, rows bigint, milliseconds numeric)
LANGUAGE plpgsql
SECURITY DEFINER   -- REFRESH MATERIALIZED VIEW needs the owner; recon_admin may call it
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    lay      record;
    t0       timestamptz;
    started  timestamptz := clock_timestamp();
    as_of    timestamptz;
    log      jsonb := '[]';
    n        bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(recon.refresh_lock_key());
    -- What the data covers, read before the views so that it never claims more than they hold.
    as_of := recon.data_as_of();
    FOR lay IN SELECT * FROM recon.materialized_layers l ORDER BY l.refresh_order, l.view_name COLLATE "C" LOOP
        t0 := clock_timestamp();
        IF lay.refresh_mode = 'concurrently' THEN
            EXECUTE format('REFRESH MATERIALIZED VIEW CONCURRENTLY %s', lay.view_name);
        ELSE
            EXECUTE format('REFRESH MATERIALIZED VIEW %s', lay.view_name);
        END IF;
        EXECUTE format('SELECT count(*) FROM %s', lay.view_name) INTO n;
        view_name := lay.view_name;
        mode := lay.refresh_mode;
        rows := n;
        milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
        log := log || jsonb_build_object('view', view_name, 'mode', mode, 'rows', rows, 'ms', milliseconds);
        RETURN NEXT;
    END LOOP;

    INSERT INTO recon.refresh_runs (started_at, finished_at, data_as_of, views)
    VALUES (started, clock_timestamp(), as_of, log);

    t0 := clock_timestamp();
    SELECT coalesce(sum(f.figures), 0) INTO n FROM recon.freeze_periods() f;
    view_name := 'recon.frozen_figures';
    mode := 'freeze';
    rows := n;
    milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
    RETURN NEXT;

    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        t0 := clock_timestamp();
        n := @extschema@.recon_purge_refresh_runs();
        view_name := 'cron.job_run_details';
        mode := 'purge';
        rows := n;
        milliseconds := round(extract(epoch FROM clock_timestamp() - t0)::numeric * 1000, 1);
        RETURN NEXT;
    END IF;
END $$;
COMMENT ON FUNCTION @extschema@.recon_refresh() IS
    'Refreshes the extension''s materialized views in dependency order (recon.materialized_layers), each CONCURRENTLY when populated and uniquely indexed (readers never wait) or plainly otherwise, all in the caller''s transaction under an advisory lock (recon.refresh_lock_key()), as the extension owner (SECURITY DEFINER: the layers cover every row whoever refreshes; EXECUTE is granted to recon_admin); logs the run in recon.refresh_runs, freezes the periods that have closed (recon.freeze_periods()) and, when pg_cron is installed, purges refresh job runs older than 7 days. One row per step: view, mode (concurrently, plain, freeze, purge), rows, milliseconds.';

------------------------------------------------------------ pg_cron
-- Why pg_cron cannot run a job from this database, or NULL when it can.
CREATE FUNCTION recon.pg_cron_missing(OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql STABLE AS $$
DECLARE
    preload  text;
    cron_db  text;
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN;
    END IF;
    BEGIN       -- both are readable only by superusers and pg_read_all_settings
        preload := coalesce(current_setting('shared_preload_libraries', true), '');
        cron_db := current_setting('cron.database_name', true);
    EXCEPTION WHEN insufficient_privilege THEN
        preload := NULL;
    END;
    message := format('pg_cron is not installed in database "%s"', current_database());
    IF NOT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_cron') THEN
        detail := 'The pg_cron extension is not available on this server.';
        hint := format('Install it (Debian: apt-get install postgresql-%s-cron), then in postgresql.conf set shared_preload_libraries = ''pg_cron'' and cron.database_name = ''%s'', restart the server and run CREATE EXTENSION pg_cron in database "%s".',
                       current_setting('server_version_num')::int / 10000, current_database(), current_database());
    ELSIF preload IS NULL OR preload !~ '(^|[\s,"])pg_cron($|[\s,"])' THEN
        detail := CASE WHEN preload IS NULL
                       THEN 'pg_cron is available; this role may not read shared_preload_libraries to tell whether it is loaded.'
                       ELSE 'pg_cron is available but not loaded: it must be in shared_preload_libraries.' END;
        hint := format('In postgresql.conf set shared_preload_libraries = ''pg_cron'' (added to the libraries already there) and cron.database_name = ''%s'', restart the server, then run CREATE EXTENSION pg_cron in database "%s".',
                       current_database(), current_database());
    ELSIF cron_db IS DISTINCT FROM current_database() THEN
        detail := format('pg_cron is loaded but runs jobs from database "%s" (cron.database_name).', coalesce(cron_db, 'postgres'));
        hint := format('Set cron.database_name = ''%s'' in postgresql.conf and restart the server, then run CREATE EXTENSION pg_cron in database "%s".',
                       current_database(), current_database());
    ELSE
        detail := 'pg_cron is loaded for this database but its extension is not created.';
        hint := 'Run CREATE EXTENSION pg_cron in this database (as a superuser).';
    END IF;
END $$;
COMMENT ON FUNCTION recon.pg_cron_missing() IS
    'Why pg_cron cannot schedule jobs from this database (not available, not in shared_preload_libraries, cron.database_name is another database, extension not created), with the steps to enable it; all NULL when pg_cron is installed here.';

-- A pg_cron schedule for pg_cron 1.4: five fields (no seconds) or @hourly, @daily...
CREATE FUNCTION recon.check_cron_schedule(schedule text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    s       text := lower(regexp_replace(btrim(schedule), '\s+', ' ', 'g'));
    fields  text[];
    names   text[] := ARRAY['minute', 'hour', 'day of month', 'month', 'day of week'];
    lo      int[] := ARRAY[0, 0, 1, 1, 0];
    hi      int[] := ARRAY[59, 23, 31, 12, 7];
    item    text;
    num     text;
    m       text[];
BEGIN
    IF schedule IS NULL THEN
        RAISE EXCEPTION 'a refresh schedule cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF s IN ('@hourly', '@daily', '@midnight', '@weekly', '@monthly', '@yearly', '@annually') THEN
        RETURN s;
    END IF;
    IF s ~ '^\d+ seconds?$' OR s ~ '^@' THEN
        RAISE EXCEPTION 'invalid refresh schedule "%": pg_cron 1.4 takes five fields (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly', schedule
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Schedules in seconds need pg_cron 1.5; every minute is ''* * * * *''.';
    END IF;
    fields := string_to_array(s, ' ');
    IF s = '' OR cardinality(fields) <> 5 THEN
        RAISE EXCEPTION 'invalid refresh schedule "%": % fields, pg_cron 1.4 takes five (minute hour day-of-month month day-of-week, no seconds)',
                        schedule, CASE WHEN s = '' THEN 0 ELSE cardinality(fields) END
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''17 * * * *'' (hourly at :17) or ''30 5 * * *'' (daily at 05:30 GMT: pg_cron 1.4 runs schedules in GMT).';
    END IF;
    FOR i IN 1 .. 5 LOOP
        -- each field: a list of *, n, n-m or a name, each with an optional /step
        FOREACH item IN ARRAY string_to_array(fields[i], ',') LOOP
            m := regexp_match(item, '^(\*|[0-9a-z]+(-[0-9a-z]+)?)(/(\d+))?$');
            IF m IS NULL OR (m[4] IS NOT NULL AND m[4]::int = 0) THEN
                RAISE EXCEPTION 'invalid refresh schedule "%": "%" is not a valid % field', schedule, fields[i], names[i]
                    USING ERRCODE = 'invalid_parameter_value',
                          HINT = 'A field is *, a number, a range a-b, a list a,b,c, each optionally /step.';
            END IF;
            IF m[2] IS NOT NULL AND m[1] ~ '^\d+-\d+$' AND split_part(m[1], '-', 1)::numeric > split_part(m[1], '-', 2)::numeric THEN
                RAISE EXCEPTION 'invalid refresh schedule "%": the range % of the % field runs backwards', schedule, m[1], names[i]
                    USING ERRCODE = 'invalid_parameter_value';
            END IF;
            FOREACH num IN ARRAY string_to_array(m[1], '-') LOOP
                CONTINUE WHEN num = '*';
                IF num ~ '^\d+$' THEN
                    IF num::numeric NOT BETWEEN lo[i] AND hi[i] THEN
                        RAISE EXCEPTION 'invalid refresh schedule "%": % is out of range for the % field (% to %)',
                                        schedule, num, names[i], lo[i], hi[i]
                            USING ERRCODE = 'invalid_parameter_value';
                    END IF;
                ELSIF NOT ((i = 4 AND num = ANY ('{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}'))
                           OR (i = 5 AND num = ANY ('{sun,mon,tue,wed,thu,fri,sat}'))) THEN
                    RAISE EXCEPTION 'invalid refresh schedule "%": "%" is not a valid % field', schedule, fields[i], names[i]
                        USING ERRCODE = 'invalid_parameter_value',
                              HINT = 'Months may be named jan..dec and days of week sun..sat; other fields are numbers.';
                END IF;
            END LOOP;
        END LOOP;
    END LOOP;
    RETURN s;
END $$;
COMMENT ON FUNCTION recon.check_cron_schedule(text) IS
    'Checks a schedule for pg_cron 1.4 (five fields: minute hour day-of-month month day-of-week, with *, ranges, lists, /steps and month or weekday names; or @hourly, @daily, @weekly, @monthly, @yearly; no seconds) and returns it normalized; raises 22023 naming the bad field.';

-- The command a refresh job runs, and whether a pg_cron command is one.
CREATE FUNCTION recon.refresh_job_command() RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT format('SELECT %s.recon_refresh()', quote_ident(n.nspname))
    FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'recon'
$$;
COMMENT ON FUNCTION recon.refresh_job_command() IS
    'The command recon''s pg_cron jobs run: SELECT <extension schema>.recon_refresh() (qualified, so the job does not depend on the search_path).';

CREATE FUNCTION @extschema@.recon_schedule_refresh(cron text, job_name text DEFAULT 'recon_refresh') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    schedule  text := recon.check_cron_schedule(cron);
    missing   record;
    other     text;
    job       bigint;
BEGIN
    IF job_name IS NULL OR btrim(job_name) = '' THEN
        RAISE EXCEPTION 'a refresh job needs a name' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'The default is recon_refresh; scheduling the same name again changes its schedule.';
    END IF;
    missing := recon.pg_cron_missing();
    IF missing.message IS NOT NULL THEN
        RAISE EXCEPTION '%', missing.message
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = missing.detail, HINT = missing.hint;
    END IF;
    -- Scheduling by name replaces the job of that name: never take over another command's job.
    EXECUTE 'SELECT command FROM cron.job WHERE jobname = $1 AND username = current_user' INTO other USING job_name;
    IF other IS NOT NULL AND other !~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$' THEN
        RAISE EXCEPTION 'pg_cron job "%" already exists and runs %', job_name, other
            USING ERRCODE = 'duplicate_object', HINT = 'Choose another job_name for the refresh.';
    END IF;
    EXECUTE 'SELECT cron.schedule($1, $2, $3)' INTO job USING job_name, schedule, recon.refresh_job_command();
    RETURN job;
END $$;
COMMENT ON FUNCTION @extschema@.recon_schedule_refresh(text, text) IS
    'Schedules recon_refresh() with pg_cron under job_name (scheduling the same name again changes its schedule) and returns the job id; the schedule has five fields (pg_cron 1.4: no seconds, evaluated in GMT). Raises 22023 for a bad schedule, 42710 when the name belongs to another command''s job, and 55000 with the steps to enable pg_cron when it is not installed in this database.';

CREATE FUNCTION @extschema@.recon_unschedule_refresh(job_name text DEFAULT 'recon_refresh') RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    missing  record;
    job      bigint;
    command  text;
BEGIN
    IF job_name IS NULL THEN
        RAISE EXCEPTION 'job_name cannot be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    missing := recon.pg_cron_missing();
    IF missing.message IS NOT NULL THEN
        RAISE EXCEPTION '%', missing.message
            USING ERRCODE = 'object_not_in_prerequisite_state', DETAIL = missing.detail, HINT = missing.hint;
    END IF;
    EXECUTE 'SELECT jobid, command FROM cron.job WHERE jobname = $1 AND username = current_user'
        INTO job, command USING job_name;
    IF job IS NULL THEN
        RETURN false;
    END IF;
    IF command !~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$' THEN
        RAISE EXCEPTION 'pg_cron job "%" runs %, not recon_refresh()', job_name, command
            USING ERRCODE = 'wrong_object_type', HINT = 'Unschedule it with cron.unschedule if that is meant.';
    END IF;
    EXECUTE 'SELECT cron.unschedule($1)' USING job;
    EXECUTE 'DELETE FROM cron.job_run_details WHERE jobid = $1' USING job;
    RETURN true;
END $$;
COMMENT ON FUNCTION @extschema@.recon_unschedule_refresh(text) IS
    'Removes the pg_cron refresh job job_name and its run history (cron.job_run_details); returns false when there is no such job. Raises 42809 when the job runs something other than recon_refresh() and 55000 when pg_cron is not installed here.';

CREATE FUNCTION @extschema@.recon_purge_refresh_runs(keep interval DEFAULT '7 days') RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'keep must be an interval of zero or more, not %', coalesce(keep::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron') THEN
        RETURN 0;
    END IF;
    EXECUTE $q$DELETE FROM cron.job_run_details d
               USING cron.job j
               WHERE j.jobid = d.jobid AND j.command ~ '^SELECT ("?[^"]+"?\.)?recon_refresh\(\)$'
                 AND d.end_time < now() - $1$q$ USING keep;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION @extschema@.recon_purge_refresh_runs(interval) IS
    'Deletes the cron.job_run_details rows of recon''s refresh jobs that ended more than keep ago (pg_cron keeps them forever) and returns how many; 0 when pg_cron is not installed. recon_refresh() calls it with the default, 7 days.';

------------------------------------------------------------ the materialized layers
-- One line per materialized view, after the view it copies.
SELECT recon.materialize_layer('report_layers', ARRAY['channel', 'month', 'metric']);
SELECT recon.materialize_layer('report_channel_month', ARRAY['channel', 'month']);
SELECT recon.materialize_layer('bridge_campaign_month', ARRAY['channel', 'platform', 'account_id', 'campaign_id', 'cohort_month']);
SELECT recon.materialize_layer('bridge_figures', ARRAY['subject', 'period', 'metric']);
SELECT recon.materialize_layer('platform_performance', ARRAY['platform', 'account_id', 'campaign_id', 'month']);
SELECT recon.materialize_layer('gap_decomposition', ARRAY['channel', 'period', 'currency', 'campaign_id']);
SELECT recon.materialize_layer('ratio_monitor', ARRAY['watch', 'channel', 'period_grain', 'period']);
SELECT recon.materialize_layer('alerts', ARRAY['period_grain', 'period', 'channel', 'watch', 'moved_part']);
