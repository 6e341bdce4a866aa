-- install: the extension installs from scratch, documents every object it
-- creates, and registers its user-data tables for pg_dump. Also creates the
-- helper the later suites use to show an error's SQLSTATE and message on one line.

-- pg_regress --load-extension=recon already created the extension: drop it so
-- that this test runs the whole install script itself (and proves DROP is clean).
DROP EXTENSION recon;
SELECT count(*) AS leftover_recon_schemas FROM pg_namespace WHERE nspname = 'recon';
CREATE EXTENSION recon;

SELECT extname, extversion, extrelocatable
FROM pg_extension WHERE extname = 'recon';

-- Every function and procedure of the extension has a comment.
SELECT p.oid::regprocedure AS function_without_comment
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
JOIN pg_proc p ON p.oid = d.objid AND d.classid = 'pg_proc'::regclass
WHERE e.extname = 'recon' AND d.deptype = 'e'
  AND obj_description(p.oid, 'pg_proc') IS NULL
ORDER BY p.oid::regprocedure::text COLLATE "C";

-- ... and there are functions to check (the query above must not pass vacuously).
SELECT count(*) >= 30 AS has_many_functions
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
WHERE e.extname = 'recon' AND d.deptype = 'e' AND d.classid = 'pg_proc'::regclass;

-- Every table and view in schema recon has a comment ...
SELECT c.oid::regclass AS relation_without_comment, c.relkind
FROM pg_class c
WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
  AND obj_description(c.oid, 'pg_class') IS NULL
ORDER BY c.oid::regclass::text COLLATE "C";
-- ... and so does every other table, view and schema of the extension.
SELECT 'relation' AS kind, d.objid::regclass::text AS object_without_comment
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
JOIN pg_class c ON c.oid = d.objid AND d.classid = 'pg_class'::regclass
WHERE e.extname = 'recon' AND d.deptype = 'e' AND c.relkind IN ('r', 'p', 'v', 'm')
  AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'schema', d.objid::regnamespace::text
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
WHERE e.extname = 'recon' AND d.deptype = 'e' AND d.classid = 'pg_namespace'::regclass
  AND obj_description(d.objid, 'pg_namespace') IS NULL
ORDER BY 1, 2;

-- Every type and domain of the extension has a comment.
SELECT t.oid::regtype AS type_without_comment
FROM pg_depend d
JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
JOIN pg_type t ON t.oid = d.objid AND d.classid = 'pg_type'::regclass
WHERE e.extname = 'recon' AND d.deptype = 'e'
  AND obj_description(t.oid, 'pg_type') IS NULL
ORDER BY t.oid::regtype::text COLLATE "C";

-- The schema itself has a comment.
SELECT obj_description('recon'::regnamespace, 'pg_namespace') IS NOT NULL AS schema_has_comment;

-- Tables (and sequences) whose rows are user data, dumped by pg_dump.
SELECT c.oid::regclass AS config_table, c.relkind,
       cfg.condition
FROM pg_extension e,
     unnest(e.extconfig, e.extcondition) AS cfg(reloid, condition)
JOIN pg_class c ON c.oid = cfg.reloid
WHERE e.extname = 'recon'
ORDER BY c.oid::regclass::text COLLATE "C";

-- Tables in schema recon that are NOT dumped: only the ones the extension ships
-- (a user-data table missing here would silently vanish from pg_dump).
SELECT c.oid::regclass AS shipped_table
FROM pg_class c
WHERE c.relnamespace = 'recon'::regnamespace AND c.relkind IN ('r', 'p')
  AND c.oid NOT IN (SELECT unnest(extconfig) FROM pg_extension WHERE extname = 'recon')
ORDER BY c.oid::regclass::text COLLATE "C";

-- The shipped tables' contents come with the extension.
SELECT 'recon.platforms' AS shipped_table, count(*) FROM recon.platforms
UNION ALL
SELECT 'recon.channels', count(*) FROM recon.channels;

-- Helper for the later suites: run a statement, return 'ok' or 'SQLSTATE: message'.
CREATE SCHEMA regress;
CREATE FUNCTION regress.sqlstate_of(sql text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN others THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT regress.sqlstate_of('SELECT 1');
SELECT regress.sqlstate_of('SELECT 1/0');

-- ... and its long form, for the errors whose detail and hint matter.
CREATE FUNCTION regress.error_of(sql text, OUT code text, OUT message text, OUT detail text, OUT hint text)
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    code := 'ok';
EXCEPTION WHEN others THEN
    GET STACKED DIAGNOSTICS code = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
END $$;
\x on
SELECT * FROM regress.error_of($$SELECT 'x'::integer$$);
SELECT * FROM regress.error_of('SELECT 1');
\x off
