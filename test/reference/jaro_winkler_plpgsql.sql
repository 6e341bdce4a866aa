-- Jaro-Winkler written in PL/pgSQL from the definition (engineering.md), character by character:
-- the oracle of test/pgtap/linkage.sql and the plain-SQL side of bench/jaro_winkler.sql.
-- Creates pg_temp.jaro_winkler_plpgsql(a, b): include it with \ir.
CREATE FUNCTION pg_temp.jaro_winkler_plpgsql(a text, b text) RETURNS double precision
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    la int := length(a);
    lb int := length(b);
    w int;
    m int := 0;
    t int := 0;
    k int := 1;
    p int := 0;
    a_matched boolean[];
    b_matched boolean[];
    jaro double precision;
BEGIN
    IF la = 0 AND lb = 0 THEN RETURN 1; END IF;
    IF la = 0 OR lb = 0 THEN RETURN 0; END IF;
    w := greatest(greatest(la, lb) / 2 - 1, 0);
    a_matched := array_fill(false, ARRAY[la]);
    b_matched := array_fill(false, ARRAY[lb]);
    FOR i IN 1 .. la LOOP
        FOR j IN greatest(1, i - w) .. least(lb, i + w) LOOP
            IF NOT b_matched[j] AND substr(a, i, 1) = substr(b, j, 1) THEN
                a_matched[i] := true;
                b_matched[j] := true;
                m := m + 1;
                EXIT;
            END IF;
        END LOOP;
    END LOOP;
    IF m = 0 THEN RETURN 0; END IF;
    FOR i IN 1 .. la LOOP
        CONTINUE WHEN NOT a_matched[i];
        WHILE NOT b_matched[k] LOOP k := k + 1; END LOOP;
        IF substr(a, i, 1) <> substr(b, k, 1) THEN t := t + 1; END IF;
        k := k + 1;
    END LOOP;
    jaro := (m::double precision / la + m::double precision / lb + (m - t / 2)::double precision / m) / 3;
    IF jaro <= 0.7 THEN RETURN jaro; END IF;
    WHILE p < 4 AND p < la AND p < lb AND substr(a, p + 1, 1) = substr(b, p + 1, 1) LOOP
        p := p + 1;
    END LOOP;
    RETURN jaro + p * 0.1 * (1 - jaro);
END $$;
