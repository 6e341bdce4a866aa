/*
 * country_sql.c: SQL functions over country.c.
 */
#include "postgres.h"

#include "identity/field_sql.h"
#include "identity/country.h"

PG_FUNCTION_INFO_V1(recon_normalize_country);
PG_FUNCTION_INFO_V1(recon_normalize_country_reason);

/* recon_country_normalize behind the common signature. */
static ReconFieldStatus
country_fn(const char *s, size_t len, const ReconFieldArgs *args, char *work, char **out, size_t *out_len)
{
	return recon_country_normalize(s, len, args->platform, work, out, out_len);
}

static const ReconFieldSpec country_spec = {country_fn, RECON_COUNTRY_PLATFORMS, "country", RECON_FIELD_EXTRA_NONE};

/* recon_normalize_country(value, ...): the platform's form, NULL when unusable. */
Datum
recon_normalize_country(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &country_spec, false);
}

/* recon_normalize_country_reason(value, ...): why the value is unusable, NULL when usable. */
Datum
recon_normalize_country_reason(PG_FUNCTION_ARGS)
{
	return recon_field_sql(fcinfo, &country_spec, true);
}
