-- Money: exact minor-unit conversions and rounding per currency (src/core/money.c).

CREATE FUNCTION recon_money_from_minor(minor_units bigint, currency text) RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_money_from_minor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_from_minor(bigint, text) IS
    'Amount from minor units per ISO 4217 exponent: (1999, USD) -> 19.99, (1999, JPY) -> 1999, (1999, KWD) -> 1.999.';

CREATE FUNCTION recon_money_to_minor(amount numeric, currency text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'recon_money_to_minor' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_to_minor(numeric, text) IS
    'Minor units of an amount: (19.99, USD) -> 1999; raises 22023 when the amount has more decimals than the currency allows.';

CREATE FUNCTION recon_money_round(amount numeric, currency text) RETURNS numeric
    AS 'MODULE_PATHNAME', 'recon_money_round' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_money_round(numeric, text) IS
    'Amount rounded half away from zero to the currency''s minor units (USD 2 places, JPY 0).';
