-- linkage_jaro_winkler: Jaro and Jaro-Winkler over characters (src/linkage/jaro_winkler.c).

-- The reference vectors (Winkler; engineering.md), rounded as published.
SELECT a, b, round(recon_jaro(a, b)::numeric, 3) AS jaro, round(recon_jaro_winkler(a, b)::numeric, 3) AS jaro_winkler
FROM (VALUES ('MARTHA', 'MARHTA'), ('DWAYNE', 'DUANE'), ('DIXON', 'DICKSONX'), ('William', 'Williams'),
             ('JONES', 'JOHNSON'), ('ABCVWXYZ', 'CABVWXYZ'), ('SHACKLEFORD', 'SHACKELFORD')) AS v(a, b)
ORDER BY a COLLATE "C";

-- Symmetric, 1 for identical strings, 0 with nothing in common.
SELECT recon_jaro_winkler('DIXON', 'DICKSONX') = recon_jaro_winkler('DICKSONX', 'DIXON') AS symmetric,
       recon_jaro_winkler('Okafor', 'Okafor') AS identical,
       recon_jaro_winkler('abc', 'xyz') AS disjoint,
       recon_jaro('ab', 'ba') AS two_transposed;

-- Characters, not bytes: one accented letter is one difference, in any script.
SELECT a, b, octet_length(a) AS a_bytes, round(recon_jaro_winkler(a, b)::numeric, 4) AS jaro_winkler
FROM (VALUES ('Müller', 'Muller'), ('Mueller', 'Muller'), ('Zoë', 'Zoe'), ('정민수', '정민서'), ('Ørsted', 'Orsted')) AS v(a, b)
ORDER BY a COLLATE "C";
SELECT recon_jaro_winkler('Müller', 'Muller') = recon_jaro_winkler('Mxller', 'Muller') AS one_character_either_way;

-- Empty strings: two are identical, one against a name has nothing in common; NULL is NULL.
SELECT recon_jaro_winkler('', '') AS both_empty, recon_jaro_winkler('', 'Ann') AS one_empty,
       recon_jaro_winkler(NULL, 'Ann') AS one_null;

-- Case matters: normalize first.
SELECT recon_jaro_winkler('SMITH', 'smith') AS raw,
       recon_jaro_winkler(recon_normalize_last_name('SMITH'), recon_normalize_last_name('smith')) AS normalized;

-- The prefix scale: 0 gives plain Jaro; at most 0.25 (a 4-character prefix then reaches 1).
SELECT recon_jaro_winkler('MARTHA', 'MARHTA', 0) = recon_jaro('MARTHA', 'MARHTA') AS scale_zero_is_jaro,
       round(recon_jaro_winkler('MARTHA', 'MARHTA', 0.25)::numeric, 3) AS scale_quarter;
SELECT * FROM regress.error_of($$SELECT recon_jaro_winkler('a', 'b', 0.3)$$);
SELECT regress.sqlstate_of($$SELECT recon_jaro_winkler('a', 'b', -0.1)$$) AS negative,
       regress.sqlstate_of($$SELECT recon_jaro_winkler('a', 'b', 'NaN')$$) AS nan;

-- Values longer than 4,096 characters are not compared (the cost grows with the square): 54000.
SELECT recon_jaro_winkler(repeat('a', 4096), repeat('a', 4096)) AS at_limit;
SELECT regress.sqlstate_of($$SELECT recon_jaro_winkler(repeat('a', 4097), 'a')$$) AS over_limit,
       regress.sqlstate_of($$SELECT recon_jaro(repeat('é', 5000), 'é')$$) AS over_limit_multibyte,
       regress.sqlstate_of($$SELECT recon_jaro_winkler(repeat('x', 10 * 1024 * 1024), 'x')$$) AS ten_megabytes;
