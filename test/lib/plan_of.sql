-- pg_temp.plan_of(query): the query's EXPLAIN (COSTS OFF) as one text, for
-- pgTAP tests that check a plan's shape (Partial Aggregate, index use).
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END $$;
