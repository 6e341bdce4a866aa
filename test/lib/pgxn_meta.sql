-- PGXN Meta Spec 1.0.0 check for META.json, run by test/meta.sh with psql variables:
--   meta (the file's text), control_version, makefile_version, changelog_version,
--   docfile_exists (t/f: provides.*.docfile is a file of the tree).
-- Prints one line per problem and nothing when the file is right. The rules follow the
-- spec's JSON schemas (pgxn/meta, schema/v1): required keys, no unknown keys outside x_*,
-- and the shape of every value recon uses. Temporary functions only: nothing is left behind.
\set QUIET on
SET client_min_messages = warning;

-- the parser's message when the text is not JSON, NULL when it is
CREATE FUNCTION pg_temp.json_error(doc text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  PERFORM doc::jsonb;
  RETURN NULL;
EXCEPTION WHEN invalid_text_representation THEN
  RETURN SQLERRM;
END $$;

-- SemVer 2.0.0 (pre-release and build parts allowed)
CREATE FUNCTION pg_temp.is_semver(v text) RETURNS boolean LANGUAGE sql AS $$
  SELECT v ~ '^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
$$;

-- a Version Range: 0, or comma-separated SemVers each with an optional operator
CREATE FUNCTION pg_temp.is_version_range(r jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT CASE jsonb_typeof(r)
    WHEN 'number' THEN r = '0'::jsonb
    WHEN 'string' THEN r #>> '{}' = '0'
      OR NOT EXISTS (SELECT FROM unnest(string_to_array(r #>> '{}', ',')) part
                     WHERE NOT pg_temp.is_semver(regexp_replace(btrim(part), '^([=!]=|[<>]=?)\s*', '')))
    ELSE false END
$$;

-- a Term: two or more characters, no slash, backslash, space or control character
CREATE FUNCTION pg_temp.is_term(t text) RETURNS boolean LANGUAGE sql AS $$
  SELECT t ~ '^[^/\\[:space:][:cntrl:]]{2,}$'
$$;

-- a Path: relative, Unix separators, at least two characters
CREATE FUNCTION pg_temp.is_path(p jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT jsonb_typeof(p) = 'string' AND length(p #>> '{}') >= 2
     AND p #>> '{}' !~ '^/' AND p #>> '{}' !~ '\\' AND p #>> '{}' !~ '(^|/)\.\.(/|$)'
$$;

-- the license shortcuts the spec knows
CREATE FUNCTION pg_temp.is_license(l text) RETURNS boolean LANGUAGE sql AS $$
  SELECT l = ANY (ARRAY['agpl_3', 'apache_1_1', 'apache_2_0', 'artistic_1', 'artistic_2', 'bsd',
    'freebsd', 'gfdl_1_2', 'gfdl_1_3', 'gpl_1', 'gpl_2', 'gpl_3', 'lgpl_2_1', 'lgpl_3_0', 'mit',
    'mozilla_1_0', 'mozilla_1_1', 'openssl', 'perl_5', 'postgresql', 'qpl_1_0', 'ssleay', 'sun',
    'zlib', 'open_source', 'restricted', 'unrestricted', 'unknown'])
$$;

-- keys of an object that are neither in the allowed list nor custom (x_...)
CREATE FUNCTION pg_temp.unknown_keys(o jsonb, allowed text[]) RETURNS SETOF text LANGUAGE sql AS $$
  SELECT k FROM jsonb_object_keys(o) k WHERE k <> ALL (allowed) AND k !~ '^[xX]_.' ORDER BY k
$$;

WITH raw AS (
  SELECT :'meta'::text AS txt, pg_temp.json_error(:'meta') AS err
), doc AS (
  SELECT txt::jsonb AS j FROM raw WHERE err IS NULL AND jsonb_typeof(txt::jsonb) = 'object'
), ext AS (  -- each extension of provides
  SELECT e.key AS name, e.value AS v
  FROM doc, jsonb_each(CASE WHEN jsonb_typeof(j -> 'provides') = 'object' THEN j -> 'provides' ELSE '{}' END) e
), phase AS (  -- each prerequisite phase
  SELECT p.key AS name, p.value AS v
  FROM doc, jsonb_each(CASE WHEN jsonb_typeof(j -> 'prereqs') = 'object' THEN j -> 'prereqs' ELSE '{}' END) p
  WHERE p.key !~ '^[xX]_.'
), relation AS (  -- each relationship of each phase
  SELECT phase.name AS phase, r.key AS name, r.value AS v
  FROM phase, jsonb_each(CASE WHEN jsonb_typeof(phase.v) = 'object' THEN phase.v ELSE '{}' END) r
  WHERE r.key !~ '^[xX]_.'
), problem(line) AS (
  SELECT 'not valid JSON: ' || err FROM raw WHERE err IS NOT NULL
  UNION ALL
  SELECT 'the document is not a JSON object' FROM raw
  WHERE err IS NULL AND jsonb_typeof(txt::jsonb) <> 'object'
  UNION ALL  -- jsonb keeps the last of duplicate keys silently; json keeps them all
  SELECT format('key "%s" appears %s times', k, count(*))
  FROM raw, json_object_keys(txt::json) k WHERE err IS NULL AND json_typeof(txt::json) = 'object'
  GROUP BY k HAVING count(*) > 1
  UNION ALL
  SELECT format('required key "%s" is missing', k)
  FROM doc, unnest(ARRAY['name', 'version', 'abstract', 'maintainer', 'license', 'provides', 'meta-spec']) k
  WHERE NOT j ? k
  UNION ALL
  SELECT format('unknown key "%s" (the spec allows custom keys only as x_...)', k)
  FROM doc, pg_temp.unknown_keys(j, ARRAY['name', 'version', 'abstract', 'maintainer', 'license',
    'provides', 'meta-spec', 'description', 'generated_by', 'tags', 'no_index', 'prereqs',
    'release_status', 'resources']) k
  UNION ALL
  SELECT format('name %s is not a term (2+ characters, no slash, backslash or space)', j -> 'name')
  FROM doc WHERE j ? 'name' AND NOT (jsonb_typeof(j -> 'name') = 'string' AND pg_temp.is_term(j ->> 'name'))
  UNION ALL
  SELECT format('version %s is not a semantic version (major.minor.patch)', j -> 'version')
  FROM doc WHERE j ? 'version' AND NOT (jsonb_typeof(j -> 'version') = 'string' AND pg_temp.is_semver(j ->> 'version'))
  UNION ALL
  SELECT format('%s must be a non-empty string', k)
  FROM doc, unnest(ARRAY['abstract', 'description', 'generated_by']) k
  WHERE j ? k AND NOT (jsonb_typeof(j -> k) = 'string' AND j ->> k <> '')
  UNION ALL
  SELECT 'maintainer must be a non-empty string or a non-empty array of them'
  FROM doc WHERE j ? 'maintainer' AND NOT CASE jsonb_typeof(j -> 'maintainer')
    WHEN 'string' THEN j ->> 'maintainer' <> ''
    WHEN 'array' THEN jsonb_array_length(j -> 'maintainer') > 0
      AND NOT EXISTS (SELECT FROM jsonb_array_elements(j -> 'maintainer') m
                      WHERE jsonb_typeof(m) <> 'string' OR m #>> '{}' = '')
    ELSE false END
  UNION ALL
  SELECT format('license %s is neither a known shortcut (e.g. postgresql, mit, unknown), a list of them, nor an object of names to URLs', j -> 'license')
  FROM doc WHERE j ? 'license' AND NOT CASE jsonb_typeof(j -> 'license')
    WHEN 'string' THEN pg_temp.is_license(j ->> 'license')
    WHEN 'array' THEN jsonb_array_length(j -> 'license') > 0
      AND NOT EXISTS (SELECT FROM jsonb_array_elements(j -> 'license') l
                      WHERE jsonb_typeof(l) <> 'string' OR NOT pg_temp.is_license(l #>> '{}'))
    WHEN 'object' THEN j -> 'license' <> '{}'
      AND NOT EXISTS (SELECT FROM jsonb_each(j -> 'license') l
                      WHERE jsonb_typeof(l.value) <> 'string' OR l.value #>> '{}' !~ '^[a-z][a-z0-9+.-]*:')
    ELSE false END
  UNION ALL
  SELECT 'meta-spec must be an object with version 1.0.x (and optionally the spec''s url)'
  FROM doc WHERE j ? 'meta-spec' AND NOT (jsonb_typeof(j -> 'meta-spec') = 'object'
    AND coalesce(j #>> '{meta-spec,version}', '') ~ '^1\.0\.[0-9]+$'
    AND (NOT j -> 'meta-spec' ? 'url' OR j #>> '{meta-spec,url}' IN ('https://pgxn.org/meta/spec.txt', 'http://pgxn.org/meta/spec.txt'))
    AND NOT EXISTS (SELECT pg_temp.unknown_keys(j -> 'meta-spec', ARRAY['version', 'url'])))
  UNION ALL
  SELECT format('release_status %s is not stable, testing or unstable', j -> 'release_status')
  FROM doc WHERE j ? 'release_status' AND coalesce(j ->> 'release_status', '') NOT IN ('stable', 'testing', 'unstable')
  UNION ALL
  SELECT 'provides must be a non-empty object of extensions'
  FROM doc WHERE j ? 'provides' AND NOT (jsonb_typeof(j -> 'provides') = 'object' AND j -> 'provides' <> '{}')
  UNION ALL
  SELECT format('provides: %s is not a term', name) FROM ext WHERE NOT pg_temp.is_term(name)
  UNION ALL
  SELECT format('provides.%s must be an object with file and version', name)
  FROM ext WHERE jsonb_typeof(v) <> 'object' OR NOT v ? 'file' OR NOT v ? 'version'
  UNION ALL
  SELECT format('provides.%s: unknown key "%s"', name, k)
  FROM ext, pg_temp.unknown_keys(CASE WHEN jsonb_typeof(v) = 'object' THEN v ELSE '{}' END,
                                 ARRAY['file', 'version', 'abstract', 'docfile']) k
  UNION ALL
  SELECT format('provides.%s.version %s is not a semantic version', name, v -> 'version')
  FROM ext WHERE v ? 'version' AND NOT (jsonb_typeof(v -> 'version') = 'string' AND pg_temp.is_semver(v ->> 'version'))
  UNION ALL
  SELECT format('provides.%s.%s %s is not a relative Unix path', name, k, v -> k)
  FROM ext, unnest(ARRAY['file', 'docfile']) k WHERE v ? k AND NOT pg_temp.is_path(v -> k)
  UNION ALL
  SELECT format('provides.%s.abstract must be a non-empty string', name)
  FROM ext WHERE v ? 'abstract' AND NOT (jsonb_typeof(v -> 'abstract') = 'string' AND v ->> 'abstract' <> '')
  UNION ALL
  SELECT 'tags must be a non-empty array of distinct strings'
  FROM doc WHERE j ? 'tags' AND NOT (jsonb_typeof(j -> 'tags') = 'array' AND jsonb_array_length(j -> 'tags') > 0
    AND (SELECT count(DISTINCT t) = count(*) FROM jsonb_array_elements(j -> 'tags') t))
  UNION ALL
  SELECT format('tag %s must have 2 to 255 characters and no slash, backslash or control character', t)
  FROM doc, jsonb_array_elements(CASE WHEN jsonb_typeof(j -> 'tags') = 'array' THEN j -> 'tags' ELSE '[]' END) t
  WHERE NOT (jsonb_typeof(t) = 'string' AND t #>> '{}' ~ '^[^/\\[:cntrl:]]{2,255}$')
  UNION ALL
  SELECT 'no_index must be an object with file and/or directory (a path or a list of paths)'
  FROM doc WHERE j ? 'no_index' AND NOT (jsonb_typeof(j -> 'no_index') = 'object'
    AND (j -> 'no_index' ? 'file' OR j -> 'no_index' ? 'directory')
    AND NOT EXISTS (SELECT pg_temp.unknown_keys(j -> 'no_index', ARRAY['file', 'directory']))
    AND NOT EXISTS (SELECT FROM jsonb_each(j -> 'no_index') n
                    WHERE n.key !~ '^[xX]_.' AND NOT CASE jsonb_typeof(n.value)
                      WHEN 'string' THEN pg_temp.is_path(n.value)
                      WHEN 'array' THEN jsonb_array_length(n.value) > 0
                        AND NOT EXISTS (SELECT FROM jsonb_array_elements(n.value) p WHERE NOT pg_temp.is_path(p))
                      ELSE false END))
  UNION ALL
  SELECT 'prereqs must be a non-empty object' FROM doc
  WHERE j ? 'prereqs' AND NOT (jsonb_typeof(j -> 'prereqs') = 'object' AND j -> 'prereqs' <> '{}')
  UNION ALL
  SELECT format('prereqs: unknown phase "%s" (configure, build, test, runtime, develop)', name)
  FROM phase WHERE name NOT IN ('configure', 'build', 'test', 'runtime', 'develop')
  UNION ALL
  SELECT format('prereqs.%s must be a non-empty object of relationships', name)
  FROM phase WHERE NOT (jsonb_typeof(v) = 'object' AND v <> '{}')
  UNION ALL
  SELECT format('prereqs.%s: unknown relationship "%s" (requires, recommends, suggests, conflicts)', phase, name)
  FROM relation WHERE name NOT IN ('requires', 'recommends', 'suggests', 'conflicts')
  UNION ALL
  SELECT format('prereqs.%s.%s must be a non-empty object of prerequisites', phase, name)
  FROM relation WHERE NOT (jsonb_typeof(v) = 'object' AND v <> '{}')
  UNION ALL
  SELECT format('prereqs.%s.%s.%s: %s is not a version range (0, "1.2.0", ">= 1.2.0, < 2.0.0")', r.phase, r.name, p.key, p.value)
  FROM relation r, jsonb_each(CASE WHEN jsonb_typeof(r.v) = 'object' THEN r.v ELSE '{}' END) p
  WHERE NOT (pg_temp.is_term(p.key) AND pg_temp.is_version_range(p.value))
  UNION ALL
  SELECT 'resources must be an object with homepage, bugtracker or repository'
  FROM doc WHERE j ? 'resources' AND NOT (jsonb_typeof(j -> 'resources') = 'object'
    AND (j -> 'resources' ?| ARRAY['homepage', 'bugtracker', 'repository'])
    AND NOT EXISTS (SELECT pg_temp.unknown_keys(j -> 'resources', ARRAY['homepage', 'bugtracker', 'repository'])))
  UNION ALL
  -- recon's own rules: one name, one version everywhere, the files named exist
  SELECT format('name is %s, the extension is recon', j -> 'name') FROM doc WHERE j ->> 'name' IS DISTINCT FROM 'recon'
  UNION ALL
  SELECT 'provides has no extension recon' FROM doc WHERE NOT coalesce(j -> 'provides' ? 'recon', false)
  UNION ALL
  SELECT format('version %s differs from %s %s', j -> 'version', src, v)
  FROM doc, (VALUES ('recon.control default_version', :'control_version'),
                    ('the Makefile''s EXTVERSION', :'makefile_version'),
                    ('debian/changelog''s upstream version', :'changelog_version'),
                    ('the installed extension''s default_version',
                     (SELECT default_version FROM pg_available_extensions WHERE name = 'recon'))) s(src, v)
  WHERE j ->> 'version' IS DISTINCT FROM v
  UNION ALL
  SELECT format('provides.recon.version %s differs from version %s', v -> 'version', j -> 'version')
  FROM doc, ext WHERE ext.name = 'recon' AND v ->> 'version' IS DISTINCT FROM j ->> 'version'
  UNION ALL
  SELECT format('provides.recon.file is %s: the install script make builds is sql/recon--%s.sql', v -> 'file', j ->> 'version')
  FROM doc, ext WHERE ext.name = 'recon' AND v ->> 'file' IS DISTINCT FROM format('sql/recon--%s.sql', j ->> 'version')
  UNION ALL
  SELECT format('provides.recon.docfile %s is not a file of the tree', v -> 'docfile')
  FROM ext WHERE name = 'recon' AND :'docfile_exists' <> 't'
)
SELECT line FROM problem;
