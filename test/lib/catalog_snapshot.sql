-- One line per catalog fact about the recon extension, sorted, so that two databases
-- can be compared with diff: every member object (tables, columns, constraints,
-- indexes, triggers, policies, views, sequences, types, functions, aggregates, casts,
-- operators), its definition, owner-independent privileges and comment, plus the
-- extension's registered configuration tables. Used by test/upgrade.sh to prove that
-- ALTER EXTENSION ... UPDATE gives the same catalog as a fresh install.
-- Columns are listed by name, not position: ALTER TABLE ADD COLUMN appends, a fresh
-- install may declare the column elsewhere, and recon never relies on column order.
\pset format unaligned
\pset tuples_only on
WITH ext AS (
    SELECT oid FROM pg_extension WHERE extname = 'recon'
), members AS (
    SELECT d.classid, d.objid
    FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), rels AS (
    SELECT c.oid, c.oid::regclass::text AS name, c.relkind
    FROM pg_class c JOIN members m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid
), procs AS (
    SELECT p.oid, p.oid::regprocedure::text AS name, p.prokind
    FROM pg_proc p JOIN members m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
), facts(line) AS (
    SELECT format('relation %s kind %s rls %s/%s options %s', r.name, r.relkind,
                  c.relrowsecurity, c.relforcerowsecurity, coalesce(c.reloptions::text, '{}'))
    FROM rels r JOIN pg_class c ON c.oid = r.oid
    UNION ALL
    SELECT format('acl %s %s', r.name, (SELECT string_agg(a.grantee::regrole::text || ':' || a.privilege_type, ',' ORDER BY 1)
                                          FROM aclexplode(c.relacl) a WHERE a.grantee <> 0 AND a.grantee <> c.relowner))
    FROM rels r JOIN pg_class c ON c.oid = r.oid
    UNION ALL
    SELECT format('acl %s public %s', r.name, (SELECT string_agg(a.privilege_type, ',' ORDER BY 1)
                                                 FROM aclexplode(c.relacl) a WHERE a.grantee = 0))
    FROM rels r JOIN pg_class c ON c.oid = r.oid
    UNION ALL
    SELECT format('column %s.%s %s notnull %s default %s generated %s identity %s collation %s acl %s',
                  r.name, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid), a.attgenerated, a.attidentity,
                  CASE WHEN a.attcollation <> 0 THEN a.attcollation::regcollation::text END,
                  (SELECT string_agg(x.grantee::regrole::text || ':' || x.privilege_type, ',' ORDER BY 1)
                   FROM aclexplode(a.attacl) x))
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
    UNION ALL
    SELECT format('comment column %s.%s %s', r.name, a.attname, col_description(r.oid, a.attnum))
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE col_description(r.oid, a.attnum) IS NOT NULL
    UNION ALL
    SELECT format('comment relation %s %s', r.name, obj_description(r.oid, 'pg_class'))
    FROM rels r WHERE obj_description(r.oid, 'pg_class') IS NOT NULL
    UNION ALL
    SELECT format('constraint %s %s %s', r.name, co.conname, pg_get_constraintdef(co.oid))
    FROM rels r JOIN pg_constraint co ON co.conrelid = r.oid
    UNION ALL
    SELECT format('index %s %s', r.name, pg_get_indexdef(i.indexrelid))
    FROM rels r JOIN pg_index i ON i.indrelid = r.oid
    UNION ALL
    SELECT format('trigger %s %s', r.name, pg_get_triggerdef(t.oid))
    FROM rels r JOIN pg_trigger t ON t.tgrelid = r.oid AND NOT t.tgisinternal
    UNION ALL
    SELECT format('policy %s %s %s roles %s using %s check %s', r.name, p.polname, p.polcmd,
                  (SELECT string_agg(CASE WHEN x = 0 THEN 'public' ELSE x::regrole::text END, ',' ORDER BY 1)
                   FROM unnest(p.polroles) x),
                  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
    FROM rels r JOIN pg_policy p ON p.polrelid = r.oid
    UNION ALL
    SELECT format('view %s %s', r.name, pg_get_viewdef(r.oid))
    FROM rels r WHERE r.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('sequence %s %s %s %s %s %s', r.name, s.seqtypid::regtype, s.seqstart, s.seqincrement, s.seqmin, s.seqmax)
    FROM rels r JOIN pg_sequence s ON s.seqrelid = r.oid
    UNION ALL
    SELECT format('function %s %s', p.name, CASE WHEN p.prokind = 'a' THEN
                    (SELECT format('aggregate sfunc %s stype %s final %s combine %s serial %s deserial %s init %s parallel %s',
                                   a.aggtransfn, a.aggtranstype::regtype, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                   a.aggdeserialfn, a.agginitval, pr.proparallel)
                     FROM pg_aggregate a JOIN pg_proc pr ON pr.oid = a.aggfnoid WHERE a.aggfnoid = p.oid)
                  ELSE pg_get_functiondef(p.oid) END)
    FROM procs p
    UNION ALL
    SELECT format('acl function %s %s', p.name, (SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END
                                                                   || ':' || a.privilege_type, ',' ORDER BY 1)
                                                 FROM pg_proc pr, aclexplode(coalesce(pr.proacl, acldefault('f', pr.proowner))) a
                                                 WHERE pr.oid = p.oid AND a.grantee <> pr.proowner))
    FROM procs p
    UNION ALL
    SELECT format('comment function %s %s', p.name, obj_description(p.oid, 'pg_proc'))
    FROM procs p WHERE obj_description(p.oid, 'pg_proc') IS NOT NULL
    UNION ALL
    SELECT format('type %s %s %s %s', t.oid::regtype, t.typtype, t.typbasetype::regtype,
                  (SELECT string_agg(pg_get_constraintdef(co.oid), ' AND ' ORDER BY co.conname)
                   FROM pg_constraint co WHERE co.contypid = t.oid))
    FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    UNION ALL
    SELECT format('enum %s %s', e.enumtypid::regtype, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
    FROM pg_enum e JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = e.enumtypid
    GROUP BY e.enumtypid
    UNION ALL
    SELECT format('comment type %s %s', t.oid::regtype, obj_description(t.oid, 'pg_type'))
    FROM pg_type t JOIN members m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    WHERE obj_description(t.oid, 'pg_type') IS NOT NULL
    UNION ALL
    SELECT format('cast %s as %s via %s %s', c.castsource::regtype, c.casttarget::regtype, c.castfunc::regprocedure, c.castcontext)
    FROM pg_cast c JOIN members m ON m.classid = 'pg_cast'::regclass AND m.objid = c.oid
    UNION ALL
    SELECT format('operator %s', o.oid::regoperator)
    FROM pg_operator o JOIN members m ON m.classid = 'pg_operator'::regclass AND m.objid = o.oid
    UNION ALL
    SELECT format('schema %s acl %s comment %s', n.nspname,
                  (SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'public' ELSE a.grantee::regrole::text END
                                     || ':' || a.privilege_type, ',' ORDER BY 1)
                   FROM aclexplode(n.nspacl) a WHERE a.grantee <> n.nspowner),
                  obj_description(n.oid, 'pg_namespace'))
    FROM pg_namespace n JOIN members m ON m.classid = 'pg_namespace'::regclass AND m.objid = n.oid
    UNION ALL
    SELECT format('member of class %s: %s', m.classid::regclass, count(*))
    FROM members m GROUP BY m.classid
    UNION ALL
    SELECT format('config table %s condition %s', cfg.rel::regclass, cfg.cond)
    FROM pg_extension e, ext, unnest(e.extconfig, e.extcondition) AS cfg(rel, cond)
    WHERE e.oid = ext.oid
)
SELECT line FROM facts ORDER BY line COLLATE "C";
