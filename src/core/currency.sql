-- Currencies: ISO 4217 codes and minor units (src/core/currency.c).

CREATE FUNCTION recon_currency(code text) RETURNS text
    AS 'MODULE_PATHNAME', 'recon_currency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency(text) IS
    'Canonical ISO 4217 code for a currency written loosely ('' usd '' -> USD); raises 22023 for an unknown code.';

CREATE FUNCTION recon_currency_minor_units(code text) RETURNS integer
    AS 'MODULE_PATHNAME', 'recon_currency_minor_units' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_minor_units(text) IS
    'Decimal places of a currency per ISO 4217 (JPY 0, USD 2, KWD 3, CLF 4); raises 22023 for an unknown code.';

CREATE FUNCTION recon_currency_is_known(code text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_currency_is_known' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_is_known(text) IS
    'True when the value is a canonical (upper-case, no blanks) ISO 4217 code recon knows; never raises.';

CREATE FUNCTION recon_currency_check(code text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'recon_currency_check' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION recon_currency_check(text) IS
    'Check behind the recon_currency_code domain: true for a canonical code, otherwise raises 22023 saying why.';

CREATE FUNCTION recon_currencies(OUT code text, OUT minor_units integer) RETURNS SETOF record
    AS 'MODULE_PATHNAME', 'recon_currencies' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 170;
COMMENT ON FUNCTION recon_currencies() IS
    'Every ISO 4217 currency recon knows, with its minor units.';

CREATE DOMAIN recon_currency_code AS text COLLATE "C" CHECK (recon_currency_check(VALUE));
COMMENT ON DOMAIN recon_currency_code IS
    'An upper-case ISO 4217 currency code known to recon (see recon_currencies()).';
