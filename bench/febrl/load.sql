-- Load FEBRL dataset 4 (test/data/febrl/, see its README) into febrl_a and febrl_b,
-- normalized: fields are split on ", ", CR removed, empty fields become NULL.
-- Run psql from the repository root: psql reads the files itself (\copy), relative to where it runs.
DROP TABLE IF EXISTS febrl_raw, febrl_a, febrl_b;
CREATE TEMP TABLE febrl_raw (file text, line text);
-- one whole line per row: \x01 and \x02 never occur in the files
\copy febrl_raw (line) FROM 'test/data/febrl/dataset4a.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', HEADER true)
UPDATE febrl_raw SET file = 'a';
\copy febrl_raw (line) FROM 'test/data/febrl/dataset4b.csv' WITH (FORMAT csv, DELIMITER E'\x01', QUOTE E'\x02', HEADER true)
UPDATE febrl_raw SET file = 'b' WHERE file IS NULL;

CREATE TABLE febrl_a AS
SELECT nullif(f[1], '') AS rec_id, nullif(f[2], '') AS given_name, nullif(f[3], '') AS surname,
       nullif(f[4], '') AS street_number, nullif(f[5], '') AS address_1, nullif(f[6], '') AS address_2,
       nullif(f[7], '') AS suburb, nullif(f[8], '') AS postcode, nullif(f[9], '') AS state,
       nullif(f[10], '') AS date_of_birth, nullif(f[11], '') AS soc_sec_id
FROM (SELECT file, string_to_array(rtrim(line, E'\r'), ', ') AS f FROM febrl_raw) r
WHERE file = 'a';
CREATE TABLE febrl_b (LIKE febrl_a);
INSERT INTO febrl_b
SELECT nullif(f[1], ''), nullif(f[2], ''), nullif(f[3], ''), nullif(f[4], ''), nullif(f[5], ''), nullif(f[6], ''),
       nullif(f[7], ''), nullif(f[8], ''), nullif(f[9], ''), nullif(f[10], ''), nullif(f[11], '')
FROM (SELECT file, string_to_array(rtrim(line, E'\r'), ', ') AS f FROM febrl_raw) r
WHERE file = 'b';
ANALYZE febrl_a;
ANALYZE febrl_b;
